import { describe, expect, it } from 'vitest';
import { consistencyProof, consistencyProofLength, verifyConsistency } from './consistency';
import { hashLeaf } from './hasher';
import { rootHash } from './root-hash';
import { refConsistency } from '../scripts/reference';
import { VerificationError } from './verification-error';

const leaves = Array.from({ length: 70 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const roots = Array.from({ length: 71 }, (_, n) => rootHash(leaves.slice(0, n)));
const root = (n: number): Uint8Array => roots[n] as Uint8Array;

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('consistencyProof', () => {
  describe('when generating every proof between sizes up to 70', () => {
    it('matches PROOF of RFC 9162 §2.1.4.1, has the predicted length and verifies', () => {
      for (let n = 1; n <= 70; n++) {
        for (let m = 1; m <= n; m++) {
          const proof = consistencyProof(BigInt(m), BigInt(n), leaves);
          expect(proof).toEqual(refConsistency(m, leaves.slice(0, n)));
          expect(proof).toHaveLength(consistencyProofLength(BigInt(m), BigInt(n)));
          verifyConsistency(BigInt(m), BigInt(n), proof, root(m), root(n));
        }
      }
    });
  });
});

describe('verifyConsistency', () => {
  describe('when the sizes are equal', () => {
    it('requires an empty proof and equal roots', () => {
      verifyConsistency(5n, 5n, [], root(5), root(5));
      expect(errorOf(() => verifyConsistency(5n, 5n, [root(5)], root(5), root(5))).code).toBe('INVALID_PROOF');
      expect(errorOf(() => verifyConsistency(5n, 5n, [], root(5), root(6))).code).toBe('CONSISTENCY_PROOF_MISMATCH');
    });
  });

  describe('when the first size is 0 or larger than the second', () => {
    it('throws INVALID_TREE_SIZE: a proof from the empty tree proves nothing', () => {
      expect(errorOf(() => verifyConsistency(0n, 5n, [], root(0), root(5))).message).toMatch(/empty tree proves nothing/u);
      expect(errorOf(() => verifyConsistency(0n, 0n, [], root(0), root(0))).code).toBe('INVALID_TREE_SIZE');
      expect(errorOf(() => verifyConsistency(6n, 5n, [], root(6), root(5))).code).toBe('INVALID_TREE_SIZE');
    });
  });

  describe('when the roots are swapped', () => {
    it('throws CONSISTENCY_PROOF_MISMATCH naming the first root', () => {
      const error = errorOf(() => verifyConsistency(3n, 7n, consistencyProof(3n, 7n, leaves), root(7), root(3)));
      expect(error.code).toBe('CONSISTENCY_PROOF_MISMATCH');
      expect(error.details).toMatchObject({ which: 'first', size1: '3', size2: '7' });
    });
  });

  describe('when the proof is truncated', () => {
    it('throws INVALID_PROOF with the expected count', () => {
      const proof = consistencyProof(3n, 7n, leaves);
      expect(errorOf(() => verifyConsistency(3n, 7n, proof.slice(0, 3), root(3), root(7))).message)
        .toBe('consistency proof has 3 hashes, expected 4 from size 3 to 7');
    });
  });
});
