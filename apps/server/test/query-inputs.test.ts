/**
 * What the server answers to query inputs it must refuse or cannot serve, over real HTTP on both databases:
 * filter time bounds read as ingest reads `occurred_at`, whatever the server's time zone; an export's filter
 * checked when the job is created, as `events.list` checks it; a list cursor tied to its organization and order;
 * an organization that does not exist is a 404 on every procedure of an organization.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { appRouter } from '@custody/api';
import { DIALECTS } from '@custody/db/testing';

import { EVENT, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

/** A zone far from UTC: a bound read as local time would move by 5 hours. */
const ZONE = 'America/New_York';

/** An organization that does not exist. */
const NOWHERE = 'nowhere';

/**
 * Every procedure that names an organization, as a call of it on `org`: a query's input, or a mutation's (`post`).
 * Checked against the router, so a new procedure cannot be left out.
 */
const ORGANIZATION_CALLS: Record<string, { input: (org: string) => Record<string, unknown>; post?: true }> = {
  'events.create': { post: true, input: (org) => ({ organizationId: org, event: EVENT }) },
  'events.createBatch': { post: true, input: (org) => ({ organizationId: org, events: [EVENT] }) },
  'events.list': { input: (org) => ({ organizationId: org }) },
  'events.get': { input: (org) => ({ organizationId: org, id: '01900000-0000-7000-8000-000000000000' }) },
  'events.stats': { input: (org) => ({ organizationId: org }) },
  'exports.create': { post: true, input: (org) => ({ organizationId: org, matter: { name: 'm', number: 'M-1' }, custodian: 'c', reason: 'r' }) },
  'exports.get': { input: (org) => ({ organizationId: org, exportId: 'exp_x' }) },
  'exports.list': { input: (org) => ({ organizationId: org }) },
  'log.checkpoint': { input: (org) => ({ organizationId: org }) },
  'log.checkpoints': { input: (org) => ({ organizationId: org }) },
  'log.signCheckpoint': { post: true, input: (org) => ({ organizationId: org }) },
  'log.inclusionProof': { input: (org) => ({ organizationId: org, seq: 0 }) },
  'log.consistencyProof': { input: (org) => ({ organizationId: org, from: 0, to: 1 }) },
  'log.entry': { input: (org) => ({ organizationId: org, seq: 0 }) },
  'organizations.get': { input: (org) => ({ organizationId: org }) },
  'organizations.setActionRegistry': { post: true, input: (org) => ({ organizationId: org, registry: null }) },
  'apiKeys.create': { post: true, input: (org) => ({ name: 'x', organizationId: org, scopes: ['events:read'] }) },
  'apiKeys.list': { input: (org) => ({ organizationId: org }) },
};
/** The procedures that name no organization (or only the caller's, `apiKeys.revoke`). */
const UNSCOPED = ['log.keys', 'organizations.create', 'organizations.list', 'apiKeys.revoke', 'auth.whoami'];

