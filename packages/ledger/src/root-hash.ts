import { resolveHasher, type Hasher, type HasherOptions } from './hasher';
import { requireHash } from './validate';
import { VerificationError } from './verification-error';
import { describeType } from './validate';

/**
 * MTH(D[lo:hi]) of validated leaf hashes in one pass with O(log n) memory: a stack of perfect subtrees merged like
 * a binary counter, then folded from the right. This builds exactly the RFC 9162 tree (the left subtree is always
 * the largest perfect one; never Bitcoin-style duplication). Requires lo < hi.
 */
export function subtreeHash(hasher: Hasher, leafHashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const hashes: Uint8Array[] = [];
  const heights: number[] = [];
  for (let i = lo; i < hi; i++) {
    let hash = leafHashes[i] as Uint8Array;
    let height = 0;
    while (heights.length > 0 && heights[heights.length - 1] === height) {
      hash = hasher.hashChildren(hashes.pop() as Uint8Array, hash);
      heights.pop();
      height += 1;
    }
    hashes.push(hash);
    heights.push(height);
  }
  let root = hashes[hashes.length - 1] as Uint8Array;
  for (let j = hashes.length - 2; j >= 0; j--) root = hasher.hashChildren(hashes[j] as Uint8Array, root);
  return root;
}

/**
 * The Merkle tree hash MTH(D[n]) of RFC 9162 §2.1.1 from the n leaf hashes (`SHA-256(0x00 || d(i))`, see
 * {@link hashLeaf}). The empty tree's root is SHA-256("") = e3b0c442…b855. O(n) time; for large logs use
 * {@link MerkleAppender} or {@link planRoot}. Throws `INVALID_HASH` if any leaf hash is not 32 bytes.
 */
export function rootHash(leafHashes: readonly Uint8Array[], options?: HasherOptions): Uint8Array {
  const hasher = resolveHasher(options);
  if (!Array.isArray(leafHashes)) {
    throw new VerificationError('INVALID_ARGUMENT', `leaf hashes must be an array, got ${describeType(leafHashes)}`);
  }
  for (let i = 0; i < leafHashes.length; i++) requireHash(leafHashes[i], `leaf hash ${i}`);
  if (leafHashes.length === 0) return hasher.emptyRoot();
  return subtreeHash(hasher, leafHashes, 0, leafHashes.length);
}
