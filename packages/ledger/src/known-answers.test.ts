/**
 * External cross-checks (verifiable-log.md §1.7): the CT vectors of transparency-dev/merkle and the project
 * vectors (leaf i = ASCII `leaf-i`). These are not golden files: they pin the tree to values computed elsewhere.
 */
import { describe, expect, it } from 'vitest';
import {
  consistencyProof, decodeHex, encodeHex, hashLeaf, inclusionProof, rootHash, verifyConsistency, verifyInclusion,
} from './index';

const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f']
  .map((data) => hashLeaf(decodeHex(data)));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION_0_8 = [
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
];
const CT_INCLUSION_5_8 = [
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
];
const CT_CONSISTENCY_6_8 = [
  '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
];

const encoder = new TextEncoder();
const PROJECT_LEAVES = Array.from({ length: 1000 }, (_, i) => hashLeaf(encoder.encode(`leaf-${i}`)));
const PROJECT_ROOTS: Record<number, string> = {
  0: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  1: '305df59f9590c3c9ac63d2b2743c388e3792449078cebf7fb3dbe6471643b2b7',
  2: '60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc',
  3: 'cf763a041c81ceef1578a6083f75c61bef2e0014f2a3e683a97fcfca5be7f19a',
  5: '00d21829a5503145348abcf712513eacf2a274211ad83e970202bb5b6d80b286',
  7: '0b007fb915eb9b2a146f54b1c86ec53b664f8e455b7660b0b6ee13edc0d921c0',
  8: 'ca6b7b3e674ac86c1027b59c87c064fc3bc27b313294c75f83bd05fdd13f0dcf',
  1000: '84453b515db221e015241f91778d541a91e27472a3cbbd4922b023b180456359',
};
const PROJECT_INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [2, 3, ['60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc']],
  [4, 5, ['bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3']],
  [6, 7, [
    '985bb5d36b927800876871da925a7e82abe83a9ddba5882920a007a55ea2b376',
    'bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3',
  ]],
  [5, 8, [
    'ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba',
    '398ebdeb46e179eeffacef4635fd30410954e169b88e22741fa96cffb1022a85',
    'bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3',
  ]],
];
const PROJECT_CONSISTENCY: [number, number, string[]][] = [
  [1, 2, ['3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f']],
  [3, 7, [
    'fca89f57c9f8c8eb4047a7ff9d333acf9e0f3384b20b255bceab0f216dcca267',
    'f76836325aec5699d8d71f8e42e9d47c5c29b08059ba296384f7ca40ad3a40ae',
    '60a53eed0de87a90c8e59427c59c46253c33a76a09502a51801300927b7e6bdc',
    '8eae6bd3b3a07f1f75ee72a531629e6eb31e42e62f760e47de52a53c3641ef23',
  ]],
  [5, 8, [
    'ea9fc1a1b6e191b460d0d6306e3e870c173f39330f13cda1b70cfc72bdc398ba',
    '8f1593cb92f429d9340b9bbc1f0bb122adf8026c42a4a42142e2168931727236',
    '398ebdeb46e179eeffacef4635fd30410954e169b88e22741fa96cffb1022a85',
    'bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3',
  ]],
  [7, 8, [
    '676f3782f5b3a5fb4370ed49572cedc523f4a66322269c85f2af0509d17b0a4d',
    '060242692909024231d050c5d4434146ba77da322d450286f577c9f951615d53',
    '985bb5d36b927800876871da925a7e82abe83a9ddba5882920a007a55ea2b376',
    'bdd1c5ff55b19cb6b0e7c761bf9a6ccaa27fbbfc07b74f1fabb6e911a0bd2ab3',
  ]],
];

function flip(hash: Uint8Array): Uint8Array {
  const out = new Uint8Array(hash);
  out[0] = (out[0] ?? 0) ^ 1;
  return out;
}

