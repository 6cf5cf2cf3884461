import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { createCustody } from '../src/create-custody';
import { CustodyClientError } from '../src/custody-client-error';
import type { CustodyClient } from '../src/custody-client';
import type { TQueuePolicy } from '../src/custody-options';
import { createOrganization, logSize, makeEvent, startTestServer, unreachableUrl, waitFor } from './helpers';
import type { TTestServer } from './helpers';

/** Settles to the rejection reason, or fails if the promise resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<CustodyClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CustodyClientError)) throw new Error(`expected a CustodyClientError, got ${String(error)}`);
  return error;
}

/** True once the promise has settled (checked after a macrotask). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  return settled;
}

describe('queue policies while the server is unreachable', () => {
  const clients: CustodyClient[] = [];
  let url: string;
  beforeAll(async () => {
    url = await unreachableUrl();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 0 })));
  });

  /**
   * A client whose first event is sent at once and then retried forever (the server is down), with one
   * event per request: with queue.maxEvents 3, the first event is in flight and two more wait.
   */
  function stuckClient(policy: TQueuePolicy, maxEvents = 3, extra: { blockTimeoutMs?: number } = {}) {
    const onError = vi.fn();
    const custody = createCustody({
      url,
      apiKey: 'ck_x',
      organizationId: 'acme',
      onError,
      batch: { maxEvents: 1, maxDelayMs: 0 },
      retry: { maxAttempts: Infinity, baseDelayMs: 20, maxDelayMs: 50 },
      queue: { maxEvents, policy, ...extra },
    });
    clients.push(custody);
    return { custody, onError };
  }

  describe("when the policy is 'reject'", () => {
    it('rejects the new event with QUEUE_FULL at once and keeps the queued ones', async () => {
      const { custody, onError } = stuckClient('reject');
      const held = [1, 2, 3].map((n) => custody.emit(makeEvent(n)));
      expect(custody.stats()).toMatchObject({ inFlight: 1, queued: 2 });
      const error = await rejectionOf(custody.emit(makeEvent(4, { idempotency_key: 'the-fourth' })));
      expect(error).toMatchObject({ code: 'QUEUE_FULL', idempotencyKey: 'the-fourth' });
      expect(custody.stats()).toMatchObject({ inFlight: 1, queued: 2, failed: 1, dropped: 0 });
      for (const promise of held) expect(await isSettled(promise)).toBe(false);
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    });
  });

  describe("when the policy is 'drop-oldest'", () => {
    it('drops the oldest waiting event (not the one in flight), rejects it with QUEUE_FULL and reports it', async () => {
      const { custody, onError } = stuckClient('drop-oldest');
      const first = custody.emit(makeEvent(1, { idempotency_key: 'k-1' }));
      const second = custody.emit(makeEvent(2, { idempotency_key: 'k-2' }));
      const third = custody.emit(makeEvent(3, { idempotency_key: 'k-3' }));
      const fourth = custody.emit(makeEvent(4, { idempotency_key: 'k-4' }));

      const dropped = await rejectionOf(second);
      expect(dropped).toMatchObject({ code: 'QUEUE_FULL', idempotencyKey: 'k-2' });
      expect(dropped.message).toContain('dropped');
      expect(custody.stats()).toMatchObject({ inFlight: 1, queued: 2, dropped: 1, failed: 1 });
      for (const promise of [first, third, fourth]) expect(await isSettled(promise)).toBe(false);
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
      expect(onError.mock.calls[0]?.[0]).toBe(dropped);
      expect((onError.mock.calls[0]?.[1] as { event: { idempotency_key: string } }).event.idempotency_key).toBe('k-2');
    });

    it('refuses the new event when every held event is in flight (those may already be logged)', async () => {
      const { custody } = stuckClient('drop-oldest', 1);
      const first = custody.emit(makeEvent(1));
      expect(await rejectionOf(custody.emit(makeEvent(2)))).toMatchObject({ code: 'QUEUE_FULL' });
      expect(await isSettled(first)).toBe(false);
      expect(custody.stats().dropped).toBe(0);
    });
  });

  describe("when the policy is 'block'", () => {
    it('makes emit wait for space, then rejects it with QUEUE_FULL after queue.blockTimeoutMs', async () => {
      const { custody } = stuckClient('block', 2, { blockTimeoutMs: 100 });
      const held = [custody.emit(makeEvent(1)), custody.emit(makeEvent(2))];
      const waiting = custody.emit(makeEvent(3));
      expect(custody.stats()).toMatchObject({ inFlight: 1, queued: 1, blocked: 1 });
      const error = await rejectionOf(waiting);
      expect(error.code).toBe('QUEUE_FULL');
      expect(error.message).toContain('100 ms');
      expect(custody.stats()).toMatchObject({ blocked: 0, failed: 1 });
      for (const promise of held) expect(await isSettled(promise)).toBe(false);
    });

    it('refuses at once when as many emits already wait as the queue holds', async () => {
      const { custody } = stuckClient('block', 1, { blockTimeoutMs: 60_000 });
      void custody.emit(makeEvent(1));
      void custody.emit(makeEvent(2));
      expect(custody.stats().blocked).toBe(1);
      expect(await rejectionOf(custody.emit(makeEvent(3)))).toMatchObject({ code: 'QUEUE_FULL' });
    });
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: the block policy across a server outage`, () => {
    let server: TTestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server.close());

    describe('when space frees up because the server came back', () => {
      it('admits the blocked emits in order and loses nothing', async () => {
        const apiKey = await createOrganization(server, 'acme');
        const custody = createCustody({
          url: server.url,
          apiKey,
          organizationId: 'acme',
          batch: { maxEvents: 1, maxDelayMs: 0 },
          retry: { maxAttempts: Infinity, baseDelayMs: 10, maxDelayMs: 100 },
          queue: { maxEvents: 2, policy: 'block', blockTimeoutMs: 60_000 },
        });
        try {
          await server.stop();
          const pending = [1, 2, 3, 4].map((n) => custody.emit(makeEvent(n)));
          expect(custody.stats()).toMatchObject({ inFlight: 1, queued: 1, blocked: 2 });
          await waitFor(() => custody.stats().retries >= 2);
          await server.restart();
          const results = await Promise.all(pending);
          expect(results.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
          expect(await logSize(server, 'acme')).toBe(4);
          expect(custody.stats()).toMatchObject({ sent: 4, failed: 0, blocked: 0, queued: 0, inFlight: 0 });
        } finally {
          await server.restart();
          await custody.close({ timeoutMs: 1_000 });
        }
      });
    });
  });
}
