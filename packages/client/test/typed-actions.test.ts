import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { defineActions } from '@custody/schema';
import type { TActionEventInput, TEventInputDraft } from '@custody/schema';

import { createCustody } from '../src/create-custody';
import type { TCustodyApi } from '../src/custody-client';
import type { TCustodyEvent, TEmitResult } from '../src/custody-event';
import { createOrganization, logSize, recordingFetch, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

const actions = defineActions({
  'user.signed_in': {
    targets: ['account'],
    metadata: { method: { type: 'string', enum: ['password', 'sso'] }, mfa: 'boolean?' },
  },
  'document.deleted': { targets: { types: ['document'], min: 1, max: 1 }, version: 2 },
});

const signedIn = {
  action: 'user.signed_in',
  occurred_at: '2026-03-01T10:00:00Z',
  actor: { id: 'u_1', type: 'user' },
  targets: [{ id: 'acct_1', type: 'account' }],
  context: { location: '203.0.113.7' },
  metadata: { method: 'sso', mfa: true },
} satisfies TActionEventInput<typeof actions>;

describe('typed actions', () => {
  describe('when the client is created with actions', () => {
    it('types emit with the declared actions only', () => {
      const custody = createCustody({ url: 'http://localhost:4000', apiKey: 'ck_x', organizationId: 'acme', actions });
      expectTypeOf(custody.emit).parameter(0).toEqualTypeOf<TActionEventInput<typeof actions>>();
      expectTypeOf(custody.emit).returns.toEqualTypeOf<Promise<TEmitResult>>();
      expectTypeOf<TCustodyEvent<typeof actions>['action']>().toEqualTypeOf<'user.signed_in' | 'document.deleted'>();

      // Never called: these lines are checked by the compiler only.
      const typeErrors = () => {
        // @ts-expect-error an undeclared action
        void custody.emit({ ...signedIn, action: 'user.deleted' });
        // @ts-expect-error a metadata value outside the enum
        void custody.emit({ ...signedIn, metadata: { method: 'magic' } });
        // @ts-expect-error a required metadata key is missing
        void custody.emit({ ...signedIn, metadata: { mfa: true } });
        // @ts-expect-error version 2 is required for document.deleted
        void custody.emit({ ...signedIn, action: 'document.deleted', targets: [{ id: 'd', type: 'document' }], metadata: undefined });
        void custody.emit({ ...signedIn, action: 'document.deleted', version: 2, targets: [{ id: 'd', type: 'document' }], metadata: {} });
        void custody.emit(signedIn);
      };
      void typeErrors;
      void custody.close();
    });

    it('checks the registry locally: an event the compiler was told to accept is refused before sending', async () => {
      const recorder = recordingFetch();
      const custody = createCustody({ url: 'http://127.0.0.1:9', apiKey: 'ck_x', organizationId: 'acme', actions, fetch: recorder.fetch });
      const wrong = { ...signedIn, targets: [{ id: 'inv_1', type: 'invoice' }] } as unknown as TActionEventInput<typeof actions>;
      await expect(custody.emit(wrong)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [expect.objectContaining({ path: 'targets[0].type', code: 'not_allowed' })],
      });
      await custody.close();
      expect(recorder.requests).toHaveLength(0);
    });
  });

  describe('when the client is typed with a type argument only', () => {
    it('types emit the same way, without a local registry', () => {
      const custody = createCustody<typeof actions>({ url: 'http://localhost:4000', apiKey: 'ck_x', organizationId: 'acme' });
      expectTypeOf(custody.emit).parameter(0).toEqualTypeOf<TActionEventInput<typeof actions>>();
      void custody.close();
    });
  });

  describe('when the client is created without actions', () => {
    it('accepts any event of the Custody format', () => {
      const custody = createCustody({ url: 'http://localhost:4000', apiKey: 'ck_x' });
      expectTypeOf(custody.emit).parameter(0).toEqualTypeOf<TEventInputDraft>();
      const typeErrors = () => {
        // @ts-expect-error actor is required by the format
        void custody.emit({ action: 'a.b', occurred_at: new Date(), context: { location: '::1' } });
      };
      void typeErrors;
      void custody.close();
    });
  });

  describe('the raw API client', () => {
    it('is typed from AppRouter', () => {
      const custody = createCustody({ url: 'http://localhost:4000', apiKey: 'ck_x' });
      expectTypeOf(custody.api).toEqualTypeOf<TCustodyApi>();
      type TListed = Awaited<ReturnType<typeof custody.api.events.list.query>>;
      expectTypeOf<TListed['nextCursor']>().toEqualTypeOf<string | null>();
      type TBatch = Awaited<ReturnType<typeof custody.api.events.createBatch.mutate>>;
      expectTypeOf<TBatch['results'][number]['status']>().toEqualTypeOf<'accepted' | 'rejected'>();
      /* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- a procedure that does not exist is untyped */
      const typeErrors = () => {
        // @ts-expect-error there is no such procedure
        void custody.api.events.remove.mutate({ organizationId: 'acme' });
        // @ts-expect-error organizationId is required
        void custody.api.events.list.query({});
      };
      /* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
      void typeErrors;
      void custody.close();
    });
  });
});

describe('typed actions against the server', () => {
  let server: TTestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(() => server.close());

  describe('when the same registry is stored on the server', () => {
    it('delivers typed events, and the raw API reads them back', async () => {
      const apiKey = await createOrganization(server, 'acme');
      await server.client(server.adminKey).organizations.setActionRegistry.mutate({ organizationId: 'acme', registry: actions.registry });
      const custody = createCustody({ url: server.url, apiKey, organizationId: 'acme', actions, batch: { maxDelayMs: 10 } });
      const results = await Promise.all([
        custody.emit(signedIn),
        custody.emit({ ...signedIn, action: 'document.deleted', version: 2, targets: [{ id: 'doc_1', type: 'document' }], metadata: {} }),
      ]);
      expect(results.map((r) => r.seq)).toEqual([0, 1]);
      const listed = await custody.api.events.list.query({ organizationId: 'acme', order: 'asc' });
      expect(listed.events.map((e) => [e.action, e.version])).toEqual([
        ['user.signed_in', 1],
        ['document.deleted', 2],
      ]);
      expect(await logSize(server, 'acme')).toBe(2);
      await custody.close();
    });
  });
});
