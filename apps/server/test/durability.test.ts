/**
 * Durability: a process killed at any moment loses no acknowledged event and leaves a log that still
 * verifies; a graceful shutdown drains requests and signs a last checkpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DbHashReader, nodeHasher } from '@custody/core';
import { openDatabase } from '@custody/db';
import { createTestDatabase, DIALECTS } from '@custody/db/testing';
import type { TTestDatabase } from '@custody/db/testing';
import { bytesEqual, hashLeaf, proveConsistencyAsync, readRootAsync, rootHash, verifyCheckpointChain } from '@custody/ledger';

import { EVENT } from './helpers';
import { startServerProcess } from './process';
import type { TServerProcess } from './process';

async function trpc(url: string, key: string, path: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { result?: { data: unknown }; error?: unknown };
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error)}`);
  return body.result?.data;
}

/** Checks the whole log of `org` in the database: leaves match bodies, stored hashes match leaves, checkpoints chain. */
async function verifyLog(dbUrl: string, org: string): Promise<{ size: number; ids: Map<string, number> }> {
  const d = await openDatabase({ url: dbUrl });
  try {
    const { size } = await d.db.selectFrom('logs').select('size').where('organization_id', '=', org).executeTakeFirstOrThrow();
    const leaves = await d.db.selectFrom('leaves').select(['seq', 'leaf_hash']).where('organization_id', '=', org).orderBy('seq').execute();
    expect(leaves.map((l) => l.seq)).toEqual(Array.from({ length: size }, (_, i) => i));
    const events = await d.db.selectFrom('events').select(['seq', 'id', 'body']).where('organization_id', '=', org).orderBy('seq').execute();
    expect(events.length).toBe(size);
    const ids = new Map<string, number>();
    for (const e of events) {
      ids.set(e.id, e.seq);
      expect(bytesEqual(hashLeaf(e.body), leaves[e.seq]?.leaf_hash ?? new Uint8Array())).toBe(true);
    }
    const fromLeaves = rootHash(leaves.map((l) => l.leaf_hash));
    const fromStored = await readRootAsync(new DbHashReader(d.db, org), BigInt(size), { hasher: nodeHasher });
    expect(bytesEqual(fromLeaves, fromStored)).toBe(true);
    const checkpoints = await d.db.selectFrom('checkpoints').selectAll().where('organization_id', '=', org).orderBy('size').execute();
    const vkeys = (await d.db.selectFrom('signing_keys').select('vkey').execute()).map((k) => k.vkey);
    const links = [];
    for (let i = 0; i < checkpoints.length; i++) {
      const cp = checkpoints[i];
      const prev = checkpoints[i - 1];
      if (cp === undefined) continue;
      let proof: Uint8Array[] | undefined;
      if (prev !== undefined && prev.size > 0 && prev.size < cp.size) {
        proof = await proveConsistencyAsync(new DbHashReader(d.db, org), BigInt(prev.size), BigInt(cp.size), { hasher: nodeHasher });
      }
      links.push({ note: cp.note, ...(proof === undefined ? {} : { consistencyProof: proof }) });
    }
    verifyCheckpointChain(links, vkeys);
    const last = checkpoints.at(-1);
    if (last !== undefined) expect(bytesEqual(last.root, await readRootAsync(new DbHashReader(d.db, org), BigInt(last.size), { hasher: nodeHasher }))).toBe(true);
    return { size, ids };
  } finally {
    await d.close();
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: durability of the server process`, () => {
    let dataDir: string;
    let db: TTestDatabase;
    let server: TServerProcess | null = null;
    let key = '';
    let env: Record<string, string>;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'custody-crash-'));
      db = await createTestDatabase(dialect, dialect === 'sqlite' ? { file: join(dataDir, 'custody.db') } : {});
      await db.close();
      env = { CUSTODY_DATA_DIR: dataDir, DATABASE_URL: db.url, CUSTODY_RATE_LIMIT: '0', CUSTODY_CHECKPOINT_INTERVAL_MS: '100' };
      server = await startServerProcess(env);
      key = server.bootstrapKey ?? '';
      expect(key).toMatch(/^custody_sk_/);
      await trpc(server.url, key, 'organizations.create', { id: 'acme', name: 'Acme' });
    });
    afterAll(async () => {
      server?.child.kill('SIGKILL');
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('loses no acknowledged event when killed with SIGKILL under load, three times over', async () => {
      const acked = new Map<string, number>();
      for (let round = 0; round < 3; round++) {
        if (server === null) server = await startServerProcess(env);
        const url = server.url;
        let stop = false;
        const worker = async (w: number) => {
          let i = 0;
          while (!stop) {
            const batch = Array.from({ length: (i % 3) * 20 + 1 }, (_, j) => ({ ...EVENT, metadata: { w, i, j, round } }));
            try {
              const res = (await trpc(url, key, 'events.createBatch', { organizationId: 'acme', events: batch })) as { results: { status: string; id: string; seq: number }[] };
              for (const r of res.results) if (r.status === 'accepted') acked.set(r.id, r.seq);
            } catch {
              return; // the process died: requests in flight were never acknowledged
            }
            i++;
          }
        };
        const workers = Array.from({ length: 8 }, (_, w) => worker(w));
        // Killed once this round has had commits acknowledged (however slow the machine), at a later moment each round.
        const atStart = acked.size;
        while (acked.size < atStart + 50) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, round * 150));
        server.child.kill('SIGKILL');
        stop = true;
        await server.exited;
        await Promise.all(workers);
        server = null;
        const { size, ids } = await verifyLog(db.url, 'acme');
        for (const [id, seq] of acked) expect(ids.get(id), `acknowledged event ${id}`).toBe(seq);
        expect(size).toBeGreaterThanOrEqual(acked.size);
      }
      expect(acked.size).toBeGreaterThan(100);
      // After the crashes the server starts, signs a checkpoint for the recovered size, and the chain still verifies.
      server = await startServerProcess(env);
      const cp = (await trpc(server.url, key, 'log.signCheckpoint', { organizationId: 'acme' })) as { size: number };
      const { size } = await verifyLog(db.url, 'acme');
      expect(cp.size).toBe(size);
    });

    it('drains and signs a last checkpoint on SIGTERM', async () => {
      if (server === null) server = await startServerProcess(env);
      const url = server.url;
      const pending = Array.from({ length: 20 }, (_, i) => trpc(url, key, 'events.create', { organizationId: 'acme', event: { ...EVENT, metadata: { i } } }));
      await Promise.all(pending);
      server.child.kill('SIGTERM');
      const exit = await server.exited;
      server = null;
      expect(exit.code).toBe(0);
      const d = await openDatabase({ url: db.url });
      try {
        const { size } = await d.db.selectFrom('logs').select('size').where('organization_id', '=', 'acme').executeTakeFirstOrThrow();
        const last = await d.db.selectFrom('checkpoints').select('size').where('organization_id', '=', 'acme').orderBy('size', 'desc').limit(1).executeTakeFirstOrThrow();
        expect(last.size).toBe(size);
      } finally {
        await d.close();
      }
    });
  });
}

// Several stateless server processes on one Postgres database: each commits events and signs checkpoints for the
// same organization at once. The log they build together is the one a single process would: seqs without gaps or
// repeats, every acknowledged event at the seq it was acknowledged with, one chain of checkpoints (one per size),
// and an idempotency key sent to both at once stored once.
describe.skipIf(!DIALECTS.includes('postgres'))('postgres: two server processes on one database', () => {
  let dataDir: string;
  let db: TTestDatabase;
  const servers: TServerProcess[] = [];
  let key = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'custody-two-'));
    db = await createTestDatabase('postgres');
    await db.close();
    // One data directory, so one signing key, as processes deployed from one configuration share it.
    env = { CUSTODY_DATA_DIR: dataDir, DATABASE_URL: db.url, CUSTODY_RATE_LIMIT: '0', CUSTODY_CHECKPOINT_INTERVAL_MS: '50' };
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    key = servers[0]?.bootstrapKey ?? '';
    expect(key).toMatch(/^custody_sk_/);
    expect(servers[1]?.bootstrapKey).toBeNull();
    await trpc(servers[0]?.url ?? '', key, 'organizations.create', { id: 'acme', name: 'Acme' });
  });
  afterAll(async () => {
    for (const s of servers) s.child.kill('SIGKILL');
    await db.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('builds one log from both: no seq lost or repeated, one checkpoint chain, a racing idempotency key stored once', async () => {
    const urls = servers.map((s) => s.url);
    const acked = new Map<string, number>();
    const rounds = { signed: 0, raced: 0 };
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const url = urls[(w + i) % urls.length] ?? '';
        const events = Array.from({ length: (i % 4) * 15 + 1 }, (_, j) => ({ ...EVENT, metadata: { w, i, j } }));
        const res = (await trpc(url, key, 'events.createBatch', { organizationId: 'acme', events })) as { results: { status: string; id: string; seq: number }[] };
        for (const r of res.results) {
          expect(r.status).toBe('accepted');
          acked.set(r.id, r.seq);
        }
      }
    };
    // Checkpoints asked of both at once, on top of each process's own every 50 ms.
    const signer = async () => {
      const sizes: number[] = [];
      while (!stop) {
        const signed = (await Promise.all(urls.map((url) => trpc(url, key, 'log.signCheckpoint', { organizationId: 'acme' })))) as { size: number }[];
        sizes.push(...signed.map((c) => c.size));
        rounds.signed++;
      }
      return sizes;
    };
    // One idempotency key sent to both processes at the same moment: one event, the same answer twice.
    const racer = async () => {
      const answers: { id: string; seq: number; replayed: boolean }[][] = [];
      for (let k = 0; !stop; k++) {
        const event = { ...EVENT, idempotency_key: `race-${k}`, metadata: { k } };
        const both = (await Promise.all(urls.map((url) => trpc(url, key, 'events.create', { organizationId: 'acme', event })))) as { id: string; seq: number; replayed: boolean }[];
        answers.push(both);
        for (const a of both) acked.set(a.id, a.seq);
        rounds.raced++;
      }
      return answers;
    };
    const running = [...Array.from({ length: 6 }, (_, w) => writer(w)), signer(), racer()];
    // Until every kind of request has had its rounds, however slow the machine (the test's timeout bounds it).
    while (rounds.signed < 10 || rounds.raced < 10) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    const [sizes, races] = (await Promise.all(running)).slice(6) as [number[], { id: string; seq: number; replayed: boolean }[][]];

    expect(races.length).toBeGreaterThanOrEqual(10);
    for (const [a, b] of races) {
      expect(a?.id).toBe(b?.id);
      expect(a?.seq).toBe(b?.seq);
      expect([a?.replayed, b?.replayed].filter((r) => r === true).length, `one of ${JSON.stringify([a, b])} is the original`).toBe(1);
    }
    expect(sizes.length).toBeGreaterThanOrEqual(20);

    const { size, ids } = await verifyLog(db.url, 'acme');
    expect(acked.size).toBeGreaterThan(200);
    for (const [id, seq] of acked) expect(ids.get(id), `acknowledged event ${id}`).toBe(seq);
    expect(size).toBe(acked.size);
    // Each process signed: the chain holds checkpoints from both (one per size, by the table's key), and it verified.
    const d = await openDatabase({ url: db.url });
    try {
      const checkpoints = await d.db.selectFrom('checkpoints').select(['size']).where('organization_id', '=', 'acme').execute();
      expect(checkpoints.length).toBeGreaterThan(1);
      for (const s of sizes) expect(checkpoints.some((c) => c.size === s), `the checkpoint of size ${s} a process answered with is stored`).toBe(true);
    } finally {
      await d.close();
    }
  });

  it("leaves the export jobs the other process runs when one restarts (it used to fail every unfinished job)", async () => {
    const [a, b] = servers;
    if (a === undefined || b === undefined) throw new Error('two servers expected');
    // The process id A records in the jobs it runs, read from a job it ran.
    const job = (await trpc(a.url, key, 'exports.create', { organizationId: 'acme', format: 'ndjson', matter: { name: 'M', number: '1' }, custodian: 'C', reason: 'R' })) as { id: string };
    const d = await openDatabase({ url: db.url });
    try {
      let row = await d.db.selectFrom('exports').select(['status', 'runner']).where('id', '=', job.id).executeTakeFirstOrThrow();
      for (let i = 0; i < 200 && row.status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        row = await d.db.selectFrom('exports').select(['status', 'runner']).where('id', '=', job.id).executeTakeFirstOrThrow();
      }
      expect(row.status).toBe('completed');
      expect(row.runner).toMatch(/^.+:\d+:[0-9a-f]{8}$/);
      // A job A is running as B restarts.
      const running = { ...(await d.db.selectFrom('exports').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow()), id: 'exp_running_on_a', status: 'running', heartbeat_at: Date.now() };
      await d.db.insertInto('exports').values(running).execute();
      b.child.kill('SIGTERM');
      await b.exited;
      servers[1] = await startServerProcess(env);
      const after = await d.db.selectFrom('exports').select(['status', 'error']).where('id', '=', 'exp_running_on_a').executeTakeFirstOrThrow();
      expect(after, 'B left A\'s job alone').toEqual({ status: 'running', error: null });
      await d.db.updateTable('exports').set({ status: 'failed' }).where('id', '=', 'exp_running_on_a').execute();
    } finally {
      await d.close();
    }
  });

  it('goes on when the other process is killed mid-load: nothing acknowledged by either is lost, and the log verifies', async () => {
    const [survivor, victim] = servers;
    if (survivor === undefined || victim === undefined) throw new Error('two servers expected');
    const acked = new Map<string, number>();
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const target: TServerProcess = (w + i) % 2 === 0 ? survivor : victim;
        const events = Array.from({ length: (i % 3) * 20 + 1 }, (_, j) => ({ ...EVENT, metadata: { w, i, j, crash: true } }));
        try {
          const res = (await trpc(target.url, key, 'events.createBatch', { organizationId: 'acme', events })) as { results: { status: string; id: string; seq: number }[] };
          for (const r of res.results) if (r.status === 'accepted') acked.set(r.id, r.seq);
        } catch (error) {
          // The killed process's requests in flight were never acknowledged; the survivor's must not fail.
          if (target === survivor) throw error;
        }
      }
    };
    const running = Array.from({ length: 6 }, (_, w) => writer(w));
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise((r) => setTimeout(r, 20));
    };
    // Killed while both commit (the test's timeout bounds each wait).
    await until(() => acked.size >= 200);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const before = acked.size;
    await until(() => acked.size >= before + 200);
    stop = true;
    await Promise.all(running);
    const signed = (await trpc(survivor.url, key, 'log.signCheckpoint', { organizationId: 'acme' })) as { size: number };
    const { size, ids } = await verifyLog(db.url, 'acme');
    expect(signed.size).toBe(size);
    for (const [id, seq] of acked) expect(ids.get(id), `acknowledged event ${id}`).toBe(seq);
  });
});
