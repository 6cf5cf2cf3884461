/**
 * The first screen: open evidence bundles (dialog, drop, file input), reopen a recent one, see which keys are
 * trusted. Nothing is trusted or shown before a bundle has been opened and its verification started.
 */
import { useId } from 'react';
import type { ReactElement } from 'react';

import { formatBytes } from '../format';
import type { TViewerSession } from '../session/use-viewer-session';

/** The open screen. */
export function OpenScreen({ session }: { session: TViewerSession }): ReactElement {
  const inputId = useId();
  const web = session.platform?.kind === 'web';
  return (
    <main className="vw-open">
      <section className="vw-open-card" aria-labelledby={`${inputId}-title`}>
        <header className="vw-open-head">
          <div className="vw-logo" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="34" height="34">
              <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z" fill="currentColor" opacity="0.15" />
              <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Zm-1.2 13.6-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z" fill="currentColor" />
            </svg>
          </div>
          <div>
            <h1 id={`${inputId}-title`}>Custody Viewer</h1>
            <p className="vw-muted">Open evidence bundles offline. Everything is verified before you rely on it; the evidence is never modified.</p>
          </div>
        </header>

        <div className="vw-drop-target">
          <p className="vw-drop-title">Drop evidence bundles (.zip) here</p>
          <p className="vw-muted">or</p>
          <div className="vw-open-actions">
            <button type="button" className="cu-button cu-button-primary" onClick={() => void session.openWithDialog()}>
              Open bundles…
            </button>
            <label className="cu-button vw-file-label" htmlFor={inputId}>
              Choose files
            </label>
            <input
              id={inputId}
              className="vw-file-input"
              type="file"
              accept=".zip,application/zip"
              multiple
              aria-label="Evidence bundle files"
              data-testid="bundle-file-input"
              onChange={(event) => {
                const files = Array.from(event.currentTarget.files ?? []);
                event.currentTarget.value = '';
                void session.openUserFiles(files);
              }}
            />
          </div>
          <p className="vw-muted vw-small">Several bundles can be opened together: their events are merged into one timeline.</p>
        </div>

        <div className="vw-open-columns">
          <section aria-labelledby={`${inputId}-recent`}>
            <h2 id={`${inputId}-recent`} className="vw-section-title">Recent bundles</h2>
            {session.recent.length === 0 ? (
              <p className="vw-muted vw-small">No bundles opened yet.</p>
            ) : (
              <ul className="vw-recent" aria-label="Recent bundles">
                {session.recent.map((file) => (
                  <li key={file.id}>
                    <button type="button" className="vw-recent-item" onClick={() => void session.openRecent(file)} title={file.location}>
                      <span className="vw-recent-name">{file.name}</span>
                      <span className="vw-muted vw-small">
                        {formatBytes(file.size)} · opened {new Date(file.openedAt).toLocaleString()}
                        {file.reopenable ? '' : web ? ' · choose it again' : ' · missing'}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby={`${inputId}-keys`}>
            <h2 id={`${inputId}-keys`} className="vw-section-title">Trusted signing keys</h2>
            {session.trustedKeys.length === 0 ? (
              <p className="vw-muted vw-small">None yet. When a bundle is signed by a key you have not seen, the viewer shows its fingerprint and asks you.</p>
            ) : (
              <ul className="vw-keys" aria-label="Trusted signing keys">
                {session.trustedKeys.map((key) => (
                  <li key={key.vkey}>
                    <span className="vw-key-name">{key.label === '' ? key.name : key.label}</span>
                    <code className="vw-small">{key.fingerprint}</code>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <footer className="vw-open-foot vw-muted vw-small">
          {session.platform === null ? '' : `${session.platform.kind === 'electron' ? 'Desktop' : 'Browser'} viewer ${session.platform.version}`}
          {web ? ' · runs entirely in this browser: nothing is uploaded' : ' · works offline: no network access'}
        </footer>
      </section>
    </main>
  );
}
