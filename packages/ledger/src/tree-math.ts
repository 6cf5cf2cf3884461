/**
 * Internal tree arithmetic on `bigint` positions (never JS bitwise operators on numbers: they truncate to 32 bits).
 *
 * A *node* of the RFC 9162 tree of size n is a half-open leaf range [lo, hi): either a perfect subtree
 * (hi - lo = 2^l, lo a multiple of 2^l) or a node on the right edge ([lo, n) with lo a multiple of
 * 2^ceil(log2(n - lo))). Proof elements are node hashes MTH(D[lo:hi]).
 */

/** A node of the tree: leaves [lo, hi). */
export interface NodeRange {
  readonly lo: bigint;
  readonly hi: bigint;
}

const TWO_53 = 1n << 53n;

/** Number of significant bits of x >= 0 (0 → 0). */
export function bitLength(x: bigint): number {
  if (x < TWO_53) {
    const n = Number(x);
    if (n === 0) return 0;
    // log2 of a double may round across a power of two: correct by one step either way.
    let bits = Math.floor(Math.log2(n)) + 1;
    if (2 ** (bits - 1) > n) bits -= 1;
    else if (2 ** bits <= n) bits += 1;
    return bits;
  }
  return x.toString(2).length;
}

/** Number of one bits of x >= 0. */
export function popCount(x: bigint): number {
  let count = 0;
  if (x < TWO_53) {
    // Exact arithmetic on doubles below 2^53 (no bitwise operators: they would truncate to 32 bits).
    for (let n = Number(x); n > 0; n = Math.floor(n / 2)) count += n % 2;
    return count;
  }
  for (const digit of x.toString(2)) if (digit === '1') count += 1;
  return count;
}

/** Number of trailing zero bits of x > 0. */
export function trailingZeros(x: bigint): number {
  let count = 0;
  while ((x & 1n) === 0n && x > 0n) {
    x >>= 1n;
    count += 1;
  }
  return count;
}

/** True iff x is a power of two (x > 0). */
export function isPowerOfTwo(x: bigint): boolean {
  return x > 0n && (x & (x - 1n)) === 0n;
}

/** k = the largest power of two strictly smaller than n, for n >= 2 (RFC 9162 §2.1.1). */
export function splitPoint(n: bigint): bigint {
  return 1n << BigInt(bitLength(n - 1n) - 1);
}

/** True iff [lo, hi) is a node of the tree of size `size` (requires 0 <= lo < hi <= size). */
export function isTreeNode(lo: bigint, hi: bigint, size: bigint): boolean {
  const width = hi - lo;
  if (hi === size) {
    const alignment = 1n << BigInt(bitLength(width - 1n));
    return (lo & (alignment - 1n)) === 0n;
  }
  return isPowerOfTwo(width) && (lo & (width - 1n)) === 0n;
}

/**
 * Calls `emit(lo, hi)` for the maximal tree nodes that exactly cover the gap [lo, hi), left to right. Requires
 * 0 <= lo <= hi <= size where lo is 0 or follows a selected leaf and hi is `size` or a selected leaf: then these
 * are exactly the nodes MULTIPROOF emits for the gap (each contains no selected leaf and its parent does).
 */
export function coverRange(lo: bigint, hi: bigint, size: bigint, emit: (lo: bigint, hi: bigint) => void): void {
  while (lo < hi) {
    if (hi === size && isTreeNode(lo, size, size)) {
      emit(lo, size);
      return;
    }
    let width = 1n;
    while ((lo & (2n * width - 1n)) === 0n && lo + 2n * width <= hi) width *= 2n;
    emit(lo, lo + width);
    lo += width;
  }
}

/**
 * Calls `emit(level, index)` for the perfect subtrees that make up node [lo, hi), left to right (largest first):
 * the stored hashes needed to compute MTH(D[lo:hi]).
 */
export function perfectPieces(lo: bigint, hi: bigint, emit: (level: number, index: bigint) => void): void {
  const width = hi - lo;
  if (isPowerOfTwo(width) && (lo & (width - 1n)) === 0n) {
    // The common case: the node is one perfect subtree.
    const level = bitLength(width) - 1;
    emit(level, lo >> BigInt(level));
    return;
  }
  while (lo < hi) {
    let level = 0;
    while ((lo & ((2n << BigInt(level)) - 1n)) === 0n && lo + (2n << BigInt(level)) <= hi) level += 1;
    emit(level, lo >> BigInt(level));
    lo += 1n << BigInt(level);
  }
}

/** The nodes of the RFC 9162 §2.1.3.1 inclusion path of leaf m in a tree of size n, leaf sibling first. */
export function inclusionRanges(m: bigint, n: bigint): NodeRange[] {
  const topDown: NodeRange[] = [];
  let lo = 0n;
  let hi = n;
  while (hi - lo > 1n) {
    const k = splitPoint(hi - lo);
    if (m < lo + k) {
      topDown.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      topDown.push({ lo, hi: lo + k });
      lo += k;
    }
  }
  return topDown.reverse();
}

/** The nodes of the RFC 9162 §2.1.4.1 consistency proof from size m to n (0 < m < n), in proof order. */
export function consistencyRanges(m: bigint, n: bigint): NodeRange[] {
  const suffix: NodeRange[] = [];
  let lo = 0n;
  let hi = n;
  let rel = m;
  let complete = true;
  let base: NodeRange | undefined;
  for (;;) {
    if (rel === hi - lo) {
      if (!complete) base = { lo, hi };
      break;
    }
    const k = splitPoint(hi - lo);
    if (rel <= k) {
      suffix.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      suffix.push({ lo, hi: lo + k });
      rel -= k;
      lo += k;
      complete = false;
    }
  }
  suffix.reverse();
  return base === undefined ? suffix : [base, ...suffix];
}

/**
 * The nodes of the multi-leaf proof MULTIPROOF(S, D[0:n]) for strictly increasing indexes S (all < n), in proof
 * order: the maximal nodes that contain no index of S, left to right.
 */
export function multiLeafRanges(indexes: Iterable<bigint>, n: bigint): NodeRange[] {
  const out: NodeRange[] = [];
  const emit = (lo: bigint, hi: bigint): void => void out.push({ lo, hi });
  let position = 0n;
  for (const index of indexes) {
    coverRange(position, index, n, emit);
    position = index + 1n;
  }
  coverRange(position, n, n, emit);
  return out;
}

/** The nodes of the multi-leaf proof for the contiguous range [a, b) (0 <= a < b <= n). */
export function rangeRanges(a: bigint, b: bigint, n: bigint): NodeRange[] {
  const out: NodeRange[] = [];
  const emit = (lo: bigint, hi: bigint): void => void out.push({ lo, hi });
  coverRange(0n, a, n, emit);
  coverRange(b, n, n, emit);
  return out;
}

/** The number of hashes of MULTIPROOF(S, D[0:n]) for validated strictly increasing indexes S. */
export function countMultiLeafRanges(indexes: Iterable<bigint>, n: bigint): number {
  let count = 0;
  const emit = (): void => void (count += 1);
  let position = 0n;
  for (const index of indexes) {
    coverRange(position, index, n, emit);
    position = index + 1n;
  }
  coverRange(position, n, n, emit);
  return count;
}
