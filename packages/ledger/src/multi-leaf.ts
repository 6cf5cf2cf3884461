/**
 * Multi-leaf and range proofs.
 *
 * Format. For a strictly increasing set S of leaf indexes in a tree of size n, the proof is MULTIPROOF(S, D[0:n]):
 *
 * ```text
 * MULTIPROOF(S, D[lo:hi]) = []                         if hi - lo == 1 and lo ∈ S
 *                         = [MTH(D[lo:hi])]            if S ∩ [lo, hi) is empty
 *                         = MULTIPROOF(S, D[lo:lo+k]) : MULTIPROOF(S, D[lo+k:hi])   otherwise,
 *                           k = the largest power of two < hi - lo
 * ```
 *
 * Equivalently: the hashes of the maximal subtrees that contain no leaf of S, left to right. A contiguous range
 * [a, b) needs O(log n) hashes; one leaf gives its inclusion path in left-to-right order.
 */
import { bytesEqual, isBytes } from './bytes';
import { resolveHasher, type Hasher, type HasherOptions } from './hasher';
import { subtreeHash } from './root-hash';
import { countMultiLeafRanges, coverRange, isPowerOfTwo, multiLeafRanges, rangeRanges } from './tree-math';
import {
  describeType, mismatch, requireHash, requireIndex, requireIndexInTree, requireLeafHashes, requireProof, requireSize,
} from './validate';
import { VerificationError } from './verification-error';

/** One leaf of a multi-leaf proof: its index and leaf hash `SHA-256(0x00 || data)`. */
export interface LeafEntry {
  readonly index: bigint;
  readonly leafHash: Uint8Array;
}

/** Options of {@link createMultiLeafVerifier}. */
export interface MultiLeafVerifierOptions extends HasherOptions {
  /** Error code on a root mismatch. Default is `MULTI_PROOF_MISMATCH`; {@link verifyRange} uses `RANGE_PROOF_MISMATCH`. */
  readonly mismatchCode?: 'MULTI_PROOF_MISMATCH' | 'RANGE_PROOF_MISMATCH';
}

/** A streaming multi-leaf verifier; see {@link createMultiLeafVerifier}. */
export interface MultiLeafVerifier {
  /** Adds the next leaf. Requires indexes strictly increasing and < size. */
  push(index: bigint, leafHash: Uint8Array): void;
  /** Consumes the rest of the proof and compares the root. Throws unless exactly the proof's hashes were used. */
  finish(root: Uint8Array): void;
  /** Number of leaves pushed so far. */
  readonly count: number;
  /** Number of proof hashes consumed so far. */
  readonly consumed: number;
}

/** Validates a strictly increasing, non-empty array of indexes below `size`. Throws `INVALID_INDEX`. */
function requireIndexSet(indexes: unknown, size: bigint): readonly bigint[] {
  if (!Array.isArray(indexes)) {
    throw new VerificationError('INVALID_INDEX', `indexes must be an array, got ${describeType(indexes)}`);
  }
  if (indexes.length === 0) throw new VerificationError('INVALID_INDEX', 'a multi-leaf proof needs at least one index');
  let previous = -1n;
  for (let i = 0; i < indexes.length; i++) {
    const index = requireIndex(indexes[i], `index ${i}`);
    requireIndexInTree(index, size, `index ${i}`);
    if (index <= previous) throw outOfOrder(index, previous);
    previous = index;
  }
  return indexes as readonly bigint[];
}

function outOfOrder(index: bigint, previous: bigint): VerificationError {
  return new VerificationError(
    'INVALID_INDEX',
    index === previous ? `duplicate index ${index}` : `indexes must be strictly increasing: ${index} after ${previous}`,
    { details: { index: index.toString(), previous: previous.toString() } },
  );
}

/**
 * The number of hashes in the multi-leaf proof of `indexes` (strictly increasing, non-empty, all < size) in a tree
 * of `size`. Throws `INVALID_TREE_SIZE`/`INVALID_INDEX`.
 */
export function multiLeafProofLength(indexes: readonly bigint[], size: bigint): number {
  requireSize(size);
  return countMultiLeafRanges(requireIndexSet(indexes, size), size);
}

/** Validates a range [a, b) with 0 <= a < b <= size. Throws `INVALID_INDEX`. */
function requireRange(a: unknown, b: unknown, size: bigint): [bigint, bigint] {
  const start = requireIndex(a, 'range start');
  const end = requireIndex(b, 'range end');
  if (start >= end || end > size) {
    throw new VerificationError('INVALID_INDEX', `range [${start}, ${end}) is empty or outside a tree of size ${size}`, {
      details: { start: start.toString(), end: end.toString(), size: size.toString() },
    });
  }
  return [start, end];
}

