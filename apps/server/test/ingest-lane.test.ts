/**
 * The ingest lane (`src/trpc-ingest-lane.ts`) answers `events.create` and `events.createBatch` without
 * tRPC's fetch adapter or procedure chain. Clients must not be able to tell: for each kind of answer, the lane's response
 * is compared with the tRPC plugin's answer to the same call (a batch of two calls, which the lane
 * leaves to the plugin).
 */
import { createTRPCClient, httpBatchStreamLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AppRouter } from '@custody/api';

import { startTestServer } from './helpers';
import type { TTestServer } from './helpers';

interface TAnswer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: unknown;
}

async function post(url: string, key: string | null, body: string): Promise<TAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) }, body });
  return { status: res.status, contentType: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), body: JSON.parse(await res.text()) as unknown };
}

/** The same call through the lane (`?batch=1`, one call) and through the plugin (the call twice). */
async function both(server: TTestServer, path: string, key: string | null, input: unknown): Promise<{ lane: TAnswer; plugin: TAnswer; plain: TAnswer }> {
  const plain = await post(`${server.url}/trpc/${path}`, key, JSON.stringify(input));
  const lane = await post(`${server.url}/trpc/${path}?batch=1`, key, JSON.stringify({ 0: input }));
  const plugin = await post(`${server.url}/trpc/${path},${path}?batch=1`, key, JSON.stringify({ 0: input, 1: input }));
  return { lane, plugin, plain };
}

const EVENT = { action: 'user.signed_in', occurred_at: '2026-03-01T10:00:00.000Z', actor: { id: 'u_1', type: 'user' } };
/** An event the log accepts (`EVENT` lacks its context). */
const GOOD = { ...EVENT, context: { location: '10.0.0.1' } };

