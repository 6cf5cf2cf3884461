/**
 * U+0000 (NUL) over real HTTP, on every dialect. Postgres `text` cannot hold 0x00: an event carrying one used to
 * pass validation, and on Postgres failed the whole group commit (every concurrent request, other
 * organizations' too, answered 503 "retry", again and again), while a filter carrying one answered 500. Now
 * both are refused up front, with the field's path, and the answers are the same on SQLite and Postgres.
 */
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { EVENT, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

const NUL_MESSAGE = /contains U\+0000 \(NUL\) at index \d+; (filter )?strings must not contain NUL characters/;

for (const dialect of DIALECTS) {
  describe(`${dialect}: U+0000 (NUL) in events and filters`, () => {
    let s: TTestServer;
    let key: string;
    let otherKey: string;
    beforeAll(async () => {
      s = await startTestServer(dialect, { CUSTODY_RATE_LIMIT: '0' });
      const admin = s.client(s.adminKey);
      await admin.organizations.create.mutate({ id: 'acme', name: 'Acme' });
      await admin.organizations.create.mutate({ id: 'other', name: 'Other' });
      key = (await admin.apiKeys.create.mutate({ name: 'app', organizationId: 'acme', scopes: ['events:write', 'events:read', 'export'] })).secret;
      otherKey = (await admin.apiKeys.create.mutate({ name: 'other', organizationId: 'other', scopes: ['events:write', 'events:read'] })).secret;
    });
    afterAll(() => s.close());

    /** The tRPC error of a call that must fail. */
    async function failure(call: Promise<unknown>): Promise<TRPCClientError<never>> {
      try {
        await call;
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCClientError);
        return error as TRPCClientError<never>;
      }
      throw new Error('expected the call to fail');
    }

    it('commits the good events of a batch and rejects the NUL one with its field path', async () => {
      const client = s.client(key);
      const before = (await client.events.list.query({ organizationId: 'acme', limit: 1000 })).events.length;
      const bad = [
        [{ ...EVENT, actor: { id: 'u_\u0000', type: 'user' } }, 'actor.id'],
        [{ ...EVENT, actor: { id: 'u_1', type: 'user', name: 'Al\u0000ice' } }, 'actor.name'],
        [{ ...EVENT, targets: [{ id: 'acct\u0000', type: 'account' }] }, 'targets[0].id'],
        [{ ...EVENT, targets: [{ id: 'acct_1', type: 'account', name: '\u0000' }] }, 'targets[0].name'],
        [{ ...EVENT, context: { location: '203.0.113.7', user_agent: 'curl\u0000' } }, 'context.user_agent'],
        [{ ...EVENT, context: { location: '203.0.113.7', request_id: 'r\u0000' } }, 'context.request_id'],
        [{ ...EVENT, context: { location: '203.0.113.7', session_id: 's\u0000' } }, 'context.session_id'],
        [{ ...EVENT, metadata: { method: 'pass\u0000word' } }, 'metadata.method'],
        [{ ...EVENT, actor: { id: 'u_1', type: 'user', metadata: { k: '\u0000' } } }, 'actor.metadata.k'],
        [{ ...EVENT, targets: [{ id: 'acct_1', type: 'account', metadata: { k: '\u0000' } }] }, 'targets[0].metadata.k'],
      ] as const;
      for (const [event, path] of bad) {
        const good = { ...EVENT, metadata: { case: path } };
        const res = await client.events.createBatch.mutate({ organizationId: 'acme', events: [good, event, good] });
        expect(res, path).toMatchObject({ accepted: 2, rejected: 1 });
        expect(res.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
        const rejected = res.results[1] as { issues?: { path: string; code: string; message: string }[] };
        expect(rejected.issues).toEqual([expect.objectContaining({ path, code: 'invalid_format', message: expect.stringMatching(NUL_MESSAGE) as unknown })]);
      }
      const after = await client.events.list.query({ organizationId: 'acme', limit: 1000 });
      expect(after.events).toHaveLength(before + 2 * bad.length);
      expect(JSON.stringify(after.events)).not.toContain('\\u0000');
    });

    it('rejects a single NUL event with 400 and the field path, on tRPC and the WorkOS endpoint', async () => {
      const error = await failure(s.client(key).events.create.mutate({ organizationId: 'acme', event: { ...EVENT, actor: { id: 'a\u0000b', type: 'user' } } }));
      expect(error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
      expect(JSON.stringify(error.data)).toContain('actor.id');
      const res = await fetch(`${s.url}/audit_logs/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ organization_id: 'acme', event: { ...EVENT, metadata: { note: 'x\u0000' } } }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { field: string; code: string; message: string }[] };
      expect(body.errors).toEqual([expect.objectContaining({ field: 'metadata.note', code: 'invalid_format', message: expect.stringMatching(NUL_MESSAGE) as unknown })]);
    });

    it('keeps committing other requests, other organizations\' too, while NUL events arrive', async () => {
      const nul = { ...EVENT, actor: { id: '\u0000', type: 'user' } };
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 === 0
            ? s.client(key).events.createBatch.mutate({ organizationId: 'acme', events: [nul, EVENT] })
            : s.client(otherKey).events.createBatch.mutate({ organizationId: 'other', events: [EVENT, EVENT] }),
        ),
      );
      expect(results.map((r) => r.accepted)).toEqual([1, 2, 1, 2, 1, 2]);
      expect((await s.client(otherKey).events.list.query({ organizationId: 'other', limit: 100 })).events).toHaveLength(6);
    });

    it.each([
      [{ actorId: 'a\u0000b' }, 'filter.actorId'],
      [{ actorType: 'user\u0000' }, 'filter.actorType'],
      [{ targetId: '\u0000' }, 'filter.targetId'],
      [{ targetType: 'account\u0000' }, 'filter.targetType'],
      [{ actions: ['user.signed_in', 'user.\u0000'] }, 'filter.actions[1]'],
      [{ ip: '203.0.113.7\u0000' }, 'filter.ip'],
      [{ occurredAfter: '2026-01-01T00:00:00Z\u0000' }, 'filter.occurredAfter'],
      [{ occurredBefore: '\u0000' }, 'filter.occurredBefore'],
      [{ metadata: { method: 'pass\u0000' } }, 'filter.metadata.method'],
      [{ metadata: { 'meth\u0000od': 'password' } }, 'filter.metadata'],
      [{ q: 'alice\u0000' }, 'filter.q'],
    ])('answers a NUL in filter %j with 400 naming %s, on list, stats and exports', async (filter, path) => {
      const client = s.client(key);
      const calls = [
        client.events.list.query({ organizationId: 'acme', filter }),
        client.events.stats.query({ organizationId: 'acme', filter }),
        client.exports.create.mutate({ organizationId: 'acme', filter, matter: { name: 'M', number: 'M-1' }, custodian: 'c', reason: 'r' }),
      ];
      for (const call of calls) {
        const error = await failure(call);
        expect(error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, appError: { code: 'BAD_REQUEST' } });
        expect(error.message).toContain(`invalid input: ${path}: `);
        expect(error.message).toMatch(NUL_MESSAGE);
      }
    });

    it('answers a NUL in any other text input (names, ids, export fields) with 400 naming the field', async () => {
      const admin = s.client(s.adminKey);
      const client = s.client(key);
      const exportInput = { organizationId: 'acme', matter: { name: 'M', number: 'M-1' }, custodian: 'c', reason: 'r' };
      const cases: [() => Promise<unknown>, string][] = [
        [() => admin.organizations.create.mutate({ id: 'nul_org', name: 'Nul\u0000 Inc' }), 'name'],
        [() => admin.apiKeys.create.mutate({ name: 'k\u0000', organizationId: 'acme', scopes: ['events:read'] }), 'name'],
        [() => admin.apiKeys.revoke.mutate({ keyId: 'key_\u0000' }), 'keyId'],
        [() => client.events.get.query({ organizationId: 'acme', id: '0193\u0000' }), 'id'],
        [() => client.exports.get.query({ organizationId: 'acme', exportId: 'exp_\u0000' }), 'exportId'],
        [() => client.exports.create.mutate({ ...exportInput, matter: { name: 'M\u0000', number: 'M-1' } }), 'matter.name'],
        [() => client.exports.create.mutate({ ...exportInput, matter: { name: 'M', number: '\u0000' } }), 'matter.number'],
        [() => client.exports.create.mutate({ ...exportInput, custodian: 'c\u0000' }), 'custodian'],
        [() => client.exports.create.mutate({ ...exportInput, reason: 'r\u0000' }), 'reason'],
      ];
      for (const [call, path] of cases) {
        const error = await failure(call());
        expect(error.data, path).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
        expect(error.message, path).toContain(`invalid input: ${path}: `);
        expect(error.message, path).toMatch(NUL_MESSAGE);
      }
      expect((await admin.organizations.list.query()).map((o) => o.id)).not.toContain('nul_org');
    });

    it('answers the plain-HTTP GET of a NUL filter with 400 too', async () => {
      const input = encodeURIComponent(JSON.stringify({ organizationId: 'acme', filter: { actorId: 'a\u0000b' } }));
      const res = await fetch(`${s.url}/trpc/events.list?input=${input}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { data: { code: 'BAD_REQUEST', appError: { code: 'BAD_REQUEST' } } } });
    });
  });
}
