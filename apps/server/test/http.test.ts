import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';

import { TRPCClientError } from '@trpc/client';
import { CompiledQuery } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS, countLockWaits, withEventsLocked, withWriteLockHeld } from '@custody/db/testing';
import { decodeBase64, openCheckpoint, verifyInclusion } from '@custody/ledger';

import { boot } from '../src/boot';
import type { TBooted } from '../src/boot';
import { defaultStatsMemoryBytes, loadConfig } from '../src/env';
import { READY_WRITE_STALL_MS } from '../src/http';
import { latestCheckpoints } from '../src/metrics';
import { EVENT, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

for (const dialect of DIALECTS) {
  describe(`${dialect}: the server over real HTTP`, () => {
    let s: TTestServer;
    let writeKey: string;
    beforeAll(async () => {
      s = await startTestServer(dialect, { CUSTODY_RATE_LIMIT: '0', CUSTODY_BODY_LIMIT: '200000' });
      await s.client(s.adminKey).organizations.create.mutate({ id: 'acme', name: 'Acme' });
      writeKey = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'app', organizationId: 'acme', scopes: ['events:write', 'events:read'] })).secret;
    });
    afterAll(() => s.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}`, ...headers }, body: JSON.stringify(body) });

    it('ingests through the WorkOS-compatible endpoint with an Idempotency-Key', async () => {
      const first = await post('/audit_logs/events', { organization_id: 'acme', event: EVENT }, { 'idempotency-key': 'wk-1' });
      expect(first.status).toBe(201);
      const body = (await first.json()) as { success: boolean; seq: number; id: string };
      expect(body).toMatchObject({ success: true, seq: 0 });
      const again = await post('/audit_logs/events', { organization_id: 'acme', event: EVENT }, { 'idempotency-key': 'wk-1' });
      expect(await again.json()).toMatchObject({ success: true, seq: 0, id: body.id, replayed: true });
      const conflict = await post('/audit_logs/events', { organization_id: 'acme', event: { ...EVENT, action: 'user.signed_out' } }, { 'idempotency-key': 'wk-1' });
      expect(conflict.status).toBe(409);
    });

    it('answers a bad event with 400 and the field path, never a stack', async () => {
      const res = await post('/audit_logs/events', { organization_id: 'acme', event: { ...EVENT, targets: [{ id: 'x' }] } });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain('targets[0].type');
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    });

    it('rejects malformed JSON, wrong shapes, missing keys and other organizations', async () => {
      const bad = await fetch(`${s.url}/audit_logs/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` }, body: '{"organization_id":' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST' });
      expect((await post('/audit_logs/events', { event: EVENT })).status).toBe(400);
      expect((await post('/audit_logs/events', { organization_id: 'acme', event: EVENT }, { authorization: '' })).status).toBe(401);
      expect((await post('/audit_logs/events', { organization_id: 'other', event: EVENT })).status).toBe(403);
      // JSON sent as another type is refused for its type, not its shape.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const typed = await post('/audit_logs/events', { organization_id: 'acme', event: EVENT }, { 'content-type': type });
        expect({ type, status: typed.status, body: await typed.json() }).toEqual({
          type,
          status: 415,
          body: { code: 'BAD_REQUEST', message: `Unsupported Media Type: send the body as application/json (this request's Content-Type is "${type}")` },
        });
      }
    });

    it('refuses a body that is not UTF-8 on every route with 400, and stores nothing of it', async () => {
      const before = (await s.client(writeKey).events.list.query({ organizationId: 'acme', limit: 1000 })).events.length;
      // `a\xffb` as an actor id (the text's `a\u00ffb` replaced by those bytes): Node's replacing decoder would
      // have stored `a\uFFFDb`.
      const bytes = (json: string) => {
        const [head, tail] = json.split('a\u00ffb') as [string, string];
        return Buffer.concat([Buffer.from(head), Buffer.from([0x61, 0xff, 0x62]), Buffer.from(tail)]);
      };
      const event = JSON.stringify({ ...EVENT, actor: { id: 'a\u00ffb', type: 'user' } });
      const sends: [string, Buffer][] = [
        ['/audit_logs/events', bytes(`{"organization_id":"acme","event":${event}}`)],
        ['/trpc/events.create', bytes(`{"organizationId":"acme","event":${event}}`)],
        ['/trpc/events.createBatch', bytes(`{"organizationId":"acme","events":[${event}]}`)],
        ['/trpc/events.createBatch?batch=1', bytes(`{"0":{"organizationId":"acme","events":[${event}]}}`)],
        ['/trpc/organizations.create', bytes('{"id":"x1","name":"a\u00ffb"}')],
      ];
      for (const [path, body] of sends) {
        expect(body.includes(Buffer.from([0x61, 0xff, 0x62])), path).toBe(true);
        const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${path.includes('organizations') ? s.adminKey : writeKey}` }, body });
        expect(res.status, path).toBe(400);
        expect(await res.text(), path).toContain('not valid UTF-8');
      }
      expect((await s.client(writeKey).events.list.query({ organizationId: 'acme', limit: 1000 })).events.length).toBe(before);
      expect((await s.client(s.adminKey).organizations.list.query()).some((o) => o.id === 'x1')).toBe(false);
    });

    it('answers input with thousands of unknown keys in a bounded error, not one repeating every key', async () => {
      const input: Record<string, unknown> = { id: 'x2', name: 'X' };
      for (let i = 0; i < 10_000; i++) input[`k${i}`] = 1;
      for (const path of ['/trpc/organizations.create', '/trpc/events.create']) {
        const body = JSON.stringify(path.includes('events') ? { organizationId: 'acme', event: EVENT, ...input } : input);
        const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.adminKey}` }, body });
        expect(res.status, path).toBe(400);
        const text = await res.text();
        expect(text.length, path).toBeLessThan(20_000);
        expect(text, path).toContain('more characters');
      }
    });

    it('answers tRPC paths with 405 on methods other than GET and POST, in the tRPC envelope', async () => {
      for (const method of ['OPTIONS', 'DELETE', 'PUT', 'PATCH']) {
        const res = await fetch(`${s.url}/trpc/events.list`, { method, headers: { authorization: `Bearer ${writeKey}` } });
        expect(res.status, method).toBe(405);
        expect(res.headers.get('allow')).toBe('GET, POST');
        expect(await res.json()).toMatchObject({ error: { code: -32005, data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405, path: 'events.list' } } });
      }
    });

    it('answers requests arriving while it shuts down with a retryable 503 in the API’s formats; the probes still answer', async () => {
      s.http.setReady(false);
      try {
        const trpc = await fetch(`${s.url}/trpc/events.list?input=${encodeURIComponent(JSON.stringify({ organizationId: 'acme' }))}`, { headers: { authorization: `Bearer ${writeKey}` } });
        expect(trpc.status).toBe(503);
        expect(trpc.headers.get('retry-after')).toBe('1');
        expect(await trpc.json()).toMatchObject({ error: { data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, path: 'events.list', appError: { code: 'UNAVAILABLE' } } } });
        const workos = await post('/audit_logs/events', { organization_id: 'acme', event: EVENT });
        expect(workos.status).toBe(503);
        expect(await workos.json()).toEqual({ code: 'UNAVAILABLE', message: 'the server is shutting down; retry' });
        expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
        expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
      } finally {
        s.http.setReady(true);
      }
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    });

    it('refuses bodies over the limit with 413', async () => {
      const res = await post('/audit_logs/events', { organization_id: 'acme', event: { ...EVENT, metadata: { big: 'x'.repeat(300_000) } } });
      expect(res.status).toBe(413);
    });

    it('ingests a batch over tRPC with per-event results', async () => {
      const res = await s.client(writeKey).events.createBatch.mutate({ organizationId: 'acme', events: [EVENT, { ...EVENT, action: 'NOPE' }, EVENT] });
      expect(res.accepted).toBe(2);
      expect(res.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    });

    it('reports a rejected single event as BAD_REQUEST with the issues in data.appError', async () => {
      try {
        await s.client(writeKey).events.create.mutate({ organizationId: 'acme', event: { ...EVENT, occurred_at: 'yesterday' } });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCClientError);
        const e = error as TRPCClientError<never>;
        expect(e.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, appError: { code: 'BAD_REQUEST' } });
        expect(JSON.stringify(e.data)).toContain('occurred_at');
        expect(JSON.stringify(e.data)).not.toContain('stack');
      }
    });

    it('serves proofs that verify against the signed checkpoint and the published key', async () => {
      const keys = await (await fetch(`${s.url}/.well-known/custody/keys`)).text();
      const vkey = keys.trim().split('\n')[0] ?? '';
      await s.client(writeKey).log.signCheckpoint.mutate({ organizationId: 'acme' });
      const note = await (await fetch(`${s.url}/v1/organizations/acme/checkpoint`, { headers: { authorization: `Bearer ${writeKey}` } })).text();
      const head = openCheckpoint(note, [vkey]);
      expect(head.size).toBeGreaterThanOrEqual(3n);
      const proof = await s.client(writeKey).log.inclusionProof.query({ organizationId: 'acme', seq: 1, size: Number(head.size) });
      verifyInclusion(decodeBase64(proof.leafHash), 1n, head.size, proof.proof.map(decodeBase64), head.root);
    });

    it('counts in its metrics the events appended to logs, not idempotent replays', async () => {
      const scrape = async () => {
        const text = await (await fetch(`${s.url}/metrics`)).text();
        return { committed: Number(/custody_events_committed_total (\d+)/.exec(text)?.[1]), size: Number(/custody_log_size\{organization="acme"\} (\d+)/.exec(text)?.[1]) };
      };
      const before = await scrape();
      for (const key of ['metrics-1', 'metrics-2', 'metrics-1', 'metrics-2', 'metrics-1']) {
        expect((await post('/audit_logs/events', { organization_id: 'acme', event: EVENT }, { 'idempotency-key': key })).status).toBe(201);
      }
      // The counter follows each commit's notice, which may come just after the answer.
      for (let i = 0; i < 50 && (await scrape()).committed < before.committed + 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const after = await scrape();
      expect({ committed: after.committed - before.committed, size: after.size - before.size }).toEqual({ committed: 2, size: 2 });
    });

    it('refuses a number too small to be represented, a member named twice and an empty Idempotency-Key, rather than logging 0, a guess or no key', async () => {
      const raw = (path: string, text: string, headers: Record<string, string> = {}) =>
        fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}`, ...headers }, body: text });
      const event = (n: string) => JSON.stringify({ ...EVENT, metadata: { n: 0 } }).replace('"n":0', `"n":${n}`);
      const size = async () => (await s.client(s.adminKey).organizations.get.query({ organizationId: 'acme' })).size;
      const before = await size();
      const tiny = 'the number 1e-400 is too small to be represented: it would be read, and logged, as 0; send it as a string';
      const workos = await raw('/audit_logs/events', `{"organization_id":"acme","event":${event('1e-400')}}`);
      expect({ status: workos.status, body: await workos.json() }).toEqual({ status: 400, body: { code: 'BAD_REQUEST', message: tiny } });
      for (const [path, body] of [
        ['/trpc/events.create', `{"organizationId":"acme","event":${event('1e-400')}}`],
        ['/trpc/events.createBatch', `{"organizationId":"acme","events":[${event('1')},${event('-0.5e-999')}]}`],
      ] as const) {
        const answer = await raw(path, body);
        expect(answer.status, path).toBe(400);
        expect(((await answer.json()) as { error: { data: { code: string } } }).error.data.code).toBe('BAD_REQUEST');
      }
      // A member named twice: the whole body, a batch too, as no one can know which value was meant.
      const twice = (text: string) => text.replace('"metadata":{', '"metadata":{"plan":"team","plan":"enterprise",');
      const duplicated = await raw('/audit_logs/events', twice(`{"organization_id":"acme","event":${event('1')}}`));
      expect({ status: duplicated.status, body: await duplicated.json() }).toEqual({
        status: 400,
        body: { code: 'BAD_REQUEST', message: expect.stringMatching(/^the object at \/event\/metadata names the member "plan" twice \(line 1, column \d+\)/) as unknown },
      });
      for (const [path, body] of [
        ['/trpc/events.create', twice(`{"organizationId":"acme","event":${event('1')}}`)],
        ['/trpc/events.createBatch', `{"organizationId":"acme","events":[${event('1')},${twice(event('2'))}]}`],
        ['/trpc/events.createBatch?batch=1', `{"0":{"organizationId":"acme","events":[${twice(event('3'))}]}}`],
      ] as const) {
        const answer = await raw(path, body);
        expect(answer.status, path).toBe(400);
        const error = ((await answer.json()) as { error: { message: string; data: { code: string } } } | [{ error: { message: string; data: { code: string } } }]);
        const { message, data } = Array.isArray(error) ? error[0].error : error.error;
        expect({ path, code: data.code, message }).toEqual({ path, code: 'BAD_REQUEST', message: expect.stringContaining('names the member "plan" twice') as unknown });
      }
      // A query's input, JSON in the URL, likewise (a filter would run with the value written last).
      const input = encodeURIComponent('{"organizationId":"acme","actorId":"u_1","actorId":"nobody"}');
      const query = await fetch(`${s.url}/trpc/events.list?input=${input}`, { headers: { authorization: `Bearer ${writeKey}` } });
      expect({ status: query.status, message: ((await query.json()) as { error: { message: string } }).error.message }).toEqual({
        status: 400,
        message: 'the top-level object names the member "actorId" twice (line 1, column 42): JSON readers differ on which value counts, so the input is refused (I-JSON, RFC 7493 §2.3)',
      });
      // The same text in a string is no number; zero written small is zero.
      expect((await raw('/audit_logs/events', `{"organization_id":"acme","event":${event('"1e-400"')}}`)).status).toBe(201);
      expect((await raw('/audit_logs/events', `{"organization_id":"acme","event":${event('0e-400')}}`)).status).toBe(201);
      const empty = await raw('/audit_logs/events', `{"organization_id":"acme","event":${event('1')}}`, { 'idempotency-key': '' });
      expect({ status: empty.status, body: await empty.json() }).toEqual({
        status: 400,
        body: { code: 'BAD_REQUEST', message: 'the Idempotency-Key header is empty: send a key, or leave the header out' },
      });
      // Only the two accepted ones were stored (the checkpointer signs none of its own here).
      expect(await size()).toBe(before + 2);
    });

    it('answers /readyz 503 while its writes wait for a lock held elsewhere, and 200 once they are made', async () => {
      // Another process's lock: SQLite's write lock, taken by another connection to the file; on Postgres a lock on
      // the events table. Reads go on meanwhile, so only the writes waiting tell.
      const holdLock = <T>(whileHeld: () => Promise<T>): Promise<T> =>
        dialect === 'postgres' ? withEventsLocked(s.booted.custody.database.db, whileHeld) : withWriteLockHeld(join(s.dataDir, 'custody.db'), whileHeld);
      const readiness = async () => {
        const answer = await fetch(`${s.url}/readyz`);
        return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
      };
      const { stalled, waited, pending } = await holdLock(async () => {
        const pending = post('/audit_logs/events', { organization_id: 'acme', event: EVENT }, { 'idempotency-key': 'stalled-by-a-lock' });
        await expect.poll(async () => (await readiness()).status, { timeout: READY_WRITE_STALL_MS + 5_000, interval: 200 }).toBe(503);
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        return { stalled: await readiness(), waited: Number(/^custody_ingest_oldest_wait_seconds (\S+)$/m.exec(metrics)?.[1]), pending };
      });
      expect(stalled).toEqual({ status: 503, body: { status: 'writes stalled', error: expect.stringMatching(/^a write has waited \d+\.\d s for the database \(a lock held elsewhere/) as string } });
      expect(waited).toBeGreaterThan(READY_WRITE_STALL_MS / 1000);
      expect((await pending).status).toBe(201);
      // Other writes held with it (a checkpoint asked for meanwhile) are answered just after.
      await expect.poll(readiness, { timeout: 10_000, interval: 100 }).toEqual({ status: 200, body: { status: 'ready', database: dialect } });
      // Other writes (checkpoints every 100 ms here) may be under way, not held.
      expect(Number(/^custody_ingest_oldest_wait_seconds (\S+)$/m.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1])).toBeLessThan(1);
    });

    it('serves health, readiness and metrics', async () => {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${s.url}/readyz`)).json()).toMatchObject({ status: 'ready', database: dialect });
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/custody_events_committed_total \d+/);
      expect(metrics).toContain('custody_log_size{organization="acme"}');
      expect(metrics).toContain('custody_checkpoint_age_seconds{organization="acme"}');
      // Queries run on threads on a SQLite file, on the main thread on Postgres.
      if (dialect === 'sqlite') expect(metrics).toMatch(/custody_query_threads\{state="waiting"\} 0\n/);
      else expect(metrics).not.toMatch(/custody_query_threads\{/);
      // No search is broad enough for a bitmap in this small log.
      expect(metrics).toMatch(/custody_query_search_bitmaps 0\n/);
      expect(metrics).toMatch(/custody_query_stats_summaries 0\n/);
      // The copy within its default limit, a quarter of the machine's memory (SQLite: a copy to count).
      expect(metrics).toMatch(/custody_query_stats_copy_over_limit 0\n/);
      if (dialect === 'sqlite') {
        expect(Number(/custody_query_stats_memory_limit_bytes (\d+)\n/.exec(metrics)?.[1])).toBe(defaultStatsMemoryBytes());
        expect(Number(/custody_query_stats_memory_bytes (\d+)\n/.exec(metrics)?.[1])).toBeGreaterThan(0);
      }
    });

    it('answers malformed or oversized tRPC requests in the tRPC error envelope', async () => {
      const bad = await fetch(`${s.url}/trpc/events.createBatch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` }, body: '{"organizationId":' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', httpStatus: 400, appError: { code: 'BAD_REQUEST' } } } });
      const big = await fetch(`${s.url}/trpc/events.createBatch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
        body: JSON.stringify({ organizationId: 'acme', events: [{ ...EVENT, metadata: { big: 'x'.repeat(300_000) } }] }),
      });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } } });
    });

    it('explains input-shape errors in a readable message with the paths', async () => {
      try {
        await s.client(writeKey).events.list.query({ organizationId: 'bad id!', limit: 5000 });
        expect.unreachable();
      } catch (error) {
        const e = error as TRPCClientError<never>;
        expect(e.message).toMatch(/^invalid input: organizationId: invalid organization id; limit: /);
        expect(e.data).toMatchObject({ code: 'BAD_REQUEST', appError: { code: 'BAD_REQUEST' } });
      }
    });

    it('answers unknown routes with a JSON 404', async () => {
      const res = await fetch(`${s.url}/nope`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
    });

    it("answers a standard client's batch of many calls (every call named in the path)", async () => {
      // `httpBatchLink` without `maxItems`: 40 calls in one request, a path of 480 characters.
      const client = s.client(writeKey);
      const pages = await Promise.all(Array.from({ length: 40 }, () => client.events.list.query({ organizationId: 'acme', limit: 1 })));
      expect(pages).toHaveLength(40);
      for (const page of pages) expect(page.events.length).toBeLessThanOrEqual(1);
    });

    it('labels the latency metrics with known routes only, whatever paths callers send', async () => {
      for (let i = 0; i < 5; i++) await fetch(`${s.url}/trpc/junk_${i}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await fetch(`${s.url}/trpc/junk_a,junk_b?batch=1`);
      await s.client(writeKey).events.list.query({ organizationId: 'acme', limit: 1 });
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).not.toContain('junk');
      expect(metrics).toContain('route="/trpc/(unknown)"');
      expect(metrics).toContain('route="/trpc/(batch)"');
      expect(metrics).toContain('route="/trpc/events.list"');
    });

    it("reads each log's latest checkpoint by its key, whatever the number of checkpoints", async () => {
      const { db } = s.booted.custody.database;
      const rows = await latestCheckpoints(db).execute();
      const latest = await s.booted.custody.log.latestCheckpoint('acme');
      const acme = rows.find((r) => r.organization_id === 'acme');
      expect(acme).toMatchObject({ size: latest.size, cp: latest.size });
      expect(Number(acme?.at)).toBeGreaterThan(0);
      if (dialect === 'sqlite') {
        // The plan on SQLite, where a scrape runs on the main thread: the key, never a scan of every checkpoint.
        const compiled = latestCheckpoints(db).compile();
        const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
        const text = plan.rows.map((r) => r.detail).join('\n');
        expect(text).not.toMatch(/SCAN c\b/);
        expect(text).toMatch(/SEARCH c USING (PRIMARY KEY|INDEX)/);
      }
    });

    it('authenticates a WorkOS-compatible request before looking at its body', async () => {
      const res = await fetch(`${s.url}/audit_logs/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nothing":true}' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    });
  });
}

describe('the console beside the API', () => {
  let s: TTestServer;
  let consoleDir: string;
  beforeAll(async () => {
    consoleDir = await mkdtemp(join(tmpdir(), 'custody-console-'));
    await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
    s = await startTestServer('sqlite', {}, { consoleDir });
  });
  afterAll(async () => {
    await s.close();
    await rm(consoleDir, { recursive: true, force: true });
  });

  it("serves its page for the console's own paths, and a JSON 404 for unknown API paths", async () => {
    const page = await fetch(`${s.url}/events/some-id`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>console</title>');
    // Its pages run only its own scripts, talk only to this server and are never framed; the API's answers are not
    // bound by that policy (the Exports page reads a refused download back from a frame).
    for (const path of ['/events/some-id', '/', '/index.html']) {
      const res = await fetch(`${s.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
    expect((await fetch(`${s.url}/v1/organizations/acme/checkpoint`)).headers.get('x-frame-options')).toBeNull();
    for (const path of ['/audit_logs/events', '/healthz/extra', '/metrics/x', '/.well-known/custody/nope', '/v1/nope', '/trpc']) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toMatchObject({ code: 'NOT_FOUND' });
    }
    // With the console served, a tRPC batch naming too many calls is still told so.
    const calls = await fetch(`${s.url}/trpc/${Array.from({ length: 600 }, () => 'events.list').join(',')}?batch=1`);
    expect({ status: calls.status, message: ((await calls.json()) as { error: { message: string } }).error.message }).toEqual({
      status: 414,
      message: expect.stringMatching(/^the path names calls beyond 5000 characters/) as unknown,
    });
    // An over-long path is named, not sent back whole.
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${s.url}/v1/${'x'.repeat(5000)}?q=1`, { method });
      expect({ status: res.status, body: await res.json() }, method).toEqual({
        status: 404,
        body: { code: 'NOT_FOUND', message: `no route ${method} /v1/${'x'.repeat(196)}… (5004 characters)` },
      });
    }
  });
});

describe('rate limits', () => {
  let s: TTestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { CUSTODY_RATE_LIMIT: '5' });
  });
  afterAll(() => s.close());

  it('answers 429 TOO_MANY_REQUESTS once a key exceeds its budget', async () => {
    // Burst 10 at 5/s: the first 10 pass whatever the timing; 20 back to back cannot all pass unless the
    // machine stalls for two seconds. The 429 itself is checked (a later request may find a token again).
    const responses: Response[] = [];
    for (let i = 0; i < 20; i++) responses.push(await fetch(`${s.url}/trpc/organizations.list`, { headers: { authorization: `Bearer ${s.adminKey}` } }));
    expect(responses.slice(0, 10).every((r) => r.status === 200)).toBe(true);
    const limited = responses.find((r) => r.status === 429);
    expect(limited, `statuses: ${responses.map((r) => r.status).join(' ')}`).toBeDefined();
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited?.json()).toMatchObject({ error: { data: { code: 'TOO_MANY_REQUESTS' } } });
  });
});

describe('exports over HTTP', () => {
  let s: TTestServer;
  let exportKey: string;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { CUSTODY_RATE_LIMIT: '0' });
    const admin = s.client(s.adminKey);
    await admin.organizations.create.mutate({ id: 'acme', name: 'Acme' });
    exportKey = (await admin.apiKeys.create.mutate({ name: 'legal', organizationId: 'acme', scopes: ['export', 'events:write'] })).secret;
    await s.client(exportKey).events.createBatch.mutate({ organizationId: 'acme', events: Array.from({ length: 30 }, (_, i) => ({ ...EVENT, actor: { id: `u_${i % 3}`, type: 'user' } })) });
  });
  afterAll(() => s.close());

  it('runs an export job, serves the file with its hash, and the production report', async () => {
    const client = s.client(exportKey);
    const job = await client.exports.create.mutate({ organizationId: 'acme', filter: { actorId: 'u_1' }, matter: { name: 'Acme v. Example', number: 'M-9' }, custodian: 'Jane', reason: 'RFP 3' });
    let info = job;
    for (let i = 0; i < 200 && (info.status === 'queued' || info.status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = await client.exports.get.query({ organizationId: 'acme', exportId: job.id });
    }
    expect(info.status, info.error ?? '').toBe('completed');
    const res = await fetch(`${s.url}/v1/organizations/acme/exports/${job.id}/download`, { headers: { authorization: `Bearer ${exportKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
    expect(res.headers.get('x-content-sha256')).toBe(info.sha256);
    const report = await fetch(`${s.url}/v1/organizations/acme/exports/${job.id}/report`, { headers: { authorization: `Bearer ${exportKey}` } });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await report.text()).toContain(info.sha256 ?? 'missing');
  });

  it('refuses downloads without the export scope or for another organization', async () => {
    const [job] = await s.client(exportKey).exports.list.query({ organizationId: 'acme' });
    const readOnly = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'reader', organizationId: 'acme', scopes: ['events:read'] })).secret;
    const denied = await fetch(`${s.url}/v1/organizations/acme/exports/${job?.id ?? ''}/download`, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(denied.status).toBe(403);
    const other = await fetch(`${s.url}/v1/organizations/other/exports/${job?.id ?? ''}/download`, { headers: { authorization: `Bearer ${exportKey}` } });
    expect(other.status).toBe(403);
  });

  it('serves the file to a form post carrying the key (a browser saving to disk), and refuses a form that is wrong', async () => {
    const [job] = await s.client(exportKey).exports.list.query({ organizationId: 'acme' });
    const url = `${s.url}/v1/organizations/acme/exports/${job?.id ?? ''}/download`;
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const res = await post(new URLSearchParams({ api_key: exportKey }).toString());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.zip"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(new Uint8Array(await res.arrayBuffer())).digest('hex')).toBe(job?.sha256);

    const refused = async (response: Promise<Response>, status: number, code: string, message: RegExp) => {
      const answer = await response;
      expect(answer.status).toBe(status);
      const body = (await answer.json()) as { code?: string; message?: string };
      expect(body.code).toBe(code);
      expect(body.message).toMatch(message);
    };
    const readOnly = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'reader-2', organizationId: 'acme', scopes: ['events:read'] })).secret;
    await refused(post(`api_key=${readOnly}`), 403, 'FORBIDDEN', /export/);
    await refused(post('api_key=cus_not_a_key'), 401, 'UNAUTHORIZED', /.+/);
    await refused(post(''), 401, 'UNAUTHORIZED', /form field api_key/);
    await refused(post(`api_key=${exportKey}&apikey=x`), 400, 'BAD_REQUEST', /"apikey" is not known/);
    await refused(post(`api_key=${exportKey}&api_key=${exportKey}`), 400, 'BAD_REQUEST', /twice/);
    await refused(post(`api_key=${exportKey}`, { authorization: `Bearer ${exportKey}` }), 400, 'BAD_REQUEST', /not both/);
    await refused(post(`api_key=${exportKey}&${'x'.repeat(5000)}=1`), 413, 'PAYLOAD_TOO_LARGE', /.+/);
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: exportKey }) });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { message?: string }).message).toContain('application/json');
  });
});

