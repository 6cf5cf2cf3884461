/**
 * A SQLite server whose disk fills up (a real, small tmpfs): ingest is answered 503 saying the database has no room,
 * `/readyz` says `storage full`, nothing is lost or half-kept, and once space is freed the server goes on by itself
 * and every log still verifies. Mounting needs root (CI runs as root); elsewhere the test says why it skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkStoredLogs } from '@custody/core';
import { openDatabase } from '@custody/db';

import { EVENT, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

/** A 24 MiB tmpfs at a fresh directory, or why there can be none here. */
function mountSmallDisk(): { dir: string } | { skipped: string } {
  if (process.platform !== 'linux') return { skipped: 'mounting a tmpfs needs Linux' };
  const dir = mkdtempSync(join(tmpdir(), 'custody-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `could not mount a tmpfs (${String((error as { stderr?: Buffer }).stderr ?? error).trim()}): run as root to test a full disk` };
  }
}

const disk = mountSmallDisk();
if ('skipped' in disk) console.warn(`[storage-full] skipped: ${disk.skipped}`);

describe.skipIf('skipped' in disk)('sqlite: the disk filling up under the server', () => {
  const dir = 'dir' in disk ? disk.dir : '';
  const filler = join(dir, 'filler');
  let s: TTestServer;
  let key: string;
  beforeAll(async () => {
    // Room to free later: the server's own files cannot be shrunk from outside.
    writeFileSync(filler, Buffer.alloc(6 * 2 ** 20));
    s = await startTestServer('sqlite', { CUSTODY_RATE_LIMIT: '0', CUSTODY_BODY_LIMIT: '2000000' }, { dataDir: join(dir, 'data') });
    await s.client(s.adminKey).organizations.create.mutate({ id: 'acme', name: 'Acme' });
    key = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'app', organizationId: 'acme', scopes: ['events:write', 'events:read'] })).secret;
  });
  afterAll(async () => {
    await s?.close();
    await rm(filler, { force: true });
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  const readiness = async () => {
    const answer = await fetch(`${s.url}/readyz`);
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };

  it('answers 503 saying the database has no room, is not ready, and goes on once space is freed, losing nothing', async () => {
    let accepted = 0;
    let refusal: unknown;
    for (let batch = 0; batch < 200 && refusal === undefined; batch++) {
      const events = Array.from({ length: 500 }, (_, i) => ({ ...EVENT, metadata: { pad: 'x'.repeat(300), i }, idempotency_key: `fill-${batch}-${i}` }));
      try {
        accepted += (await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events })).accepted;
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        refusal = { message: error.message, data: error.data as unknown };
      }
    }
    expect(refusal).toMatchObject({
      message: expect.stringContaining('the database has no room left (its disk is full): nothing was stored') as string,
      data: { httpStatus: 503, appError: { code: 'UNAVAILABLE', details: { storageFull: true } } },
    });
    expect(accepted).toBeGreaterThan(0);
    expect(await readiness()).toMatchObject({ status: 503, body: { status: 'storage full' } });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    await rm(filler);
    const events = Array.from({ length: 10 }, (_, i) => ({ ...EVENT, idempotency_key: `after-${i}` }));
    const after = await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events });
    expect(after.results.map((r) => (r.status === 'accepted' ? r.seq : -1))).toEqual(Array.from({ length: 10 }, (_, i) => accepted + i));
    expect(await readiness()).toEqual({ status: 200, body: { status: 'ready', database: 'sqlite' } });
    await s.client(key).log.signCheckpoint.mutate({ organizationId: 'acme' });
    const copy = await openDatabase({ url: join(dir, 'data', 'custody.db'), sqliteReadonly: true });
    try {
      expect((await checkStoredLogs(copy.db, { full: true })).map((c) => [c.organizationId, c.size, c.problem])).toEqual([['acme', accepted + 10, null]]);
    } finally {
      await copy.close();
    }
  });
});
