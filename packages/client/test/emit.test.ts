import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { DIALECTS } from '@custody/db/testing';
import { defineActions } from '@custody/schema';

import { createCustody } from '../src/create-custody';
import { CustodyClientError } from '../src/custody-client-error';
import type { CustodyClient } from '../src/custody-client';
import { createOrganization, logSize, makeEvent, recordingFetch, startTestServer, unreachableUrl } from './helpers';
import type { TTestServer } from './helpers';

/** Awaits a promise expected to reject with a CustodyClientError. */
async function rejectionOf(promise: Promise<unknown>): Promise<CustodyClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CustodyClientError)) throw new Error(`expected a CustodyClientError, got ${String(error)}`);
  return error;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: emit`, () => {
    let server: TTestServer;
    const clients: CustodyClient[] = [];
    let orgCounter = 0;

    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 1_000 })));
    });
    afterAll(() => server.close());

    /** A fresh organization and an SDK client for it (closed after each test). */
    async function setup(options: { batch?: { maxEvents?: number; maxDelayMs?: number } } = {}) {
      const organizationId = `org-${dialect}-${++orgCounter}`;
      const apiKey = await createOrganization(server, organizationId);
      const recorder = recordingFetch();
      const onError = vi.fn();
      const custody = createCustody({ url: server.url, apiKey, organizationId, fetch: recorder.fetch, onError, batch: { maxDelayMs: 20, ...options.batch } });
      clients.push(custody);
      return { organizationId, apiKey, recorder, onError, custody };
    }

    describe('when the event is valid', () => {
      it('resolves with the id and seq the log holds, once committed', async () => {
        const { organizationId, custody } = await setup();
        const result = await custody.emit(makeEvent(1));
        expect(result).toMatchObject({ seq: 0, replayed: false, organizationId });
        expect(result.idempotencyKey).toMatch(/^custody-[0-9a-f]{8}-[0-9a-f]{4}-7/);
        const stored = await server.client(server.adminKey).events.get.query({ organizationId, id: result.id });
        expect(stored).toMatchObject({ seq: 0, action: 'user.signed_in', idempotency_key: result.idempotencyKey });
        expect(custody.stats()).toMatchObject({ sent: 1, failed: 0, queued: 0, inFlight: 0 });
      });

      it('keeps an idempotency key the caller gave, and does not modify the caller object', async () => {
        const { custody } = await setup();
        const event = makeEvent(1, { idempotency_key: 'order-42-created' });
        const withoutKey = makeEvent(2);
        const [a, b] = await Promise.all([custody.emit(event), custody.emit(withoutKey)]);
        expect(a.idempotencyKey).toBe('order-42-created');
        expect(b.idempotencyKey).not.toBe('order-42-created');
        expect('idempotency_key' in withoutKey).toBe(false);
      });

      it('accepts a Date as occurred_at', async () => {
        const { organizationId, custody } = await setup();
        const { id } = await custody.emit(makeEvent(1, { occurred_at: new Date('2026-03-01T10:00:00.250Z') }));
        expect((await server.client(server.adminKey).events.get.query({ organizationId, id })).occurred_at).toBe('2026-03-01T10:00:00.250Z');
      });

      it('writes to the organization named by the call rather than the default', async () => {
        const { custody } = await setup();
        const other = `org-${dialect}-other-${++orgCounter}`;
        await server.client(server.adminKey).organizations.create.mutate({ id: other, name: other });
        // The client's key is bound to its own organization: the server refuses, proving the call's id was used.
        const error = await rejectionOf(custody.emit(makeEvent(1), { organizationId: other }));
        expect(error).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, organizationId: other });
      });
    });

    describe('when the event is invalid locally', () => {
      it('rejects at once with the field paths, sends nothing and reports to onError', async () => {
        const { recorder, onError, custody } = await setup();
        const error = await rejectionOf(custody.emit(makeEvent(1, { targets: [{ id: 'x' }], occurred_at: 'yesterday' })));
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.issues.map((i) => i.path).sort()).toEqual(['occurred_at', 'targets[0].type']);
        expect(custody.stats()).toMatchObject({ queued: 0, inFlight: 0, failed: 1 });
        await custody.flush();
        expect(recorder.requests).toHaveLength(0);
        await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
        expect(onError.mock.calls[0]?.[0]).toBe(error);
      });

      it('rejects an organization id the server would refuse (a dot, 65 characters), and identifies the event', async () => {
        const { custody } = await setup();
        for (const organizationId of ['a.b', 'x'.repeat(65)]) {
          const error = await rejectionOf(custody.emit(makeEvent(1, { idempotency_key: 'mine-1' }), { organizationId }));
          expect(error).toMatchObject({ code: 'VALIDATION_FAILED', idempotencyKey: 'mine-1', organizationId });
          expect(error.issues).toEqual([expect.objectContaining({ path: 'organizationId', code: 'invalid_format' })]);
        }
        expect(() => createCustody({ url: server.url, apiKey: 'ck_x', organizationId: 'a.b' })).toThrow(/organizationId/);
      });

      it('identifies an invalid event by its own idempotency key and organization', async () => {
        const { organizationId, custody } = await setup();
        const error = await rejectionOf(custody.emit(makeEvent(1, { idempotency_key: 'mine-2', occurred_at: 'yesterday' })));
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED', idempotencyKey: 'mine-2', organizationId });
      });

      it('rejects an emit without any organization id', async () => {
        const apiKey = await createOrganization(server, `org-${dialect}-${++orgCounter}`);
        const custody = createCustody({ url: server.url, apiKey });
        clients.push(custody);
        const error = await rejectionOf(custody.emit(makeEvent(1)));
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.issues).toEqual([expect.objectContaining({ path: 'organizationId', code: 'required' })]);
      });
    });

    describe('when the server rejects one event of a batch (registry rule)', () => {
      it('settles only that event, with the server issues, and commits the others', async () => {
        const { organizationId, recorder, onError, custody } = await setup({ batch: { maxEvents: 3, maxDelayMs: 60_000 } });
        const actions = defineActions({ 'user.signed_in': { metadata: { method: { type: 'string', enum: ['password', 'sso'] }, n: 'number' } } });
        await server.client(server.adminKey).organizations.setActionRegistry.mutate({ organizationId, registry: actions.registry });

        const results = await Promise.allSettled([
          custody.emit(makeEvent(1)),
          custody.emit(makeEvent(2, { metadata: { method: 'magic', n: 2 } })),
          custody.emit(makeEvent(3)),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        const rejected = results[1] as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(CustodyClientError);
        expect(rejected.reason).toMatchObject({ code: 'VALIDATION_FAILED', serverCode: 'VALIDATION_FAILED' });
        expect((rejected.reason as CustodyClientError).issues).toEqual([expect.objectContaining({ path: 'metadata.method', code: 'invalid_value' })]);
        expect(recorder.batches()).toHaveLength(1);
        expect(await logSize(server, organizationId)).toBe(2);
        expect(custody.stats()).toMatchObject({ sent: 2, failed: 1, retries: 0 });
        await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
      });
    });

    describe('when an idempotency key is reused', () => {
      it('replays the original for the same event and rejects a different one with IDEMPOTENCY_CONFLICT', async () => {
        const { organizationId, custody } = await setup();
        const first = await custody.emit(makeEvent(1, { idempotency_key: 'invoice-7' }));
        const again = await custody.emit(makeEvent(1, { idempotency_key: 'invoice-7' }));
        expect(again).toMatchObject({ id: first.id, seq: first.seq, replayed: true });
        const conflict = await rejectionOf(custody.emit(makeEvent(2, { idempotency_key: 'invoice-7' })));
        expect(conflict.code).toBe('IDEMPOTENCY_CONFLICT');
        expect(conflict.idempotencyKey).toBe('invoice-7');
        expect(conflict.issues[0]?.path).toBe('idempotency_key');
        expect(await logSize(server, organizationId)).toBe(1);
      });

      it('within one batch too: the second gets the first seq, replayed, and the answer is acknowledged', async () => {
        // The one case where two results of an answer share a seq; the SDK's answer checks must allow it.
        const { organizationId, recorder, custody } = await setup({ batch: { maxEvents: 3, maxDelayMs: 60_000 } });
        const [first, again, conflict] = await Promise.allSettled([
          custody.emit(makeEvent(1, { idempotency_key: 'invoice-8' })),
          custody.emit(makeEvent(1, { idempotency_key: 'invoice-8' })),
          custody.emit(makeEvent(2, { idempotency_key: 'invoice-8' })),
        ]);
        expect(recorder.batches()).toHaveLength(1);
        if (first?.status !== 'fulfilled') throw new Error('the first event was not acknowledged');
        expect(first.value).toMatchObject({ seq: 0, replayed: false });
        expect(again).toMatchObject({ status: 'fulfilled', value: { id: first.value.id, seq: 0, replayed: true } });
        expect(conflict).toMatchObject({ status: 'rejected', reason: { code: 'IDEMPOTENCY_CONFLICT' } });
        expect(await logSize(server, organizationId)).toBe(1);
      });
    });

    describe('when the server refuses the request as a whole', () => {
      it.each([
        ['an unknown API key', 'UNAUTHORIZED', 401],
        ['a key of another organization', 'FORBIDDEN', 403],
        ['an organization that does not exist', 'NOT_FOUND', 404],
      ] as const)('settles every event of the batch after one attempt, for %s (%s)', async (_label, code, status) => {
        const organizationId = `org-${dialect}-${++orgCounter}`;
        const ownKey = await createOrganization(server, organizationId);
        const otherKey = await createOrganization(server, `org-${dialect}-${++orgCounter}`);
        const [apiKey, target] =
          code === 'UNAUTHORIZED' ? ['ck_not_a_real_key', organizationId] : code === 'FORBIDDEN' ? [otherKey, organizationId] : [server.adminKey, 'no-such-org'];
        const recorder = recordingFetch();
        // Both events in one batch whatever the timing: it is due when the second is queued.
        const custody = createCustody({ url: server.url, apiKey, organizationId: target, fetch: recorder.fetch, batch: { maxEvents: 2, maxDelayMs: 60_000 }, retry: { baseDelayMs: 1 } });
        clients.push(custody);
        const errors = await Promise.all([rejectionOf(custody.emit(makeEvent(1))), rejectionOf(custody.emit(makeEvent(2)))]);
        for (const error of errors) expect(error).toMatchObject({ code, httpStatus: status });
        expect(new Set(errors.map((e) => e.idempotencyKey)).size).toBe(2);
        expect(recorder.batches()).toHaveLength(1);
        expect(custody.stats().retries).toBe(0);
        void ownKey;
      });
    });

    describe('when the caller never awaits', () => {
      it('never raises an unhandled rejection and reports every failure to onError', async () => {
        const unhandled: unknown[] = [];
        const listener = (reason: unknown) => unhandled.push(reason);
        process.on('unhandledRejection', listener);
        try {
          const onError = vi.fn();
          const custody = createCustody({ url: await unreachableUrl(), apiKey: 'ck_x', organizationId: 'acme', onError, retry: { maxAttempts: 1 }, batch: { maxDelayMs: 0 } });
          clients.push(custody);
          void custody.emit(makeEvent(1, { action: 'NOT VALID' }));
          void custody.emit(makeEvent(2));
          await custody.flush();
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(onError).toHaveBeenCalledTimes(2);
          expect(onError.mock.calls.map(([e]) => (e as CustodyClientError).code).sort()).toEqual(['RETRIES_EXHAUSTED', 'VALIDATION_FAILED']);
          expect(unhandled).toEqual([]);
        } finally {
          process.off('unhandledRejection', listener);
        }
      });

      it('ignores an async onError that fails, as a throwing one: no unhandled rejection', async () => {
        const unhandled: unknown[] = [];
        const listener = (reason: unknown) => unhandled.push(reason);
        process.on('unhandledRejection', listener);
        try {
          let called = 0;
          const custody = createCustody({
            url: await unreachableUrl(),
            apiKey: 'ck_x',
            organizationId: 'acme',
            // A log shipper that is down: the handler's promise rejects. (The lint rule names the trap; a `=> void`
            // type admits the handler all the same.)
            // eslint-disable-next-line @typescript-eslint/no-misused-promises
            onError: async () => {
              called += 1;
              await Promise.resolve();
              throw new Error('log shipper down');
            },
          });
          clients.push(custody);
          void custody.emit(makeEvent(1, { action: 'NOT VALID' }));
          await vi.waitFor(() => expect(called).toBe(1));
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(unhandled).toEqual([]);
        } finally {
          process.off('unhandledRejection', listener);
        }
      });
    });
  });
}
