/**
 * Stable sorts of row lists by typed-array keys: LSD radix for numbers (times, seqs, control numbers) and a
 * counting sort for dictionary ranks. Both are O(n) and stable, so sorting the time-ordered rows by another
 * column keeps time order (then bundle, then seq) among equal values.
 */

/**
 * Sorts `rows` stably by `key[i]` (the key of `rows[i]`): non-negative integers below 2^53; NaN keys go last in
 * their original order. Returns a new array.
 */
export function radixSortRows(rows: Int32Array, key: Float64Array): Int32Array {
  const n = rows.length;
  let min = Number.POSITIVE_INFINITY;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    const k = key[i] as number;
    if (Number.isNaN(k)) nan++;
    else if (k < min) min = k;
  }
  const m = n - nan;
  let src = new Int32Array(m);
  let lo = new Uint32Array(m);
  let hi = new Uint32Array(m);
  const tail = new Int32Array(nan);
  let a = 0;
  let t = 0;
  let anyHi = 0;
  for (let i = 0; i < n; i++) {
    const k = key[i] as number;
    if (Number.isNaN(k)) {
      tail[t++] = rows[i] as number;
      continue;
    }
    const shifted = Math.floor(k - min);
    const h = Math.floor(shifted / 4294967296);
    src[a] = rows[i] as number;
    lo[a] = shifted - h * 4294967296;
    hi[a] = h;
    anyHi |= h;
    a++;
  }
  let dst = new Int32Array(m);
  let loDst = new Uint32Array(m);
  let hiDst = new Uint32Array(m);
  const counts = new Int32Array(65537);
  const passes: [boolean, number][] = [[false, 0], [false, 16]];
  if (anyHi !== 0) passes.push([true, 0], [true, 16]);
  for (const [useHi, shift] of passes) {
    const digitsOf = useHi ? hi : lo;
    counts.fill(0);
    let first = -1;
    let same = true;
    for (let i = 0; i < m; i++) {
      const d = ((digitsOf[i] as number) >>> shift) & 0xffff;
      if (first < 0) first = d;
      else if (d !== first) same = false;
      counts[d + 1] = (counts[d + 1] as number) + 1;
    }
    if (same) continue;
    for (let d = 0; d < 65536; d++) counts[d + 1] = (counts[d + 1] as number) + (counts[d] as number);
    for (let i = 0; i < m; i++) {
      const d = ((digitsOf[i] as number) >>> shift) & 0xffff;
      const at = counts[d] as number;
      counts[d] = at + 1;
      dst[at] = src[i] as number;
      loDst[at] = lo[i] as number;
      hiDst[at] = hi[i] as number;
    }
    [src, dst] = [dst, src];
    [lo, loDst] = [loDst, lo];
    [hi, hiDst] = [hiDst, hi];
  }
  if (nan === 0) return src;
  const out = new Int32Array(n);
  out.set(src);
  out.set(tail, m);
  return out;
}

/** Sorts `rows` stably by integer `rank[i]` in `[0, rankCount)`; negative ranks go last. Returns a new array. */
export function countingSortRows(rows: Int32Array, rank: Int32Array, rankCount: number): Int32Array {
  const n = rows.length;
  const counts = new Int32Array(rankCount + 2);
  for (let i = 0; i < n; i++) {
    const r = rank[i] as number;
    counts[(r < 0 ? rankCount : r) + 1] = (counts[(r < 0 ? rankCount : r) + 1] as number) + 1;
  }
  for (let d = 0; d <= rankCount; d++) counts[d + 1] = (counts[d + 1] as number) + (counts[d] as number);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rank[i] as number;
    const d = r < 0 ? rankCount : r;
    const at = counts[d] as number;
    counts[d] = at + 1;
    out[at] = rows[i] as number;
  }
  return out;
}

/** The columns the timeline's order reads: time, then the bundle's open order, then seq (each indexed by row). */
export interface TimeKeys {
  readonly time: Float64Array;
  readonly bundle: Uint16Array;
  readonly seq: Float64Array;
}