/** The number of hashes of the range proof for [a, b) in a tree of `size` (0 <= a < b <= size). */
export function rangeProofLength(a: bigint, b: bigint, size: bigint): number {
  requireSize(size);
  const [start, end] = requireRange(a, b, size);
  return rangeRanges(start, end, size).length;
}

/**
 * The multi-leaf proof MULTIPROOF(S, D[0:size]) (format in this module's header and the README) from an array of
 * leaf hashes. `indexes` must be strictly increasing, non-empty and < size <= leafHashes.length. O(size) hashing:
 * for large trees use {@link planMultiLeaf}.
 */
export function multiLeafProof(
  indexes: readonly bigint[], size: bigint, leafHashes: readonly Uint8Array[], options?: HasherOptions,
): Uint8Array[] {
  const hasher = resolveHasher(options);
  requireSize(size);
  requireIndexSet(indexes, size);
  requireLeafHashes(leafHashes, size);
  return multiLeafRanges(indexes, size).map(({ lo, hi }) => subtreeHash(hasher, leafHashes, Number(lo), Number(hi)));
}

/**
 * The range proof of leaves [a, b): the multi-leaf proof of S = {a, …, b-1}, at most about 2·log2(size) hashes
 * (the subtrees left of a, then those right of b). Requires 0 <= a < b <= size <= leafHashes.length.
 */
export function rangeProof(
  a: bigint, b: bigint, size: bigint, leafHashes: readonly Uint8Array[], options?: HasherOptions,
): Uint8Array[] {
  const hasher = resolveHasher(options);
  requireSize(size);
  const [start, end] = requireRange(a, b, size);
  requireLeafHashes(leafHashes, size);
  return rangeRanges(start, end, size).map(({ lo, hi }) => subtreeHash(hasher, leafHashes, Number(lo), Number(hi)));
}

/** The proof source of a streaming verifier: an array (its length is known) or any iterable. */
type ProofSource = Iterable<Uint8Array> | ArrayLike<Uint8Array>;

/**
 * Creates a streaming verifier of a multi-leaf proof for bundles of millions of leaves. Push leaves in strictly
 * increasing index order, then call `finish(root)`. State beyond the proof is O(log size): an explicit stack of
 * pending left subtrees (no recursion). Proof hashes are read lazily from `proof` (an array or any iterable, e.g.
 * a generator decoding base64 lines), so the proof need not be in memory either.
 *
 * Throws {@link VerificationError}: `INVALID_TREE_SIZE`; on push `INVALID_INDEX` (not a bigint, >= size,
 * duplicate or out of order) or `INVALID_HASH`; `INVALID_PROOF` when the proof runs out or has hashes left over at
 * `finish` (a proof given as an array is also checked against its length as soon as it is exceeded);
 * `MULTI_PROOF_MISMATCH` (or `options.mismatchCode`) at `finish`. After any error every later call throws the
 * same error.
 *
 * ```ts
 * const verifier = createMultiLeafVerifier(checkpoint.size, proofHashes);
 * for (const event of events) verifier.push(event.index, hashLeaf(event.bytes));
 * verifier.finish(checkpoint.root);
 * ```
 */
export function createMultiLeafVerifier(
  size: bigint, proof: ProofSource, options?: MultiLeafVerifierOptions,
): MultiLeafVerifier {
  const hasher = resolveHasher(options);
  requireSize(size);
  return new StreamingMultiLeafVerifier(size, proof, hasher, options?.mismatchCode ?? 'MULTI_PROOF_MISMATCH');
}

class StreamingMultiLeafVerifier implements MultiLeafVerifier {
  readonly #size: bigint;
  readonly #hasher: Hasher;
  readonly #mismatchCode: 'MULTI_PROOF_MISMATCH' | 'RANGE_PROOF_MISMATCH';
  readonly #nextHash: () => Uint8Array | undefined;
  readonly #declaredLength: number | undefined;
  // The stack of completed nodes [lo, hi) not yet merged with their right sibling, as parallel arrays.
  readonly #lo: bigint[] = [];
  readonly #hi: bigint[] = [];
  readonly #hash: Uint8Array[] = [];
  #position = 0n;
  #count = 0;
  #consumed = 0;
  #error: VerificationError | undefined;
  #finished = false;
  readonly #emit = (lo: bigint, hi: bigint): void => this.#shift(lo, hi, this.#take());

