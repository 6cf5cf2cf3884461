import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { createCustody } from '../src/create-custody';
import type { CustodyClient } from '../src/custody-client';
import type { TCustodyOptions, TFetch } from '../src/custody-options';
import { createOrganization, logSize, makeEvent, recordingFetch, startTestServer, unreachableUrl, waitFor } from './helpers';
import type { TTestServer } from './helpers';

const isBatch = (input: string | URL | Request): boolean => String(input instanceof Request ? input.url : input).includes('events.createBatch');

/** Short, bounded backoff so retries happen quickly in tests. */
const FAST_RETRY = { maxAttempts: Infinity, baseDelayMs: 10, maxDelayMs: 100 };

for (const dialect of DIALECTS) {
  describe(`${dialect}: retries`, () => {
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

    async function setup(fetchImpl: TFetch | undefined, options: Partial<TCustodyOptions> = {}, target: TTestServer = server) {
      const organizationId = `org-${dialect}-${++orgCounter}`;
      const apiKey = await createOrganization(target, organizationId);
      const recorder = recordingFetch(fetchImpl);
      const custody = createCustody({ url: target.url, apiKey, organizationId, fetch: recorder.fetch, retry: FAST_RETRY, batch: { maxDelayMs: 10 }, ...options });
      clients.push(custody);
      return { organizationId, recorder, custody, apiKey };
    }

    describe('when the response is lost after the server committed the batch', () => {
      it('retries with the same idempotency keys: the log holds each event once and the result says replayed', async () => {
        let dropped = 0;
        const losing: TFetch = async (input, init) => {
          const response = await fetch(input, init);
          if (isBatch(input) && dropped === 0) {
            dropped += 1;
            await response.text(); // the server answered: the batch is committed
            throw new TypeError('fetch failed (simulated: the connection dropped before the response arrived)');
          }
          return response;
        };
        const { organizationId, recorder, custody } = await setup(losing, { batch: { maxEvents: 5, maxDelayMs: 60_000 } });
        const results = await Promise.all([1, 2, 3, 4, 5].map((n) => custody.emit(makeEvent(n))));

        expect(dropped).toBe(1);
        expect(recorder.batches()).toHaveLength(2);
        expect(results.every((r) => r.replayed)).toBe(true);
        expect(await logSize(server, organizationId)).toBe(5);
        const listed = await server.client(server.adminKey).events.list.query({ organizationId, order: 'asc' });
        expect(listed.events.map((e) => e.id)).toEqual(results.map((r) => r.id));
        expect(listed.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
        expect(custody.stats()).toMatchObject({ sent: 5, failed: 0, retries: 1 });
      });
    });

    describe('when a request times out after the server committed it', () => {
      it('aborts it, retries, and logs nothing twice', async () => {
        let slowed = 0;
        const slow: TFetch = async (input, init) => {
          if (!isBatch(input) || slowed > 0) return fetch(input, init);
          slowed += 1;
          // Deliver the request without the client's signal, so the server commits it whatever happens…
          const { signal, ...rest } = init ?? {};
          await (await fetch(input, rest)).text();
          // …then hold the answer back until the client gives up on it.
          return new Promise<Response>((_, reject) => {
            if (signal?.aborted === true) reject(new DOMException('aborted', 'AbortError'));
            signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
          });
        };
        const { organizationId, recorder, custody } = await setup(slow, { timeoutMs: 1_000, batch: { maxEvents: 3, maxDelayMs: 60_000 } });
        const results = await Promise.all([1, 2, 3].map((n) => custody.emit(makeEvent(n))));
        expect(slowed).toBe(1);
        expect(recorder.batches()).toHaveLength(2);
        expect(results.map((r) => [r.seq, r.replayed])).toEqual([
          [0, true],
          [1, true],
          [2, true],
        ]);
        expect(await logSize(server, organizationId)).toBe(3);
      });
    });

    describe('when the server is down, then restarted on the same port and database', () => {
      it('keeps retrying and delivers every event exactly once after the restart', async () => {
        const { organizationId, custody } = await setup(undefined, { batch: { maxEvents: 10, maxDelayMs: 10 } });
        const before = await Promise.all([1, 2, 3].map((n) => custody.emit(makeEvent(n))));
        expect(before.map((r) => r.seq)).toEqual([0, 1, 2]);

        await server.stop();
        try {
          const during = Array.from({ length: 20 }, (_, i) => custody.emit(makeEvent(100 + i)));
          await waitFor(() => custody.stats().retries >= 3);
          expect(custody.stats()).toMatchObject({ sent: 3, failed: 0 });
          expect(custody.stats().queued + custody.stats().inFlight).toBe(20);
          await server.restart();
          const results = await Promise.all(during);
          expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 3 + i));
        } finally {
          await server.restart();
        }
        expect(await logSize(server, organizationId)).toBe(23);
      });
    });

    describe('when a proxy answers 503 pages at first', () => {
      it('retries until the server answers, and never resends twice what was not committed', async () => {
        let refused = 0;
        const flaky: TFetch = (input, init) => {
          if (isBatch(input) && refused < 2) {
            refused += 1;
            return Promise.resolve(new Response('<h1>503 Service Unavailable</h1>', { status: 503, headers: { 'content-type': 'text/html', 'retry-after': '0' } }));
          }
          return fetch(input, init);
        };
        const onError = vi.fn();
        // One batch of both events whatever the timing: it is due when the second is queued, never by the clock
        // (with a 10 ms delay, a loaded machine could send the first alone).
        const { organizationId, recorder, custody } = await setup(flaky, { onError, batch: { maxEvents: 2, maxDelayMs: 60_000 } });
        const results = await Promise.all([1, 2].map((n) => custody.emit(makeEvent(n))));
        expect(results.map((r) => [r.seq, r.replayed])).toEqual([
          [0, false],
          [1, false],
        ]);
        expect(recorder.batches()).toHaveLength(3);
        expect(custody.stats().retries).toBe(2);
        expect(onError).not.toHaveBeenCalled();
        expect(await logSize(server, organizationId)).toBe(2);
      });
    });

    describe('when the server rate-limits the key (429 with retryAfterMs)', () => {
      let limited: TTestServer;
      beforeAll(async () => {
        // 1 request per second, burst 2.
        limited = await startTestServer(dialect, { CUSTODY_RATE_LIMIT: '1' });
      });
      afterAll(() => limited.close());

      it('waits at least the hinted time before retrying, and delivers everything', async () => {
        const seen: { at: number; status: number; retryAfterMs?: number }[] = [];
        const observing: TFetch = async (input, init) => {
          const response = await fetch(input, init);
          if (isBatch(input)) {
            const entry: { at: number; status: number; retryAfterMs?: number } = { at: Date.now(), status: response.status };
            if (response.status === 429) {
              const body = (await response.clone().json()) as { error: { data: { appError: { details: { retryAfterMs: number } } } } };
              entry.retryAfterMs = body.error.data.appError.details.retryAfterMs;
            }
            seen.push(entry);
          }
          return response;
        };
        // One event per request, so the key runs out of tokens.
        const { organizationId, custody, apiKey } = await setup(observing, { batch: { maxEvents: 1, maxDelayMs: 0 }, retry: { maxAttempts: Infinity, baseDelayMs: 1, maxDelayMs: 5_000 } }, limited);
        // Empty the key's bucket first, so the SDK meets the limit however slowly a loaded machine answers.
        await Promise.all(Array.from({ length: 12 }, () => fetch(`${limited.url}/trpc/auth.whoami`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.text())));
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => custody.emit(makeEvent(i))));
        expect(results.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);

        const throttled = seen.findIndex((s) => s.status === 429);
        expect(throttled).toBeGreaterThanOrEqual(0);
        const hint = seen[throttled]?.retryAfterMs ?? 0;
        expect(hint).toBeGreaterThan(0);
        const next = seen[throttled + 1];
        expect(next).toBeDefined();
        // A lower bound only (timers never fire early by more than a millisecond or so).
        expect((next?.at ?? 0) - (seen[throttled]?.at ?? 0)).toBeGreaterThanOrEqual(hint - 5);
        expect(custody.stats().retries).toBeGreaterThanOrEqual(1);
        expect(await logSize(limited, organizationId)).toBe(6);
      });
    });
  });
}

describe('retries against an unreachable server', () => {
  describe('when every attempt fails', () => {
    it('rejects each event with RETRIES_EXHAUSTED after retry.maxAttempts, with the last error as cause', async () => {
      const recorder = recordingFetch();
      const onError = vi.fn();
      const custody = createCustody({
        url: await unreachableUrl(),
        apiKey: 'ck_x',
        organizationId: 'acme',
        fetch: recorder.fetch,
        onError,
        batch: { maxDelayMs: 0 },
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      });
      const outcomes = await Promise.allSettled([custody.emit(makeEvent(1)), custody.emit(makeEvent(2))]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason as Error;
        expect(reason).toMatchObject({ code: 'RETRIES_EXHAUSTED' });
        expect(reason.message).toContain('3 attempts');
        expect(reason.cause).toBeDefined();
      }
      // The two events were sent separately (the first left alone at once), three attempts each.
      expect(recorder.batches().length).toBe(6);
      expect(custody.stats()).toMatchObject({ retries: 4, failed: 2, sent: 0, queued: 0, inFlight: 0 });
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(2));
      await custody.close();
    });
  });
});
