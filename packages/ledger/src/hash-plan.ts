/**
 * Plans: pure functions that say which stored hashes a computation needs, and how to combine them.
 *
 * Stored hashes are the perfect subtrees of the log (see {@link NodeId}); {@link MerkleAppender} emits each exactly
 * once. A plan lists the node ids to read; the caller reads them from any store, synchronous (memory) or
 * asynchronous (one SQL query), and passes them, in the same order, to `assemble`, which hashes non-perfect
 * subtrees (such as MTH(D[k:n]) on the right edge) from their perfect pieces.
 *
 * ```ts
 * const plan = planInclusion(index, size);
 * const hashes = await db.readHashes(plan.ids); // same order, one per id
 * const proof = plan.assemble(hashes);
 * ```
 */
import { isBytes } from './bytes';
import { resolveHasher, type Hasher, type HasherOptions } from './hasher';
import {
  consistencyRanges, inclusionRanges, multiLeafRanges, perfectPieces, rangeRanges, type NodeRange,
} from './tree-math';
import { describeType, requireIndex, requireIndexInTree, requireSize } from './validate';
import { VerificationError } from './verification-error';
import { consistencyProofLength } from './consistency';
import { multiLeafProofLength, rangeProofLength } from './multi-leaf';

/**
 * A stored hash's identity: the perfect subtree covering leaves [index·2^level, (index+1)·2^level). Level 0 holds
 * the leaf hashes; (level, index) exists once the tree has at least (index+1)·2^level leaves, and never changes.
 * `level` is an integer in [0, 63].
 */
export interface NodeId {
  readonly level: number;
  readonly index: bigint;
}

/**
 * The hashes a computation needs (`ids`, possibly empty) and how to combine them (`assemble`, which takes the
 * hashes in `ids` order). `assemble` throws `MISSING_HASH` if a hash is absent (undefined, or fewer hashes than
 * ids) and `INVALID_HASH` if one is not 32 bytes.
 */
export interface HashPlan<T> {
  readonly ids: readonly NodeId[];
  assemble(hashes: readonly (Uint8Array | undefined)[]): T;
}

/** Checks the hashes returned for `ids`. Throws `MISSING_HASH`/`INVALID_HASH`. */
export function requireStoredHashes(ids: readonly NodeId[], hashes: unknown): readonly Uint8Array[] {
  if (!Array.isArray(hashes)) {
    throw new VerificationError('MISSING_HASH', `hash store returned ${describeType(hashes)} instead of an array`);
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as NodeId;
    const hash: unknown = hashes[i];
    if (hash === undefined || hash === null) {
      throw new VerificationError('MISSING_HASH', `hash store lacks the hash at level ${id.level}, index ${id.index}`, {
        details: { level: id.level, index: id.index.toString() },
      });
    }
    if (!isBytes(hash) || hash.length !== 32) {
      throw new VerificationError('INVALID_HASH', `stored hash at level ${id.level}, index ${id.index} is not 32 bytes`, {
        details: { level: id.level, index: id.index.toString() },
      });
    }
  }
  if (hashes.length !== ids.length) {
    throw new VerificationError('MISSING_HASH', `hash store returned ${hashes.length} hashes for ${ids.length} ids`);
  }
  return hashes as readonly Uint8Array[];
}

/** A plan computing MTH of each node range from its perfect pieces. */
function planNodes(ranges: readonly NodeRange[], hasher: Hasher): HashPlan<Uint8Array[]> {
  const ids: NodeId[] = [];
  const pieceCounts: number[] = [];
  for (const { lo, hi } of ranges) {
    let count = 0;
    perfectPieces(lo, hi, (level, index) => {
      ids.push({ level, index });
      count += 1;
    });
    pieceCounts.push(count);
  }
  return {
    ids,
    assemble(hashes) {
      const checked = requireStoredHashes(ids, hashes);
      const out: Uint8Array[] = [];
      let offset = 0;
      for (const count of pieceCounts) {
        // A right-edge node is its perfect pieces, largest first, folded from the right.
        let hash = checked[offset + count - 1] as Uint8Array;
        for (let j = offset + count - 2; j >= offset; j--) hash = hasher.hashChildren(checked[j] as Uint8Array, hash);
        out.push(hash);
        offset += count;
      }
      return out;
    },
  };
}

/**
 * The frontier of a tree of `size` leaves: the perfect subtrees of size's binary decomposition, left to right
 * (largest first), which {@link MerkleAppender.restore} needs. `assemble` returns copies of those hashes.
 */
export function planFrontier(size: bigint): HashPlan<Uint8Array[]> {
  requireSize(size);
  const ids: NodeId[] = [];
  perfectPieces(0n, size, (level, index) => ids.push({ level, index }));
  return { ids, assemble: (hashes) => requireStoredHashes(ids, hashes).map((hash) => new Uint8Array(hash)) };
}

/** The root MTH(D[0:size]) at any size the store covers (RFC 9162 §2.1.1; size 0 reads nothing). */
export function planRoot(size: bigint, options?: HasherOptions): HashPlan<Uint8Array> {
  const hasher = resolveHasher(options);
  requireSize(size);
  if (size === 0n) return { ids: [], assemble: () => hasher.emptyRoot() };
  const plan = planNodes([{ lo: 0n, hi: size }], hasher);
  return { ids: plan.ids, assemble: (hashes) => plan.assemble(hashes)[0] as Uint8Array };
}

/** The inclusion proof of leaf `index` in the tree of `size` (RFC 9162 §2.1.3.1). Requires 0 <= index < size. */
export function planInclusion(index: bigint, size: bigint, options?: HasherOptions): HashPlan<Uint8Array[]> {
  const hasher = resolveHasher(options);
  requireSize(size);
  requireIndex(index);
  requireIndexInTree(index, size);
  return planNodes(inclusionRanges(index, size), hasher);
}

/** The consistency proof from size m to n (RFC 9162 §2.1.4.1; empty when m == n). Requires 0 < m <= n. */
export function planConsistency(m: bigint, n: bigint, options?: HasherOptions): HashPlan<Uint8Array[]> {
  const hasher = resolveHasher(options);
  consistencyProofLength(m, n); // validates 0 < m <= n
  return planNodes(m === n ? [] : consistencyRanges(m, n), hasher);
}

/** The multi-leaf proof of strictly increasing `indexes` (< size) in the tree of `size` (see {@link multiLeafProof}). */
export function planMultiLeaf(indexes: readonly bigint[], size: bigint, options?: HasherOptions): HashPlan<Uint8Array[]> {
  const hasher = resolveHasher(options);
  multiLeafProofLength(indexes, size); // validates
  return planNodes(multiLeafRanges(indexes, size), hasher);
}

/** The range proof of leaves [a, b) in the tree of `size` (see {@link rangeProof}). Requires 0 <= a < b <= size. */
export function planRange(a: bigint, b: bigint, size: bigint, options?: HasherOptions): HashPlan<Uint8Array[]> {
  const hasher = resolveHasher(options);
  rangeProofLength(a, b, size); // validates
  return planNodes(rangeRanges(a, b, size), hasher);
}