  constructor(size: bigint, proof: ProofSource, hasher: Hasher, mismatchCode: 'MULTI_PROOF_MISMATCH' | 'RANGE_PROOF_MISMATCH') {
    this.#size = size;
    this.#hasher = hasher;
    this.#mismatchCode = mismatchCode;
    if (Array.isArray(proof)) {
      const array = proof as readonly unknown[];
      this.#declaredLength = array.length;
      let i = 0;
      this.#nextHash = () => (i < array.length ? (array[i++] as Uint8Array) : undefined);
    } else if (proof !== null && typeof proof === 'object' && typeof (proof as Iterable<Uint8Array>)[Symbol.iterator] === 'function') {
      const iterator = (proof as Iterable<Uint8Array>)[Symbol.iterator]();
      this.#declaredLength = undefined;
      this.#nextHash = () => {
        const step = iterator.next();
        return step.done === true ? undefined : step.value;
      };
    } else if (proof !== null && typeof proof === 'object' && typeof (proof as ArrayLike<Uint8Array>).length === 'number') {
      const arrayLike = proof as ArrayLike<Uint8Array>;
      this.#declaredLength = arrayLike.length;
      let i = 0;
      this.#nextHash = () => (i < arrayLike.length ? arrayLike[i++] : undefined);
    } else {
      throw new VerificationError('INVALID_PROOF', `multi-leaf proof must be an array or iterable of hashes, got ${describeType(proof)}`);
    }
  }

  get count(): number {
    return this.#count;
  }

  get consumed(): number {
    return this.#consumed;
  }

  push(index: bigint, leafHash: Uint8Array): void {
    this.#guard(() => {
      if (this.#finished) throw new VerificationError('INVALID_ARGUMENT', 'verifier is already finished');
      requireIndex(index, 'index');
      requireIndexInTree(index, this.#size);
      if (index < this.#position) throw outOfOrder(index, this.#position - 1n);
      requireHash(leafHash, `leaf hash of index ${index}`);
      coverRange(this.#position, index, this.#size, this.#emit);
      this.#shift(index, index + 1n, leafHash);
      this.#position = index + 1n;
      this.#count += 1;
    });
  }

  finish(root: Uint8Array): void {
    this.#guard(() => {
      if (this.#finished) throw new VerificationError('INVALID_ARGUMENT', 'verifier is already finished');
      requireHash(root, 'root');
      if (this.#count === 0) throw new VerificationError('INVALID_INDEX', 'a multi-leaf proof needs at least one index');
      coverRange(this.#position, this.#size, this.#size, this.#emit);
      if (this.#nextHash() !== undefined) {
        const declared = this.#declaredLength === undefined ? '' : ` of ${this.#declaredLength}`;
        throw new VerificationError('INVALID_PROOF', `multi-leaf proof is too long: only ${this.#consumed} hashes${declared} are used`, {
          details: { expected: this.#consumed, ...(this.#declaredLength === undefined ? {} : { found: this.#declaredLength }), problem: 'too long' },
        });
      }
      this.#finished = true;
      const computed = this.#hash[0];
      if (this.#hash.length !== 1 || computed === undefined || this.#lo[0] !== 0n || this.#hi[0] !== this.#size) {
        // Unreachable when the cover is correct; kept as a structural guard.
        throw new VerificationError(this.#mismatchCode, 'multi-leaf proof does not reduce to one root');
      }
      if (!bytesEqual(computed, root)) {
        const kind = this.#mismatchCode === 'RANGE_PROOF_MISMATCH' ? 'range' : 'multi-leaf';
        throw mismatch(this.#mismatchCode, `${kind} proof for ${this.#count} leaves does not match the root of the tree of ${this.#size}`, root, computed, {
          size: this.#size.toString(), leaves: this.#count,
        });
      }
    });
  }

  #guard(action: () => void): void {
    if (this.#error !== undefined) throw this.#error;
    try {
      action();
    } catch (error) {
      this.#error = error instanceof VerificationError
        ? error
        : new VerificationError('INVALID_PROOF', 'multi-leaf proof source failed', { cause: error });
      throw this.#error;
    }
  }

  /** The next proof hash, validated. Throws `INVALID_PROOF` when the proof runs out. */
  #take(): Uint8Array {
    const hash = this.#nextHash();
    if (hash === undefined) {
      throw new VerificationError('INVALID_PROOF', `multi-leaf proof is truncated: it has only ${this.#consumed} hashes`, {
        details: { found: this.#consumed, problem: 'truncated' },
      });
    }
    if (!isBytes(hash) || hash.length !== 32) requireHash(hash, `multi-leaf proof hash ${this.#consumed}`);
    this.#consumed += 1;
    return hash;
  }

  /** Pushes node [lo, hi) and merges completed siblings. */
  #shift(lo: bigint, hi: bigint, hash: Uint8Array): void {
    this.#lo.push(lo);
    this.#hi.push(hi);
    this.#hash.push(hash);
    for (;;) {
      const top = this.#lo.length - 1;
      if (top < 1) return;
      const a = this.#lo[top - 1] as bigint;
      const b = this.#hi[top - 1] as bigint;
      const c = this.#hi[top] as bigint;
      // [a, b) and [b, c) are siblings iff [a, c) is a node split at b: the left child is perfect, the union is
      // aligned to twice its width, and the right child is as wide (perfect union) or ends the tree.
      const width = b - a;
      if (!isPowerOfTwo(width) || (a & (2n * width - 1n)) !== 0n) return;
      const rightWidth = c - b;
      if (rightWidth !== width && !(c === this.#size && rightWidth < width)) return;
      const merged = this.#hasher.hashChildren(this.#hash[top - 1] as Uint8Array, this.#hash[top] as Uint8Array);
      this.#lo.pop();
      this.#hi.pop();
      this.#hash.pop();
      this.#hi[top - 1] = c;
      this.#hash[top - 1] = merged;
    }
  }
}

/** Validates `entries` and returns them. Throws `INVALID_INDEX`/`INVALID_HASH`. */
function requireEntries(entries: unknown, size: bigint): readonly LeafEntry[] {
  if (!Array.isArray(entries)) {
    throw new VerificationError('INVALID_INDEX', `entries must be an array, got ${describeType(entries)}`);
  }
  if (entries.length === 0) throw new VerificationError('INVALID_INDEX', 'a multi-leaf proof needs at least one index');
  let previous = -1n;
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    if (entry === null || typeof entry !== 'object') {
      throw new VerificationError('INVALID_INDEX', `entry ${i} must be an object, got ${describeType(entry)}`);
    }
    const { index, leafHash } = entry as { index?: unknown; leafHash?: unknown };
    const checked = requireIndex(index, `index of entry ${i}`);
    requireIndexInTree(checked, size, `index of entry ${i}`);
    if (checked <= previous) throw outOfOrder(checked, previous);
    requireHash(leafHash, `leaf hash of entry ${i}`);
    previous = checked;
  }
  return entries as readonly LeafEntry[];
}

/**
 * Verifies a multi-leaf proof (format in the module header) for `entries` (strictly increasing indexes, each with
 * its leaf hash) against the tree of `size` with root `root`. Validates every entry and the exact proof length
 * before hashing. Throws {@link VerificationError}: `INVALID_TREE_SIZE`, `INVALID_INDEX` (empty, unsorted,
 * duplicate or out-of-range indexes), `INVALID_HASH`, `INVALID_PROOF`, `MULTI_PROOF_MISMATCH`.
 */
export function verifyMultiLeaf(
  size: bigint, entries: readonly LeafEntry[], proof: readonly Uint8Array[], root: Uint8Array, options?: HasherOptions,
): void {
  requireSize(size);
  const checked = requireEntries(entries, size);
  requireHash(root, 'root');
  const expected = countMultiLeafRanges(checked.map((entry) => entry.index), size);
  requireProof(proof, expected, 'multi-leaf proof', `for ${checked.length} leaves in a tree of ${size}`);
  const verifier = createMultiLeafVerifier(size, proof, options);
  for (const entry of checked) verifier.push(entry.index, entry.leafHash);
  verifier.finish(root);
}

/**
 * Verifies that `leafHashesOfRange` (b - a hashes) are exactly leaves [a, b) of the tree of `size` with root
 * `root`, using a range proof ({@link rangeProof}). This proves completeness for the range: no leaf in [a, b) was
 * left out. Throws {@link VerificationError}: `INVALID_TREE_SIZE`, `INVALID_INDEX` (empty range, or b > size),
 * `INVALID_PROOF` (wrong number of leaf hashes or proof hashes), `INVALID_HASH`, `RANGE_PROOF_MISMATCH`.
 */
export function verifyRange(
  a: bigint, b: bigint, size: bigint, leafHashesOfRange: readonly Uint8Array[], proof: readonly Uint8Array[],
  root: Uint8Array, options?: HasherOptions,
): void {
  requireSize(size);
  const [start, end] = requireRange(a, b, size);
  requireHash(root, 'root');
  if (!Array.isArray(leafHashesOfRange)) {
    throw new VerificationError('INVALID_PROOF', `leaf hashes of the range must be an array, got ${describeType(leafHashesOfRange)}`);
  }
  if (BigInt(leafHashesOfRange.length) !== end - start) {
    throw new VerificationError('INVALID_PROOF', `range [${start}, ${end}) needs ${end - start} leaf hashes, got ${leafHashesOfRange.length}`, {
      details: { expected: (end - start).toString(), found: leafHashesOfRange.length },
    });
  }
  for (let i = 0; i < leafHashesOfRange.length; i++) requireHash(leafHashesOfRange[i], `leaf hash ${i} of the range`);
  requireProof(proof, rangeRanges(start, end, size).length, 'range proof', `for [${start}, ${end}) in a tree of ${size}`);
  const verifier = createMultiLeafVerifier(size, proof, { ...options, mismatchCode: 'RANGE_PROOF_MISMATCH' });
  let index = start;
  for (const leafHash of leafHashesOfRange as readonly Uint8Array[]) verifier.push(index++, leafHash);
  verifier.finish(root);
}
