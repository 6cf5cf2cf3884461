/**
 * How the verifier reads a bundle: the files the main pass does not stream are hashed beside it, the archive's
 * SHA-256 too, and a worker pool's batch buffers are filled again when handed back. Each reaches the verdict the plain, one-at-a-time reading reaches.
 */
import { createHash } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  BundleError, checkLeafBatch, memorySource, openZip, resolveCrypto, verifyBundle, type LeafBatch, type LeafBatchChecker, type LeafBatchResult,
  type VerificationReport, type VerifyBundleOptions,
} from '../src/index';
import { SIGNER, buildBundle, type BuiltBundle } from './fixtures';
import { nodeCrc32, nodeCrypto, nodeInflateRaw, nodeSha256Into } from './node-adapters';
import { expectFailure, failuresOf, lines, setLines, tamper } from './tamper-tools';

const NODE = { crypto: nodeCrypto, inflate: nodeInflateRaw, crc32: nodeCrc32 };
const verify = (zip: Uint8Array, options: Partial<VerifyBundleOptions> = {}): Promise<VerificationReport> =>
  verifyBundle(memorySource(zip), { trustedKeys: [SIGNER.vkey], ...NODE, ...options });
const stable = (report: VerificationReport) => ({ ...report, durationMs: 0 });

/** Flips bytes in the middle of an entry's compressed data (the zip's own structure stays intact). */
async function corruptEntry(zip: Uint8Array, suffix: string): Promise<Uint8Array> {
  const archive = await openZip(memorySource(zip), { inflateRaw: nodeInflateRaw });
  const entry = archive.entries.find((e) => e.name.endsWith(suffix));
  if (entry === undefined) throw new Error(`no entry ${suffix}`);
  const out = zip.slice();
  const middle = entry.dataOffset + Math.floor(entry.compressedSize / 2);
  for (let i = 0; i < 8; i++) out[middle + i] = (out[middle + i] as number) ^ 0x5a;
  return out;
}

let small: BuiltBundle;
let big: BuiltBundle;
beforeAll(async () => {
  small = await buildBundle({ size: 40, old: 20, from: 8, to: 32, purged: [13] });
  // Over 4,096 leaves: the verifier cuts several batches.
  big = await buildBundle({ size: 9_000, old: 4_000, from: 0, to: 9_000, purged: [40, 41] });
}, 120_000);

