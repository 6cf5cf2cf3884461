import { describe, expect, it } from 'vitest';
import { hashLeaf } from './hasher';
import { readFrontier } from './hash-reader';
import { MemoryHashStore } from './memory-hash-store';
import { MerkleAppender } from './merkle-appender';
import { rootHash } from './root-hash';
import { VerificationError } from './verification-error';

const leaves = Array.from({ length: 600 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));

function trailingZeros(n: number): number {
  let count = 0;
  while (n % 2 === 0) {
    n /= 2;
    count += 1;
  }
  return count;
}

describe('MerkleAppender', () => {
  describe('when leaves are appended one by one', () => {
    it('returns 1 + trailingZeros(n + 1) stored hashes for leaf n, each (level, index) once, and the right root', () => {
      const appender = new MerkleAppender();
      expect(appender.root()).toEqual(rootHash([]));
      const seen = new Set<string>();
      let total = 0;
      for (let n = 0; n < 600; n++) {
        const stored = appender.append(leaves[n] as Uint8Array);
        expect(stored).toHaveLength(1 + trailingZeros(n + 1));
        expect(stored[0]).toEqual({ level: 0, index: BigInt(n), hash: leaves[n] });
        for (const { level, index } of stored) {
          const id = `${level}/${index}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
          // The node covers leaves [index·2^level, (index+1)·2^level), which leaf n completes.
          expect((index + 1n) << BigInt(level)).toBe(BigInt(n + 1));
        }
        total += stored.length;
        expect(appender.size).toBe(BigInt(n + 1));
      }
      expect(appender.root()).toEqual(rootHash(leaves));
      expect(total).toBeLessThan(2 * 600);
    });

    it('stores the hash of every perfect subtree', () => {
      const appender = new MerkleAppender();
      const stored = appender.appendMany(leaves.slice(0, 16));
      const top = stored.find((s) => s.level === 4);
      expect(top?.hash).toEqual(rootHash(leaves.slice(0, 16)));
      const mid = stored.find((s) => s.level === 2 && s.index === 3n);
      expect(mid?.hash).toEqual(rootHash(leaves.slice(12, 16)));
    });
  });

  describe('when restored from the frontier read back from a store', () => {
    it('continues exactly as if it had never stopped', () => {
      const store = new MemoryHashStore();
      const first = new MerkleAppender();
      store.writeHashes(first.appendMany(leaves.slice(0, 333)));
      expect(first.frontier()).toEqual(readFrontier(store, 333n));
      const restored = MerkleAppender.restore(333n, readFrontier(store, 333n));
      expect(restored.root()).toEqual(rootHash(leaves.slice(0, 333)));
      store.writeHashes(restored.appendMany(leaves.slice(333)));
      expect(restored.root()).toEqual(rootHash(leaves));
      expect(store.count(0)).toBe(600);
    });

    it('rejects a frontier of the wrong length with INVALID_PROOF', () => {
      expect(() => MerkleAppender.restore(5n, [leaves[0] as Uint8Array])).toThrow(VerificationError);
      expect(() => MerkleAppender.restore(5n, [leaves[0] as Uint8Array])).toThrow('frontier has 1 hashes, expected 2 for size 5');
    });
  });

  describe('when a caller mutates a hash after appending', () => {
    it('keeps its own copy', () => {
      const appender = new MerkleAppender();
      const leaf = new Uint8Array(leaves[0] as Uint8Array);
      appender.append(leaf);
      leaf.fill(0);
      expect(appender.root()).toEqual(leaves[0]);
    });
  });
});
