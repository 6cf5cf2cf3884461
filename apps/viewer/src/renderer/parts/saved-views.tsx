/**
 * Saved views: the query as typed, the sort and the visible columns, kept in the case file (never in the
 * bundle). Choosing one applies it; "Save view" names the current one.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ReactElement } from 'react';

import type { TSavedView } from '../../engine';
import type { TViewerSession } from '../session/use-viewer-session';

export interface TSavedViewsProps {
  readonly session: TViewerSession;
  /** The current view, to save. */
  readonly current: () => Omit<TSavedView, 'name'>;
  readonly onApply: (view: TSavedView) => void;
}

/** The saved-views control of the query row. */
export function SavedViews({ session, current, onApply }: TSavedViewsProps): ReactElement {
  const [views, setViews] = useState<readonly TSavedView[]>([]);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const refresh = useCallback(async () => setViews(await session.engine.savedViews()), [session.engine]);
  useEffect(() => {
    void refresh();
  }, [refresh, session.revision]);

  if (naming) {
    return (
      <form
        className="vw-saved-views"
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = name.trim();
          if (trimmed === '') return;
          void session.engine.saveView({ name: trimmed, ...current() }).then(async () => {
            setNaming(false);
            setName('');
            await refresh();
            session.changed();
            session.notify('success', `View “${trimmed}” saved in the case file.`);
          }, (error: unknown) => session.notify('error', error instanceof Error ? error.message : String(error)));
        }}
      >
        <input className="cu-input" aria-label="View name" placeholder="View name" value={name} autoFocus onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="cu-button cu-button-primary">Save</button>
        <button type="button" className="cu-button cu-button-quiet" onClick={() => setNaming(false)}>Cancel</button>
      </form>
    );
  }
  return (
    <div className="vw-saved-views">
      <select
        className="cu-input"
        aria-label="Saved views"
        value=""
        onChange={(event) => {
          const view = views.find((v) => v.name === event.target.value);
          if (view !== undefined) onApply(view);
        }}
      >
        <option value="">{views.length === 0 ? 'No saved views' : 'Saved views…'}</option>
        {views.map((view) => (
          <option key={view.name} value={view.name}>
            {view.name}
          </option>
        ))}
      </select>
      <button type="button" className="cu-button" onClick={() => setNaming(true)}>
        Save view
      </button>
    </div>
  );
}
