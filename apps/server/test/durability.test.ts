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
        await new Promise((r) => setTimeout(r, 400 + round * 300));
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
