/**
 * A server whose database's disk fills up (a real, small tmpfs): ingest is answered 503 saying the database has no
 * room, `/readyz` says `storage full`, nothing is lost or half-kept, and once space is freed the server goes on by
 * itself and every log still verifies. SQLite keeps its file on the tmpfs; Postgres (when the run has one on this
 * machine) a tablespace. Mounting needs root (CI runs as root); elsewhere the test says why it skipped.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkStoredLogs } from '@custody/core';
import { openDatabase } from '@custody/db';
import { DIALECTS, adminUrl } from '@custody/db/testing';
import { sql } from 'kysely';

import { EVENT, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

/** A tmpfs of `size` at `dir` (made, or a fresh one), or why there can be none here. */
function mountSmallDisk(size: string, dir?: string): { dir: string } | { skipped: string } {
  if (process.platform !== 'linux') return { skipped: 'mounting a tmpfs needs Linux' };
  const at = dir ?? mkdtempSync(join(tmpdir(), 'custody-small-disk-'));
  mkdirSync(at, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'pipe' });
    return { dir: at };
  } catch (error) {
    rmSync(at, { recursive: true, force: true });
    return { skipped: `could not mount a tmpfs (${String((error as { stderr?: Buffer }).stderr ?? error).trim()}): run as root to test a full disk` };
  }
}

/** Fills `acme` in batches of 500 until a batch is refused: the events accepted before, and the refusal. */
async function fillUntilRefused(s: TTestServer, key: string): Promise<{ accepted: number; refusal: unknown }> {
  let accepted = 0;
  for (let batch = 0; batch < 400; batch++) {
    const events = Array.from({ length: 500 }, (_, i) => ({ ...EVENT, metadata: { pad: 'x'.repeat(300), i }, idempotency_key: `fill-${batch}-${i}` }));
    try {
      accepted += (await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events })).accepted;
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      return { accepted, refusal: { message: error.message, data: error.data as unknown } };
    }
  }
  return { accepted, refusal: undefined };
}

/** What a refusal for a full disk looks like to a tRPC client. */
const STORAGE_FULL = {
  message: expect.stringContaining('the database has no room left (its disk is full): nothing was stored') as string,
  data: { httpStatus: 503, appError: { code: 'UNAVAILABLE', details: { storageFull: true } } },
};

/** `/readyz`'s status and body. */
async function readiness(s: TTestServer): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(`${s.url}/readyz`);
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

/** Checks every stored log of the database at `url` in full: each organization's size, and no problem. */
async function storedLogs(url: string): Promise<[string, number, unknown][]> {
  const copy = await openDatabase(url.startsWith('postgres') ? { url } : { url, sqliteReadonly: true });
  try {
    return (await checkStoredLogs(copy.db, { full: true })).map((c) => [c.organizationId, c.size, c.problem]);
  } finally {
    await copy.close();
  }
}

/**
 * The scenario on either database: `acme` filled in batches of 500 until one is refused for a full disk (503
 * `storageFull`, `/readyz` not ready, `/healthz` still answering); then `makeRoom`, after which the next batch commits
 * at the next seq with no restart, the server is ready again, and the database at `url` holds every log whole.
 */
async function fillThenMakeRoom(s: TTestServer, key: string, makeRoom: () => unknown, url: string): Promise<void> {
  const { accepted, refusal } = await fillUntilRefused(s, key);
  expect(refusal).toMatchObject(STORAGE_FULL);
  expect(accepted).toBeGreaterThan(0);
  expect(await readiness(s)).toMatchObject({ status: 503, body: { status: 'storage full' } });
  expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

  await makeRoom();
  const events = Array.from({ length: 10 }, (_, i) => ({ ...EVENT, idempotency_key: `after-${i}` }));
  const after = await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events });
  expect(after.results.map((r) => (r.status === 'accepted' ? r.seq : -1))).toEqual(Array.from({ length: 10 }, (_, i) => accepted + i));
  expect(await readiness(s)).toEqual({ status: 200, body: { status: 'ready', database: s.db.dialectName } });
  await s.client(key).log.signCheckpoint.mutate({ organizationId: 'acme' });
  expect(await storedLogs(url)).toEqual([['acme', accepted + 10, null]]);
}

