/**
 * SQLite files: the main thread's frequent writes are made on the ingest writer thread, between its commits
 * (`LogWriterThread.checkpoint`, `touchApiKey`), so the main thread never waits for the database's write lock.
 * While another connection holds the lock, a checkpoint asked for, or a key's first use, stays pending and the
 * main thread's timers keep firing; once the lock is released it is written (the checkpoint chained to the
 * previous one). After the writer thread closed (shutdown), the main thread signs the last checkpoint itself.
 * On every dialect, a key's last use is recorded, at most once a minute.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS, withWriteLockHeld } from '@custody/db/testing';

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
    const { pending } = await withWriteLockHeld(join(dir, 'custody.db'), async () => {
      let settled = false;
      const signing = custody.checkpointer.checkpoint('org_c').finally(() => (settled = true));
      // Twenty 10 ms timers, one after another: a main thread held by the lock would run them only after it.
      const started = performance.now();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(settled).toBe(false);
      return { pending: signing };
    });
    const signed = await pending;
    expect(signed.size).toBe(8);
    // Bytes from the thread arrive as Uint8Array, the database's as Buffer: compared as bytes.
    expect(Buffer.from(signed.prev_body_hash ?? [])).toEqual(Buffer.from(first.body_hash));
    const latest = await custody.checkpointer.latest('org_c');
    expect([latest.size, latest.note]).toEqual([signed.size, signed.note]);
  });

  it('record an API key\'s first use without holding the main thread while the write lock is taken elsewhere', async () => {
    const { custody } = side;
    const { key, secret } = await custody.apiKeys.create({ name: 'app', organizationId: 'org_c', scopes: ['events:write'] });
    const { pending } = await withWriteLockHeld(join(dir, 'custody.db'), async () => {
      let settled = false;
      const authenticating = custody.apiKeys.authenticate(secret).finally(() => (settled = true));
      const started = performance.now();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(settled).toBe(false);
      return { pending: authenticating };
    });
    expect((await pending).keyId).toBe(key.id);
    const [listed] = await custody.apiKeys.list({ organizationId: 'org_c' });
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('let a key in while another process holds the write lock past the busy timeout, recording its use later', async () => {
    const { custody } = side;
    const { key, secret } = await custody.apiKeys.create({ name: 'locked-out', organizationId: 'org_c', scopes: ['events:write'] });
    await withWriteLockHeld(join(dir, 'custody.db'), async () => {
      // Both writes of its last use wait out the busy timeout (5 s each) and fail: the key still works.
      expect((await custody.apiKeys.authenticate(secret)).keyId).toBe(key.id);
    });
    const lastUse = async () => (await custody.apiKeys.list({ organizationId: 'org_c' })).find((k) => k.id === key.id)?.lastUsedAt;
    expect(await lastUse()).toBeNull();
    await custody.apiKeys.authenticate(secret);
    expect(await lastUse()).not.toBeNull();
  }, 30_000);

  it('let a key in within the database time limit while its last use cannot be written, recording it later', async () => {
    const timed = await createTestCustody('sqlite', { sqliteFile: join(dir, 'timed.db'), databaseTimeoutMs: 300 });
    try {
      const { key, secret } = await timed.custody.apiKeys.create({ name: 'app', organizationId: null, scopes: ['events:read'] });
      await withWriteLockHeld(join(dir, 'timed.db'), async () => {
        // The write waits for the lock (5 s of busy timeout, on the writer thread); the key is let in at 300 ms.
        let settled = false;
        const authenticating = timed.custody.apiKeys.authenticate(secret).finally(() => (settled = true));
        for (let i = 0; i < 30 && !settled; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(settled).toBe(true);
        expect((await authenticating).keyId).toBe(key.id);
      });
      const lastUse = async () => (await timed.custody.apiKeys.list()).find((k) => k.id === key.id)?.lastUsedAt ?? null;
      for (let i = 0; i < 100 && (await lastUse()) === null; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await lastUse()).not.toBeNull();
    } finally {
      await timed.destroy();
    }
  }, 120_000);

  it('are signed by the main thread once the writer thread has closed', async () => {
    const { custody } = side;
    await custody.ingestor.ingest('org_c', [event()]);
    await custody.ingestor.close();
    const last = await custody.checkpointer.checkpoint('org_c');
    expect(last.size).toBe(9);
    expect(last.prev_body_hash).not.toBeNull();
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: an API key's last use`, () => {
    it('is recorded at its first use, then at most once a minute', async () => {
      const side = await createTestCustody(dialect);
      try {
        const { key, secret } = await side.custody.apiKeys.create({ name: 'app', organizationId: null, scopes: ['events:read'] });
        const lastUse = async () => (await side.custody.apiKeys.list()).find((k) => k.id === key.id)?.lastUsedAt ?? null;
        expect(await lastUse()).toBeNull();
        await side.custody.apiKeys.authenticate(secret);
        const first = await lastUse();
        expect(first).not.toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await side.custody.apiKeys.authenticate(secret);
        expect(await lastUse()).toBe(first);
      } finally {
        await side.destroy();
      }
    });
  });
}
