/**
 * Where the signed-in API key lives: `sessionStorage` (this tab, gone when it closes) by default, or
 * `localStorage` when the user ticks "remember on this device". Never both.
 */

const KEY = 'custody.apiKey';
const LAST_ORGANIZATION = 'custody.lastOrganization';

/** The stored key, if any, and where it was found. */
export interface TStoredKey {
  apiKey: string;
  remember: boolean;
}

/** Reads the stored key (this tab first, then this device). */
export function readStoredKey(): TStoredKey | null {
  const session = safe(() => window.sessionStorage.getItem(KEY));
  if (session !== null && session !== undefined && session !== '') return { apiKey: session, remember: false };
  const local = safe(() => window.localStorage.getItem(KEY));
  if (local !== null && local !== undefined && local !== '') return { apiKey: local, remember: true };
  return null;
}

/** Stores the key in one place and removes it from the other. */
export function writeStoredKey(apiKey: string, remember: boolean): void {
  clearStoredKey();
  safe(() => (remember ? window.localStorage : window.sessionStorage).setItem(KEY, apiKey));
}

/** Forgets the key everywhere (sign out). */
export function clearStoredKey(): void {
  safe(() => window.sessionStorage.removeItem(KEY));
  safe(() => window.localStorage.removeItem(KEY));
}

/** The organization the user last opened, to land there next time. */
export function readLastOrganization(): string | null {
  return safe(() => window.localStorage.getItem(LAST_ORGANIZATION)) ?? null;
}

export function writeLastOrganization(organizationId: string): void {
  safe(() => window.localStorage.setItem(LAST_ORGANIZATION, organizationId));
}

/**
 * The Events page's last query string per organization (this tab only), so the Exports page can offer "the
 * current Events filter" after the user followed the sidebar there.
 */
export function readEventsSearch(organizationId: string): string {
  return safe(() => window.sessionStorage.getItem(`custody.eventsSearch.${organizationId}`)) ?? '';
}

export function writeEventsSearch(organizationId: string, search: string): void {
  safe(() => window.sessionStorage.setItem(`custody.eventsSearch.${organizationId}`, search));
}

/** Storage can throw (disabled cookies, private modes): the console then works without persistence. */
function safe<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
