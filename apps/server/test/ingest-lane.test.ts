/**
 * The ingest lane (`src/trpc-ingest-lane.ts`) answers `events.create` and `events.createBatch` without
 * tRPC's fetch adapter or procedure chain. Clients must not be able to tell: for each kind of answer, the lane's response
 * is compared with the tRPC plugin's answer to the same call (a batch of two calls, which the lane
 * leaves to the plugin).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
    expect(lane.status).toBe(400);
    expect(lane.body).toMatchObject({ error: { code: -32700, data: { code: 'BAD_REQUEST', path: 'events.create' } } });
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
