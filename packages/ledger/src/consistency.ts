import { bytesEqual } from './bytes';
import { resolveHasher, type HasherOptions } from './hasher';
import { subtreeHash } from './root-hash';
import { bitLength, consistencyRanges, isPowerOfTwo, popCount, trailingZeros } from './tree-math';
import { mismatch, requireHash, requireLeafHashes, requireProof, requireSize } from './validate';
import { VerificationError } from './verification-error';

/** Validates the pair of sizes of a consistency proof: 0 < m <= n < 2^64. Throws `INVALID_TREE_SIZE`. */
function requireSizePair(m: unknown, n: unknown): [bigint, bigint] {
  const first = requireSize(m, 'first tree size');
  const second = requireSize(n, 'second tree size');
  if (first === 0n) {
    throw new VerificationError('INVALID_TREE_SIZE', 'a consistency proof from the empty tree proves nothing', {
      details: { size1: '0', size2: second.toString() },
    });
  }
  if (first > second) {
    throw new VerificationError('INVALID_TREE_SIZE', `first tree size ${first} is larger than second tree size ${second}`, {
      details: { size1: first.toString(), size2: second.toString() },
    });
  }
  return [first, second];
}

/**
 * The number of hashes in the consistency proof from size m to n (0 when m == n). Requires 0 < m <= n < 2^64;
 * throws `INVALID_TREE_SIZE` otherwise.
 */
export function consistencyProofLength(m: bigint, n: bigint): number {
  requireSizePair(m, n);
  if (m === n) return 0;
  const shift = trailingZeros(m);
  const inner = bitLength((m - 1n) ^ (n - 1n));
  const border = popCount((m - 1n) >> BigInt(inner));
  return (isPowerOfTwo(m) ? 0 : 1) + inner - shift + border;
}

/**
 * The consistency proof PROOF(m, D[n]) of RFC 9162 §2.1.4.1 from an array of leaf hashes (the first n are the
 * tree). Empty when m == n. O(n) hashing: for large trees use {@link planConsistency}.
 * Requires 0 < m <= n <= leafHashes.length.
 */
export function consistencyProof(
  m: bigint, n: bigint, leafHashes: readonly Uint8Array[], options?: HasherOptions,
): Uint8Array[] {
  const hasher = resolveHasher(options);
  requireSizePair(m, n);
  requireLeafHashes(leafHashes, n);
  if (m === n) return [];
  return consistencyRanges(m, n).map(({ lo, hi }) => subtreeHash(hasher, leafHashes, Number(lo), Number(hi)));
}

/**
 * Verifies that the tree of size n with root `rootN` extends the tree of size m with root `rootM`
 * (RFC 9162 §2.1.4.2). m == n requires an empty proof and equal roots; m == 0 and m > n are rejected
 * (`INVALID_TREE_SIZE`: a proof from the empty tree proves nothing). Returns nothing; throws
 * {@link VerificationError}: `INVALID_TREE_SIZE`, `INVALID_HASH`, `INVALID_PROOF` (wrong number of hashes),
 * `CONSISTENCY_PROOF_MISMATCH` (details name which root failed).
 */
export function verifyConsistency(
  m: bigint, n: bigint, proof: readonly Uint8Array[], rootM: Uint8Array, rootN: Uint8Array, options?: HasherOptions,
): void {
  const hasher = resolveHasher(options);
  const [first, second] = requireSizePair(m, n);
  requireHash(rootM, 'first root');
  requireHash(rootN, 'second root');
  const context = `from size ${first} to ${second}`;
  const path = requireProof(proof, consistencyProofLength(first, second), 'consistency proof', context);
  if (first === second) {
    if (!bytesEqual(rootM, rootN)) {
      throw mismatch('CONSISTENCY_PROOF_MISMATCH', `trees of equal size ${first} have different roots`, rootM, rootN, {
        size1: first.toString(), size2: second.toString(), which: 'second',
      });
    }
    return;
  }
  // RFC 9162 §2.1.4.2. Step 1 (empty path) cannot happen after the length check.
  const full = isPowerOfTwo(first) ? [rootM, ...path] : path;
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = full[0] as Uint8Array;
  let sr = fr;
  for (let i = 1; i < full.length; i++) {
    const c = full[i] as Uint8Array;
    if (sn === 0n) break;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  const details = { size1: first.toString(), size2: second.toString() };
  if (!bytesEqual(fr, rootM)) {
    throw mismatch('CONSISTENCY_PROOF_MISMATCH', `consistency proof ${context} does not match the first root`, rootM, fr, {
      ...details, which: 'first',
    });
  }
  if (!bytesEqual(sr, rootN) || sn !== 0n) {
    throw mismatch('CONSISTENCY_PROOF_MISMATCH', `consistency proof ${context} does not match the second root`, rootN, sr, {
      ...details, which: 'second',
    });
  }
}