const disk = mountSmallDisk('24m');
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

  it('answers 503 saying the database has no room, is not ready, and goes on once space is freed, losing nothing', async () => {
    await fillThenMakeRoom(s, key, () => rm(filler), join(dir, 'data', 'custody.db'));
  });
});

/**
 * Postgres: the test's database in a tablespace on a 16 MiB tmpfs, grown to 64 MiB once full (Postgres's own files,
 * its write-ahead log too, stay where they are). The tablespace and its volume have fixed names, so a run that died
 * halfway leaves nothing the next run does not clear first.
 */
const TABLESPACE = 'custody_test_small_disk';
const TABLESPACE_DIR = join(tmpdir(), 'custody-test-pg-small-disk');

/** Drops the tablespace of an earlier run and its databases, and unmounts its volume. */
async function clearSmallTablespace(): Promise<void> {
  const admin = await openDatabase({ url: adminUrl(), maxConnections: 1 });
  try {
    const { rows } = await sql<{ datname: string }>`SELECT d.datname FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE t.spcname = ${TABLESPACE}`.execute(admin.db);
    for (const { datname } of rows) await sql.raw(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).execute(admin.db);
    await sql.raw(`DROP TABLESPACE IF EXISTS ${TABLESPACE}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  if (existsSync(TABLESPACE_DIR)) {
    try {
      execFileSync('umount', [TABLESPACE_DIR], { stdio: 'pipe' });
    } catch {
      // Not mounted.
    }
    rmSync(TABLESPACE_DIR, { recursive: true, force: true });
  }
}

/** The tablespace on a small volume, or why there can be none: no Postgres in this run, not root, or Postgres elsewhere. */
async function smallTablespace(): Promise<{ ok: true } | { skipped: string }> {
  if (!DIALECTS.includes('postgres')) return { skipped: 'no Postgres in this run (DATABASE_URL)' };
  const admin = await openDatabase({ url: adminUrl(), maxConnections: 1 });
  let dataDirectory: string;
  try {
    const { rows } = await sql<{ setting: string }>`SELECT setting FROM pg_settings WHERE name = 'data_directory'`.execute(admin.db);
    dataDirectory = rows[0]?.setting ?? '';
  } finally {
    await admin.close();
  }
  // Its volume must be one this process can mount and Postgres can see: a server on this machine.
  if (!existsSync(dataDirectory)) return { skipped: `Postgres keeps its files elsewhere (${dataDirectory} is not on this machine)` };
  await clearSmallTablespace();
  const mounted = mountSmallDisk('16m', TABLESPACE_DIR);
  if ('skipped' in mounted) return mounted;
  const owner = statSync(dataDirectory);
  chownSync(TABLESPACE_DIR, owner.uid, owner.gid);
  const again = await openDatabase({ url: adminUrl(), maxConnections: 1 });
  try {
    await sql.raw(`CREATE TABLESPACE ${TABLESPACE} LOCATION '${TABLESPACE_DIR}'`).execute(again.db);
  } finally {
    await again.close();
  }
  return { ok: true };
}

const tablespace = await smallTablespace().catch((error: unknown) => ({ skipped: `could not make a tablespace on a small volume: ${String(error)}` }));
if ('skipped' in tablespace) console.warn(`[storage-full] postgres skipped: ${tablespace.skipped}`);

describe.skipIf('skipped' in tablespace)('postgres: the volume of its tablespace filling up under the server', () => {
  let s: TTestServer;
  let key: string;
  beforeAll(async () => {
    s = await startTestServer('postgres', { CUSTODY_RATE_LIMIT: '0', CUSTODY_BODY_LIMIT: '2000000' }, { tablespace: TABLESPACE });
    await s.client(s.adminKey).organizations.create.mutate({ id: 'acme', name: 'Acme' });
    key = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'app', organizationId: 'acme', scopes: ['events:write', 'events:read'] })).secret;
  });
  afterAll(async () => {
    await s?.close();
    await clearSmallTablespace();
  });

  it('answers 503 saying the database has no room, is not ready, and goes on once the volume grows, losing nothing', async () => {
    await fillThenMakeRoom(s, key, () => execFileSync('mount', ['-o', 'remount,size=64m', TABLESPACE_DIR]), s.db.url);
  });
});
