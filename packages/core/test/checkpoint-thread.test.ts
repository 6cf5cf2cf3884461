/**
 * SQLite files: checkpoints are signed on the ingest writer thread, between its commits (`LogWriterThread.
 * checkpoint`), so the main thread never waits for the database's write lock to sign one. While another
 * connection holds the lock, a checkpoint asked for stays pending and the main thread's timers keep firing; once
 * the lock is released it is signed, chained to the previous one. After the writer thread closed (shutdown), the
 * main thread signs the last checkpoint itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '@custody/db';

import { createTestCustody, event } from './helpers';

describe('checkpoints signed on the ingest writer thread (SQLite file)', () => {
  let dir: string;
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-checkpoint-thread-'));
    side = await createTestCustody('sqlite', { sqliteFile: join(dir, 'custody.db'), intervalMs: 60_000 });
    await side.custody.createOrganization({ id: 'org_c', name: 'C' });
  });
  afterAll(async () => {
    await side.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('never hold the main thread while the write lock is taken elsewhere', async () => {
    const { custody } = side;
    await custody.ingestor.ingest('org_c', Array.from({ length: 5 }, () => event()));
    const first = await custody.checkpointer.checkpoint('org_c');
    expect(first.size).toBe(5);
    await custody.ingestor.ingest('org_c', Array.from({ length: 3 }, () => event()));
    // Another connection (a CLI, say) holds the write lock.
    const other = await openDatabase({ url: join(dir, 'custody.db') });
    try {
      const signed = await other.db.connection().execute(async (connection) => {
        await sql`BEGIN IMMEDIATE`.execute(connection);
        let settled = false;
        const signing = custody.checkpointer.checkpoint('org_c').finally(() => (settled = true));
        // Twenty 10 ms timers, one after another: a main thread held by the lock would run them only after it.
        const started = performance.now();
        for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(settled).toBe(false);
        await sql`COMMIT`.execute(connection);
        return signing;
      });
      expect(signed.size).toBe(8);
      // Bytes from the thread arrive as Uint8Array, the database's as Buffer: compared as bytes.
      expect(Buffer.from(signed.prev_body_hash ?? [])).toEqual(Buffer.from(first.body_hash));
      const latest = await custody.checkpointer.latest('org_c');
      expect([latest.size, latest.note]).toEqual([signed.size, signed.note]);
    } finally {
      await other.close();
    }
  });

  it('are signed by the main thread once the writer thread has closed', async () => {
    const { custody } = side;
    await custody.ingestor.ingest('org_c', [event()]);
    await custody.ingestor.close();
    const last = await custody.checkpointer.checkpoint('org_c');
    expect(last.size).toBe(9);
    expect(last.prev_body_hash).not.toBeNull();
  });
});
