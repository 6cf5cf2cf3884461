import { signCheckpoint } from '@custody/ledger';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  BundleError, formatVerificationReport, memorySource, resolveCrypto, verificationExitCode, verifyBundle, type VerificationReport, type VerifyBundleOptions,
} from '../src/index';
import { ORIGIN, SIGNER, FOREIGN, buildBundle, buildLog, type BuiltBundle } from './fixtures';
import { nodeCrc32, nodeCrypto, nodeInflateRaw } from './node-adapters';
import { codes, expectFailure, lines, setLines, tamper, unpack, repack, bytes, text } from './tamper-tools';
import { createWorkerChecker } from './worker-checker';

const NODE = { crypto: nodeCrypto, inflate: nodeInflateRaw, crc32: nodeCrc32 };
const verify = (zip: Uint8Array, options: Partial<VerifyBundleOptions> = {}): Promise<VerificationReport> =>
  verifyBundle(memorySource(zip), { trustedKeys: [SIGNER.vkey], ...NODE, ...options });

let bundle: BuiltBundle;
beforeAll(async () => {
  bundle = await buildBundle({ size: 40, old: 20, from: 8, to: 32, purged: [13] });
});

describe('verifyBundle', () => {
  describe('when the bundle is valid', () => {
    it('reports every check valid with the default platform (CompressionStream, noble, portable SHA-256)', async () => {
      const report = await verifyBundle(memorySource(bundle.bytes), { trustedKeys: [SIGNER.vkey] });
      expect(report.valid).toBe(true);
      expect(report.checks.map((c) => [c.name, c.status])).toEqual([
        ['structure', 'valid'], ['manifests', 'valid'], ['seal', 'valid'], ['checkpoints', 'valid'], ['chain', 'valid'],
        ['proof', 'valid'], ['completeness', 'valid'], ['canonical', 'valid'],
      ]);
      expect(report.counts).toMatchObject({ events: 17, eventsValid: 17, eventsInvalid: 0, withheld: 6, purged: 1, leaves: 24 });
      expect(report.bundle).toMatchObject({ bagName: 'ACME-2026-001', origin: ORIGIN, mode: 'complete-range', treeSize: '40', range: { from: '8', to: '32' } });
      expect(verificationExitCode(report)).toBe(0);
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    });

    it('prints a CloudTrail-style report', async () => {
      const report = await verify(bundle.bytes);
      const out = formatVerificationReport(report);
      expect(out).toContain('Validating evidence bundle ACME-2026-001.zip (custody.evidence/v1)');
      expect(out).toMatch(/\n {2}range completeness +valid +seq 8–31: 17 events shown, 6 withheld, 1 purged, none missing\n/);
      expect(out).toContain('\n17/17 events valid\n');
      expect(out).not.toContain('INVALID');
    });

    it('verifies the same with node adapters and with a worker-thread checker', async () => {
      const checker = createWorkerChecker(2);
      try {
        const big = await buildBundle({ size: 600, old: 300, from: 10, to: 590, purged: [40, 41] });
        const inline = await verify(big.bytes);
        const parallel = await verify(big.bytes, { checker });
        expect(inline.valid).toBe(true);
        expect(parallel.valid).toBe(true);
        expect(parallel.counts).toEqual(inline.counts);
      } finally {
        await checker.close();
      }
    });

    it('reports the same with the default platform (WebAssembly SHA-256, SIMD leaf hashes) as with node adapters', async () => {
      expect(resolveCrypto(undefined).sha256IntoMany).toBeDefined(); // so the default inline checker uses it
      const big = await buildBundle({ size: 600, old: 300, from: 10, to: 590, purged: [40, 41] });
      for (const options of [{}, { organizationId: 'org_other', maxFailuresPerCheck: 7 }]) {
        const defaults = await verifyBundle(memorySource(big.bytes), { trustedKeys: [SIGNER.vkey], ...options });
        const node = await verify(big.bytes, options);
        expect({ ...defaults, durationMs: 0 }).toEqual({ ...node, durationMs: 0 });
      }
    });

    it('verifies selected-mode, stored, forced-ZIP64 bundles', async () => {
      for (const options of [{ mode: 'selected' as const }, { method: 'store' as const }, { forceZip64: true }]) {
        const built = await buildBundle(options);
        const report = await verify(built.bytes);
        expect(report.valid, JSON.stringify(codes(report))).toBe(true);
      }
    });

    it('verifies a bundle where every leaf of the range is withheld (no events, no control numbers)', async () => {
      const built = await buildBundle({ withheld: () => true });
      const report = await verify(built.bytes);
      expect(report.valid, JSON.stringify(codes(report))).toBe(true);
      expect(report.counts).toMatchObject({ events: 0, withheld: 24 });
      expect(formatVerificationReport(report)).toContain('\n0/0 events valid\n');
    });

    it('connects checkpoints the recipient already holds', async () => {
      const held = bundle.log.checkpoints[0]?.note as string;
      const report = await verify(bundle.bytes, { heldCheckpoints: [held] });
      expect(report.valid).toBe(true);
      expect(report.checks.find((c) => c.name === 'chain')?.summary).toContain('1 held checkpoint match');
    });

    it('reports progress through the phases', async () => {
      const phases: string[] = [];
      await verify(bundle.bytes, { onProgress: (p) => void (phases.at(-1) === p.phase || phases.push(p.phase)) });
      expect(phases).toEqual(['open', 'tags', 'events', 'files', 'done']);
    });
  });

  describe('when trust is missing or wrong', () => {
    it('names the signer when the trusted key is another one', async () => {
      const report = await verify(bundle.bytes, { trustedKeys: [FOREIGN.vkey] });
      expect(report.valid).toBe(false);
      const seal = expectFailure(report, 'seal', 'SEAL_UNTRUSTED_KEY');
      expect(seal.message).toContain(SIGNER.vkey.split('+').slice(0, 2).join('+'));
      expectFailure(report, 'checkpoints', 'CHECKPOINT_UNTRUSTED_KEY');
      expect(verificationExitCode(report)).toBe(1);
    });

    it('reports that nothing can be verified without trusted keys', async () => {
      const report = await verify(bundle.bytes, { trustedKeys: [] });
      expectFailure(report, 'seal', 'NO_TRUSTED_KEYS');
      expectFailure(report, 'checkpoints', 'NO_TRUSTED_KEYS');
      expect(report.counts.eventsValid).toBe(0);
    });

    it('throws INVALID_ARGUMENT for a trusted key that is not a vkey (a caller error)', async () => {
      await expect(verify(bundle.bytes, { trustedKeys: ['not a key'] })).rejects.toBeInstanceOf(BundleError);
    });

    it('rejects a bundle of another log when the origin is given', async () => {
      const report = await verify(bundle.bytes, { origin: 'audit.example.com/org_other' });
      expectFailure(report, 'checkpoints', 'ORIGIN_MISMATCH');
    });

    it('detects a fork against a held checkpoint, and a held checkpoint it cannot connect', async () => {
      const other = buildLog(20);
      const forked = signCheckpoint({ origin: ORIGIN, size: 20n, root: new Uint8Array(32).fill(1) }, SIGNER.skey);
      const report = await verify(bundle.bytes, { heldCheckpoints: [forked, other.checkpoints[0]?.note as string] });
      const fork = expectFailure(report, 'chain', 'HELD_CHECKPOINT_MISMATCH', { file: 'data/checkpoints/20.txt' });
      expect(fork.message).toContain('forked');
      const unconnected = signCheckpoint({ origin: ORIGIN, size: 25n, root: new Uint8Array(32) }, SIGNER.skey);
      const report2 = await verify(bundle.bytes, { heldCheckpoints: [unconnected] });
      expect(expectFailure(report2, 'chain', 'HELD_CHECKPOINT_MISMATCH').message).toContain('cannot be connected');
    });
  });

  describe('when events do not belong to the organization', () => {
    it('reports every event, keeps the first failures and counts the rest', async () => {
      const report = await verify(bundle.bytes, { organizationId: 'org_other', maxFailuresPerCheck: 5 });
      const canonical = report.checks.find((c) => c.name === 'canonical');
      expect(canonical?.failureCount).toBe(17);
      expect(canonical?.failures.length).toBe(5);
      expect(canonical?.failures[0]).toMatchObject({ code: 'ORGANIZATION_MISMATCH', file: 'data/events.ndjson', line: 1, expected: 'org_other', found: 'org_acme' });
      expect(formatVerificationReport(report)).toContain('… and 12 more canonical events failures');
      expect(report.counts.eventsInvalid).toBe(17);
    });
  });

  describe('when an event is not canonical', () => {
    it('names its line, seq, reason and column', async () => {
      const zip = await tamper(bundle.bytes, (files) => {
        const all = lines(files, 'data/events.ndjson');
        all[2] = (all[2] as string).replace('{"action":', '{ "action":');
        setLines(files, 'data/events.ndjson', all);
      }, true);
      const report = await verify(zip);
      const failure = expectFailure(report, 'canonical', 'NOT_CANONICAL', { line: 3, seq: String(bundle.shown[2]) });
      expect(failure.message).toContain('whitespace outside strings at column 2');
    });
  });

  describe('when purge records disagree with the purged leaves', () => {
    it('names the record', async () => {
      const zip = await tamper(bundle.bytes, (files) => {
        setLines(files, 'data/purges.ndjson', lines(files, 'data/purges.ndjson').map((line) => line.replace('"seq":13', '"seq":12')));
      }, true);
      expectFailure(await verify(zip), 'completeness', 'PURGE_RECORD_MISMATCH', { file: 'data/purges.ndjson', line: 1, seq: '13' });
    });
  });

  describe('when the input is unusable', () => {
    it('reports not-a-zip and truncated input as unusable (exit code 2)', async () => {
      for (const [input, code] of [[bytes('hello'), 'BAD_ZIP'], [bundle.bytes.subarray(0, bundle.bytes.length - 30), 'TRUNCATED']] as const) {
        const report = await verify(input);
        expect(report.unusable).toBe(true);
        expect(verificationExitCode(report)).toBe(2);
        expectFailure(report, 'structure', code);
        expect(report.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
        expect(formatVerificationReport(report)).toContain('UNUSABLE');
      }
    });

    it('reports a line over maxLineLength as unusable (LIMIT_EXCEEDED)', async () => {
      const zip = await tamper(bundle.bytes, (files) => {
        const all = lines(files, 'data/events.ndjson');
        all[1] = `${all[1] as string}${' '.repeat(5000)}`;
        setLines(files, 'data/events.ndjson', all);
      }, true);
      const report = await verify(zip, { limits: { maxLineLength: 4096 } });
      expect(report.unusable).toBe(true);
      expect(expectFailure(report, 'structure', 'LIMIT_EXCEEDED').message).toContain('data/events.ndjson line 2');
    });

    it('reports another bundle format version as unusable (UNSUPPORTED)', async () => {
      const zip = await tamper(bundle.bytes, (files) => {
        files.set('bag-info.txt', bytes(text(files.get('bag-info.txt')).replace('custody.evidence/v1', 'custody.evidence/v2')));
      }, true);
      const report = await verify(zip);
      expect(report.unusable).toBe(true);
      expectFailure(report, 'structure', 'UNSUPPORTED');
    });

    it('reports an archive without a bag as unusable', async () => {
      const { files } = await unpack(bundle.bytes);
      files.delete('bagit.txt');
      const report = await verify(await repack('ACME-2026-001', files));
      expect(report.unusable).toBe(true);
    });
  });
});
