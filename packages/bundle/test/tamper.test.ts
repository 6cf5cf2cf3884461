/**
 * The tamper suite: a real small bundle (writer + ledger tree + generated signer) is modified the way an attacker
 * would. Every tamper must fail with its own specific reason and location, both when the attacker forgets the
 * manifests (naive: a manifest failure plus the specific one) and when they recompute manifests and tag manifest
 * but cannot re-seal (careful: a seal failure plus the specific one).
 */
import { signCheckpoint, signNote, parseCheckpoint, encodeBase64 } from '@custody/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { memorySource, verifyBundle, type VerificationReport } from '../src/index';
import { createDifferentialChecker } from './differential-checker';
import { FOREIGN, SIGNER, buildBundle, type BuiltBundle } from './fixtures';
import { nodeCrc32, nodeCrypto, nodeInflateRaw } from './node-adapters';
import { bytes, codes, expectFailure, lines, recomputeManifests, setLines, tamper, text, unpack, repack, type Files } from './tamper-tools';

/** Leaf batches checked by every `verify`, hashed one by one and with sha256IntoMany (WebAssembly SIMD). */
let leafBatches = 0;

/** Verifies; every leaf batch is checked with and without sha256IntoMany, which must agree exactly. */
async function verify(zip: Uint8Array): Promise<VerificationReport> {
  const checker = createDifferentialChecker();
  const report = await verifyBundle(memorySource(zip), { trustedKeys: [SIGNER.vkey], crypto: nodeCrypto, inflate: nodeInflateRaw, crc32: nodeCrc32, checker });
  expect(checker.mismatches, 'checkLeafBatch with and without sha256IntoMany').toEqual([]);
  leafBatches += checker.batches;
  return report;
}

afterAll(() => {
  expect(leafBatches).toBeGreaterThan(0);
});

let range: BuiltBundle;
let selected: BuiltBundle;

beforeAll(async () => {
  range = await buildBundle({ size: 40, old: 20, from: 8, to: 32, purged: [13] });
  selected = await buildBundle({ size: 40, old: 20, mode: 'selected', selected: [3, 4, 5, 11, 17, 30] });
});

/** Checks the generic symptom of each variant. */
function expectVariant(report: VerificationReport, careful: boolean, changed: string): void {
  expect(report.valid).toBe(false);
  expect(report.unusable).toBe(false);
  if (careful) {
    expectFailure(report, 'seal', 'SEAL_MISMATCH', { file: 'seal.txt', line: 3 });
    expect(codes(report).manifests).toBeUndefined();
  } else {
    expectFailure(report, 'manifests', 'MANIFEST_MISMATCH', { file: changed });
    expect(codes(report).seal).toBeUndefined();
  }
}

describe('the untouched bundles', () => {
  it('verify as valid (control case)', async () => {
    expect((await verify(range.bytes)).valid).toBe(true);
    expect((await verify(selected.bytes)).valid).toBe(true);
  });
});