describe('the file pass beside the main pass', () => {
  it('reports a corrupt events.csv while the main pass checks every event', async () => {
    const report = await verify(await corruptEntry(small.bytes, 'data/events.csv'));
    expect(report.valid).toBe(false);
    expect(expectFailure(report, 'manifests', 'CORRUPT_FILE').file).toBe('data/events.csv');
    for (const check of ['proof', 'completeness', 'canonical'] as const) expect(report.checks.find((c) => c.name === check)?.status).toBe('valid');
  });

  it('reports the same failures, in the same order, whichever read ends first', async () => {
    const zip = await corruptEntry(await corruptEntry(small.bytes, 'data/events.csv'), 'data/events.ndjson');
    const first = await verify(zip);
    expect(first.checks.find((c) => c.name === 'manifests')?.failures.map((f) => [f.code, f.file])).toEqual([
      ['CORRUPT_FILE', 'data/events.ndjson'], ['CORRUPT_FILE', 'data/events.csv'],
    ]);
    // A source that answers slowly for the first half of the archive lets the other files' pass finish first.
    const source = memorySource(zip);
    const slow = { size: source.size, read: async (offset: number, length: number) => {
      if (offset < zip.length / 2) await new Promise((resolve) => setTimeout(resolve, 5));
      return source.read(offset, length);
    } };
    const second = await verifyBundle(slow, { trustedKeys: [SIGNER.vkey], ...NODE });
    expect(stable(second)).toEqual(stable(first));
  });

  it('still hashes the main pass files when the main pass cannot stream them', async () => {
    // No proof.json: the main pass stops before reading events.ndjson, whose manifest line must still be checked.
    const zip = await tamper(small.bytes, (files) => {
      files.delete('data/proof.json');
      const all = lines(files, 'data/events.ndjson');
      all[0] = (all[0] as string).replace('"seq":', '"seq": ');
      setLines(files, 'data/events.ndjson', all);
    });
    const report = await verify(zip);
    expect(report.checks.find((c) => c.name === 'manifests')?.failures.some((f) => f.code === 'MANIFEST_MISMATCH' && f.file === 'data/events.ndjson')).toBe(true);
  });

  it("computes the archive's SHA-256 beside the passes, and stops it when the input is unusable", async () => {
    const report = await verify(big.bytes, { hashArchive: true });
    expect(report.valid).toBe(true);
    expect(report.archiveSha256).toBe(createHash('sha256').update(big.bytes).digest('hex'));
    let reads = 0;
    const truncated = small.bytes.subarray(0, small.bytes.length - 30);
    const source = memorySource(truncated);
    const unusable = await verifyBundle({ size: source.size, read: (offset, length) => (reads++, source.read(offset, length)) }, {
      trustedKeys: [SIGNER.vkey], ...NODE, hashArchive: true,
    });
    expect(unusable.unusable).toBe(true);
    expect(unusable.archiveSha256).toBeUndefined();
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(after); // nothing reads the source once the report is out
  });

  it("takes the archive's SHA-256 in one piece with a one-shot digest (WebCrypto by default), the same as streamed", async () => {
    expect(resolveCrypto(undefined).digestSha256).toBeDefined(); // Node has crypto.subtle
    expect(resolveCrypto({ createSha256: NODE.crypto.createSha256 }).digestSha256).toBeUndefined();
    const expected = createHash('sha256').update(big.bytes).digest('hex');
    const defaults = await verifyBundle(memorySource(big.bytes), { trustedKeys: [SIGNER.vkey], hashArchive: true });
    expect(defaults.archiveSha256).toBe(expected);
    const sizes: number[] = [];
    const digestSha256 = (data: Uint8Array): Promise<Uint8Array> => {
      sizes.push(data.length);
      return Promise.resolve(createHash('sha256').update(data).digest());
    };
    // Stored, so that the archive spans several 4 MiB reads.
    const stored = await buildBundle({ size: 12_000, old: 100, from: 0, to: 12_000, method: 'store' });
    expect(stored.bytes.length).toBeGreaterThan(4 << 20);
    const report = await verify(stored.bytes, { hashArchive: true, crypto: { ...NODE.crypto, digestSha256 } });
    expect(report.archiveSha256).toBe(createHash('sha256').update(stored.bytes).digest('hex'));
    expect(sizes).toEqual([stored.bytes.length]);
  });
});

/**
 * A checker that takes the batch's buffers away as a worker pool does (structuredClone with transfer detaches
 * them) and hands back `returned` as `giveBack` makes it.
 */
function transferringChecker(giveBack: (batch: LeafBatch) => LeafBatch | undefined, seen: { batches: number; refilled: number }): LeafBatchChecker {
  const handedBack = new Set<ArrayBufferLike>();
  return {
    concurrency: 1,
    check(batch, context): Promise<LeafBatchResult> {
      seen.batches += 1;
      if (handedBack.has(batch.events.buffer)) seen.refilled += 1;
      const buffers = [batch.leaves.buffer, batch.events.buffer, batch.eventFlags.buffer, batch.leafEnds.buffer, batch.eventEnds.buffer]
        .filter((b, i, all) => all.indexOf(b) === i) as ArrayBuffer[];
      const moved = structuredClone(batch, { transfer: buffers });
      const result = checkLeafBatch(moved, context, nodeSha256Into);
      const back = giveBack(moved);
      if (back !== undefined) handedBack.add(back.events.buffer);
      return Promise.resolve(back === undefined ? result : { ...result, returned: back });
    },
  };
}

/** The uncompressed data/events.ndjson of a bundle, in the chunks the archive streams. */
async function eventsChunks(zip: Uint8Array): Promise<Uint8Array[]> {
  const archive = await openZip(memorySource(zip), { inflateRaw: nodeInflateRaw });
  const entry = archive.entries.find((e) => e.name.endsWith('data/events.ndjson'));
  if (entry === undefined) throw new Error('no events.ndjson');
  const chunks: Uint8Array[] = [];
  for await (const chunk of archive.stream(entry)) chunks.push(chunk.slice());
  return chunks;
}

/** The chunks as a stream delivers them (each a step later), then `error` if given. */
async function* yieldAll(chunks: readonly Uint8Array[], error?: Error): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
  if (error !== undefined) throw error;
}

