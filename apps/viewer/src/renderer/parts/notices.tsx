import type { ReactElement } from 'react';

import type { TNotice } from '../session/use-viewer-session';

/** Short messages at the bottom right; errors stay until dismissed. */
export function Notices({ notices, onDismiss }: { notices: readonly TNotice[]; onDismiss: (id: number) => void }): ReactElement {
  return (
    <div className="vw-notices" role="status" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`vw-notice vw-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : undefined}>
          <span>{notice.text}</span>
          <button type="button" className="vw-notice-close" aria-label="Dismiss" onClick={() => onDismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