for (const dialect of DIALECTS) {
  describe(`${dialect}: query inputs over HTTP`, () => {
    let s: TTestServer;
    let key: string;
    const zone = process.env.TZ;
    beforeAll(async () => {
      process.env.TZ = ZONE;
      s = await startTestServer(dialect, { CUSTODY_RATE_LIMIT: '0' });
      const admin = s.client(s.adminKey);
      await admin.organizations.create.mutate({ id: 'acme', name: 'Acme' });
      key = (await admin.apiKeys.create.mutate({ name: 'app', organizationId: 'acme', scopes: ['events:write', 'events:read', 'export'] })).secret;
      const times = ['2026-01-02T23:00:00Z', '2026-01-03T00:00:00Z', '2026-01-03T04:00:00Z', '2026-01-03T06:00:00Z'];
      await s.client(key).events.createBatch.mutate({ organizationId: 'acme', events: times.map((occurred_at) => ({ ...EVENT, occurred_at })) });
      await admin.organizations.create.mutate({ id: 'globex', name: 'Globex' });
      await admin.events.createBatch.mutate({ organizationId: 'globex', events: Array.from({ length: 10 }, () => EVENT) });
    });
    afterAll(async () => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
      await s.close();
    });

    type TBody = { result?: { data: unknown }; error?: { message: string; data: { appError: { code: string } } } };
    /** A query procedure's HTTP status and body. */
    const query = async (path: string, input: unknown, apiKey = key) => {
      const res = await fetch(`${s.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { authorization: `Bearer ${apiKey}` } });
      return { status: res.status, body: (await res.json()) as TBody };
    };
    /** A mutation procedure's HTTP status and body. */
    const mutation = async (path: string, input: unknown, apiKey = key) => {
      const res = await fetch(`${s.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify(input) });
      return { status: res.status, body: (await res.json()) as TBody };
    };
    const call = (path: string, org: string, apiKey?: string) => {
      const procedure = ORGANIZATION_CALLS[path];
      if (procedure === undefined) throw new Error(`no call for ${path}`);
      return (procedure.post === true ? mutation : query)(path, procedure.input(org), apiKey);
    };

    it('refuses a time bound without an offset, or one ingest would refuse, with 400 and the reason', async () => {
      for (const [value, reason] of [
        ['2026-01-03T00:00:00', 'no UTC offset'],
        ['2026-02-30T00:00:00Z', 'day 30 is out of range for February 2026'],
        ['2026-01-03', 'expected e.g.'],
        ['2026-01-03T00:00Z', 'expected e.g.'],
        ['2026-01-03T00:00:00+0100', 'expected e.g.'],
        ['2026-01-03T24:00:00Z', 'hour 24 is out of range'],
      ] as const) {
        for (const path of ['events.list', 'events.stats']) {
          const { status, body } = await query(path, { organizationId: 'acme', filter: { occurredAfter: value } });
          expect(status, `${path} ${value}`).toBe(400);
          expect(body.error?.data.appError.code).toBe('BAD_REQUEST');
          expect(body.error?.message).toContain(`occurredAfter "${value}" is not a valid RFC 3339 time: ${reason}`);
        }
      }
    });

    it('reads an offset as ingest does: the same events whatever the server time zone', async () => {
      const listed = async (filter: Record<string, string>) => {
        const page = await s.client(key).events.list.query({ organizationId: 'acme', filter, order: 'asc' });
        return page.events.map((e) => e.occurred_at);
      };
      expect(await listed({ occurredAfter: '2026-01-03T00:00:00Z' })).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-03T04:00:00.000Z', '2026-01-03T06:00:00.000Z']);
      expect(await listed({ occurredAfter: '2026-01-03T02:00:00+02:00', occurredBefore: '2026-01-03T01:00:00-05:00' })).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-03T04:00:00.000Z']);
    });

    it('refuses an export whose filter events.list refuses, at once and with the same 400, queuing no job', async () => {
      const exportInput = (filter: Record<string, unknown>) => ({
        organizationId: 'acme', format: 'ndjson', filter, matter: { name: 'm', number: 'M-1' }, custodian: 'c', reason: 'r',
      });
      for (const filter of [{ occurredAfter: 'bad' }, { occurredBefore: '2026-01-03T00:00:00' }, { ip: '10.0.0.1/8' }, { actions: ['User.*'] }, { q: 'a*' }]) {
        const listed = await query('events.list', { organizationId: 'acme', filter });
        expect(listed.status, JSON.stringify(filter)).toBe(400);
        const res = await fetch(`${s.url}/trpc/exports.create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(exportInput(filter)),
        });
        expect(res.status, JSON.stringify(filter)).toBe(400);
        const body = (await res.json()) as { error: { message: string; data: { appError: { code: string } } } };
        expect(body.error.data.appError.code).toBe('BAD_REQUEST');
        expect(body.error.message).toBe(listed.body.error?.message);
      }
      expect(await s.client(key).exports.list.query({ organizationId: 'acme' })).toEqual([]);
    });

    it('names the field of every refused filter in details.issues, as it does for a time bound', async () => {
      type TRefusal = { message: string; data: { appError: { code: string; details?: { issues?: { path: string; code: string; message: string }[] } } } };
      const exportInput = (filter: Record<string, unknown>) => ({
        organizationId: 'acme', format: 'ndjson', filter, matter: { name: 'm', number: 'M-1' }, custodian: 'c', reason: 'r',
      });
      for (const [filter, path, code] of [
        [{ occurredAfter: '2026-01-03T00:00:00' }, 'filter.occurredAfter', 'missing_offset'],
        [{ ip: '10.0.0.256' }, 'filter.ip', 'invalid_ipv4'],
        [{ ip: '10.0.0.5/24' }, 'filter.ip', 'host_bits_set'],
        [{ q: 'a*' }, 'filter.q', 'too_short'],
        [{ q: 'x 10.0.0.1/8' }, 'filter.q', 'invalid_cidr'],
        [{ actions: ['user.*.*'] }, 'filter.actions[0]', 'invalid_format'],
        [{ actions: ['user.signed_in', '*'] }, 'filter.actions[1]', 'invalid_format'],
        [{ actions: ['user*'] }, 'filter.actions[0]', 'invalid_format'],
        [{ actions: ['user.**'] }, 'filter.actions[0]', 'invalid_format'],
        [{ actions: ['*.login'] }, 'filter.actions[0]', 'invalid_format'],
        [{ actions: ['User.Login'] }, 'filter.actions[0]', 'invalid_format'],
        [{ metadata: { plan: 'team', ['__proto__']: 'x' } }, 'filter.metadata', null],
      ] as const) {
        // JSON.stringify writes a computed __proto__ key as any other: the server receives it as sent.
        const sent = JSON.stringify(filter);
        for (const [path_, res] of [
          ['events.list', await fetch(`${s.url}/trpc/events.list?input=${encodeURIComponent(`{"organizationId":"acme","filter":${sent}}`)}`, { headers: { authorization: `Bearer ${key}` } })],
          ['events.stats', await fetch(`${s.url}/trpc/events.stats?input=${encodeURIComponent(`{"organizationId":"acme","filter":${sent}}`)}`, { headers: { authorization: `Bearer ${key}` } })],
          ['exports.create', await fetch(`${s.url}/trpc/exports.create`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify(exportInput({})).replace('"filter":{}', `"filter":${sent}`),
          })],
        ] as const) {
          expect(res.status, `${path_} ${sent}`).toBe(400);
          const body = (await res.json()) as { error: TRefusal };
          expect(body.error.data.appError.code).toBe('BAD_REQUEST');
          const issues = body.error.data.appError.details?.issues ?? [];
          expect(issues.map((issue) => issue.path), `${path_} ${sent}`).toEqual([path]);
          if (code !== null) expect(issues[0]?.code).toBe(code);
          expect(body.error.message, `${path_} ${sent}`).toContain(path === 'filter.metadata' ? 'key "__proto__" is reserved' : path.slice('filter.'.length));
        }
      }
      expect(await s.client(key).exports.list.query({ organizationId: 'acme' })).toEqual([]);
    });

    it('still answers filters on action names and prefixes that can match, and on metadata keys such as constructor', async () => {
      const listed = async (filter: Record<string, unknown>) => (await s.client(key).events.list.query({ organizationId: 'acme', filter })).events.length;
      expect(await listed({ actions: [EVENT.action] })).toBe(4);
      expect(await listed({ actions: [`${EVENT.action.split('.')[0] ?? ''}.*`] })).toBe(4);
      expect(await listed({ actions: ['invoice.paid', 'document.*'] })).toBe(0);
      expect(await listed({ actions: [] })).toBe(4);
      expect(await listed({ metadata: { constructor: 'x' } })).toBe(0);
    });

    it('refuses a cursor sent with another organization or another order with 400, and goes on without an order', async () => {
      const first = await query('events.list', { organizationId: 'acme', order: 'desc', limit: 1 }, s.adminKey);
      const cursor = (first.body.result?.data as { nextCursor: string }).nextCursor;
      const other = await query('events.list', { organizationId: 'globex', limit: 1, cursor }, s.adminKey);
      expect(other.status).toBe(400);
      expect(other.body.error?.message).toBe('this cursor belongs to a different organization');
      const asc = await query('events.list', { organizationId: 'acme', order: 'asc', limit: 1, cursor }, s.adminKey);
      expect(asc.status).toBe(400);
      expect(asc.body.error?.message).toMatch(/^this cursor belongs to a different order: it continues a page in "desc" order/);
      const next = await s.client(s.adminKey).events.list.query({ organizationId: 'acme', limit: 1, cursor });
      expect(next.events.map((e) => e.occurred_at)).toEqual(['2026-01-03T04:00:00.000Z']);
      const ascending = await s.client(s.adminKey).events.list.query({ organizationId: 'acme', order: 'asc', limit: 1 });
      const then = await s.client(s.adminKey).events.list.query({ organizationId: 'acme', limit: 1, cursor: ascending.nextCursor });
      expect(then.events.map((e) => e.occurred_at)).toEqual(['2026-01-03T00:00:00.000Z']);
    });

    it('names every procedure of an organization', () => {
      expect([...Object.keys(ORGANIZATION_CALLS), ...UNSCOPED].sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    });

    it('answers 404 organization not found on every procedure of an organization that does not exist', async () => {
      const answers = [];
      for (const path of Object.keys(ORGANIZATION_CALLS)) {
        const { status, body } = await call(path, NOWHERE, s.adminKey);
        answers.push({ path, status, code: body.error?.data.appError.code, message: body.error?.message });
      }
      expect(answers).toEqual(Object.keys(ORGANIZATION_CALLS).map((path) => ({ path, status: 404, code: 'NOT_FOUND', message: `organization "${NOWHERE}" not found` })));
    });

    it('answers 404 to events.list with a cursor on an organization that does not exist', async () => {
      const page = await s.client(s.adminKey).events.list.query({ organizationId: 'acme', limit: 1 });
      const { status, body } = await query('events.list', { organizationId: NOWHERE, limit: 1, cursor: page.nextCursor }, s.adminKey);
      expect(status).toBe(404);
      expect(body.error?.message).toBe(`organization "${NOWHERE}" not found`);
    });

    it('still answers 403 to a key bound to another organization, whether or not it exists', async () => {
      const bound = (await s.client(s.adminKey).apiKeys.create.mutate({ name: 'acme admin', organizationId: 'acme', scopes: ['admin'] })).secret;
      for (const path of ['events.list', 'events.stats', 'exports.list', 'apiKeys.list']) {
        expect((await call(path, NOWHERE, bound)).status, path).toBe(403);
        expect((await call(path, 'globex', bound)).status, path).toBe(403);
        expect((await call(path, 'acme', bound)).status, path).toBe(200);
      }
    });
  });
}
