/**
 * Where the viewer's own pages come from. Production pages are served by the `app://` protocol
 * (security/app-protocol.ts), never `file://`; `electron-vite dev` serves them from its dev server instead.
 */

/** The privileged scheme of the viewer's pages. */
export const APP_SCHEME = 'app';
/** Host of the renderer's static files: `app://viewer/index.html`. */
export const APP_HOST = 'viewer';
/** Host of in-memory documents rendered for printing (the findings report): `app://report/<token>.html`. */
export const REPORT_HOST = 'report';
/** The renderer's entry page in production. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The origins our own pages may come from: `app://viewer` always, plus the dev server in development. */
export interface TAppOrigins {
  /** `http://localhost:5173` while `electron-vite dev` runs; null in production. */
  readonly devServer: string | null;
}

/**
 * Whether `url` is one of the viewer's own pages: `app://viewer/…`, or the dev server's origin in development.
 * Parsed with the URL parser (never `startsWith`, viewer.md §4.1 #13); unparsable URLs are not ours.
 */
export function isAppUrl(url: string, origins: TAppOrigins): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // `app:` is not a WHATWG special scheme, so `origin` is "null": compare scheme and host instead.
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '') return true;
  if (origins.devServer !== null) {
    try {
      return parsed.origin === new URL(origins.devServer).origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** Whether `url` is an in-memory report page (`app://report/…`), which only the PDF printer loads. */
export function isReportUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === REPORT_HOST;
  } catch {
    return false;
  }
}
