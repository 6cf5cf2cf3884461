/**
 * Fuzzing the verifier with random byte flips and truncations of a small valid bundle: it never throws (only
 * typed BundleErrors for caller mistakes, which these are not), never hangs, and never reports a modified bundle
 * as valid. A flip that leaves every file's content unchanged (a deflate padding bit, the "version made by" or
 * attribute bytes of the central directory) changes no evidence, so "valid" then requires identical content.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { memorySource, verifyBundle, type VerificationReport } from '../src/index';
import { createDifferentialChecker } from './differential-checker';
import { SIGNER, buildBundle } from './fixtures';
import { nodeCrc32, nodeCrypto, nodeInflateRaw } from './node-adapters';
import { unpack } from './tamper-tools';

let valid: Uint8Array;
let content: Map<string, Uint8Array>;

beforeAll(async () => {
  const built = await buildBundle({ size: 12, old: 6, from: 2, to: 10, purged: [5], csv: false });
  valid = built.bytes;
  content = (await unpack(valid)).files;
});

async function check(bytes: Uint8Array): Promise<VerificationReport> {
  // Every leaf batch is checked with and without sha256IntoMany (WebAssembly SIMD), which must agree exactly.
  const checker = createDifferentialChecker();
  const report = await verifyBundle(memorySource(bytes), { trustedKeys: [SIGNER.vkey], crypto: nodeCrypto, inflate: nodeInflateRaw, crc32: nodeCrc32, checker });
  expect(checker.mismatches).toEqual([]);
  if (report.valid) {
    const files = (await unpack(bytes)).files;
    expect([...files.keys()]).toEqual([...content.keys()]);
    for (const [path, data] of files) expect(data, path).toEqual(content.get(path));
  }
  return report;
}

describe('verifyBundle on fuzzed bundles', () => {
  it('handles random byte flips', async () => {
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), async (flips) => {
        const bytes = valid.slice();
        for (const [at, xor] of flips) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ xor;
        const report = await check(bytes);
        if (!report.valid) invalid += 1;
      }),
      { numRuns: 300 },
    );
    expect(invalid).toBeGreaterThan(250);
  });

  it('handles truncations and appended bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.uint8Array({ maxLength: 8 }), async (cut, tail) => {
        const at = cut % valid.length;
        expect((await check(valid.subarray(0, at))).valid).toBe(false);
        if (tail.length > 0) expect((await check(Uint8Array.from([...valid, ...tail]))).valid).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
