/**
 * Back/forward history of queries (Autopsy's `Alt+←/→`), as a pure value: `useFilterHistory` wraps it for
 * React. Entries are compared by their formatted text, so re-applying the current filter adds nothing.
 */
import type { TQuery } from '../data-source';
import { formatQuery } from './format-query';

/** The entries and the position of the current one. */
export interface TFilterHistory {
  readonly entries: readonly TQuery[];
  readonly index: number;
}

/** How many entries are kept; older ones are dropped. Default of `pushFilterHistory`. */
export const MAX_FILTER_HISTORY = 100;

/** A history holding only `initial`. */
export function createFilterHistory(initial: TQuery): TFilterHistory {
  return { entries: [initial], index: 0 };
}

/** The current query. */
export function currentFilter(history: TFilterHistory): TQuery {
  return history.entries[history.index] ?? { terms: [] };
}

/**
 * Makes `query` current: drops the forward entries (as a browser does), appends it, and trims the oldest
 * past `max`. Returns `history` unchanged when `query` formats like the current entry.
 */
export function pushFilterHistory(history: TFilterHistory, query: TQuery, max = MAX_FILTER_HISTORY): TFilterHistory {
  if (formatQuery(query) === formatQuery(currentFilter(history))) return history;
  const entries = [...history.entries.slice(0, history.index + 1), query];
  const drop = Math.max(0, entries.length - Math.max(1, max));
  return { entries: entries.slice(drop), index: entries.length - 1 - drop };
}

/** Moves `delta` entries back (negative) or forward (positive), clamped to the ends. */
export function moveFilterHistory(history: TFilterHistory, delta: number): TFilterHistory {
  const index = Math.min(history.entries.length - 1, Math.max(0, history.index + delta));
  return index === history.index ? history : { entries: history.entries, index };
}
