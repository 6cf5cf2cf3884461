import { describe, expect, it } from 'vitest';
import { hashChildren, hashLeaf } from './hasher';
import { inclusionProof, inclusionProofLength, rootFromInclusionProof, verifyInclusion } from './inclusion';
import { rootHash } from './root-hash';
import { refPath } from '../scripts/reference';
import { VerificationError } from './verification-error';

const leaves = Array.from({ length: 70 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('inclusionProof', () => {
  describe('when generating every proof of trees up to 70 leaves', () => {
    it('matches PATH of RFC 9162 §2.1.3.1, has the predicted length and verifies', () => {
      for (let n = 1; n <= 70; n++) {
        const root = rootHash(leaves.slice(0, n));
        for (let m = 0; m < n; m++) {
          const proof = inclusionProof(BigInt(m), BigInt(n), leaves);
          expect(proof).toEqual(refPath(m, leaves.slice(0, n)));
          expect(proof).toHaveLength(inclusionProofLength(BigInt(m), BigInt(n)));
          verifyInclusion(leaves[m] as Uint8Array, BigInt(m), BigInt(n), proof, root);
        }
      }
    });
  });

  describe('when the index is not in the tree', () => {
    it('throws INVALID_INDEX', () => {
      expect(errorOf(() => inclusionProof(8n, 8n, leaves)).code).toBe('INVALID_INDEX');
      expect(errorOf(() => inclusionProof(0n, 0n, leaves)).code).toBe('INVALID_INDEX');
    });
  });

  describe('when fewer leaf hashes than the size are given', () => {
    it('throws INVALID_TREE_SIZE', () => {
      expect(errorOf(() => inclusionProof(0n, 71n, leaves)).code).toBe('INVALID_TREE_SIZE');
    });
  });
});

describe('verifyInclusion', () => {
  const root8 = rootHash(leaves.slice(0, 8));
  const proof58 = inclusionProof(5n, 8n, leaves);

  describe('when the proof has the wrong number of hashes', () => {
    it('throws INVALID_PROOF with a specific message, before hashing', () => {
      const error = errorOf(() => verifyInclusion(leaves[5] as Uint8Array, 5n, 8n, [...proof58, root8], root8));
      expect(error.code).toBe('INVALID_PROOF');
      expect(error.message).toBe('inclusion proof has 4 hashes, expected 3 for index 5 in a tree of 8');
      expect(error.details).toMatchObject({ found: 4, expected: 3 });
      expect(errorOf(() => verifyInclusion(leaves[5] as Uint8Array, 5n, 8n, proof58.slice(1), root8)).message)
        .toBe('inclusion proof has 2 hashes, expected 3 for index 5 in a tree of 8');
    });
  });

  describe('when the proof leads to another root', () => {
    it('throws INCLUSION_PROOF_MISMATCH with the expected and computed roots in hex', () => {
      const error = errorOf(() => verifyInclusion(leaves[4] as Uint8Array, 5n, 8n, proof58, root8));
      expect(error.code).toBe('INCLUSION_PROOF_MISMATCH');
      expect(error.details).toMatchObject({ index: '5', size: '8', expected: Buffer.from(root8).toString('hex') });
      expect(error.toJSON()).toMatchObject({ name: 'VerificationError', code: 'INCLUSION_PROOF_MISMATCH' });
    });
  });

  describe('when the size is wrong but the path shape is the same (verifiable-log.md §8.1)', () => {
    it('still verifies: the size must come from a signed checkpoint', () => {
      const root3 = rootHash(leaves.slice(0, 3));
      const proof = inclusionProof(0n, 3n, leaves);
      expect(() => verifyInclusion(leaves[0] as Uint8Array, 0n, 4n, proof, root3)).not.toThrow();
    });
  });

  describe('when a single-leaf tree is checked', () => {
    it('needs an empty proof and the leaf hash as root', () => {
      verifyInclusion(leaves[0] as Uint8Array, 0n, 1n, [], leaves[0] as Uint8Array);
      expect(rootFromInclusionProof(leaves[0] as Uint8Array, 0n, 1n, [])).toEqual(leaves[0]);
    });
  });

  describe('when the tree is larger than 2^53 leaves', () => {
    it('walks the path with bigint arithmetic that agrees with the small-tree path', () => {
      // A leaf in the right subtree of a tree of 2^60 + s leaves: its path is its path in the right subtree
      // (s leaves) followed by the root L of the left 2^60 subtree, so the root is H(L, root of the right subtree).
      const big = 1n << 60n;
      const left = leaves[69] as Uint8Array;
      for (const [j, s] of [[0, 1], [3, 7], [6, 7], [12, 13], [40, 64]] as const) {
        const proof = inclusionProof(BigInt(j), BigInt(s), leaves);
        const small = rootFromInclusionProof(leaves[j] as Uint8Array, BigInt(j), BigInt(s), proof);
        const large = rootFromInclusionProof(leaves[j] as Uint8Array, big + BigInt(j), big + BigInt(s), [...proof, left]);
        expect(large).toEqual(hashChildren(left, small));
        verifyInclusion(leaves[j] as Uint8Array, big + BigInt(j), big + BigInt(s), [...proof, left], large);
      }
    });
  });

  describe('when the index and size are near 2^64', () => {
    it('computes the expected length without losing bits', () => {
      const size = (1n << 64n) - 1n;
      // The last leaf is alone on the right edge: its siblings are the 63 perfect subtrees to its left.
      expect(inclusionProofLength(size - 1n, size)).toBe(63);
      // Leaves of the left 2^63 subtree: 63 levels inside it plus the right subtree.
      expect(inclusionProofLength(0n, size)).toBe(64);
      expect(inclusionProofLength((1n << 63n) - 1n, size)).toBe(64);
    });
  });
});