describe.skipIf(!DIALECTS.includes('postgres'))('postgres: a query whose client goes away', () => {
  let s: TTestServer;
  let readKey: string;
  beforeAll(async () => {
    s = await startTestServer('postgres', { CUSTODY_RATE_LIMIT: '0', CUSTODY_QUERY_TIMEOUT_MS: '60000' });
    await s.client(s.adminKey).organizations.create.mutate({ id: 'acme', name: 'Acme' });
    readKey = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'reader', organizationId: 'acme', scopes: ['events:read'] })).secret;
  });
  afterAll(() => s.close());

  it('is cancelled on the server, not left waiting until its time limit', async () => {
    const { db } = s.booted.custody.database;
    const waiting = () => countLockWaits(db);
    await withEventsLocked(db, async () => {
      const client = new AbortController();
      const input = encodeURIComponent(JSON.stringify({ organizationId: 'acme', filter: { q: 'firefox' } }));
      const request = fetch(`${s.url}/trpc/events.list?input=${input}`, { headers: { authorization: `Bearer ${readKey}` }, signal: client.signal });
      request.catch(() => undefined);
      await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
      client.abort();
      // The lock is still held: the statement stops waiting only if the server cancelled it.
      await expect.poll(waiting, { timeout: 10_000 }).toBe(0);
    });
    const after = await s.client(readKey).events.list.query({ organizationId: 'acme', limit: 5 });
    expect(after.events).toEqual([]);
  });
});