describe('the ingest lane answers exactly as the tRPC plugin does', () => {
  let server: TTestServer;
  let writer: string;
  let other: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    await server.booted.custody.createOrganization({ id: 'acme', name: 'Acme' });
    await server.booted.custody.createOrganization({ id: 'globex', name: 'Globex' });
    writer = (await server.booted.custody.apiKeys.create({ name: 'w', organizationId: 'acme', scopes: ['events:write'] })).secret;
    other = (await server.booted.custody.apiKeys.create({ name: 'g', organizationId: 'globex', scopes: ['events:write'] })).secret;
  });
  afterAll(() => server.close());

  const cases: [string, string, () => string | null, unknown][] = [
    ['a rejected event (BAD_REQUEST with the issues)', 'events.create', () => writer, { organizationId: 'acme', event: { ...EVENT, action: 'Not An Action' } }],
    ['an input of the wrong shape (zod error)', 'events.create', () => writer, { organizationId: 'acme' }],
    ['no API key', 'events.createBatch', () => null, { organizationId: 'acme', events: [EVENT] }],
    ['no API key and an input of the wrong shape (authentication first)', 'events.create', () => null, { organizationId: 'acme', events: [EVENT] }],
    ["another organization's key", 'events.createBatch', () => other, { organizationId: 'acme', events: [EVENT] }],
    ['an unknown organization', 'events.create', () => server.adminKey, { organizationId: 'nope', event: EVENT }],
    ['a batch over 1,000 events', 'events.createBatch', () => writer, { organizationId: 'acme', events: Array.from({ length: 1001 }, () => EVENT) }],
  ];
  for (const [what, path, key, input] of cases) {
    it(`for ${what}`, async () => {
      const { lane, plugin, plain } = await both(server, path, key(), input);
      expect(lane.status).toBeGreaterThanOrEqual(400);
      expect(lane.status).toBe(plugin.status);
      expect(lane.contentType).toMatch(/^application\/json/);
      expect(lane.body).toEqual([(plugin.body as unknown[])[0]]);
      expect(plain.status).toBe(plugin.status);
      expect([plain.body]).toEqual(lane.body);
    });
  }

  it('for accepted events: the same result fields, in the same envelope', async () => {
    const { lane, plugin, plain } = await both(server, 'events.createBatch', writer, { organizationId: 'acme', events: [EVENT, { ...EVENT, actor: 'bad' }] });
    expect(lane.status).toBe(200);
    expect(plugin.status).toBe(200);
    const shape = (answer: unknown) => JSON.stringify(answer, (k, v: unknown) => (k === 'id' || k === 'seq' ? typeof v : v));
    expect(shape(lane.body)).toBe(shape([(plugin.body as unknown[])[0]]));
    expect(shape([plain.body])).toBe(shape(lane.body));
  });

  it('for malformed JSON: the tRPC parse error envelope', async () => {
    const lane = await post(`${server.url}/trpc/events.create`, writer, '{"organizationId":');
    const plugin = await post(`${server.url}/trpc/events.create,events.create?batch=1`, writer, '{"organizationId":');
    expect(lane.status).toBe(400);
    expect(lane.body).toMatchObject({ error: { code: -32600, data: { code: 'BAD_REQUEST', path: 'events.create' } } });
    expect(plugin.status).toBe(400);
    expect((lane.body as { error: { message: string } }).error.message).toBe((plugin.body as { error: { message: string } }[])[0]?.error.message);
  });

  it("for a request of a shape it does not answer itself: tRPC's own answer", async () => {
    const input = JSON.stringify({ organizationId: 'acme', event: EVENT });
    const send = async (path: string, contentType: string, body: string) => {
      const res = await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${writer}` }, body });
      return { status: res.status, body: await res.text() };
    };
    // Another content type: the plugin's 415, for the lane's route as for another procedure's.
    const textLane = await send('events.create', 'text/plain', input);
    const textPlugin = await send('events.list', 'text/plain', input);
    expect(textLane.status).toBe(415);
    expect(textLane.status).toBe(textPlugin.status);
    // A batch body that is not `{"0": input}`.
    const arrayLane = await send('events.create?batch=1', 'application/json', `[${input}]`);
    const arrayPlugin = await send('events.create,events.create?batch=1', 'application/json', `[${input},${input}]`);
    expect(arrayLane.status).toBe(arrayPlugin.status);
    expect(arrayLane.body).toContain('needs to be an object when doing a batch call');
  });

  it("answers tRPC's streaming link (httpBatchStreamLink), and the event it commits is the one it reports", async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpBatchStreamLink({ url: `${server.url}/trpc`, headers: { authorization: `Bearer ${writer}` } })] });
    const created = await client.events.create.mutate({ organizationId: 'acme', event: { ...GOOD, actor: { id: 'u_stream', type: 'user' } } });
    expect(created.replayed).toBe(false);
    const batch = await client.events.createBatch.mutate({ organizationId: 'acme', events: [{ ...GOOD, actor: { id: 'u_stream2', type: 'user' } }] });
    expect(batch.results).toHaveLength(1);
    const page = await server.booted.custody.events.list('acme', { actorId: 'u_stream' });
    expect(page.events.map((e) => e.id)).toEqual([created.id]);
  });

  it('refuses a `__proto__` metadata key in that event alone, with its field path; the others are committed', async () => {
    const body = `{"organizationId":"acme","events":[${JSON.stringify({ ...GOOD, actor: { id: 'u_p1', type: 'user' } })},` +
      `{"action":"user.signed_in","occurred_at":"2026-03-01T10:00:00.000Z","actor":{"id":"u_p2","type":"user"},"context":{"location":"10.0.0.1"},"metadata":{"__proto__":"x"}},` +
      `${JSON.stringify({ ...GOOD, actor: { id: 'u_p3', type: 'user' } })}]}`;
    for (const url of [`${server.url}/trpc/events.createBatch`, `${server.url}/trpc/events.createBatch?batch=1`]) {
      const answer = await post(url, writer, url.endsWith('batch=1') ? `{"0":${body}}` : body);
      expect(answer.status).toBe(200);
      const data = (Array.isArray(answer.body) ? answer.body[0] : answer.body) as { result: { data: { results: { status: string; issues?: { path: string }[] }[] } } };
      const results = data.result.data.results;
      expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
      expect(results[1]?.issues?.[0]?.path).toBe('metadata.__proto__');
    }
    // The WorkOS-compatible endpoint: a 400 naming the field, not a parse error.
    const res = await fetch(`${server.url}/audit_logs/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
      body: '{"organization_id":"acme","event":{"action":"user.signed_in","occurred_at":"2026-03-01T10:00:00.000Z","actor":{"id":"u","type":"user","metadata":{"__proto__":"x"}},"context":{"location":"10.0.0.1"}}}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'actor.metadata.__proto__' }] });
  });
});

describe('the ingest lane under a rate limit', () => {
  let server: TTestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { CUSTODY_RATE_LIMIT: '1' });
    await server.booted.custody.createOrganization({ id: 'acme', name: 'Acme' });
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After and the same body as the plugin', async () => {
    const input = { organizationId: 'acme', event: EVENT };
    let lane: TAnswer | undefined;
    for (let i = 0; i < 10 && lane?.status !== 429; i++) lane = await post(`${server.url}/trpc/events.create?batch=1`, server.adminKey, JSON.stringify({ 0: input }));
    expect(lane?.status).toBe(429);
    expect(Number(lane?.retryAfter)).toBeGreaterThanOrEqual(1);
    const plugin = await post(`${server.url}/trpc/events.create,events.create?batch=1`, server.adminKey, JSON.stringify({ 0: input, 1: input }));
    expect(plugin.status).toBe(429);
    const withoutWait = (body: unknown) => JSON.stringify(body, (k, v: unknown) => (k === 'retryAfterMs' ? 'ms' : k === 'message' ? 'message' : v));
    expect(withoutWait(lane?.body)).toBe(withoutWait([(plugin.body as unknown[])[0]]));
  });
});
