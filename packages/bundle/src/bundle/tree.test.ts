import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  defaultHasher, encodeHex, multiLeafProof, multiLeafProofLength, nobleSha256, rootHash, sha256IntoOf, verifyMultiLeaf,
} from '@custody/ledger';

import { SubtreeReducer, TreeTiling, coverRange, createNodeHasher, isTreeNode } from './tree';

const hashChildren = createNodeHasher(nobleSha256);

function leafHashes(size: number): Uint8Array[] {
  return Array.from({ length: size }, (_, i) => defaultHasher.hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
}

/** The proof ranges of a leaf set: the cover of every gap, left to right. */
function proofRanges(indexes: readonly number[], size: number): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  let next = 0;
  for (const index of indexes) {
    coverRange(next, index, size, (lo, hi) => out.push({ lo, hi }));
    next = index + 1;
  }
  coverRange(next, size, size, (lo, hi) => out.push({ lo, hi }));
  return out;
}

/** Tiles leaves (optionally reduced to subtrees first) and annotated proof nodes in lo order. */
function tile(size: number, indexes: readonly number[], leaves: readonly Uint8Array[], proof: readonly Uint8Array[], reduce: boolean) {
  const ranges = proofRanges(indexes, size);
  const nodes: { lo: number; hi: number; hash: Uint8Array; leafy: boolean }[] = ranges.map((r, i) => ({ ...r, hash: proof[i] as Uint8Array, leafy: false }));
  if (reduce) {
    const reducer = new SubtreeReducer(sha256IntoOf(nobleSha256));
    for (const index of indexes) reducer.push(index, leaves[index] as Uint8Array, 0);
    const reduced = reducer.finish();
    reduced.lo.forEach((lo, i) => nodes.push({ lo, hi: reduced.hi[i] as number, hash: reduced.hashes.slice(32 * i, 32 * i + 32), leafy: true }));
  } else {
    for (const index of indexes) nodes.push({ lo: index, hi: index + 1, hash: leaves[index] as Uint8Array, leafy: true });
  }
  nodes.sort((a, b) => a.lo - b.lo);
  const tiling = new TreeTiling(size, hashChildren);
  for (const node of nodes) tiling.push(node.lo, node.hi, node.hash, node.leafy);
  return { root: tiling.finish(), tiling, ranges };
}

const leafSet = fc.integer({ min: 1, max: 300 }).chain((size) =>
  fc.tuple(fc.constant(size), fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: size }).map((a) => [...a].sort((x, y) => x - y))),
);

describe('TreeTiling', () => {
  describe('when given the ledger multi-leaf proof of a random leaf set', () => {
    it('has exactly as many ranges as the ledger proof and computes the ledger root, with or without reduction', () => {
      fc.assert(
        fc.property(leafSet, fc.boolean(), ([size, indexes], reduce) => {
          const leaves = leafHashes(size);
          const big = indexes.map(BigInt);
          const proof = multiLeafProof(big, BigInt(size), leaves);
          const { root, tiling, ranges } = tile(size, indexes, leaves, proof, reduce);
          expect(ranges.length).toBe(multiLeafProofLength(big, BigInt(size)));
          expect(tiling.problems).toEqual([]);
          expect(root && encodeHex(root)).toBe(encodeHex(rootHash(leaves)));
          verifyMultiLeaf(BigInt(size), indexes.map((i) => ({ index: BigInt(i), leafHash: leaves[i] as Uint8Array })), proof, rootHash(leaves));
        }),
        { numRuns: 150 },
      );
    });

    it('computes another root when any proof hash or leaf changes', () => {
      fc.assert(
        fc.property(leafSet, fc.nat(), ([size, indexes], pick) => {
          if (size === indexes.length) return;
          const leaves = leafHashes(size);
          const proof = multiLeafProof(indexes.map(BigInt), BigInt(size), leaves).map((h) => h.slice());
          const target = proof[pick % proof.length] as Uint8Array;
          target[0] = (target[0] as number) ^ 1;
          const { root } = tile(size, indexes, leaves, proof, pick % 2 === 0);
          expect(root && encodeHex(root)).not.toBe(encodeHex(rootHash(leaves)));
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('when a leaf is missing', () => {
    it('names the hole by position', () => {
      const size = 20;
      const leaves = leafHashes(size);
      const indexes = [3, 4, 5, 6, 9];
      const proof = multiLeafProof(indexes.map(BigInt), BigInt(size), leaves);
      const ranges = proofRanges(indexes, size);
      const tiling = new TreeTiling(size, hashChildren);
      const nodes = [
        ...ranges.map((r, i) => ({ ...r, hash: proof[i] as Uint8Array, leafy: false })),
        ...[3, 4, 6, 9].map((i) => ({ lo: i, hi: i + 1, hash: leaves[i] as Uint8Array, leafy: true })),
      ].sort((a, b) => a.lo - b.lo);
      for (const n of nodes) tiling.push(n.lo, n.hi, n.hash, n.leafy);
      expect(tiling.finish()).toBeUndefined();
      expect(tiling.problems).toEqual([{ kind: 'hole', lo: 5, hi: 6, fromProof: false }]);
    });
  });

  describe('isTreeNode', () => {
    it('accepts exactly the nodes of the recursive definition', () => {
      for (let size = 1; size <= 70; size++) {
        const nodes = new Set<string>();
        const visit = (lo: number, hi: number): void => {
          nodes.add(`${lo},${hi}`);
          if (hi - lo === 1) return;
          let k = 1;
          while (k * 2 < hi - lo) k *= 2;
          visit(lo, lo + k);
          visit(lo + k, hi);
        };
        visit(0, size);
        for (let lo = 0; lo < size; lo++) for (let hi = lo + 1; hi <= size; hi++) expect(isTreeNode(lo, hi, size)).toBe(nodes.has(`${lo},${hi}`));
      }
    });
  });
});