describe('sqlite: the statistics copy saved in the data directory', () => {
  it('is written once the query threads\' copies are complete, readable by its owner alone, and restored rather than rewritten at the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'custody-snapshot-'));
    const config = loadConfig({ CUSTODY_DATA_DIR: dataDir, DATABASE_URL: join(dataDir, 'custody.db') });
    const file = join(dataDir, 'statistics-copy.bin');
    /** Boots on the same files, waits until both query threads' copies are complete, runs `then`, closes. */
    const started = async (then: (custody: TBooted['custody']) => Promise<void>) => {
      const booted = await boot(config);
      await booted.custody.start();
      try {
        await expect.poll(() => booted.custody.queryLoad?.warm, { timeout: 20_000 }).toBe(2);
        await then(booted.custody);
      } finally {
        await booted.custody.close();
      }
    };
    try {
      await started(async (custody) => {
        await custody.createOrganization({ id: 'acme', name: 'Acme' });
        await custody.ingestor.ingest('acme', Array.from({ length: 50 }, () => EVENT));
      });
      // Empty at the first start: nothing saved then. Saved at the second, once complete.
      expect(existsSync(file)).toBe(false);
      let written = 0;
      await started(async (custody) => {
        await expect.poll(() => existsSync(file), { timeout: 10_000 }).toBe(true);
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        written = (await stat(file)).mtimeMs;
        expect((await custody.events.stats('acme', { actions: ['user.*'] })).total).toBe(50);
      });
      await started(async (custody) => {
        expect((await custody.events.stats('acme', { q: 'signed_in' })).total).toBe(50);
      });
      expect((await stat(file)).mtimeMs).toBe(written);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a client that drops its upload halfway', () => {
  it('is logged as a client gone, not as a database outage', async () => {
    const lines: string[] = [];
    const s = await startTestServer('sqlite', { CUSTODY_RATE_LIMIT: '0' }, { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) });
    try {
      const socket = connect(Number(new URL(s.url).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        `POST /audit_logs/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${s.adminKey}\r\nContent-Length: 1000\r\n\r\n{"organization_id":`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      for (let i = 0; i < 100 && !lines.some((l) => l.includes('closed the connection')); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines.filter((l) => l.includes('closed the connection before its request was read'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('database is unavailable') || /"level":50/.test(l))).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('requests that are not valid HTTP', () => {
  it('are answered in the API\'s body with what was wrong, and the server goes on', async () => {
    const s = await startTestServer('sqlite');
    /** Everything the server sends back on a connection that sent `request`, until it closes it. */
    const exchange = async (request: string): Promise<{ status: number; body: unknown }> => {
      const socket = connect(Number(new URL(s.url).port), '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      socket.write(request);
      await Promise.race([once(socket, 'close'), new Promise((resolve) => setTimeout(resolve, 5_000))]);
      socket.destroy();
      const text = Buffer.concat(received).toString();
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as unknown };
    };
    try {
      expect(await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x01b\r\n\r\n')).toEqual({
        status: 400,
        body: { code: 'BAD_REQUEST', message: expect.stringMatching(/^the request is not valid HTTP\/1\.1: Invalid header value char \(HPE_/) as unknown },
      });
      expect(await exchange('GET /health z HTTP/1.1\r\nHost: x\r\n\r\n')).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: expect.stringMatching(/^the request is not valid HTTP\/1\.1: /) as unknown } });
      expect(await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: ${'a'.repeat(20_000)}\r\n\r\n`)).toEqual({
        status: 431,
        body: { code: 'BAD_REQUEST', message: "the request's headers, its URL included, are over 16 KiB" },
      });
      // Refused by the router: a tRPC batch naming too many calls (not sent back), a malformed %-escape.
      for (const method of ['POST', 'GET']) {
        const calls = Array.from({ length: 600 }, () => 'events.list').join(',');
        const res = await fetch(`${s.url}/trpc/${calls}?batch=1`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
        expect({ method, status: res.status, body: await res.json() }).toEqual({
          method,
          status: 414,
          body: {
            error: {
              message: 'the path names calls beyond 5000 characters: split the batch (the SDK and the console send at most 50 calls a batch)',
              code: -32600,
              data: { code: 'BAD_REQUEST', httpStatus: 414, path: '', appError: { code: 'BAD_REQUEST' }, zodError: null },
            },
          },
        });
      }
      const escape = await fetch(`${s.url}/v1/organizations/%zz/checkpoint`);
      expect({ status: escape.status, body: await escape.json() }).toEqual({ status: 400, body: { code: 'BAD_REQUEST', message: 'the URL is not valid: a %-escape in its path is malformed' } });
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('a client that sends its body a byte at a time', () => {
  it('is answered 408 and cut off once the request time limit has passed', async () => {
    const s = await startTestServer('sqlite', { CUSTODY_RATE_LIMIT: '0' }, { requestTimeoutMs: 1_000, checkIntervalMs: 200 });
    const socket = connect(Number(new URL(s.url).port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    const drip = setInterval(() => socket.writable && socket.write('1'), 100);
    try {
      await once(socket, 'connect');
      socket.write(`POST /audit_logs/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${s.adminKey}\r\nContent-Length: 100000\r\n\r\n[`);
      const closed = once(socket, 'close');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      expect(socket.destroyed || socket.readableEnded).toBe(true);
      expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408 .*"code":"BAD_REQUEST","message":"the request did not arrive within the time limit/s);
    } finally {
      clearInterval(drip);
      socket.destroy();
      await s.close();
    }
  });
});
