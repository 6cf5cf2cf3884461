import { describe, expect, it } from 'vitest';
import { hashLeaf } from './hasher';
import { inclusionProof } from './inclusion';
import {
  createMultiLeafVerifier, multiLeafProof, multiLeafProofLength, rangeProof, rangeProofLength, verifyMultiLeaf, verifyRange,
} from './multi-leaf';
import { rootHash } from './root-hash';
import { refMultiProof } from '../scripts/reference';
import { VerificationError } from './verification-error';

const leaves = Array.from({ length: 100 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const root100 = rootHash(leaves);

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

const entries = (indexes: number[]): { index: bigint; leafHash: Uint8Array }[] =>
  indexes.map((i) => ({ index: BigInt(i), leafHash: leaves[i] as Uint8Array }));

describe('multiLeafProof', () => {
  describe('when given sets of leaves in trees up to 40 leaves', () => {
    it('matches the MULTIPROOF definition and verifies', () => {
      for (let n = 1; n <= 40; n++) {
        const sets = [[0], [n - 1], [0, n - 1], [Math.floor(n / 3), Math.floor(n / 2)], Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 1)];
        for (const set of sets.map((s) => [...new Set(s)].sort((a, b) => a - b)).filter((s) => s.length > 0)) {
          const proof = multiLeafProof(set.map(BigInt), BigInt(n), leaves);
          expect(proof).toEqual(refMultiProof(new Set(set), leaves.slice(0, n)));
          expect(proof).toHaveLength(multiLeafProofLength(set.map(BigInt), BigInt(n)));
          verifyMultiLeaf(BigInt(n), entries(set), proof, rootHash(leaves.slice(0, n)));
        }
      }
    });
  });

  describe('when the set is one leaf', () => {
    it('holds the inclusion path in left-to-right order', () => {
      const proof = multiLeafProof([37n], 100n, leaves);
      expect(new Set(proof.map((h) => Buffer.from(h).toString('hex')))).toEqual(new Set(inclusionProof(37n, 100n, leaves).map((h) => Buffer.from(h).toString('hex'))));
    });
  });

  describe('when the indexes are unsorted, duplicated, empty or out of range', () => {
    it('throws INVALID_INDEX', () => {
      expect(errorOf(() => multiLeafProof([5n, 3n], 100n, leaves)).message).toBe('indexes must be strictly increasing: 3 after 5');
      expect(errorOf(() => multiLeafProof([3n, 3n], 100n, leaves)).message).toBe('duplicate index 3');
      expect(errorOf(() => multiLeafProof([], 100n, leaves)).code).toBe('INVALID_INDEX');
      expect(errorOf(() => multiLeafProof([100n], 100n, leaves)).code).toBe('INVALID_INDEX');
    });
  });
});

describe('rangeProof', () => {
  describe('when proving every range of a 100-leaf tree', () => {
    it('verifies with at most 2·ceil(log2 n) hashes', () => {
      for (let a = 0; a < 100; a += 3) {
        for (let b = a + 1; b <= 100; b += 7) {
          const proof = rangeProof(BigInt(a), BigInt(b), 100n, leaves);
          expect(proof.length).toBeLessThanOrEqual(2 * 7);
          expect(proof).toHaveLength(rangeProofLength(BigInt(a), BigInt(b), 100n));
          verifyRange(BigInt(a), BigInt(b), 100n, leaves.slice(a, b), proof, root100);
        }
      }
    });
  });

  describe('when a leaf of the range is left out or replaced', () => {
    it('fails: a range proof proves completeness', () => {
      const proof = rangeProof(10n, 20n, 100n, leaves);
      expect(errorOf(() => verifyRange(10n, 20n, 100n, leaves.slice(10, 19), proof, root100)).message)
        .toBe('range [10, 20) needs 10 leaf hashes, got 9');
      const swapped = [...leaves.slice(10, 15), leaves[50] as Uint8Array, ...leaves.slice(16, 20)];
      expect(errorOf(() => verifyRange(10n, 20n, 100n, swapped, proof, root100)).code).toBe('RANGE_PROOF_MISMATCH');
    });
  });

  describe('when the range covers the whole tree', () => {
    it('has an empty proof', () => {
      expect(rangeProof(0n, 100n, 100n, leaves)).toEqual([]);
      verifyRange(0n, 100n, 100n, leaves, [], root100);
    });
  });
});

describe('createMultiLeafVerifier', () => {
  const set = [2, 3, 40, 41, 77, 99];
  const proof = multiLeafProof(set.map(BigInt), 100n, leaves);

  describe('when leaves are pushed in order', () => {
    it('verifies from an array or a lazy iterable, with O(log n) state', () => {
      const verifier = createMultiLeafVerifier(100n, proof);
      for (const i of set) verifier.push(BigInt(i), leaves[i] as Uint8Array);
      verifier.finish(root100);
      expect(verifier.count).toBe(6);
      expect(verifier.consumed).toBe(proof.length);

      function* lazy(): Generator<Uint8Array> {
        yield* proof;
      }
      const streaming = createMultiLeafVerifier(100n, lazy());
      for (const i of set) streaming.push(BigInt(i), leaves[i] as Uint8Array);
      streaming.finish(root100);
    });
  });

  describe('when an index repeats or goes backwards', () => {
    it('throws INVALID_INDEX and stays failed', () => {
      const verifier = createMultiLeafVerifier(100n, proof);
      verifier.push(2n, leaves[2] as Uint8Array);
      verifier.push(3n, leaves[3] as Uint8Array);
      const error = errorOf(() => verifier.push(3n, leaves[3] as Uint8Array));
      expect(error.code).toBe('INVALID_INDEX');
      expect(errorOf(() => verifier.push(40n, leaves[40] as Uint8Array))).toBe(error);
      expect(errorOf(() => verifier.finish(root100))).toBe(error);
      expect(errorOf(() => createMultiLeafVerifier(100n, proof).push(100n, leaves[0] as Uint8Array)).code).toBe('INVALID_INDEX');
    });
  });

  describe('when the proof runs out or has hashes left over', () => {
    it('throws INVALID_PROOF', () => {
      const truncated = createMultiLeafVerifier(100n, proof.slice(0, 2));
      expect(errorOf(() => {
        for (const i of set) truncated.push(BigInt(i), leaves[i] as Uint8Array);
      }).message).toMatch(/truncated/u);
      const long = createMultiLeafVerifier(100n, [...proof, root100]);
      for (const i of set) long.push(BigInt(i), leaves[i] as Uint8Array);
      expect(errorOf(() => long.finish(root100)).message).toMatch(/too long/u);
    });
  });

  describe('when no leaf was pushed', () => {
    it('refuses to finish: an empty set proves nothing', () => {
      expect(errorOf(() => createMultiLeafVerifier(100n, [root100]).finish(root100)).code).toBe('INVALID_INDEX');
    });
  });

  describe('when the proof is finished twice', () => {
    it('throws INVALID_ARGUMENT', () => {
      const verifier = createMultiLeafVerifier(1n, []);
      verifier.push(0n, leaves[0] as Uint8Array);
      verifier.finish(leaves[0] as Uint8Array);
      expect(errorOf(() => verifier.finish(leaves[0] as Uint8Array)).code).toBe('INVALID_ARGUMENT');
    });
  });
});