describe('the content of events.ndjson supplied by the caller', () => {
  it('reaches the verdict of reading the entry itself', async () => {
    const chunks = await eventsChunks(big.bytes);
    expect(stable(await verify(big.bytes, { eventsContent: yieldAll(chunks) }))).toEqual(stable(await verify(big.bytes)));
  });

  it('checks the supplied bytes, not the archive\'s: a changed byte fails its event and the manifest', async () => {
    const chunks = await eventsChunks(small.bytes);
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    const second = all.indexOf(0x0a) + 1;
    const changed = all.indexOf(0x22 /* " */, all.indexOf(0x3a /* : */, second + 2)) + 1; // the first value of line 2
    all[changed] = (all[changed] as number) ^ 0x01;
    const report = await verify(small.bytes, { eventsContent: yieldAll([all.subarray(0, 1000), all.subarray(1000)]) });
    expect(report.valid).toBe(false);
    expect(expectFailure(report, 'manifests', 'MANIFEST_MISMATCH').file).toBe('data/events.ndjson');
    expect(failuresOf(report, 'proof').length + failuresOf(report, 'canonical').length).toBeGreaterThan(0);
    expect(report.counts.eventsValid).toBeLessThan(report.counts.events);
  });

  it("reports the supplier's read error as an unreadable events.ndjson, and no event as verified", async () => {
    const chunks = await eventsChunks(big.bytes);
    expect(chunks.length).toBeGreaterThan(1);
    const name = (await openZip(memorySource(big.bytes), { inflateRaw: nodeInflateRaw })).entries.find((e) => e.name.endsWith('data/events.ndjson'))?.name ?? '';
    const error = new BundleError('CRC_MISMATCH', `${name}: CRC-32 mismatch`, { details: { name } });
    const report = await verify(big.bytes, { eventsContent: yieldAll(chunks.slice(0, 1), error) });
    expect(report.valid).toBe(false);
    expect(expectFailure(report, 'manifests', 'CORRUPT_FILE').file).toBe('data/events.ndjson');
    for (const check of ['proof', 'completeness', 'canonical'] as const) expectFailure(report, check, 'CORRUPT_FILE');
    expect(report.counts.eventsValid).toBe(0);
  });
});

describe('batch buffers handed back by a checker', () => {
  it('fills them again, with the verdict of the inline checker', async () => {
    const inline = await verify(big.bytes);
    expect(inline.valid).toBe(true);
    const seen = { batches: 0, refilled: 0 };
    const report = await verify(big.bytes, { checker: transferringChecker((moved) => moved, seen) });
    expect(stable(report)).toEqual(stable(inline));
    expect(seen.batches).toBeGreaterThan(2);
    expect(seen.refilled).toBe(seen.batches - 1);
  });

  it('ignores buffers it cannot use (shrunk, shared, or not typed arrays), with the same verdict', async () => {
    const inline = await verify(big.bytes);
    const odd: ((moved: LeafBatch) => LeafBatch)[] = [
      (moved) => ({ ...moved, eventFlags: new Uint8Array(3) }),
      (moved) => ({ ...moved, leaves: new Uint8Array(moved.events.buffer) }),
      (moved) => ({ ...moved, events: [1, 2, 3] as unknown as Uint8Array }),
    ];
    for (const giveBack of odd) {
      const seen = { batches: 0, refilled: 0 };
      const report = await verify(big.bytes, { checker: transferringChecker(giveBack, seen) });
      expect(stable(report)).toEqual(stable(inline));
      expect(seen.refilled).toBe(0);
    }
  });

  it('finds a changed event in a refilled batch', async () => {
    const zip = await tamper(big.bytes, (files) => {
      const all = lines(files, 'data/events.ndjson');
      all[6_000] = (all[6_000] as string).replace('"seq":', '"seq":0');
      setLines(files, 'data/events.ndjson', all);
    }, true);
    const seen = { batches: 0, refilled: 0 };
    const report = await verify(zip, { checker: transferringChecker((moved) => moved, seen) });
    expect(seen.refilled).toBeGreaterThan(0);
    expect(stable(report)).toEqual(stable(await verify(zip)));
    expect(report.valid).toBe(false);
  });
});
