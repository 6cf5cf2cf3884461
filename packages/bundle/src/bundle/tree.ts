/**
 * Streaming verification of a multi-leaf proof as a tiling of the RFC 9162 tree.
 *
 * The bundle's leaves (`leaves.txt`) and proof hashes (`proof-hashes.txt`, each annotated with the leaf range
 * `[lo, hi)` of its subtree) are, together, a sequence of tree nodes that must tile `[0, size)` left to right.
 * Shift-reducing them (merging each node with its left sibling once both are known) yields the root, which must
 * equal the signed checkpoint's root. This is the ledger's multi-leaf verification (`createMultiLeafVerifier`,
 * same merge rule, same proof order: "the maximal subtrees that contain no listed leaf, left to right") with
 * three additions the bundle needs:
 *
 * 1. nodes may be pushed whole: a worker that hashed a run of consecutive leaves pushes the aligned perfect
 *    subtrees it reduced them to, so the tree work is spread over threads;
 * 2. positions are JavaScript numbers (tree sizes up to 2^53 - 1; bundles beyond are rejected), no bigints;
 * 3. because proof hashes carry their ranges, a hole is reported by position: "seq 1016 is neither a listed leaf
 *    nor covered by a proof hash" names a dropped event even in selected mode.
 *
 * A proof whose nodes are not maximal (two leaf-free siblings) still authenticates the leaves but is not the
 * ledger's canonical form; it is reported as `not_maximal`. The tests check this module against the ledger's
 * `multiLeafProof` and `verifyMultiLeaf` on random trees.
 */

import type { Sha256Into } from '@custody/ledger';

/** Largest tree size supported by bundles (positions are numbers). */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

/** `x` is a power of two (x >= 1). */
export function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  if (x <= 0x40000000) return (x & (x - 1)) === 0;
  return Number.isInteger(Math.log2(x)) && 2 ** Math.log2(x) === x;
}

/** The smallest power of two >= x (x >= 1). */
function ceilPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** The largest power of two < n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Whether `[lo, hi)` is a node of the RFC 9162 tree of `size` leaves: a perfect aligned subtree inside the tree,
 * or a node on the right edge `[lo, size)` (lo is `size` with some low bits cleared).
 */
export function isTreeNode(lo: number, hi: number, size: number): boolean {
  if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo >= 0 && lo < hi && hi <= size)) return false;
  const width = hi - lo;
  if (isPowerOfTwo(width) && lo % width === 0) return true;
  return hi === size && lo % ceilPowerOfTwo(width) === 0;
}

/**
 * Calls `emit(lo, hi)` for the maximal tree nodes that exactly cover `[from, to)` in the tree of `size`, left to
 * right (the multi-leaf proof's hashes for a gap between listed leaves). Requires 0 <= from <= to <= size.
 */
export function coverRange(from: number, to: number, size: number, emit: (lo: number, hi: number) => void): void {
  if (from >= to) return;
  const visit = (lo: number, hi: number): void => {
    if (to <= lo || hi <= from) return;
    if (from <= lo && hi <= to) {
      emit(lo, hi);
      return;
    }
    const k = splitPoint(hi - lo);
    visit(lo, lo + k);
    visit(lo + k, hi);
  };
  visit(0, size);
}

/** The node ranges of the multi-leaf proof of a contiguous range `[from, to)` in a tree of `size`, in proof order. */
export function rangeProofRanges(from: number, to: number, size: number): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  coverRange(0, from, size, (lo, hi) => out.push({ lo, hi }));
  coverRange(to, size, size, (lo, hi) => out.push({ lo, hi }));
  return out;
}

/** A structural problem of the tiling. */
export interface TilingProblem {
  /** `hole`: leaves [lo, hi) are covered by nothing; `overlap`: a node starts before the covered end; `not_a_node`. */
  readonly kind: 'hole' | 'overlap' | 'not_a_node' | 'not_maximal' | 'beyond_size';
  readonly lo: number;
  readonly hi: number;
  /** The caller's tag of the node that revealed the problem (e.g. a proof line), if any. */
  readonly tag?: number;
  readonly fromProof?: boolean;
}

/** SHA-256(0x01 || left || right) (RFC 9162 §2.1.1). */
export type HashChildren = (left: Uint8Array, right: Uint8Array) => Uint8Array;

