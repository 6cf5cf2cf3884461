/**
 * Property tests over random trees of up to 600 leaves (house style §8.10): every generated proof verifies,
 * every single-bit change of a proof hash, the root or the leaf hash fails, appender roots equal `rootHash`, and
 * plan-based proofs read from a MemoryHashStore equal the leaf-array proofs. Node's SHA-256 keeps them fast; the
 * default hasher is pinned to it by hasher.test.ts and the golden vectors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemoryHashStore, MerkleAppender, VerificationError, consistencyProof, createHasher, createMultiLeafVerifier,
  inclusionProof, multiLeafProof, proveConsistency, proveInclusion, proveMultiLeaf, proveRange, rangeProof, readRoot,
  rootHash, verifyConsistency, verifyInclusion, verifyMultiLeaf, verifyRange,
} from './index';
import { refConsistency, refMultiProof, refPath, sha256 } from '../scripts/reference';

const MAX = 600;
const hasher = createHasher(sha256);
const options = { hasher };
const leaves = Array.from({ length: MAX }, (_, i) => hasher.hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const roots: Uint8Array[] = [];
{
  const appender = new MerkleAppender(options);
  roots.push(appender.root());
  for (const leaf of leaves) {
    appender.append(leaf);
    roots.push(appender.root());
  }
}
const rootAt = (n: number): Uint8Array => roots[n] as Uint8Array;
const store = new MemoryHashStore();
store.writeHashes(new MerkleAppender(options).appendMany(leaves));

function flipped(hash: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(hash);
  out[Math.floor(bit / 8)] = (out[Math.floor(bit / 8)] ?? 0) ^ (1 << (bit % 8));
  return out;
}

/** Asserts that `action` throws a VerificationError with one of `codes`. */
function expectRejected(action: () => void, codes: readonly string[]): void {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError && codes.includes(error.code)) return;
    throw error;
  }
  throw new Error('expected a rejection');
}

const treeAndIndex = fc.integer({ min: 1, max: MAX }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 })));
const treeAndPair = fc.integer({ min: 1, max: MAX }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));
const treeAndSet = fc.integer({ min: 1, max: MAX }).chain((n) =>
  fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 40 }).map((s) => s.sort((a, b) => a - b))));
const treeAndRange = fc.integer({ min: 1, max: MAX }).chain((n) =>
  fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 })).chain(([size, a]) => fc.tuple(fc.constant(size), fc.constant(a), fc.integer({ min: a + 1, max: size }))));

