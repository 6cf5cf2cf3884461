/**
 * Access control, procedure by procedure: a key of one organization can never read or write another
 * organization's events, and a key without the scope is refused. The table must name every
 * procedure of the router, so a new procedure cannot ship untested.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Custody, nodeEd25519, nodeSha256, signingKeyFromText } from '@custody/core';
import type { TScope } from '@custody/core';
import { createTestDatabase, DIALECTS } from '@custody/db/testing';
import type { TTestDatabase } from '@custody/db/testing';
import { generateSigner } from '@custody/ledger';

import { appRouter, createCallerFactory, createContextInner } from '../src/index';

const createCaller = createCallerFactory(appRouter);
type TCaller = ReturnType<typeof createCaller>;

const EVENT = {
  action: 'user.signed_in',
  occurred_at: '2026-03-01T10:00:00Z',
  actor: { id: 'u_1', type: 'user' },
  targets: [],
  context: { location: '10.0.0.1' },
};

/** How to call each procedure against organization `org` (the victim). `null`: not organization-scoped. */
const CALLS: Record<string, { scope: TScope | 'public'; call: ((c: TCaller, org: string) => Promise<unknown>) | null }> = {
  'events.create': { scope: 'events:write', call: (c, org) => c.events.create({ organizationId: org, event: EVENT }) },
  'events.createBatch': { scope: 'events:write', call: (c, org) => c.events.createBatch({ organizationId: org, events: [EVENT] }) },
  'events.list': { scope: 'events:read', call: (c, org) => c.events.list({ organizationId: org }) },
  'events.get': { scope: 'events:read', call: (c, org) => c.events.get({ organizationId: org, id: '01900000-0000-7000-8000-000000000000' }) },
  'events.stats': { scope: 'events:read', call: (c, org) => c.events.stats({ organizationId: org }) },
  'exports.create': {
    scope: 'export',
    call: (c, org) =>
      c.exports.create({ organizationId: org, matter: { name: 'm', number: 'M-1' }, custodian: 'c', reason: 'r' }),
  },
  'exports.get': { scope: 'export', call: (c, org) => c.exports.get({ organizationId: org, exportId: 'exp_x' }) },
  'exports.list': { scope: 'export', call: (c, org) => c.exports.list({ organizationId: org }) },
  'log.checkpoint': { scope: 'events:read', call: (c, org) => c.log.checkpoint({ organizationId: org }) },
  'log.checkpoints': { scope: 'events:read', call: (c, org) => c.log.checkpoints({ organizationId: org }) },
  'log.signCheckpoint': { scope: 'events:write', call: (c, org) => c.log.signCheckpoint({ organizationId: org }) },
  'log.inclusionProof': { scope: 'events:read', call: (c, org) => c.log.inclusionProof({ organizationId: org, seq: 0 }) },
  'log.consistencyProof': { scope: 'events:read', call: (c, org) => c.log.consistencyProof({ organizationId: org, from: 0, to: 1 }) },
  'log.entry': { scope: 'events:read', call: (c, org) => c.log.entry({ organizationId: org, seq: 0 }) },
  'log.keys': { scope: 'public', call: null },
  'organizations.create': { scope: 'admin', call: null },
  'organizations.list': { scope: 'events:read', call: null },
  'organizations.get': { scope: 'events:read', call: (c, org) => c.organizations.get({ organizationId: org }) },
  'organizations.setActionRegistry': { scope: 'admin', call: (c, org) => c.organizations.setActionRegistry({ organizationId: org, registry: null }) },
  'apiKeys.create': { scope: 'admin', call: (c, org) => c.apiKeys.create({ name: 'x', organizationId: org, scopes: ['events:read'] }) },
  'apiKeys.list': { scope: 'admin', call: (c, org) => c.apiKeys.list({ organizationId: org }) },
  'apiKeys.revoke': { scope: 'admin', call: null },
  'auth.whoami': { scope: 'public', call: null },
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: access control`, () => {
    let t: TTestDatabase;
    let custody: Custody;
    let exportDir: string;
    const keys: Record<string, string> = {};
    const caller = async (secret: string | undefined) => createCaller(await createContextInner({ custody, apiKey: secret }));

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      const { skey } = generateSigner('custody.test', { sha256: nodeSha256, ed25519: nodeEd25519 });
      exportDir = await mkdtemp(join(tmpdir(), 'custody-api-exports-'));
      custody = new Custody(t, { logName: 'custody.test', signingKey: signingKeyFromText(skey), apiKeyCacheMs: 0, exports: { directory: exportDir } });
      await custody.start();
      await custody.createOrganization({ id: 'org_a', name: 'A' });
      await custody.createOrganization({ id: 'org_b', name: 'B' });
      await custody.ingestor.ingest('org_b', [EVENT, EVENT]);
      await custody.checkpointer.checkpoint('org_b');
      for (const scope of ['events:write', 'events:read', 'export', 'admin'] as const) {
        keys[`a:${scope}`] = (await custody.apiKeys.create({ name: scope, organizationId: 'org_a', scopes: [scope] })).secret;
      }
      keys.root = (await custody.apiKeys.create({ name: 'root', organizationId: null, scopes: ['admin'] })).secret;
      keys.bRead = (await custody.apiKeys.create({ name: 'b', organizationId: 'org_b', scopes: ['events:read'] })).secret;
    });
    afterAll(async () => {
      await custody.close();
      await t.destroy();
      await rm(exportDir, { recursive: true, force: true });
    });

    it('has a row for every procedure of the router', () => {
      expect(Object.keys(CALLS).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    });

    for (const [path, { call }] of Object.entries(CALLS)) {
      if (call === null) continue;
      it(`${path}: an organization A key, whatever its scopes, is FORBIDDEN on organization B`, async () => {
        for (const scope of ['events:write', 'events:read', 'export', 'admin']) {
          expect(await codeOf(call(await caller(keys[`a:${scope}`]), 'org_b')), scope).toBe('FORBIDDEN');
        }
      });
      it(`${path}: with no key or a bad key, UNAUTHORIZED`, async () => {
        expect(await codeOf(call(await caller(undefined), 'org_b'))).toBe('UNAUTHORIZED');
        expect(await codeOf(call(await caller('custody_sk_nope'), 'org_b'))).toBe('UNAUTHORIZED');
      });
    }

    it('exports need the export scope: a read key is refused, an export key starts a job', async () => {
      const input = { organizationId: 'org_a', matter: { name: 'm', number: 'M-1' }, custodian: 'c', reason: 'r' };
      expect(await codeOf((await caller(keys['a:events:read'])).exports.create(input))).toBe('FORBIDDEN');
      const exporter = await caller(keys['a:export']);
      const started = await exporter.exports.create(input);
      // create returns at once, with the job queued or (its runner having begun already) running.
      expect(['queued', 'running']).toContain(started.status);
      expect((await exporter.exports.get({ organizationId: 'org_a', exportId: started.id })).id).toBe(started.id);
    });

    it('scopes: a read key cannot write and a write key cannot read', async () => {
      expect(await codeOf((await caller(keys['a:events:read'])).events.create({ organizationId: 'org_a', event: EVENT }))).toBe('FORBIDDEN');
      expect(await codeOf((await caller(keys['a:events:write'])).events.list({ organizationId: 'org_a' }))).toBe('FORBIDDEN');
      expect(await codeOf((await caller(keys['a:events:write'])).events.create({ organizationId: 'org_a', event: EVENT }))).toBe('OK');
    });

    it('organizations.list shows a bound key only its own organization', async () => {
      const orgs = await (await caller(keys['a:events:read'])).organizations.list();
      expect(orgs.map((o) => o.id)).toEqual(['org_a']);
      expect((await (await caller(keys.root)).organizations.list()).map((o) => o.id)).toEqual(['org_a', 'org_b']);
    });

    it('apiKeys.list without an organization lists a bound admin its own organization\'s keys, an unbound one every key', async () => {
      const own = await (await caller(keys['a:admin'])).apiKeys.list({});
      expect(own.length).toBeGreaterThan(0);
      expect(new Set(own.map((k) => k.organizationId))).toEqual(new Set(['org_a']));
      const all = await (await caller(keys.root)).apiKeys.list({});
      expect(new Set(all.map((k) => k.organizationId))).toEqual(new Set(['org_a', 'org_b', null]));
    });

    it('organizations.create needs an unbound admin key', async () => {
      expect(await codeOf((await caller(keys['a:admin'])).organizations.create({ name: 'C' }))).toBe('FORBIDDEN');
      // Said as it is: the key is bound (to its own organization), and the action is server-wide.
      const serverWide = 'this is a server-wide action, not one organization\'s: it needs an admin key bound to no organization, and this key is bound to "org_a"';
      for (const call of [
        async () => (await caller(keys['a:admin'])).organizations.create({ name: 'C' }),
        async () => (await caller(keys['a:events:read'])).organizations.create({ name: 'C' }),
        async () => (await caller(keys['a:admin'])).apiKeys.create({ name: 'every', organizationId: null, scopes: ['events:read'] }),
      ]) {
        await expect(call()).rejects.toThrow(serverWide);
      }
      expect(await codeOf((await caller(keys.root)).organizations.create({ id: 'org_c', name: 'C' }))).toBe('OK');
    });

    it('apiKeys.revoke: a bound admin cannot revoke another organization’s key; revocation takes effect', async () => {
      const created = await custody.apiKeys.create({ name: 'victim', organizationId: 'org_b', scopes: ['events:read'] });
      expect(await codeOf((await caller(keys['a:admin'])).apiKeys.revoke({ keyId: created.key.id }))).toBe('NOT_FOUND');
      expect(await codeOf((await caller(created.secret)).events.list({ organizationId: 'org_b' }))).toBe('OK');
      expect(await codeOf((await caller(keys.root)).apiKeys.revoke({ keyId: created.key.id }))).toBe('OK');
      expect(await codeOf((await caller(created.secret)).events.list({ organizationId: 'org_b' }))).toBe('UNAUTHORIZED');
    });

    it('auth.whoami describes the calling key', async () => {
      expect(await (await caller(keys['a:events:read'])).auth.whoami()).toMatchObject({ organizationId: 'org_a', scopes: ['events:read'], name: 'events:read' });
      expect(await codeOf((await caller(undefined)).auth.whoami())).toBe('UNAUTHORIZED');
    });

    it('log.checkpoints lists newest first on request', async () => {
      const newest = await (await caller(keys.bRead)).log.checkpoints({ organizationId: 'org_b', order: 'desc', limit: 1 });
      const all = await (await caller(keys.bRead)).log.checkpoints({ organizationId: 'org_b' });
      expect(newest[0]?.size).toBe(all.at(-1)?.size);
    });

    it('log.keys is public and lists the signing key', async () => {
      const { keys: published } = await (await caller(undefined)).log.keys();
      expect(published[0]?.vkey).toBe(custody.signingKey.vkey);
    });

    it('an organization B key reads B but not A', async () => {
      expect(await codeOf((await caller(keys.bRead)).events.list({ organizationId: 'org_b' }))).toBe('OK');
      expect(await codeOf((await caller(keys.bRead)).events.list({ organizationId: 'org_a' }))).toBe('FORBIDDEN');
    });

    it('errors carry the closed domain code and never a stack', async () => {
      try {
        await (await caller(keys.root)).log.checkpoint({ organizationId: 'org_zzz' });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code).toBe('NOT_FOUND');
      }
    });
  });
}
