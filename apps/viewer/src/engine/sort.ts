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
