/**
 * The viewer: the open screen until a bundle is open, then the investigation workspace (verification first).
 * Files dropped anywhere on the window are opened; menu commands from the host are carried out here.
 */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';

import type { ViewerApi } from '../shared/ipc-contract';
import { Notices } from './parts/notices';
import { OpenScreen } from './screens/open-screen';
import { Workspace } from './screens/workspace';
import { useViewerSession } from './session/use-viewer-session';

/** Props of the app. */
export interface TAppProps {
  readonly api: ViewerApi;
}

/** The whole renderer. */
export function App({ api }: TAppProps): ReactElement {
  const session = useViewerSession(api);
  const [dragging, setDragging] = useState(false);
  const hasBundles = session.bundles.length > 0;

  // "Open…" from the application menu works on every screen; the rest belongs to the workspace.
  useEffect(
    () =>
      api.onMenuCommand((command) => {
        if (command === 'open') void session.openWithDialog();
        else if (command === 'close-all') void session.closeAll();
      }),
    [api, session.openWithDialog, session.closeAll],
  );

  return (
    <div
      className={`vw-app${dragging ? ' is-dragging' : ''}`}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setDragging(false);
      }}
      onDrop={(event) => {
        // Never let the browser navigate to the dropped file.
        event.preventDefault();
        setDragging(false);
        void session.openUserFiles(Array.from(event.dataTransfer.files));
      }}
    >
      {hasBundles ? <Workspace session={session} /> : <OpenScreen session={session} />}
      {dragging ? (
        <div className="vw-drop-overlay" aria-hidden="true">
          <p>Drop evidence bundles to open them</p>
        </div>
      ) : null}
      <Notices notices={session.notices} onDismiss={session.dismiss} />
    </div>
  );
}