/** Builds {@link HashChildren} over a one-shot SHA-256 with a reused 65-byte buffer (one input chunk). */
export function createNodeHasher(sha256: (...chunks: readonly Uint8Array[]) => Uint8Array): HashChildren {
  const scratch = new Uint8Array(65);
  scratch[0] = 0x01;
  return (left, right) => {
    scratch.set(left, 1);
    scratch.set(right, 33);
    return sha256(scratch);
  };
}

/**
 * The shift-reduce tiling described in the module header. Push nodes in increasing `lo`; `finish()` returns
 * the root, or `undefined` when the tiling is broken (holes, overlaps, invalid nodes), with the problems found.
 */
export class TreeTiling {
  readonly #size: number;
  readonly #hashChildren: HashChildren;
  readonly #lo: number[] = [];
  readonly #hi: number[] = [];
  readonly #hash: Uint8Array[] = [];
  readonly #leafy: boolean[] = [];
  readonly #problems: TilingProblem[] = [];
  readonly #maxProblems: number;
  #problemCount = 0;
  #covered = 0;
  #broken = false;
  #notMaximalReported = false;

  constructor(size: number, hashChildren: HashChildren, maxProblems = 100) {
    this.#size = size;
    this.#hashChildren = hashChildren;
    this.#maxProblems = maxProblems;
  }

  /** End of the covered prefix `[0, covered)`. */
  get covered(): number {
    return this.#covered;
  }

  /** Problems found so far (at most `maxProblems`; see `problemCount`). */
  get problems(): readonly TilingProblem[] {
    return this.#problems;
  }

  get problemCount(): number {
    return this.#problemCount;
  }

  #report(problem: TilingProblem): void {
    this.#problemCount += 1;
    if (this.#problems.length < this.#maxProblems) this.#problems.push(problem);
  }

