/**
 * Navigation policy (Electron security checklist #13): a viewer window never leaves the app. Every navigation,
 * redirect and frame navigation to anything but the app's own pages is cancelled (parsed with the URL parser),
 * including `file://` URLs from files dropped on the window, and `<webview>` is never attached (#11-12).
 */
import type { WebContents } from 'electron';

/** The events the policy listens to. */
export type TNavigationContents = Pick<WebContents, 'on'>;

/** What the policy needs to know: which URLs are the app's, and whom to tell about a blocked attempt. */
export interface TNavigationPolicy {
  isAllowed(url: string): boolean;
  onBlocked?(url: string, kind: string): void;
}

interface TNavigationEvent {
  preventDefault(): void;
  url?: string;
}

/** Installs the navigation guards on `contents`. */
export function guardNavigation(contents: TNavigationContents, policy: TNavigationPolicy): void {
  const guard = (kind: string) => (event: TNavigationEvent, legacyUrl?: unknown) => {
    // Electron ≥ 25 puts the URL on the event; older signatures pass it as the second argument.
    const url = typeof event.url === 'string' ? event.url : typeof legacyUrl === 'string' ? legacyUrl : '';
    if (!policy.isAllowed(url)) {
      event.preventDefault();
      policy.onBlocked?.(url, kind);
    }
  };
  const on = contents.on.bind(contents) as (name: string, listener: (...args: never[]) => void) => void;
  on('will-navigate', guard('will-navigate'));
  on('will-frame-navigate', guard('will-frame-navigate'));
  on('will-redirect', guard('will-redirect'));
  on('will-attach-webview', (event: TNavigationEvent) => {
    event.preventDefault();
    policy.onBlocked?.('', 'will-attach-webview');
  });
}
