import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { DIALECTS } from '@custody/db/testing';
import { defineActions } from '@custody/schema';

import { createCustody } from '../src/create-custody';
import { createOrganization, logSize, makeEvent, recordingFetch, startTestServer, unreachableUrl } from './helpers';
import type { TTestServer } from './helpers';

for (const dialect of DIALECTS) {
  describe(`${dialect}: flush and close`, () => {
    let server: TTestServer;
    let orgCounter = 0;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server.close());

    async function setup() {
      const organizationId = `org-${dialect}-${++orgCounter}`;
      const apiKey = await createOrganization(server, organizationId);
      const recorder = recordingFetch();
      // A long batch delay: nothing leaves unless flush() or close() sends it.
      const custody = createCustody({ url: server.url, apiKey, organizationId, fetch: recorder.fetch, batch: { maxDelayMs: 60_000 } });
      return { organizationId, recorder, custody };
    }

    describe('flush()', () => {
      describe('when events are queued', () => {
        it('sends them at once and resolves after every one is acknowledged', async () => {
          const { organizationId, custody } = await setup();
          const settled: number[] = [];
          const pending = [1, 2, 3, 4, 5].map((n) => custody.emit(makeEvent(n)).then(() => settled.push(n)));
          await custody.flush();
          expect(settled.sort()).toEqual([1, 2, 3, 4, 5]);
          expect(custody.stats()).toMatchObject({ queued: 0, inFlight: 0, sent: 5 });
          expect(await logSize(server, organizationId)).toBe(5);
          await Promise.all(pending);
          await custody.close();
        });
      });

      describe('when some events fail', () => {
        it('still resolves; the failures settle their own promises', async () => {
          const { organizationId, custody } = await setup();
          const actions = defineActions({ 'user.signed_in': { targets: ['account'] } });
          await server.client(server.adminKey).organizations.setActionRegistry.mutate({ organizationId, registry: actions.registry });
          const good = custody.emit(makeEvent(1));
          const bad = custody.emit(makeEvent(2, { targets: [{ id: 'inv_1', type: 'invoice' }] }));
          await expect(custody.flush()).resolves.toBeUndefined();
          await expect(good).resolves.toMatchObject({ seq: 0 });
          await expect(bad).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
          expect(custody.stats()).toMatchObject({ sent: 1, failed: 1 });
          await custody.close();
        });
      });

      describe('when nothing is queued', () => {
        it('resolves without sending anything', async () => {
          const { recorder, custody } = await setup();
          await custody.flush();
          expect(recorder.requests).toHaveLength(0);
          await custody.close();
        });
      });
    });

    describe('close()', () => {
      describe('when events are queued', () => {
        it('delivers them before resolving, then refuses new emits with CLOSED', async () => {
          const { organizationId, custody } = await setup();
          const pending = [1, 2, 3].map((n) => custody.emit(makeEvent(n)));
          const closing = custody.close();
          expect(custody.close()).toBe(closing);
          await expect(custody.emit(makeEvent(4))).rejects.toMatchObject({ code: 'CLOSED' });
          await closing;
          expect((await Promise.all(pending)).map((r) => r.seq)).toEqual([0, 1, 2]);
          expect(await logSize(server, organizationId)).toBe(3);
          await expect(custody.emit(makeEvent(5, { idempotency_key: 'late-1' }))).rejects.toMatchObject({
            code: 'CLOSED',
            idempotencyKey: 'late-1',
            organizationId,
            message: expect.stringContaining('is not in the log') as string,
          });
          expect(custody.stats()).toMatchObject({ closed: true, sent: 3, failed: 2 });
        });
      });
    });
  });
}

describe('close() with a deadline while the server is unreachable', () => {
  describe('when the deadline passes', () => {
    it('aborts, rejects every unconfirmed event with CLOSED and reports each to onError', async () => {
      const onError = vi.fn();
      const custody = createCustody({
        url: await unreachableUrl(),
        apiKey: 'ck_x',
        organizationId: 'acme',
        onError,
        batch: { maxEvents: 1, maxDelayMs: 0 },
        retry: { maxAttempts: Infinity, baseDelayMs: 20, maxDelayMs: 50 },
        queue: { maxEvents: 3, policy: 'block', blockTimeoutMs: 60_000 },
      });
      // One in flight, two waiting, one blocked.
      const pending = [1, 2, 3, 4].map((n) => custody.emit(makeEvent(n)));
      expect(custody.stats()).toMatchObject({ inFlight: 1, queued: 2, blocked: 1 });
      await custody.close({ timeoutMs: 100 });
      const outcomes = await Promise.allSettled(pending);
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'fulfilled'))).toEqual(['CLOSED', 'CLOSED', 'CLOSED', 'CLOSED']);
      // In flight: maybe logged; never sent: not logged. The messages say which.
      expect(((outcomes[0] as PromiseRejectedResult).reason as Error).message).toContain('may or may not');
      for (const index of [1, 2, 3]) expect(((outcomes[index] as PromiseRejectedResult).reason as Error).message).toContain('it is not in the log');
      expect(custody.stats()).toMatchObject({ queued: 0, inFlight: 0, blocked: 0, failed: 4 });
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(4));
    });
  });
});

describe('close() deadlines', () => {
  const stuckClient = async (onError = vi.fn(), fetch?: typeof globalThis.fetch) =>
    createCustody({
      url: await unreachableUrl(),
      apiKey: 'ck_x',
      organizationId: 'acme',
      onError,
      ...(fetch === undefined ? {} : { fetch }),
      batch: { maxEvents: 1, maxDelayMs: 0 },
      retry: { maxAttempts: Infinity, baseDelayMs: 20, maxDelayMs: 50 },
    });

  it('keeps the earliest deadline of several close() calls: a deadline given after a close() without one still applies', async () => {
    const custody = await stuckClient();
    const pending = [1, 2].map((n) => custody.emit(makeEvent(n)));
    const first = custody.close();
    const second = custody.close({ timeoutMs: 100 });
    expect(second).toBe(first);
    // A later, longer deadline does not postpone the earlier one.
    void custody.close({ timeoutMs: 60_000 });
    await first;
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'fulfilled'))).toEqual(['CLOSED', 'CLOSED']);
  });

  it('holds even with a fetch that ignores the abort signal and never answers', async () => {
    let calls = 0;
    // A custom fetch (a proxy agent, an instrumented wrapper) that neither answers nor honours init.signal.
    const deaf: typeof globalThis.fetch = () => {
      calls += 1;
      return new Promise<Response>(() => undefined);
    };
    const onError = vi.fn();
    const custody = await stuckClient(onError, deaf);
    const pending = custody.emit(makeEvent(1));
    await vi.waitFor(() => expect(calls).toBe(1));
    await custody.close({ timeoutMs: 200 });
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED', message: expect.stringContaining('may or may not') as string });
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
  });

  it('a request timeout holds with such a fetch too: the request is given up at timeoutMs and retried', async () => {
    let calls = 0;
    const deaf: typeof globalThis.fetch = () => {
      calls += 1;
      return new Promise<Response>(() => undefined);
    };
    const custody = createCustody({ url: 'http://127.0.0.1:9', apiKey: 'ck_x', organizationId: 'acme', fetch: deaf, timeoutMs: 100, batch: { maxDelayMs: 0 }, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    await expect(custody.emit(makeEvent(1))).rejects.toMatchObject({ code: 'RETRIES_EXHAUSTED', message: expect.stringContaining('no answer within 100 ms') as string });
    expect(calls).toBe(2);
    await custody.close();
  });
});

