import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeBase64, rangeProof, verifyMultiLeaf } from '@custody/ledger';
import { afterAll, describe, expect, it } from 'vitest';

import { createBundleWriter, memorySink, memorySource, openZip, parseManifest, type BundleWriterOptions } from '../src/index';
import { EXPORTED_AT, ORIGIN, SIGNER, buildBundle, buildLog } from './fixtures';
import { fileSpool, nodeCrc32, nodeCrypto, nodeDeflateRaw } from './node-adapters';
import { lines, text, unpack } from './tamper-tools';

const dir = mkdtempSync(join(tmpdir(), 'custody-writer-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = buildLog(40, 20);
const CUSTODY = {
  exportId: 'exp_1', exportedBy: { type: 'api_key' as const, id: 'key_1', name: 'CI' }, reason: 'r', matter: { name: 'M', number: 'N' },
  custodian: 'c', sourceOrganization: 'ACME', filter: null, toolVersion: 't',
};

function writer(overrides: Partial<BundleWriterOptions> = {}) {
  return createBundleWriter({
    sink: memorySink(), bagName: 'B', origin: ORIGIN, mode: 'complete-range', treeSize: 40n, range: { from: 8n, to: 12n },
    controlNumbers: { prefix: 'ACME' }, exportedAt: EXPORTED_AT, ...overrides,
  });
}

async function fill(w: ReturnType<typeof writer>, from = 8, to = 12): Promise<void> {
  for (let seq = from; seq < to; seq++) await w.addEvent(BigInt(seq), log.events[seq] as Uint8Array);
}

const finishInput = (proofHashes: Uint8Array[] = rangeProof(8n, 12n, 40n, log.leaves)) => ({
  checkpoints: log.checkpoints, proofHashes, custody: CUSTODY, keys: [SIGNER.vkey], signer: SIGNER.skey,
});

describe('createBundleWriter', () => {
  describe('when used correctly', () => {
    it('returns the files, the control numbers and the SHA-256 of the whole zip', async () => {
      const built = await buildBundle();
      expect(built.result.sha256).toBe(createHash('sha256').update(built.bytes).digest('hex'));
      expect(built.result.bytesWritten).toBe(built.bytes.length);
      expect(built.result.controlNumbers).toEqual({ prefix: 'ACME', first: 1, last: built.shown.length, width: 6 });
      const { files } = await unpack(built.bytes);
      const manifest = parseManifest(text(files.get('manifest-sha256.txt')), 'm').entries;
      for (const file of built.result.files.filter((f) => f.path.startsWith('data/'))) {
        expect(manifest.get(file.path)).toBe(file.sha256);
        expect(files.get(file.path)?.length).toBe(file.size);
      }
      expect(lines(files, 'data/events.csv').slice(1, 3)).toEqual([`ACME000001,${built.shown[0]}\r`, `ACME000002,${built.shown[1]}\r`]);
      expect(text(files.get('bag-info.txt'))).toContain(`Custody-Control-Numbers: ACME000001-ACME${String(built.shown.length).padStart(6, '0')}\n`);
      expect(text(files.get('seal.txt'))).toMatch(/^custody\.evidence\/v1 seal\nbag ACME-2026-001\ntagmanifest-sha256 [0-9a-f]{64}\n\n\u2014 /);
    });

    it('is deterministic, and identical with memory and temp-file spools and with node adapters', async () => {
      const a = await buildBundle();
      const b = await buildBundle();
      const c = await buildBundle({ spool: fileSpool(dir) });
      expect(b.bytes).toEqual(a.bytes);
      expect(c.bytes).toEqual(a.bytes);
      const d = await buildBundle({ crypto: nodeCrypto, crc32: nodeCrc32, deflateRaw: nodeDeflateRaw });
      expect(d.result.files.map((f) => f.sha256)).toEqual(a.result.files.map((f) => f.sha256));
    });

    it('writes a proof that the ledger verifies on its own (annotations are the only addition)', async () => {
      const built = await buildBundle();
      const { files } = await unpack(built.bytes);
      const leaves = lines(files, 'data/leaves.txt').map((line) => {
        const [seq, , hash] = line.split(' ');
        return { index: BigInt(seq as string), leafHash: decodeBase64(hash as string) };
      });
      const proof = lines(files, 'data/proof-hashes.txt').map((line) => decodeBase64(line.split(' ')[0] as string));
      const root = decodeBase64(text(files.get('data/checkpoints/40.txt')).split('\n')[2] as string);
      expect(() => verifyMultiLeaf(40n, leaves, proof, root)).not.toThrow();
      const proofJson = JSON.parse(text(files.get('data/proof.json'))) as Record<string, unknown>;
      expect(proofJson).toEqual({
        format: 'custody.evidence.proof/v1', origin: ORIGIN, mode: 'complete-range', tree_size: '40', range: { from: '8', to: '32' },
        leaf_count: 24, proof_hash_count: proof.length,
      });
    });

    it('consumes addFile iterables during finish (a second pass)', async () => {
      const w = writer();
      let consumed = false;
      w.addFile('data/second-pass.txt', (async function* () {
        consumed = true;
        yield await Promise.resolve(new TextEncoder().encode('late'));
      })());
      await fill(w);
      expect(consumed).toBe(false);
      const sink = memorySink();
      const w2 = writer({ sink });
      w2.addFile('data/production/x.txt', 'x');
      await fill(w2);
      await w2.finish(finishInput());
      const archive = await openZip(memorySource(sink.bytes()));
      expect(archive.get('B/data/production/x.txt')).toBeDefined();
    });
  });

  describe('when misused', () => {
    it('rejects out-of-order, out-of-range and skipped seqs', async () => {
      const w = writer();
      await w.addEvent(8n, log.events[8] as Uint8Array);
      await expect(w.addEvent(8n, log.events[8] as Uint8Array)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const w2 = writer();
      await expect(w2.addEvent(9n, log.events[9] as Uint8Array)).rejects.toThrow(/missing seq 8/);
      const w3 = writer();
      await expect(w3.addEvent(40n, log.events[8] as Uint8Array)).rejects.toThrow(/outside the tree/);
      const w4 = writer({ mode: 'selected', range: undefined });
      await expect(w4.addWithheld(3n, log.leaves[3] as Uint8Array)).rejects.toThrow(/only in complete-range/);
    });

    it('rejects events with a newline, bad names and reserved paths', async () => {
      await expect(writer().addEvent(8n, new TextEncoder().encode('{"a":\n1}'))).rejects.toThrow(/newline/);
      expect(() => writer({ bagName: '../x' })).toThrow(/bag name/);
      expect(() => writer().openFile('data/leaves.txt')).toThrow(/reserved/);
      expect(() => writer().addFile('data/../x', 'x')).toThrow();
      expect(() => writer({ controlNumbers: { prefix: 'acme lower' } })).toThrow(/prefix/);
    });

    it('refuses to finish an incomplete range, with open files, or with a wrong proof', async () => {
      const incomplete = writer();
      await fill(incomplete, 8, 11);
      await expect(incomplete.finish(finishInput())).rejects.toThrow(/ends at seq 10/);
      const open = writer();
      open.openFile('data/events.csv');
      await fill(open);
      await expect(open.finish(finishInput())).rejects.toThrow(/close data\/events.csv/);
      const short = writer();
      await fill(short);
      await expect(short.finish(finishInput(rangeProof(8n, 12n, 40n, log.leaves).slice(1)))).rejects.toThrow(/need more/);
      const wrong = writer();
      await fill(wrong);
      const bad = rangeProof(8n, 12n, 40n, log.leaves).map((h) => h.slice());
      const first = bad[0] as Uint8Array;
      first[0] = (first[0] as number) ^ 1;
      await expect(wrong.finish(finishInput(bad))).rejects.toThrow(/do not reduce to the root/);
    });

    it('refuses checkpoints that the keys do not verify or that do not match the tree size', async () => {
      const w = writer({ treeSize: 39n });
      await fill(w);
      await expect(w.finish(finishInput())).rejects.toThrow(/size 40, not treeSize 39/);
      const w2 = writer();
      await fill(w2);
      await expect(w2.finish({ ...finishInput(), checkpoints: [{ note: log.checkpoints[1]?.note.replace('\n40\n', '\n41\n') as string }] })).rejects.toThrow(/does not open/);
    });
  });
});
