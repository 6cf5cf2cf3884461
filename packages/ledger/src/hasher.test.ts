import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LEAF_HASH_PREFIX, MemoryHashStore, MerkleAppender, NODE_HASH_PREFIX, consistencyProof, createHasher, defaultHasher,
  encodeHex, hashChildren, hashLeaf, inclusionProof, multiLeafProof, nobleSha256, proveInclusion, rangeProof, rootHash,
  verifyConsistency, verifyInclusion, verifyRange, type Sha256,
} from './index';

/** Node's SHA-256 as the server injects it: multi-chunk updates, no concatenation. */
const nodeSha256: Sha256 = (...chunks) => {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
};
const nodeHasher = createHasher(nodeSha256);
const leaves = Array.from({ length: 300 }, (_, i) => defaultHasher.hashLeaf(new TextEncoder().encode(`leaf-${i}`)));

describe('createHasher', () => {
  describe('when built over any SHA-256', () => {
    it('uses the RFC 9162 domain-separation prefixes 0x00 and 0x01', () => {
      expect(LEAF_HASH_PREFIX).toBe(0x00);
      expect(NODE_HASH_PREFIX).toBe(0x01);
      const data = Uint8Array.of(1, 2, 3);
      expect(defaultHasher.hashLeaf(data)).toEqual(nobleSha256(Uint8Array.of(0, 1, 2, 3)));
      const [l, r] = [leaves[0] as Uint8Array, leaves[1] as Uint8Array];
      expect(defaultHasher.hashChildren(l, r)).toEqual(nobleSha256(Uint8Array.of(1, ...l, ...r)));
      expect(encodeHex(defaultHasher.emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(defaultHasher.size).toBe(32);
    });

    it('rejects a SHA-256 that does not return 32 bytes', () => {
      expect(() => createHasher(() => new Uint8Array(20))).toThrow(/32 bytes/u);
      expect(() => createHasher(42 as unknown as Sha256)).toThrow(/function/u);
    });
  });

  describe("when given Node's createHash('sha256') instead of the noble default", () => {
    it('gives the same hashes, roots and proofs', () => {
      const data = new TextEncoder().encode('event');
      expect(hashLeaf(data, { hasher: nodeHasher })).toEqual(hashLeaf(data));
      expect(hashChildren(leaves[0] as Uint8Array, leaves[1] as Uint8Array, { hasher: nodeHasher }))
        .toEqual(hashChildren(leaves[0] as Uint8Array, leaves[1] as Uint8Array));
      for (const n of [0, 1, 7, 255, 256, 257, 300]) {
        expect(rootHash(leaves.slice(0, n), { hasher: nodeHasher })).toEqual(rootHash(leaves.slice(0, n)));
      }
      expect(inclusionProof(100n, 257n, leaves, { hasher: nodeHasher })).toEqual(inclusionProof(100n, 257n, leaves));
      expect(consistencyProof(100n, 257n, leaves, { hasher: nodeHasher })).toEqual(consistencyProof(100n, 257n, leaves));
      expect(multiLeafProof([3n, 99n, 200n], 299n, leaves, { hasher: nodeHasher })).toEqual(multiLeafProof([3n, 99n, 200n], 299n, leaves));
      expect(rangeProof(10n, 90n, 299n, leaves, { hasher: nodeHasher })).toEqual(rangeProof(10n, 90n, 299n, leaves));
    });

    it('verifies proofs made with the default hasher, and builds the same stored hashes', () => {
      const root = rootHash(leaves);
      verifyInclusion(leaves[42] as Uint8Array, 42n, 300n, inclusionProof(42n, 300n, leaves), root, { hasher: nodeHasher });
      verifyConsistency(5n, 300n, consistencyProof(5n, 300n, leaves), rootHash(leaves.slice(0, 5)), root, { hasher: nodeHasher });
      verifyRange(7n, 70n, 300n, leaves.slice(7, 70), rangeProof(7n, 70n, 300n, leaves), root, { hasher: nodeHasher });
      const a = new MerkleAppender({ hasher: nodeHasher });
      const b = new MerkleAppender();
      const storeA = new MemoryHashStore();
      const storeB = new MemoryHashStore();
      storeA.writeHashes(a.appendMany(leaves));
      storeB.writeHashes(b.appendMany(leaves));
      expect(a.root()).toEqual(b.root());
      expect(storeA.snapshot()).toEqual(storeB.snapshot());
      expect(proveInclusion(storeA, 9n, 300n, { hasher: nodeHasher })).toEqual(proveInclusion(storeB, 9n, 300n));
    });
  });
});
