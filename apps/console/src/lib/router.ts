/**
 * A minimal client-side router over the History API: the URL (path and query string) is the source of truth
 * for the page and for every filter, so any view can be bookmarked or shared.
 */
import { useMemo, useSyncExternalStore } from 'react';

const CHANGE = 'custody:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

/** The current location. */
export interface TLocation {
  pathname: string;
  search: string;
  params: URLSearchParams;
}

/** Re-renders when the location changes. */
export function useLocation(): TLocation {
  const href = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => {
    const url = new URL(href, 'http://console.invalid');
    return { pathname: url.pathname, search: url.search, params: url.searchParams };
  }, [href]);
}

/** Goes to `to` (a path with an optional query string). `replace` keeps the history entry. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace === true) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/**
 * Matches `/orgs/:organizationId/events` style patterns; returns the decoded parameters, or null.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const h = have[i] ?? '';
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}
