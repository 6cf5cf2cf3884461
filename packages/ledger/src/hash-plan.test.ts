import { describe, expect, it } from 'vitest';
import { consistencyProof } from './consistency';
import { hashLeaf } from './hasher';
import { planConsistency, planFrontier, planInclusion, planMultiLeaf, planRange, planRoot, type NodeId } from './hash-plan';
import {
  proveConsistency, proveConsistencyAsync, proveInclusion, proveInclusionAsync, proveMultiLeaf, proveMultiLeafAsync,
  proveRange, proveRangeAsync, readRoot, readRootAsync, resolvePlan, type AsyncHashReader,
} from './hash-reader';
import { inclusionProof } from './inclusion';
import { MemoryHashStore } from './memory-hash-store';
import { MerkleAppender } from './merkle-appender';
import { multiLeafProof, rangeProof } from './multi-leaf';
import { rootHash } from './root-hash';
import { VerificationError } from './verification-error';

const leaves = Array.from({ length: 300 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const store = new MemoryHashStore();
store.writeHashes(new MerkleAppender().appendMany(leaves));

/** An async reader over the memory store that counts round trips, as a SQL store would. */
class CountingAsyncReader implements AsyncHashReader {
  calls = 0;
  async readHashes(ids: readonly NodeId[]): Promise<(Uint8Array | undefined)[]> {
    this.calls += 1;
    await Promise.resolve();
    return store.readHashes(ids);
  }
}

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('plans', () => {
  describe('when read from a store at any size it covers', () => {
    it('give the same roots and proofs as the leaf-array functions', () => {
      for (const n of [1, 2, 3, 7, 8, 9, 100, 255, 256, 257, 300]) {
        expect(readRoot(store, BigInt(n))).toEqual(rootHash(leaves.slice(0, n)));
        for (const m of [0, 1, Math.floor(n / 2), n - 1].filter((i) => i < n)) {
          expect(proveInclusion(store, BigInt(m), BigInt(n))).toEqual(inclusionProof(BigInt(m), BigInt(n), leaves));
          if (m > 0) expect(proveConsistency(store, BigInt(m), BigInt(n))).toEqual(consistencyProof(BigInt(m), BigInt(n), leaves));
        }
        const set = [...new Set([0, Math.floor(n / 3), n - 1])].map(BigInt);
        expect(proveMultiLeaf(store, set, BigInt(n))).toEqual(multiLeafProof(set, BigInt(n), leaves));
        expect(proveRange(store, BigInt(Math.floor(n / 4)), BigInt(n), BigInt(n))).toEqual(rangeProof(BigInt(Math.floor(n / 4)), BigInt(n), BigInt(n), leaves));
      }
      expect(readRoot(store, 0n)).toEqual(rootHash([]));
    });

    it('read O(log n) hashes: one per perfect piece', () => {
      expect(planFrontier(300n).ids).toEqual([
        { level: 8, index: 0n }, { level: 5, index: 8n }, { level: 3, index: 36n }, { level: 2, index: 74n },
      ]);
      expect(planRoot(300n).ids).toHaveLength(4);
      expect(planInclusion(5n, 300n).ids.length).toBeLessThanOrEqual(2 * 9);
      expect(planConsistency(300n, 300n).ids).toEqual([]);
      expect(planRange(0n, 300n, 300n).ids).toEqual([]);
      expect(planMultiLeaf([1n, 2n], 300n).ids.length).toBeLessThan(20);
    });
  });

  describe('when read through an async reader', () => {
    it('make one round trip per proof and give the same result', async () => {
      const reader = new CountingAsyncReader();
      expect(await proveInclusionAsync(reader, 17n, 257n)).toEqual(inclusionProof(17n, 257n, leaves));
      expect(await proveConsistencyAsync(reader, 17n, 257n)).toEqual(consistencyProof(17n, 257n, leaves));
      expect(await proveMultiLeafAsync(reader, [3n, 200n], 257n)).toEqual(multiLeafProof([3n, 200n], 257n, leaves));
      expect(await proveRangeAsync(reader, 3n, 200n, 257n)).toEqual(rangeProof(3n, 200n, 257n, leaves));
      expect(await readRootAsync(reader, 257n)).toEqual(rootHash(leaves.slice(0, 257)));
      expect(reader.calls).toBe(5);
    });

    it('reject bad arguments as a rejected promise', async () => {
      await expect(proveInclusionAsync(new CountingAsyncReader(), 5n, 5n)).rejects.toBeInstanceOf(VerificationError);
    });
  });

  describe('when the store lacks a hash', () => {
    it('throws MISSING_HASH naming the node', () => {
      const error = errorOf(() => proveInclusion(store, 0n, 301n));
      expect(error.code).toBe('MISSING_HASH');
      expect(error.details).toEqual({ level: 0, index: '300' });
      expect(errorOf(() => resolvePlan({ readHashes: () => [] }, planRoot(8n))).code).toBe('MISSING_HASH');
      expect(errorOf(() => planRoot(8n).assemble([new Uint8Array(31)])).code).toBe('INVALID_HASH');
    });
  });
});
