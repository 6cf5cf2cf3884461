import type { TViewHandle, TViewerDataSource } from '../data-source';

/**
 * The first position in a time-sorted view at or past `ms` in the view's direction: for `asc`, the first
 * row with `time ≥ ms`; for `desc`, the first with `time ≤ ms`. Clamped to the last row; `null` for an
 * empty view. A binary search over `rows(viewId, i, 1)`: ⌈log₂ total⌉ + 1 round trips (21 for 2M rows).
 * Requires the view to be sorted by time in `direction`.
 */
export async function findTimeIndex(source: TViewerDataSource, view: TViewHandle, direction: 'asc' | 'desc', ms: number): Promise<number | null> {
  if (view.total === 0) return null;
  let lo = 0;
  let hi = view.total;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const [row] = await source.rows(view.viewId, mid, 1);
    if (row === undefined) {
      hi = mid; // the view shrank under us: search what is left
      continue;
    }
    const before = direction === 'asc' ? row.time < ms : row.time > ms;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, view.total - 1);
}