describe('known answers (verifiable-log.md §1.7)', () => {
  describe('when given the CT vectors of transparency-dev/merkle', () => {
    it('computes the roots of sizes 0 to 8', () => {
      CT_ROOTS.forEach((root, n) => expect(encodeHex(rootHash(CT_LEAVES.slice(0, n)))).toBe(root));
    });

    it('computes inclusion 0/8 and 5/8 and consistency 1->8 and 6->8', () => {
      expect(inclusionProof(0n, 8n, CT_LEAVES).map(encodeHex)).toEqual(CT_INCLUSION_0_8);
      expect(inclusionProof(5n, 8n, CT_LEAVES).map(encodeHex)).toEqual(CT_INCLUSION_5_8);
      expect(consistencyProof(1n, 8n, CT_LEAVES).map(encodeHex)).toEqual(CT_INCLUSION_0_8);
      expect(consistencyProof(6n, 8n, CT_LEAVES).map(encodeHex)).toEqual(CT_CONSISTENCY_6_8);
    });

    it('verifies them against the published roots', () => {
      const root8 = decodeHex(CT_ROOTS[8] as string);
      verifyInclusion(CT_LEAVES[5] as Uint8Array, 5n, 8n, CT_INCLUSION_5_8.map(decodeHex), root8);
      verifyConsistency(6n, 8n, CT_CONSISTENCY_6_8.map(decodeHex), decodeHex(CT_ROOTS[6] as string), root8);
    });
  });

  describe('when given the project vectors (leaf i = "leaf-i")', () => {
    it('computes the listed roots up to size 1000', () => {
      for (const [n, root] of Object.entries(PROJECT_ROOTS)) {
        expect(encodeHex(rootHash(PROJECT_LEAVES.slice(0, Number(n)))), `size ${n}`).toBe(root);
      }
    });

    it('computes the listed inclusion paths, which verify and fail after a one-bit flip', () => {
      for (const [m, n, path] of PROJECT_INCLUSION) {
        const proof = inclusionProof(BigInt(m), BigInt(n), PROJECT_LEAVES);
        expect(proof.map(encodeHex), `${m}/${n}`).toEqual(path);
        const root = rootHash(PROJECT_LEAVES.slice(0, n));
        verifyInclusion(PROJECT_LEAVES[m] as Uint8Array, BigInt(m), BigInt(n), proof, root);
        proof.forEach((_, j) => {
          const bad = proof.map((h, k) => (k === j ? flip(h) : h));
          expect(() => verifyInclusion(PROJECT_LEAVES[m] as Uint8Array, BigInt(m), BigInt(n), bad, root)).toThrow(/does not match/u);
        });
      }
      // inclusion 0/1: empty path, leaf hash = root(1)
      expect(encodeHex(PROJECT_LEAVES[0] as Uint8Array)).toBe(PROJECT_ROOTS[1]);
    });

    it('computes the listed consistency proofs, which verify and fail after a one-bit flip', () => {
      for (const [m, n, path] of PROJECT_CONSISTENCY) {
        const proof = consistencyProof(BigInt(m), BigInt(n), PROJECT_LEAVES);
        expect(proof.map(encodeHex), `${m}->${n}`).toEqual(path);
        const rootM = rootHash(PROJECT_LEAVES.slice(0, m));
        const rootN = rootHash(PROJECT_LEAVES.slice(0, n));
        verifyConsistency(BigInt(m), BigInt(n), proof, rootM, rootN);
        proof.forEach((_, j) => {
          const bad = proof.map((h, k) => (k === j ? flip(h) : h));
          expect(() => verifyConsistency(BigInt(m), BigInt(n), bad, rootM, rootN)).toThrow(/does not match/u);
        });
      }
    });

    it('verifies inclusion 0, 500, 999 of 1000 and consistency 8->1000 and 999->1000 against root(1000)', () => {
      const root = decodeHex(PROJECT_ROOTS[1000] as string);
      for (const m of [0, 500, 999]) {
        const proof = inclusionProof(BigInt(m), 1000n, PROJECT_LEAVES);
        verifyInclusion(PROJECT_LEAVES[m] as Uint8Array, BigInt(m), 1000n, proof, root);
        if (m === 0) expect(encodeHex(proof[0] as Uint8Array)).toBe('3145c409f259b7c53e32036090ff76751025a2498ba9823ef718cac50b4e616f');
      }
      verifyConsistency(8n, 1000n, consistencyProof(8n, 1000n, PROJECT_LEAVES), decodeHex(PROJECT_ROOTS[8] as string), root);
      const root999 = rootHash(PROJECT_LEAVES.slice(0, 999));
      verifyConsistency(999n, 1000n, consistencyProof(999n, 1000n, PROJECT_LEAVES), root999, root);
    });
  });
});
