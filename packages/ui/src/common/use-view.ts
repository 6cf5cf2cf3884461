import { useEffect, useState } from 'react';

import type { TQuery, TSort, TSourceState, TViewHandle, TViewerDataSource } from '../data-source';
import { formatQuery } from '../query/format-query';

/** The state of `useView`: the last materialized view (kept while the next one loads). */
export interface TUseViewResult {
  readonly view: TViewHandle | null;
  readonly loading: boolean;
  readonly error: Error | null;
}

/**
 * Materializes `query` in `sort` order with `source.view` whenever either changes (compared by value:
 * the formatted query and the sort), or when `revision` changes (bump it after annotations that the query
 * may depend on). The previous view stays until the new one is ready, so the grid does not flash.
 */
export function useView(source: TViewerDataSource, query: TQuery, sort: TSort, revision = 0): TUseViewResult {
  const key = `${formatQuery(query)}\u0000${sort.column}\u0000${sort.direction}\u0000${revision}`;
  const [state, setState] = useState<TUseViewResult>({ view: null, loading: true, error: null });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    source.view(query, sort).then(
      (view) => {
        if (live) setState({ view, loading: false, error: null });
      },
      (error: unknown) => {
        if (live) setState((s) => ({ view: s.view, loading: false, error: error instanceof Error ? error : new Error(String(error)) }));
      },
    );
    return () => {
      live = false;
    };
    // `key` captures query and sort by value: identity changes alone must not re-materialize.
  }, [source, key]);
  return state;
}

/** The source's loading/verification state (`subscribe`), or `null` before the first push. */
export function useSourceState(source: TViewerDataSource): TSourceState | null {
  const [state, setState] = useState<TSourceState | null>(null);
  useEffect(() => source.subscribe(setState), [source]);
  return state;
}