for (const careful of [false, true]) {
  describe(careful ? 'careful tampering (manifests recomputed, seal kept)' : 'naive tampering (manifests left as they were)', () => {
    it('changing one byte of an event names its line and seq (LEAF_HASH_MISMATCH)', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        const all = lines(files, 'data/events.ndjson');
        all[4] = (all[4] as string).replace('Quarterly report', 'Quarterly rEport');
        setLines(files, 'data/events.ndjson', all);
      }, careful));
      expectVariant(report, careful, 'data/events.ndjson');
      const failure = expectFailure(report, 'proof', 'LEAF_HASH_MISMATCH', { file: 'data/events.ndjson', line: 5, seq: String(range.shown[4]) });
      expect(failure.expected).not.toBe(failure.found);
      expect(report.counts.eventsInvalid).toBeGreaterThan(0);
    });

    it('dropping an event names the missing seq: by completeness in complete-range mode', async () => {
      const seq = range.shown[3] as number;
      const report = await verify(await tamper(range.bytes, (files) => {
        setLines(files, 'data/events.ndjson', lines(files, 'data/events.ndjson').filter((_, i) => i !== 3));
        setLines(files, 'data/leaves.txt', lines(files, 'data/leaves.txt').filter((line) => !line.startsWith(`${seq} `)));
      }, careful));
      expectVariant(report, careful, 'data/events.ndjson');
      expectFailure(report, 'completeness', 'LEAF_MISSING', { seq: String(seq) });
      expectFailure(report, 'proof', 'PROOF_HOLE', { seq: String(seq) });
    });

    it('dropping an event names the missing seq: by the proof in selected mode', async () => {
      const seq = selected.shown[2] as number;
      const report = await verify(await tamper(selected.bytes, (files) => {
        setLines(files, 'data/events.ndjson', lines(files, 'data/events.ndjson').filter((_, i) => i !== 2));
        setLines(files, 'data/leaves.txt', lines(files, 'data/leaves.txt').filter((line) => !line.startsWith(`${seq} `)));
      }, careful));
      expectVariant(report, careful, 'data/events.ndjson');
      const hole = expectFailure(report, 'proof', 'PROOF_HOLE', { seq: String(seq) });
      expect(hole.message).toContain(`seq ${seq}`);
      expect(codes(report).completeness ?? []).not.toContain('LEAF_MISSING');
    });

    it('reordering two events names both positions (LEAF_HASH_MISMATCH and SEQ_MISMATCH)', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        const all = lines(files, 'data/events.ndjson');
        [all[5], all[6]] = [all[6] as string, all[5] as string];
        setLines(files, 'data/events.ndjson', all);
      }, careful));
      expectVariant(report, careful, 'data/events.ndjson');
      for (const [line, seq, found] of [[6, range.shown[5], range.shown[6]], [7, range.shown[6], range.shown[5]]] as const) {
        expectFailure(report, 'proof', 'LEAF_HASH_MISMATCH', { file: 'data/events.ndjson', line, seq: String(seq) });
        const mismatch = expectFailure(report, 'canonical', 'SEQ_MISMATCH', { line, seq: String(seq) });
        expect(mismatch.found).toBe(String(found));
      }
    });

    it('altering a proof hash makes the tree miss the checkpoint root (PROOF_MISMATCH)', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        const all = lines(files, 'data/proof-hashes.txt');
        const [hash, lo, hi] = (all[0] as string).split(' ');
        const flipped = Buffer.from(hash as string, 'base64');
        flipped[0] = (flipped[0] as number) ^ 1;
        all[0] = `${encodeBase64(flipped)} ${lo} ${hi}`;
        setLines(files, 'data/proof-hashes.txt', all);
      }, careful));
      expectVariant(report, careful, 'data/proof-hashes.txt');
      const failure = expectFailure(report, 'proof', 'PROOF_MISMATCH', { file: 'data/proof-hashes.txt' });
      expect(failure.expected).not.toBe(failure.found);
      expect(codes(report).proof).toEqual(['PROOF_MISMATCH']);
      expect(report.counts.eventsValid).toBe(0);
    });

    it('altering the checkpoint size breaks its signature (CHECKPOINT_BAD_SIGNATURE, CHECKPOINT_SIZE_MISMATCH)', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        const note = text(files.get('data/checkpoints/40.txt'));
        files.set('data/checkpoints/40.txt', bytes(note.replace('\n40\n', '\n41\n')));
      }, careful));
      expectVariant(report, careful, 'data/checkpoints/40.txt');
      expectFailure(report, 'checkpoints', 'CHECKPOINT_BAD_SIGNATURE', { file: 'data/checkpoints/40.txt' });
      expectFailure(report, 'checkpoints', 'CHECKPOINT_SIZE_MISMATCH', { file: 'data/checkpoints/40.txt', expected: '40', found: '41' });
    });

    it('editing the custody record contradicts the bundle (CUSTODY_MISMATCH)', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        const custody = JSON.parse(text(files.get('data/custody.json'))) as { counts: { shown: number }; matter: { number: string } };
        custody.counts.shown -= 1;
        custody.matter.number = '2026-999';
        files.set('data/custody.json', bytes(`${JSON.stringify(custody, null, 2)}\n`));
      }, careful));
      expectVariant(report, careful, 'data/custody.json');
      expectFailure(report, 'completeness', 'CUSTODY_MISMATCH', { file: 'data/custody.json', found: String(range.shown.length - 1) });
      expectFailure(report, 'completeness', 'CUSTODY_MISMATCH', { file: 'bag-info.txt', expected: '2026-999' });
    });

    it('adding a file is reported as a file the format does not have (UNEXPECTED_FILE)', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        files.set('data/evil.txt', bytes('planted\n'));
      }, careful));
      expect(report.valid).toBe(false);
      expectFailure(report, 'structure', 'UNEXPECTED_FILE', { file: 'data/evil.txt' });
      if (careful) expectFailure(report, 'seal', 'SEAL_MISMATCH');
      else expect(codes(report).seal).toBeUndefined();
    });

    it('removing a file is reported as missing', async () => {
      const report = await verify(await tamper(range.bytes, (files) => {
        files.delete('data/README.txt');
      }, careful));
      expect(report.valid).toBe(false);
      if (careful) expectFailure(report, 'seal', 'SEAL_MISMATCH');
      else expectFailure(report, 'manifests', 'MISSING_FILE', { file: 'data/README.txt' });
    });
  });
}

