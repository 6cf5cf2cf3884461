/**
 * New-window policy (Electron security checklist #14): `window.open`, `target=_blank` links and middle clicks
 * never create a window. A safe `https:` URL is passed to the external opener (confirmation, then the OS
 * browser); everything else is dropped.
 */
import type { WebContents } from 'electron';

import { isSafeExternalUrl } from './external-links';

/** Denies every new window of `contents`; safe https links go to `openExternal`. */
export function denyWindowOpen(contents: Pick<WebContents, 'setWindowOpenHandler'>, openExternal: (url: string) => Promise<unknown>): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  });
}
