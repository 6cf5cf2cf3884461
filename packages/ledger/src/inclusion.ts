import { bytesEqual } from './bytes';
import { resolveHasher, type Hasher, type HasherOptions } from './hasher';
import { subtreeHash } from './root-hash';
import { bitLength, inclusionRanges, popCount } from './tree-math';
import {
  mismatch, requireHash, requireIndex, requireIndexInTree, requireLeafHashes, requireProof, requireSize,
} from './validate';

/**
 * The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves (the only length
 * RFC 9162 §2.1.3.2 accepts). Requires 0 <= index < size; throws `INVALID_INDEX`/`INVALID_TREE_SIZE` otherwise.
 */
export function inclusionProofLength(index: bigint, size: bigint): number {
  requireSize(size);
  requireIndex(index);
  requireIndexInTree(index, size);
  const inner = bitLength(index ^ (size - 1n));
  return inner + popCount(index >> BigInt(inner));
}

/**
 * The inclusion proof (audit path) PATH(index, D[size]) of RFC 9162 §2.1.3.1 from an array of leaf hashes, leaf
 * sibling first, root's child last. Uses the first `size` leaf hashes. O(size) hashing: for large trees use
 * {@link planInclusion} over stored hashes. Requires 0 <= index < size <= leafHashes.length.
 */
export function inclusionProof(
  index: bigint, size: bigint, leafHashes: readonly Uint8Array[], options?: HasherOptions,
): Uint8Array[] {
  const hasher = resolveHasher(options);
  requireSize(size);
  requireIndex(index);
  requireIndexInTree(index, size);
  requireLeafHashes(leafHashes, size);
  return inclusionRanges(index, size).map(({ lo, hi }) => subtreeHash(hasher, leafHashes, Number(lo), Number(hi)));
}

/** Below 2^53 doubles are exact: the hot path avoids a bigint allocation per step. */
const MAX_EXACT = 2n ** 53n;

/**
 * RFC 9162 §2.1.3.2 steps 2-4 on doubles (size <= 2^53), with `% 2` and `Math.floor(x / 2)` instead of bitwise
 * operators, which would truncate to 32 bits (verifiable-log.md §1.6).
 */
function walkNumbers(hasher: Hasher, index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) break;
    if (fn % 2 === 1 || fn === sn) {
      r = hasher.hashChildren(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return r;
}

/**
 * The root implied by an inclusion proof: the RFC 9162 §2.1.3.2 computation without the final comparison.
 * Validates everything first (sizes, index < size, 32-byte hashes, exact proof length; see
 * {@link verifyInclusion}). Never trust the result without comparing it to a signed root.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array, index: bigint, size: bigint, proof: readonly Uint8Array[], options?: HasherOptions,
): Uint8Array {
  const hasher = resolveHasher(options);
  requireSize(size);
  requireIndex(index);
  requireIndexInTree(index, size);
  requireHash(leafHash, 'leaf hash');
  requireProof(proof, inclusionProofLength(index, size), 'inclusion proof', `for index ${index} in a tree of ${size}`);
  // RFC 9162 §2.1.3.2 steps 2-4. The length check above makes the "sn == 0" early exit unreachable, but keep it:
  // it is the algorithm's own guard against long proofs.
  if (size <= MAX_EXACT) return walkNumbers(hasher, Number(index), Number(size), leafHash, proof);
  let fn = index;
  let sn = size - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) break;
    if ((fn & 1n) === 1n || fn === sn) {
      r = hasher.hashChildren(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return r;
}

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root` (RFC 9162 §2.1.3.2).
 * Returns nothing; throws {@link VerificationError}:
 * `INVALID_TREE_SIZE`, `INVALID_INDEX` (also index >= size), `INVALID_HASH`, `INVALID_PROOF` (wrong number of
 * hashes: "inclusion proof has 3 hashes, expected 4 for index 5 in a tree of 8"), `INCLUSION_PROOF_MISMATCH`.
 *
 * The size must come from a signed checkpoint: an inclusion proof alone does not fix the size
 * (verifiable-log.md §8.1).
 *
 * ```ts
 * verifyInclusion(hashLeaf(eventBytes), 5n, checkpoint.size, proof, checkpoint.root);
 * ```
 */
export function verifyInclusion(
  leafHash: Uint8Array, index: bigint, size: bigint, proof: readonly Uint8Array[], root: Uint8Array,
  options?: HasherOptions,
): void {
  requireSize(size);
  requireIndex(index);
  requireIndexInTree(index, size);
  requireHash(root, 'root');
  const computed = rootFromInclusionProof(leafHash, index, size, proof, options);
  if (!bytesEqual(computed, root)) {
    throw mismatch(
      'INCLUSION_PROOF_MISMATCH', `inclusion proof for index ${index} does not match the root of the tree of ${size}`,
      root, computed, { index: index.toString(), size: size.toString() },
    );
  }
}