  /**
   * Adds node `[lo, hi)` with its hash. `hasLeaves` is false for proof hashes (subtrees without listed leaves).
   * `tag` identifies the node in problems (a proof line number, a seq).
   */
  push(lo: number, hi: number, hash: Uint8Array, hasLeaves: boolean, tag?: number): void {
    const base = tag === undefined ? { fromProof: !hasLeaves } : { tag, fromProof: !hasLeaves };
    if (hi > this.#size) {
      this.#report({ kind: 'beyond_size', lo, hi, ...base });
      this.#broken = true;
      return;
    }
    if (lo < this.#covered) {
      this.#report({ kind: 'overlap', lo, hi: Math.min(hi, this.#covered), ...base });
      this.#broken = true;
      return;
    }
    if (lo > this.#covered) {
      this.#report({ kind: 'hole', lo: this.#covered, hi: lo, ...base });
      this.#broken = true;
    }
    this.#covered = hi;
    if (!isTreeNode(lo, hi, this.#size)) {
      this.#report({ kind: 'not_a_node', lo, hi, ...base });
      this.#broken = true;
      return;
    }
    if (this.#broken) return;
    this.#shift(lo, hi, hash, hasLeaves);
  }

  #shift(lo: number, hi: number, hash: Uint8Array, leafy: boolean): void {
    const los = this.#lo;
    const his = this.#hi;
    const hashes = this.#hash;
    const leafies = this.#leafy;
    los.push(lo);
    his.push(hi);
    hashes.push(hash);
    leafies.push(leafy);
    for (;;) {
      const top = los.length - 1;
      if (top < 1) return;
      const a = los[top - 1] as number;
      const mid = his[top - 1] as number;
      const c = his[top] as number;
      // [a, mid) and [mid, c) are siblings iff the left one is perfect and aligned to twice its width, and the
      // right one is as wide (perfect parent) or ends the tree (right edge).
      const width = mid - a;
      if (!isPowerOfTwo(width) || a % (2 * width) !== 0) return;
      const rightWidth = c - mid;
      if (rightWidth !== width && !(c === this.#size && rightWidth < width)) return;
      const leftLeafy = leafies[top - 1] as boolean;
      const rightLeafy = leafies[top] as boolean;
      if (!leftLeafy && !rightLeafy && !this.#notMaximalReported) {
        this.#notMaximalReported = true;
        this.#report({ kind: 'not_maximal', lo: a, hi: c, fromProof: true });
      }
      const merged = this.#hashChildren(hashes[top - 1] as Uint8Array, hashes[top] as Uint8Array);
      los.pop();
      his.pop();
      hashes.pop();
      leafies.pop();
      his[top - 1] = c;
      hashes[top - 1] = merged;
      leafies[top - 1] = leftLeafy || rightLeafy;
    }
  }

  /** Ends the tiling: the root, or `undefined` if it is broken (a final hole is reported here). */
  finish(): Uint8Array | undefined {
    if (this.#covered < this.#size) {
      this.#report({ kind: 'hole', lo: this.#covered, hi: this.#size });
      this.#broken = true;
    }
    if (this.#broken || this.#hash.length !== 1 || this.#lo[0] !== 0 || this.#hi[0] !== this.#size) return undefined;
    return this.#hash[0];
  }
}

/**
 * Reduces consecutive leaves to aligned perfect subtrees (no right-edge merges), for workers: push leaves in
 * increasing index order, then `finish()` for the nodes (ascending). Hashes live in flat buffers (no object per
 * node): the working stack holds one contiguous run (at most 64 nodes); a leaf that does not continue the run
 * moves the stack to the output, since nothing can merge across a gap.
 */
export class SubtreeReducer {
  readonly #sha256Into: Sha256Into;
  readonly #scratch = new Uint8Array(65);
  readonly #lo = new Float64Array(64);
  readonly #hi = new Float64Array(64);
  readonly #stack = new Uint8Array(64 * 32);
  #depth = 0;
  #outLo: number[] = [];
  #outHi: number[] = [];
  #out = new Uint8Array(32 * 256);
  #outCount = 0;

  constructor(sha256Into: Sha256Into) {
    this.#sha256Into = sha256Into;
    this.#scratch[0] = 0x01;
  }

  /** stack[at, at + 32) = SHA-256(0x01 || stack[at, at + 64)), without allocating. */
  #hashPair(stack: Uint8Array, at: number): void {
    const scratch = this.#scratch;
    for (let i = 0; i < 64; i++) scratch[i + 1] = stack[at + i] as number;
    this.#sha256Into(scratch, stack, at);
  }

  /** Adds leaf `index` with the 32-byte hash at `hashes[offset…]`. */
  push(index: number, hashes: Uint8Array, offset: number): void {
    if (this.#depth > 0 && (this.#hi[this.#depth - 1] as number) !== index) this.#spill();
    const stack = this.#stack;
    let top = this.#depth;
    this.#lo[top] = index;
    this.#hi[top] = index + 1;
    for (let i = 0; i < 32; i++) stack[top * 32 + i] = hashes[offset + i] as number;
    top += 1;
    while (top >= 2) {
      const a = this.#lo[top - 2] as number;
      const width = (this.#hi[top - 2] as number) - a;
      if ((this.#hi[top - 1] as number) - (this.#lo[top - 1] as number) !== width || a % (2 * width) !== 0) break;
      // The left and right children are adjacent in the stack: hash the 64 bytes in place.
      this.#hashPair(stack, (top - 2) * 32);
      this.#hi[top - 2] = a + 2 * width;
      top -= 1;
    }
    this.#depth = top;
  }

  #spill(): void {
    for (let i = 0; i < this.#depth; i++) {
      if ((this.#outCount + 1) * 32 > this.#out.length) {
        const bigger = new Uint8Array(this.#out.length * 2);
        bigger.set(this.#out);
        this.#out = bigger;
      }
      this.#out.set(this.#stack.subarray(i * 32, i * 32 + 32), this.#outCount * 32);
      this.#outLo.push(this.#lo[i] as number);
      this.#outHi.push(this.#hi[i] as number);
      this.#outCount += 1;
    }
    this.#depth = 0;
  }

  /** The nodes, ascending: ranges and hashes (32 bytes each, flat). */
  finish(): { lo: Float64Array; hi: Float64Array; hashes: Uint8Array } {
    this.#spill();
    return {
      lo: Float64Array.from(this.#outLo),
      hi: Float64Array.from(this.#outHi),
      hashes: this.#out.slice(0, this.#outCount * 32),
    };
  }
}
