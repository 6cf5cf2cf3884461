/**
 * Postgres going away under a running server, through a TCP proxy this test controls: callers are told to retry
 * (503 UNAVAILABLE, not 500), `/readyz`, ingest, reads, authentication and other changes answer within their limits instead of
 * hanging, and the server recovers by itself once the database answers again.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '@custody/db/testing';

import { READY_PROBE_REFUSED } from '../src/http';
import { EVENT, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

type TMode = 'up' | 'down' | 'blackhole';

/** Relays TCP to Postgres: `up` forwards, `down` drops every connection and refuses new ones, `blackhole` holds every byte. */
class PostgresProxy {
  #mode: TMode = 'up';
  readonly #pairs = new Set<{ client: Socket; upstream: Socket; held: [Socket, Buffer][] }>();
  readonly server: Server;

  constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.#mode === 'down') return void client.destroy();
      const upstream = connect(target.port, target.host);
      const pair = { client, upstream, held: [] as [Socket, Buffer][] };
      this.#pairs.add(pair);
      const relay = (from: Socket, to: Socket) => {
        from.on('data', (data: Buffer) => (this.#mode === 'blackhole' ? pair.held.push([to, data]) : to.write(data)));
        from.on('close', () => {
          to.destroy();
          this.#pairs.delete(pair);
        });
        from.on('error', () => undefined);
      };
      relay(client, upstream);
      relay(upstream, client);
    });
  }

  set mode(mode: TMode) {
    this.#mode = mode;
    for (const pair of this.#pairs) {
      if (mode === 'down') {
        pair.client.destroy();
        pair.upstream.destroy();
      } else if (mode === 'up') {
        for (const [to, data] of pair.held.splice(0)) to.write(data);
      }
    }
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');

describe.skipIf(!DIALECTS.includes('postgres'))('postgres: the database going away under the server', () => {
  let proxy: PostgresProxy;
  let s: TTestServer;
  let key: string;
  /** The test database's URL, through the proxy. */
  let proxiedUrl: string;
  beforeAll(async () => {
    // The test databases live on the server DATABASE_URL names; the custody server reaches its own through the proxy.
    const postgres = new URL(process.env.DATABASE_URL ?? '');
    proxy = new PostgresProxy({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    s = await startTestServer('postgres', { CUSTODY_RATE_LIMIT: '0', CUSTODY_INGEST_TIMEOUT_MS: '1000', CUSTODY_QUERY_TIMEOUT_MS: '1000', CUSTODY_DATABASE_TIMEOUT_MS: '1000' }, {
      databaseUrl: (url) => {
        const proxied = new URL(url);
        proxied.host = `127.0.0.1:${proxy.port}`;
        proxiedUrl = proxied.toString();
        return proxiedUrl;
      },
    });
    await s.client(s.adminKey).organizations.create.mutate({ id: 'acme', name: 'Acme' });
    key = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'app', organizationId: 'acme', scopes: ['events:write', 'events:read'] })).secret;
    await s.client(key).events.create.mutate({ organizationId: 'acme', event: EVENT });
  });
  afterAll(async () => {
    proxy.mode = 'up';
    await s.close();
    proxy.server.close();
  });

  /** The status and tRPC data of a call that must fail. */
  const failure = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      if (error instanceof TRPCClientError) return error.data as { httpStatus: number; code: string; appError?: { code: string } };
      throw error;
    }
    throw new Error('expected the call to fail');
  };

  it('keeps its sessions from holding locks for long inside a transaction whose process stopped answering', async () => {
    const { sql } = await import('kysely');
    const row = await sql<{ idle_in_transaction_session_timeout: string }>`SHOW idle_in_transaction_session_timeout`.execute(s.booted.custody.database.db);
    expect(row.rows[0]?.idle_in_transaction_session_timeout).toBe('1min');
  });

  it('answers 503 UNAVAILABLE (retry), not 500, while the database is unreachable, and recovers by itself', async () => {
    proxy.mode = 'down';
    try {
      for (const call of [
        () => s.client(key).events.list.query({ organizationId: 'acme' }),
        () => s.client(key).events.stats.query({ organizationId: 'acme' }),
        () => s.client(key).log.checkpoint.query({ organizationId: 'acme' }),
        () => s.client(key).events.create.mutate({ organizationId: 'acme', event: EVENT }),
        () => s.client(s.adminKey).organizations.list.query(),
      ]) {
        const data = await failure(call);
        expect(data, JSON.stringify(data)).toMatchObject({ httpStatus: 503, code: 'SERVICE_UNAVAILABLE', appError: { code: 'UNAVAILABLE' } });
      }
      const workos = await fetch(`${s.url}/audit_logs/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ organization_id: 'acme', event: EVENT }),
      });
      expect(workos.status).toBe(503);
      expect(await workos.json()).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('retry') as string });
      const ready = await fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(30_000) });
      expect(ready.status).toBe(503);
      // Unauthenticated: the driver's error (its host and port, say) stays in the log.
      expect(await ready.json()).toEqual({ status: 'database unavailable', error: READY_PROBE_REFUSED });
    } finally {
      proxy.mode = 'up';
    }
    // The pool opens new connections on its own: the first call after the outage may still meet a dead one.
    let listed: unknown;
    for (let attempt = 0; attempt < 5 && listed === undefined; attempt++) {
      listed = await s.client(key).events.list.query({ organizationId: 'acme' }).catch(() => undefined);
    }
    expect(listed).toMatchObject({ events: [expect.objectContaining({ seq: 0 })] });
  });

  it('answers /readyz with 503 within its limit when the database stops answering, instead of hanging', async () => {
    // A request that warms the pool, so the probe meets an open connection whose bytes now go nowhere.
    await s.client(key).events.list.query({ organizationId: 'acme' });
    proxy.mode = 'blackhole';
    try {
      const ready = await fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(30_000) });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'database unavailable', error: 'no answer within 2 s' });
    } finally {
      proxy.mode = 'up';
    }
    const again = await fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(30_000) });
    expect(again.status).toBe(200);
  });

  it('answers ingest 503 at its deadline when the database stops answering, saying whether the events may be stored', async () => {
    // Warm: the key's authentication and the registry are cached, so the calls below reach the commit.
    const [first] = (await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events: [EVENT] })).results;
    const before = first?.status === 'accepted' ? first.seq : -1;
    proxy.mode = 'blackhole';
    let underWay: unknown;
    let queued: unknown;
    try {
      const events = (id: string) => ({ organizationId: 'acme', events: [{ ...EVENT, idempotency_key: id }] });
      const taken = failure(() => s.client(key).events.createBatch.mutate(events('held-under-way')));
      // The writer takes the first into a transaction whose statements go nowhere; the second waits behind it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const waiting = fetch(`${s.url}/audit_logs/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': 'held-queued' },
        body: JSON.stringify({ organization_id: 'acme', event: EVENT }),
        signal: AbortSignal.timeout(30_000),
      });
      underWay = await taken;
      const answer = await waiting;
      expect(answer.status).toBe(503);
      queued = await answer.json();
    } finally {
      proxy.mode = 'up';
    }
    expect(underWay).toMatchObject({ httpStatus: 503, appError: { code: 'UNAVAILABLE', details: { stored: 'unknown' } } });
    expect(queued).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('nothing was stored') as string, stored: false });
    // The held transaction reaches the database now and commits; retried with their keys, the first is found and the
    // second, never stored, is stored now.
    const retried = await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events: [{ ...EVENT, idempotency_key: 'held-under-way' }] });
    expect(retried.results[0]).toMatchObject({ status: 'accepted', seq: before + 1, replayed: true });
    const workos = await fetch(`${s.url}/audit_logs/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': 'held-queued' },
      body: JSON.stringify({ organization_id: 'acme', event: EVENT }),
    });
    expect(workos.status).toBe(201);
    const listed = await s.client(key).events.list.query({ organizationId: 'acme', order: 'asc', limit: 1000 });
    expect(listed.events.map((e) => e.seq).slice(-3)).toEqual([before, before + 1, before + 2]);
  });

  it('answers reads and authentication 503 within their limits when the database stops answering, and recovers', async () => {
    // A key never used yet: its lookup must reach the database.
    const fresh = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'fresh', organizationId: 'acme', scopes: ['events:write', 'events:read'] })).secret;
    await s.client(key).events.list.query({ organizationId: 'acme' });
    proxy.mode = 'blackhole';
    const answers: Record<string, unknown> = {};
    try {
      // The read's own limit (1 s, kept by the database) and the wait for an answer beyond it (1 s).
      answers.list = await failure(() => s.client(key).events.list.query({ organizationId: 'acme' }));
      answers.checkpoint = await failure(() => s.client(key).log.checkpoint.query({ organizationId: 'acme' }));
      // Authentication: the lookup of a key not in the cache, on a read and on an ingest call.
      answers.freshRead = await failure(() => s.client(fresh).events.list.query({ organizationId: 'acme' }));
      answers.freshIngest = await failure(() => s.client(fresh).events.create.mutate({ organizationId: 'acme', event: EVENT }));
      const workos = await fetch(`${s.url}/audit_logs/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fresh}` },
        body: JSON.stringify({ organization_id: 'acme', event: EVENT }),
        signal: AbortSignal.timeout(30_000),
      });
      answers.workos = { status: workos.status, body: await workos.json() };
    } finally {
      proxy.mode = 'up';
    }
    const unavailable = { httpStatus: 503, appError: { code: 'UNAVAILABLE', details: { timeoutMs: expect.any(Number) as number } } };
    expect(answers).toMatchObject({
      list: { ...unavailable, appError: { ...unavailable.appError, details: { timeoutMs: 2000 } } },
      checkpoint: unavailable,
      freshRead: unavailable,
      freshIngest: { httpStatus: 503, appError: { code: 'UNAVAILABLE', details: { timeoutMs: 1000 } } },
      workos: { status: 503, body: { code: 'UNAVAILABLE', message: expect.stringContaining('API key lookup') as string } },
    });
    // Once it answers again, so does the server, for both keys.
    let listed: unknown;
    for (let attempt = 0; attempt < 5 && listed === undefined; attempt++) {
      listed = await s.client(fresh).events.list.query({ organizationId: 'acme' }).catch(() => undefined);
    }
    expect(listed).toMatchObject({ events: expect.arrayContaining([expect.objectContaining({ seq: 0 })]) as unknown });
  });

  it('answers other changes 503 within their limit when the database stops answering, saying they may still be made', async () => {
    const admin = s.client(s.adminKey);
    // Warm: both keys' authentication is cached, so each call below reaches its change.
    await admin.organizations.list.query();
    await s.client(key).log.checkpoint.query({ organizationId: 'acme' });
    proxy.mode = 'blackhole';
    let answers: Record<string, unknown> = {};
    try {
      // All at once: API keys are cached for 2 s, and a lookup now would be answered by the lookup's own limit.
      const [organization, created, registry, job, checkpoint] = await Promise.all([
        failure(() => admin.organizations.create.mutate({ id: 'held', name: 'Held' })),
        failure(() => admin.apiKeys.create.mutate({ name: 'held', organizationId: 'acme', scopes: ['events:read'] })),
        failure(() => admin.organizations.setActionRegistry.mutate({ organizationId: 'acme', registry: null })),
        failure(() => admin.exports.create.mutate({ organizationId: 'acme', format: 'csv', matter: { name: 'M', number: 'M-1' }, custodian: 'c', reason: 'r' })),
        failure(() => s.client(key).log.signCheckpoint.mutate({ organizationId: 'acme' })),
      ]);
      answers = { organization, key: created, registry, export: job, checkpoint };
    } finally {
      proxy.mode = 'up';
    }
    const mayBeMade = { httpStatus: 503, appError: { code: 'UNAVAILABLE', details: { timeoutMs: 1000, applied: 'unknown' } } };
    expect(answers).toMatchObject({ organization: mayBeMade, key: mayBeMade, registry: mayBeMade, export: mayBeMade, checkpoint: mayBeMade });
    // As the answer said: the held statements reach the database now, and the organization is made after all.
    let held: unknown;
    for (let attempt = 0; attempt < 5 && held === undefined; attempt++) {
      held = await admin.organizations.get.query({ organizationId: 'held' }).catch(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 200)));
    }
    expect(held).toMatchObject({ id: 'held', name: 'Held' });
  });

  it('keeps custody tail following while the database is away, then goes on from the next event, nothing skipped', async () => {
    const tail = spawn(process.execPath, ['--import', 'tsx', CLI, 'tail', 'acme'], {
      env: { ...process.env, CUSTODY_DATA_DIR: s.dataDir, DATABASE_URL: proxiedUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    tail.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    tail.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const lines = () => out.split('\n').filter((line) => line !== '');
    const marked = (mark: string) => ({ organizationId: 'acme', event: { ...EVENT, metadata: { mark } } });
    try {
      await expect.poll(() => err, { timeout: 60_000 }).toContain('following acme from seq');
      await s.client(key).events.create.mutate(marked('before'));
      await expect.poll(() => lines().length, { timeout: 10_000 }).toBe(1);
      proxy.mode = 'down';
      try {
        await expect.poll(() => err, { timeout: 10_000 }).toContain('custody: tail: the database is unavailable (');
      } finally {
        proxy.mode = 'up';
      }
      // The server's pool reconnects too: the first calls after may still meet a dropped connection.
      await expect.poll(() => s.client(key).events.create.mutate(marked('after')).then(() => true, () => false), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => lines().length, { timeout: 10_000 }).toBe(2);
      expect(err).toMatch(/custody: tail: the database answers again after \d+ s; following from seq \d+/);
      expect(lines().map((line) => (JSON.parse(line) as { metadata: { mark: string } }).metadata.mark)).toEqual(['before', 'after']);
      expect(tail.exitCode).toBeNull();
    } finally {
      tail.kill('SIGINT');
    }
    const [code] = (await once(tail, 'exit')) as [number | null];
    expect(code, err).toBe(0);
  });
});
