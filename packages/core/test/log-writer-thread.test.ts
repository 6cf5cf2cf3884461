/**
 * The writer thread on a real SQLite file: group commit across concurrent callers, idempotency,
 * checkpoints and proofs over what it wrote, a thread that dies mid-stream, and a database it cannot open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrateToLatest, openDatabase } from '@custody/db';
import type { CustodyDatabase } from '@custody/db';
import { generateSigner, openCheckpoint, verifyInclusion } from '@custody/ledger';
import { validateEvent } from '@custody/schema';

import { AppError, Custody, LogWriterThread, prepareEvent, nodeEd25519, nodeHasher, nodeSha256, signingKeyFromText } from '../src/index';
import type { TIngestResult } from '../src/index';
import { LOG_NAME, event } from './helpers';

const decodeBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const accepted = (results: readonly TIngestResult[]) => results.filter((r): r is Extract<TIngestResult, { status: 'accepted' }> => r.status === 'accepted');

describe('sqlite file: ingest through the writer thread', () => {
  let dir: string;
  let database: CustodyDatabase;
  let custody: Custody;
  let vkey: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-writer-'));
    database = await openDatabase({ url: join(dir, 'custody.db') });
    await migrateToLatest(database.db, database.dialect);
    const signer = generateSigner(LOG_NAME, { sha256: nodeSha256, ed25519: nodeEd25519 });
    vkey = signer.vkey;
    custody = new Custody(database, { logName: LOG_NAME, signingKey: signingKeyFromText(signer.skey), checkpoints: { intervalMs: 50 } });
    await custody.start();
    await custody.createOrganization({ id: 'acme', name: 'Acme Inc.' });
  });
  afterAll(async () => {
    await custody.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is used for a SQLite file', () => {
    expect(database.writerThreadOptions).not.toBeNull();
  });

  it('commits concurrent batches with distinct, gapless seqs, reports each append, and the log proves them', async () => {
    const sizes: number[] = [];
    const off = custody.ingestor.onAppend((organizationId, size) => organizationId === 'acme' && sizes.push(size));
    const batches = await Promise.all(
      Array.from({ length: 12 }, (_, b) => custody.ingestor.ingest('acme', Array.from({ length: 40 }, (_, i) => event({ metadata: { b, i } })))),
    );
    off();
    const seqs = batches.flatMap((results) => accepted(results).map((r) => r.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 480 }, (_, i) => i));
    expect(Math.max(...sizes)).toBe(480);
    // Fewer commits than batches: they were grouped.
    expect(sizes.length).toBeLessThan(12);

    const checkpoint = await custody.checkpointer.checkpoint('acme');
    expect(checkpoint.size).toBe(480);
    const opened = openCheckpoint(checkpoint.note, [vkey]);
    for (const seq of [0, 239, 479]) {
      const proof = await custody.log.inclusionProof('acme', seq, 480);
      const entry = await custody.log.entry('acme', seq);
      expect(nodeHasher.hashLeaf(decodeBase64(entry.bytes ?? ''))).toEqual(decodeBase64(proof.leafHash));
      expect(() => verifyInclusion(decodeBase64(proof.leafHash), BigInt(seq), 480n, proof.proof.map(decodeBase64), opened.root, { hasher: nodeHasher })).not.toThrow();
    }
  });

  it('answers a repeated idempotency key with the original event, and a changed body with a conflict', async () => {
    const [first] = await custody.ingestor.ingest('acme', [event({ idempotency_key: 'k-1' })]);
    const [again, conflict] = await custody.ingestor.ingest('acme', [event({ idempotency_key: 'k-1' }), event({ idempotency_key: 'k-1', action: 'user.signed_out' })]);
    expect(first?.status).toBe('accepted');
    expect(again).toMatchObject({ status: 'accepted', replayed: true, seq: first?.status === 'accepted' ? first.seq : -1 });
    expect(conflict).toMatchObject({ status: 'rejected', code: 'IDEMPOTENCY_CONFLICT' });
  });

  it('rejects what a dying thread held with UNAVAILABLE, starts a new one, and keeps the log whole', async () => {
    const thread = new LogWriterThread({ url: join(dir, 'custody.db'), sqliteWalCheckpoints: 'background' });
    const { size: before } = await custody.checkpointer.checkpoint('acme');
    // Custody does not expose its own thread, so this test drives a second LogWriterThread on the same file.
    const events = Array.from({ length: 300 }, (_, position) => {
      const v = validateEvent(event({ metadata: { position } }));
      if (!v.ok) throw new Error('invalid test event');
      return prepareEvent(v.event, position);
    });
    const pending = thread.append('acme', events);
    await thread.terminate();
    const outcome = await pending.then(
      (results) => ({ ok: true as const, results }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(AppError);
      expect((outcome.error as AppError).code).toBe('UNAVAILABLE');
    }
    // A new thread picks up where the committed log ends.
    const results = await thread.append('acme', events.slice(0, 5));
    const seqs = [...results.values()].map((r) => (r.status === 'accepted' ? r.seq : -1));
    const committedBefore = outcome.ok ? 300 : 0;
    expect(seqs).toEqual(Array.from({ length: 5 }, (_, i) => before + committedBefore + i));
    await thread.close();
    const after = await custody.checkpointer.checkpoint('acme');
    expect(after.size).toBe(before + committedBefore + 5);
    const consistency = await custody.log.consistencyProof('acme', before, after.size);
    expect(consistency.to).toBe(after.size);
  });

  it('commits and answers appends made just before close(): the close does not overtake them', async () => {
    const thread = new LogWriterThread({ url: join(dir, 'custody.db'), sqliteWalCheckpoints: 'background' });
    await thread.start();
    const { size: before } = await custody.checkpointer.checkpoint('acme');
    const prepared = (position: number) => {
      const v = validateEvent(event({ metadata: { closing: position } }));
      if (!v.ok) throw new Error('invalid test event');
      return prepareEvent(v.event, position);
    };
    // Made in the same turn as close(), to a running thread: each is posted before the close is.
    const appends = Array.from({ length: 6 }, (_, i) => thread.append('acme', [prepared(i)]));
    const closed = thread.close();
    const seqs = (await Promise.all(appends)).map((results) => [...results.values()].map((r) => (r.status === 'accepted' ? r.seq : -1))).flat();
    await closed;
    expect(seqs).toEqual(Array.from({ length: 6 }, (_, i) => before + i));
    expect((await custody.checkpointer.checkpoint('acme')).size).toBe(before + 6);
  });

  it('answers an append its thread cannot answer by the commit deadline (held in SQLite): its events may be stored', async () => {
    const thread = new LogWriterThread({ url: join(dir, 'custody.db'), sqliteWalCheckpoints: 'background' }, { commitTimeoutMs: 200 });
    await thread.start();
    const prepared = (position: number) => {
      const v = validateEvent(event({ metadata: { held: position } }));
      if (!v.ok) throw new Error('invalid test event');
      return prepareEvent(v.event, 0);
    };
    // Another connection holds SQLite's write lock: the thread's commit waits for it inside SQLite (its busy
    // timeout, 5 s), its event loop held, as on a disk that stopped answering. The deadline is answered here.
    const holder = await openDatabase({ url: join(dir, 'custody.db') });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holderDone = holder.db.transaction().execute(async (trx) => {
      await sql`UPDATE organizations SET name = name WHERE id = 'acme'`.execute(trx);
      held();
      await released;
    });
    await holding;
    const outcome = await thread.append('acme', [prepared(0)]).then(
      () => null,
      (error: unknown) => error,
    );
    release();
    await holderDone;
    await holder.close();
    expect(outcome).toBeInstanceOf(AppError);
    expect(outcome).toMatchObject({ code: 'UNAVAILABLE', details: { stored: 'unknown' } });
    // The thread, free again, answers the next append.
    const results = await thread.append('acme', [prepared(1)]);
    expect(results.get(0)?.status).toBe('accepted');
    await thread.close();
  });

  it('fails a database it cannot open with a clear UNAVAILABLE, and does not hang', async () => {
    const thread = new LogWriterThread({ url: join(dir, 'no-such-dir', 'custody.db') });
    await expect(thread.start()).rejects.toThrow(/ingest writer could not open the database/);
    await expect(thread.append('acme', [])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await thread.close();
  });
});