describe('re-signing with a foreign key', () => {
  async function resign(careful: boolean): Promise<VerificationReport> {
    const { bagName, files } = await unpack(range.bytes);
    const note = text(files.get('data/checkpoints/40.txt'));
    const body = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
    files.set('data/checkpoints/40.txt', bytes(signCheckpoint({ origin: body.origin, size: body.size, root: body.root, ...(body.prev === undefined ? {} : { prev: body.prev }) }, FOREIGN.skey)));
    files.set('data/keys.txt', bytes(`${FOREIGN.vkey}\n`));
    if (careful) recomputeManifests(files);
    const tagManifest = files.get('tagmanifest-sha256.txt') as Uint8Array;
    const { createHash } = await import('node:crypto');
    const hex = createHash('sha256').update(tagManifest).digest('hex');
    files.set('seal.txt', bytes(signNote(`custody.evidence/v1 seal\nbag ${bagName}\ntagmanifest-sha256 ${hex}\n`, FOREIGN.skey)));
    return verify(await repack(bagName, files));
  }

  for (const careful of [false, true]) {
    it(`names the untrusted key and its fingerprint for the seal and the checkpoint (${careful ? 'careful' : 'naive'})`, async () => {
      const report = await resign(careful);
      expect(report.valid).toBe(false);
      const seal = expectFailure(report, 'seal', 'SEAL_UNTRUSTED_KEY', { file: 'seal.txt' });
      const foreignId = FOREIGN.vkey.split('+')[1] as string;
      expect(seal.message).toContain(`audit.example.com/org_acme+${foreignId}`);
      expect(seal.message).toMatch(/fingerprint SHA256:[A-Za-z0-9+/]+/);
      expect(seal.message).toContain('trusted: audit.example.com/org_acme+');
      expectFailure(report, 'checkpoints', 'CHECKPOINT_UNTRUSTED_KEY', { file: 'data/checkpoints/40.txt' });
      // The proof still matches the (untrusted) root, but nothing is reported as proven.
      expect(report.checks.find((c) => c.name === 'proof')?.status).toBe('skipped');
      expect(report.counts.eventsValid).toBe(0);
      if (careful) expect(codes(report).manifests).toBeUndefined();
      else expectFailure(report, 'manifests', 'MANIFEST_MISMATCH', { file: 'data/keys.txt' });
    });
  }
});

describe('files outside the bag', () => {
  it('reports an extra file next to the bag folder', async () => {
    const { bagName, files } = await unpack(range.bytes);
    const withExtra: Files = new Map([...files, ['/readme-first.txt', bytes('hi')]]);
    const report = await verify(await repack(bagName, withExtra));
    expectFailure(report, 'structure', 'UNEXPECTED_FILE', { file: 'readme-first.txt' });
  });
});
