/**
 * The threaded bundle checker (what `custody verify` uses) reaches the same verdict as the inline one,
 * on a good bundle and on one with a changed event.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { memorySource, verifyBundle } from '@custody/bundle';
import type { LeafBatchChecker, VerificationReport } from '@custody/bundle';
import { readLines, tamperBundle, writeLines } from '@custody/bundle/testing';

import { createThreadedLeafChecker, nodeBundleCrypto, nodeInflateRaw } from '../src/index';
import type { Custody } from '../src/index';
import { createTestCustody, event } from './helpers';

describe('the threaded leaf checker', () => {
  let custody: Custody;
  let vkey: string;
  let destroy: () => Promise<void>;
  let dir: string;
  let bundle: Uint8Array;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-checker-'));
    ({ custody, vkey, destroy } = await createTestCustody('sqlite', { exportDir: dir }));
    await custody.createOrganization({ id: 'acme', name: 'Acme Inc.' });
    for (let b = 0; b < 5; b++) {
      await custody.ingestor.ingest('acme', Array.from({ length: 1_000 }, (_, i) => event({ actor: { id: `u_${i % 7}`, type: 'user' }, metadata: { b, i } })));
    }
    const info = await custody.exports.runToCompletion(
      'acme',
      { format: 'bundle', filter: { actorId: 'u_3' }, matter: { name: 'Acme v. Example', number: 'MAT-1' }, custodian: 'Jane', reason: 'test' },
      { type: 'api_key', id: 'key_test', name: 'test', ip: '192.0.2.10' },
    );
    expect(info.status, info.error ?? '').toBe('completed');
    bundle = new Uint8Array(await readFile((await custody.exports.file('acme', info.id)).path));
  }, 120_000);
  afterAll(async () => {
    await destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const verify = (bytes: Uint8Array, checker?: LeafBatchChecker): Promise<VerificationReport> =>
    verifyBundle(memorySource(bytes), { trustedKeys: [vkey], crypto: nodeBundleCrypto, inflate: nodeInflateRaw, ...(checker === undefined ? {} : { checker }) });

  it('verifies a good bundle exactly as the inline checker does', async () => {
    const checker = createThreadedLeafChecker(2);
    try {
      const [inline, threaded] = await Promise.all([verify(bundle), verify(bundle, checker)]);
      expect(threaded.valid).toBe(true);
      expect(threaded.checks).toEqual(inline.checks);
      expect(threaded.counts).toEqual(inline.counts);
      expect(threaded.counts.eventsValid).toBeGreaterThan(0);
    } finally {
      await checker.close();
    }
  });

  it('finds a changed event where the inline checker finds it', async () => {
    const tampered = await tamperBundle(
      bundle,
      (files) => {
        const lines = readLines(files, 'data/events.ndjson');
        lines[2] = (lines[2] ?? '').replace('u_3', 'u_4');
        writeLines(files, 'data/events.ndjson', lines);
      },
      true,
    );
    const checker = createThreadedLeafChecker(2);
    try {
      const [inline, threaded] = await Promise.all([verify(tampered), verify(tampered, checker)]);
      expect(threaded.valid).toBe(false);
      expect(threaded.checks).toEqual(inline.checks);
    } finally {
      await checker.close();
    }
  });

  it('hands each batch back with its result, so the verifier can fill the same buffers again', async () => {
    const checker = createThreadedLeafChecker(1);
    const returned: { sent: number; back: number }[] = [];
    const watching: LeafBatchChecker = {
      concurrency: checker.concurrency,
      async check(batch, context) {
        const sent = batch.events.buffer.byteLength;
        const result = await checker.check(batch, context);
        expect(batch.events.buffer.byteLength).toBe(0); // transferred to the thread
        returned.push({ sent, back: result.returned?.events.buffer.byteLength ?? -1 });
        return result;
      },
    };
    try {
      const report = await verify(bundle, watching);
      expect(report.valid).toBe(true);
      expect(returned.length).toBeGreaterThan(0);
      for (const { sent, back } of returned) expect(back).toBe(sent);
    } finally {
      await checker.close();
    }
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => createThreadedLeafChecker(0)).toThrow(RangeError);
  });
});
