/**
 * A 1,000,000-leaf tree: the appender's root equals rootHash, and sampled inclusion, consistency, range and
 * multi-leaf proofs read from the MemoryHashStore verify. Node's SHA-256 keeps it to a few seconds.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MemoryHashStore, MerkleAppender, createHasher, createMultiLeafVerifier, proveConsistency, proveInclusion,
  proveMultiLeaf, proveRange, readRoot, rootHash, verifyConsistency, verifyInclusion, verifyRange, type Sha256,
} from './index';

const nodeSha256: Sha256 = (...chunks) => {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
};
const options = { hasher: createHasher(nodeSha256) };
const N = 1_000_000;

describe('a 1,000,000-leaf tree', () => {
  describe('when built with MerkleAppender into a MemoryHashStore', () => {
    it('has the rootHash root, fewer than 2 stored hashes per leaf, and sampled proofs verify', () => {
      // Leaf hashes live in one 32 MB buffer (views into it), which keeps garbage collection cheap.
      const encoder = new TextEncoder();
      const data = new Uint8Array(32);
      const flat = new Uint8Array(N * 32);
      for (let i = 0; i < N; i++) {
        const { written } = encoder.encodeInto(`leaf-${i}`, data);
        flat.set(options.hasher.hashLeaf(data.subarray(0, written)), i * 32);
      }
      const leaves = Array.from({ length: N }, (_, i) => flat.subarray(i * 32, i * 32 + 32));
      const appender = new MerkleAppender(options);
      const store = new MemoryHashStore();
      for (let i = 0; i < N; i += 10_000) store.writeHashes(appender.appendMany(leaves.slice(i, i + 10_000)));
      const root = appender.root();
      expect(root).toEqual(rootHash(leaves, options));
      expect(store.hashCount).toBe(1_999_993); // 2n - popcount(n), as Go's tlog (verifiable-log.md §3.3)
      expect(readRoot(store, BigInt(N), options)).toEqual(root);

      let seed = 12345;
      const random = (below: number): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % below;
      };
      const samples = [0, 1, N / 2, N - 2, N - 1, 524287, 524288, ...Array.from({ length: 200 }, () => random(N))];
      for (const i of samples) {
        const proof = proveInclusion(store, BigInt(i), BigInt(N), options);
        verifyInclusion(leaves[i] as Uint8Array, BigInt(i), BigInt(N), proof, root, options);
      }
      for (const m of [1, 999_999, 524_288, ...Array.from({ length: 20 }, () => 1 + random(N - 1))]) {
        const rootM = readRoot(store, BigInt(m), options);
        verifyConsistency(BigInt(m), BigInt(N), proveConsistency(store, BigInt(m), BigInt(N), options), rootM, root, options);
      }
      verifyRange(400_000n, 400_500n, BigInt(N), leaves.slice(400_000, 400_500), proveRange(store, 400_000n, 400_500n, BigInt(N), options), root, options);

      const indexes = [...new Set(Array.from({ length: 5_000 }, () => random(N)))].sort((a, b) => a - b).map(BigInt);
      const verifier = createMultiLeafVerifier(BigInt(N), proveMultiLeaf(store, indexes, BigInt(N), options), options);
      for (const index of indexes) verifier.push(index, leaves[Number(index)] as Uint8Array);
      verifier.finish(root);
    }, 600_000); // a large tree on a shared 2-core CI machine: a generous hang guard, not a speed goal
  });
});
