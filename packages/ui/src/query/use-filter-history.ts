import { useCallback, useEffect, useMemo, useState } from 'react';

import type { TQuery } from '../data-source';
import { createFilterHistory, currentFilter, moveFilterHistory, pushFilterHistory } from './filter-history';

/** What `useFilterHistory` returns; pass it to `QueryBar` as `history` for the back/forward buttons. */
export interface TFilterHistoryControls {
  /** The current query. */
  readonly query: TQuery;
  /** Makes `query` current (drops forward entries). */
  readonly push: (query: TQuery) => void;
  readonly back: () => void;
  readonly forward: () => void;
  readonly canBack: boolean;
  readonly canForward: boolean;
  /** 0-based position and number of entries, for "2 of 5" labels. */
  readonly index: number;
  readonly length: number;
}

/** Options of `useFilterHistory`. */
export interface TUseFilterHistoryOptions {
  /**
   * Listen for `Alt+←` / `Alt+→` on the window (ignored while typing in a text field, where the keys edit
   * text). Default is `true`.
   */
  readonly keyboard?: boolean;
  /** Entries kept. Default is 100. */
  readonly max?: number;
}

/**
 * Filter history with back/forward, for the query bar: every `push` is an entry.
 *
 * ```tsx
 * const history = useFilterHistory(EMPTY_QUERY);
 * const { view } = useView(source, history.query, sort);
 * <QueryBar query={history.query} onQueryChange={history.push} history={history} />
 * ```
 */
export function useFilterHistory(initial: TQuery, options: TUseFilterHistoryOptions = {}): TFilterHistoryControls {
  const { keyboard = true, max } = options;
  const [history, setHistory] = useState(() => createFilterHistory(initial));
  const push = useCallback((query: TQuery) => setHistory((h) => pushFilterHistory(h, query, max)), [max]);
  const back = useCallback(() => setHistory((h) => moveFilterHistory(h, -1)), []);
  const forward = useCallback(() => setHistory((h) => moveFilterHistory(h, 1)), []);

  useEffect(() => {
    if (!keyboard) return undefined;
    const onKeyDown = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) return;
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      if (isTextEntry(event.target)) return;
      event.preventDefault();
      if (event.key === 'ArrowLeft') back();
      else forward();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [keyboard, back, forward]);

  return useMemo(
    () => ({
      query: currentFilter(history),
      push,
      back,
      forward,
      canBack: history.index > 0,
      canForward: history.index < history.entries.length - 1,
      index: history.index,
      length: history.entries.length,
    }),
    [history, push, back, forward],
  );
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}