describe('properties of random trees', () => {
  describe('when proving inclusion', () => {
    it('verifies, and fails after any single-bit flip of a proof hash, the root or the leaf', () => {
      fc.assert(fc.property(treeAndIndex, ([n, m]) => {
        const [index, size] = [BigInt(m), BigInt(n)];
        const proof = inclusionProof(index, size, leaves, options);
        expect(proof).toEqual(refPath(m, leaves.slice(0, n)));
        const leaf = leaves[m] as Uint8Array;
        verifyInclusion(leaf, index, size, proof, rootAt(n), options);
        for (let bit = 0; bit < 256; bit++) {
          proof.forEach((_, j) => expectRejected(() => verifyInclusion(leaf, index, size, proof.map((h, k) => (k === j ? flipped(h, bit) : h)), rootAt(n), options), ['INCLUSION_PROOF_MISMATCH']));
          expectRejected(() => verifyInclusion(leaf, index, size, proof, flipped(rootAt(n), bit), options), ['INCLUSION_PROOF_MISMATCH']);
          expectRejected(() => verifyInclusion(flipped(leaf, bit), index, size, proof, rootAt(n), options), ['INCLUSION_PROOF_MISMATCH']);
        }
      }), { numRuns: 25 });
    });
  });

  describe('when proving consistency', () => {
    it('verifies, and fails after any single-bit flip of a proof hash or either root', () => {
      fc.assert(fc.property(treeAndPair, ([m, n]) => {
        const proof = consistencyProof(BigInt(m), BigInt(n), leaves, options);
        expect(proof).toEqual(refConsistency(m, leaves.slice(0, n)));
        const check = (p: Uint8Array[], a: Uint8Array, b: Uint8Array): void => verifyConsistency(BigInt(m), BigInt(n), p, a, b, options);
        check(proof, rootAt(m), rootAt(n));
        for (let bit = 0; bit < 256; bit++) {
          proof.forEach((_, j) => expectRejected(() => check(proof.map((h, k) => (k === j ? flipped(h, bit) : h)), rootAt(m), rootAt(n)), ['CONSISTENCY_PROOF_MISMATCH']));
          expectRejected(() => check(proof, flipped(rootAt(m), bit), rootAt(n)), ['CONSISTENCY_PROOF_MISMATCH']);
          expectRejected(() => check(proof, rootAt(m), flipped(rootAt(n), bit)), ['CONSISTENCY_PROOF_MISMATCH']);
        }
      }), { numRuns: 25 });
    });
  });

  describe('when proving a set of leaves', () => {
    it('verifies one-shot and streaming, and fails after a bit flip of any proof hash, the root or any leaf', () => {
      fc.assert(fc.property(treeAndSet, fc.integer({ min: 0, max: 255 }), ([n, set], bit) => {
        const size = BigInt(n);
        const indexes = set.map(BigInt);
        const proof = multiLeafProof(indexes, size, leaves, options);
        expect(proof).toEqual(refMultiProof(new Set(set), leaves.slice(0, n)));
        const entries = set.map((i) => ({ index: BigInt(i), leafHash: leaves[i] as Uint8Array }));
        verifyMultiLeaf(size, entries, proof, rootAt(n), options);
        const streaming = createMultiLeafVerifier(size, proof, options);
        for (const entry of entries) streaming.push(entry.index, entry.leafHash);
        streaming.finish(rootAt(n));
        proof.forEach((_, j) => expectRejected(() => verifyMultiLeaf(size, entries, proof.map((h, k) => (k === j ? flipped(h, (bit + j) % 256) : h)), rootAt(n), options), ['MULTI_PROOF_MISMATCH']));
        entries.forEach((_, j) => expectRejected(() => verifyMultiLeaf(size, entries.map((e, k) => (k === j ? { ...e, leafHash: flipped(e.leafHash, bit) } : e)), proof, rootAt(n), options), ['MULTI_PROOF_MISMATCH']));
        expectRejected(() => verifyMultiLeaf(size, entries, proof, flipped(rootAt(n), bit), options), ['MULTI_PROOF_MISMATCH']);
      }), { numRuns: 60 });
    });
  });

  describe('when proving a range', () => {
    it('verifies with O(log n) hashes, and fails after a bit flip of any proof hash, the root or any leaf', () => {
      fc.assert(fc.property(treeAndRange, fc.integer({ min: 0, max: 255 }), ([n, a, b], bit) => {
        const [start, end, size] = [BigInt(a), BigInt(b), BigInt(n)];
        const proof = rangeProof(start, end, size, leaves, options);
        expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)));
        const range = leaves.slice(a, b);
        verifyRange(start, end, size, range, proof, rootAt(n), options);
        proof.forEach((_, j) => expectRejected(() => verifyRange(start, end, size, range, proof.map((h, k) => (k === j ? flipped(h, (bit + 7 * j) % 256) : h)), rootAt(n), options), ['RANGE_PROOF_MISMATCH']));
        const j = bit % range.length;
        expectRejected(() => verifyRange(start, end, size, range.map((h, k) => (k === j ? flipped(h, bit) : h)), proof, rootAt(n), options), ['RANGE_PROOF_MISMATCH']);
        expectRejected(() => verifyRange(start, end, size, range, proof, flipped(rootAt(n), bit), options), ['RANGE_PROOF_MISMATCH']);
      }), { numRuns: 80 });
    });
  });

  describe('when appending leaves in random batches', () => {
    it('has the rootHash root at every size, also after restoring from stored hashes', () => {
      expect(roots[MAX]).toEqual(rootHash(leaves, options));
      fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), fc.integer({ min: 0, max: MAX }), (batches, restoreAt) => {
        const memory = new MemoryHashStore({ chunkHashes: 64 });
        let appender = new MerkleAppender(options);
        let size = 0;
        for (const batch of batches) {
          const count = Math.min(batch, MAX - size);
          memory.writeHashes(appender.appendMany(leaves.slice(size, size + count)));
          size += count;
          expect(appender.root()).toEqual(rootAt(size));
          if (size >= restoreAt) {
            appender = MerkleAppender.restore(BigInt(size), proveFrontier(memory, size), options);
          }
        }
        expect(readRoot(memory, BigInt(size), options)).toEqual(rootAt(size));
      }), { numRuns: 60 });
    });
  });

  describe('when proofs are read from a MemoryHashStore through plans', () => {
    it('equal the proofs computed from the leaf array', () => {
      fc.assert(fc.property(treeAndIndex, treeAndSet, ([n, m], [n2, set]) => {
        expect(readRoot(store, BigInt(n), options)).toEqual(rootAt(n));
        expect(proveInclusion(store, BigInt(m), BigInt(n), options)).toEqual(inclusionProof(BigInt(m), BigInt(n), leaves, options));
        if (m > 0) expect(proveConsistency(store, BigInt(m), BigInt(n), options)).toEqual(consistencyProof(BigInt(m), BigInt(n), leaves, options));
        expect(proveMultiLeaf(store, set.map(BigInt), BigInt(n2), options)).toEqual(multiLeafProof(set.map(BigInt), BigInt(n2), leaves, options));
        expect(proveRange(store, BigInt(m), BigInt(n), BigInt(n), options)).toEqual(rangeProof(BigInt(m), BigInt(n), BigInt(n), leaves, options));
      }), { numRuns: 150 });
    });
  });
});

/** The frontier at `size` read back from the store (what a restarted server does). */
function proveFrontier(memory: MemoryHashStore, size: number): Uint8Array[] {
  const frontier: Uint8Array[] = [];
  let offset = 0n;
  for (let level = 63; level >= 0; level--) {
    const width = 1n << BigInt(level);
    if ((BigInt(size) & width) !== 0n) {
      frontier.push(memory.readHash(level, offset / width) as Uint8Array);
      offset += width;
    }
  }
  return frontier;
}
