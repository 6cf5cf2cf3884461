/**
 * The one opener of external URLs (Electron security checklist #15). Evidence contains URLs; the viewer never
 * opens one by itself. A link the examiner activates goes to the OS browser only if it is plain `https:` without
 * credentials, and only after a confirmation that shows the full URL.
 */

/** Longest URL offered to the OS browser. */
const MAX_EXTERNAL_URL_LENGTH = 2048;

/** Whether `url` may be offered to the OS browser: `https:`, no user name or password, a sane length. */
export function isSafeExternalUrl(url: string): boolean {
  if (url.length > MAX_EXTERNAL_URL_LENGTH) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** How to ask the examiner and how to open a URL (main: a message box and `shell.openExternal`). */
export interface TExternalOpenerDeps {
  confirm(url: string): Promise<boolean>;
  open(url: string): Promise<void>;
}

/** Creates the opener: resolves true only when the URL was safe, confirmed and handed to the OS. */
export function createExternalOpener(deps: TExternalOpenerDeps): (url: string) => Promise<boolean> {
  return async (url) => {
    if (!isSafeExternalUrl(url)) return false;
    if (!(await deps.confirm(url))) return false;
    await deps.open(url);
    return true;
  };
}