/**
 * Sorts `rows` (ascending row ids) stably by time, then bundle, then seq; NaN times and seqs last. `seqSorted` says
 * every bundle's rows are already in ascending seq order (the common case), which skips the seq pass; `bundles`
 * is how many bundles the rows may come from.
 */
export function sortByTime(rows: Int32Array, keys: TimeKeys, bundles: number, seqSorted: boolean): Int32Array {
  const n = rows.length;
  if (!seqSorted) {
    const seq = new Float64Array(n);
    for (let i = 0; i < n; i++) seq[i] = keys.seq[rows[i] as number] as number;
    rows = radixSortRows(rows, seq);
  }
  if (bundles > 1) {
    const rank = new Int32Array(n);
    for (let i = 0; i < n; i++) rank[i] = keys.bundle[rows[i] as number] as number;
    rows = countingSortRows(rows, rank, bundles);
  }
  const time = new Float64Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const t = keys.time[rows[i] as number] as number;
    time[i] = t;
    // Already in time order (the usual bundle: exported in seq order, times ascending): nothing to move.
    if (sorted && i > 0 && compareNumber(time[i - 1] as number, t) > 0) sorted = false;
  }
  return sorted ? rows : radixSortRows(rows, time);
}

/**
 * The time order of rows `[0, n)` from the order of the first `before` rows (as `sortByTime` made it) and the rows
 * appended since, sorted on their own and merged in: O(new rows) when they come after the old ones in time, as
 * rows of a loading bundle do. The result equals `sortByTime` of all `n` rows: ties between an old and a new row
 * keep the old one first, as the new rows' higher ids would in a stable sort. `kept` is how many leading
 * positions hold the same rows as before (all `before.length` when the new rows simply follow).
 */
export function extendTimeOrder(
  before: Int32Array, n: number, keys: TimeKeys, bundles: number, seqSorted: boolean,
): { order: Int32Array; kept: number } {
  const m = before.length;
  const added = new Int32Array(n - m);
  for (let i = 0; i < added.length; i++) added[i] = m + i;
  const fresh = sortByTime(added, keys, bundles, seqSorted);
  const order = new Int32Array(n);
  if (m === 0 || fresh.length === 0 || compareTime(before[m - 1] as number, fresh[0] as number, keys) <= 0) {
    order.set(before);
    order.set(fresh, m);
    return { order, kept: m };
  }
  // Old rows up to the first one after the earliest new row keep their places: only the tail interleaves.
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareTime(before[mid] as number, fresh[0] as number, keys) <= 0) lo = mid + 1;
    else hi = mid;
  }
  order.set(before.subarray(0, lo));
  let i = lo;
  let j = 0;
  let k = lo;
  while (i < m && j < fresh.length) {
    const a = before[i] as number;
    const b = fresh[j] as number;
    if (compareTime(a, b, keys) <= 0) {
      order[k++] = a;
      i++;
    } else {
      order[k++] = b;
      j++;
    }
  }
  while (i < m) order[k++] = before[i++] as number;
  while (j < fresh.length) order[k++] = fresh[j++] as number;
  return { order, kept: lo };
}

/** Time, bundle, seq (NaN after every number), as `sortByTime` orders rows; 0 when all three are equal. */
function compareTime(a: number, b: number, keys: TimeKeys): number {
  return compareNumber(keys.time[a] as number, keys.time[b] as number) ||
    (keys.bundle[a] as number) - (keys.bundle[b] as number) ||
    compareNumber(keys.seq[a] as number, keys.seq[b] as number);
}

function compareNumber(x: number, y: number): number {
  if (x === y) return 0;
  const nx = Number.isNaN(x);
  const ny = Number.isNaN(y);
  if (nx || ny) return nx && ny ? 0 : nx ? 1 : -1;
  return x < y ? -1 : 1;
}
