import { describe, expect, it } from 'vitest';
import { hashLeaf } from './hasher';
import { MemoryHashStore } from './memory-hash-store';
import { MerkleAppender } from './merkle-appender';
import { VerificationError } from './verification-error';

const leaves = Array.from({ length: 300 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));

describe('MemoryHashStore', () => {
  describe('when filled by an appender', () => {
    it('reads back every stored hash and reports absent ones as undefined', () => {
      const store = new MemoryHashStore({ chunkHashes: 64 });
      const appender = new MerkleAppender();
      const stored = appender.appendMany(leaves);
      store.writeHashes(stored);
      expect(store.hashCount).toBe(stored.length);
      for (const { level, index, hash } of stored) expect(store.readHash(level, index)).toEqual(hash);
      expect(store.readHashes([{ level: 0, index: 300n }, { level: 9, index: 0n }, { level: 0, index: -1n }])).toEqual([undefined, undefined, undefined]);
    });

    it('uses about 32 bytes per hash', () => {
      const store = new MemoryHashStore({ chunkHashes: 1024 });
      const appender = new MerkleAppender();
      for (let i = 0; i < 20; i++) store.writeHashes(appender.appendMany(leaves));
      // 6,000 leaves: 32 bytes per hash plus at most one part-filled chunk per level.
      expect(store.byteLength).toBeLessThan(store.hashCount * 32 + 13 * 1024 * 32);
    });
  });

  describe('when a write would leave a gap or overwrite a hash', () => {
    it('throws INVALID_ARGUMENT, but accepts an identical rewrite', () => {
      const store = new MemoryHashStore();
      store.writeHash(0, 0n, leaves[0] as Uint8Array);
      store.writeHash(0, 0n, leaves[0] as Uint8Array);
      expect(() => store.writeHash(0, 2n, leaves[2] as Uint8Array)).toThrow(/leaves a gap/u);
      expect(() => store.writeHash(0, 0n, leaves[1] as Uint8Array)).toThrow(/already stored/u);
      expect(() => store.writeHash(64, 0n, leaves[1] as Uint8Array)).toThrow(VerificationError);
    });
  });

  describe('when its snapshot is on a SharedArrayBuffer', () => {
    it('gives another store a view of the same memory', () => {
      const store = new MemoryHashStore({ allocate: (n) => new Uint8Array(new SharedArrayBuffer(n)) });
      store.writeHashes(new MerkleAppender().appendMany(leaves));
      const snapshot = store.snapshot();
      expect(snapshot.levels[0]?.chunks[0]?.buffer).toBeInstanceOf(SharedArrayBuffer);
      const view = MemoryHashStore.fromSnapshot(structuredClone(snapshot));
      expect(view.readHash(3, 10n)).toEqual(store.readHash(3, 10n));
    });
  });

  describe('when a read result is mutated', () => {
    it('does not change the store', () => {
      const store = new MemoryHashStore();
      store.writeHash(0, 0n, leaves[0] as Uint8Array);
      store.readHash(0, 0n)?.fill(0);
      expect(store.readHash(0, 0n)).toEqual(leaves[0]);
    });
  });
});
