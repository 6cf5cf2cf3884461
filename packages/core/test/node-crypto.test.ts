import { createHash, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { nobleSha256, sha256IntoOf } from '@custody/ledger';

import { nodeSha256, nodeSha256Into } from '../src/index';

describe('nodeSha256Into', () => {
  it('writes the SHA-256 of the input at the offset and touches nothing else, for every length class', () => {
    for (const length of [0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 550, 4096, 100_000]) {
      const data = randomBytes(length);
      const expected = createHash('sha256').update(data).digest();
      const out = new Uint8Array(100).fill(0xaa);
      nodeSha256Into(data, out, 37);
      expect(Buffer.from(out.subarray(37, 69)).equals(expected), `length ${length}`).toBe(true);
      expect(out.subarray(0, 37).every((b) => b === 0xaa) && out.subarray(69).every((b) => b === 0xaa)).toBe(true);
    }
  });

  it('agrees with nodeSha256 and the portable form over a subarray view (the leaf check hashes views)', () => {
    const backing = randomBytes(2000);
    const view = backing.subarray(123, 1789);
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    nodeSha256Into(view, a, 0);
    sha256IntoOf(nobleSha256)(view, b, 0);
    expect(Buffer.from(a)).toEqual(Buffer.from(nodeSha256(view)));
    expect(Buffer.from(b)).toEqual(Buffer.from(a));
  });
});
