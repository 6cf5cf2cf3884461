/**
 * Network policy: the viewer works fully offline and makes no network request at all. Every request of the
 * session is cancelled unless it is the app's own (`app://`) or an in-page `blob:`/`data:` URL (memory, not
 * network); in development DevTools and the dev server's origin (HTTP and its HMR WebSocket) are allowed too. Evidence cannot make the
 * viewer fetch anything (a URL in an event stays text), and neither can a compromised renderer.
 */
import type { Session } from 'electron';

import { APP_SCHEME } from '../app-origin';
import type { TAppOrigins } from '../app-origin';

/** Whether a request to `url` may proceed. Unparsable URLs are refused. */
export function isAllowedRequest(url: string, origins: TAppOrigins): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  switch (parsed.protocol) {
    case `${APP_SCHEME}:`:
    case 'blob:':
    case 'data:':
      return true;
    case 'devtools:':
      return origins.devServer !== null;
    case 'http:':
    case 'https:':
    case 'ws:':
    case 'wss:': {
      if (origins.devServer === null) return false;
      const dev = new URL(origins.devServer);
      // The dev server and its HMR socket: same host and port, http(s) or ws(s).
      return parsed.hostname === dev.hostname && parsed.port === dev.port;
    }
    default:
      return false;
  }
}

/** The part of a session the policy configures. */
export type TNetworkSession = Pick<Session, 'webRequest'>;

/**
 * Cancels every request of `session` that {@link isAllowedRequest} refuses; `onBlocked` hears about each one
 * (logged by main, asserted by tests).
 */
export function blockNetwork(session: TNetworkSession, origins: TAppOrigins, onBlocked: (url: string) => void = () => undefined): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, origins);
    if (!allowed) onBlocked(details.url);
    callback({ cancel: !allowed });
  });
}
