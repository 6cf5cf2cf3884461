/**
 * The SDK against a stand-in server (`node:http`, real HTTP) that answers `events.createBatch` with
 * answers the real server never gives: nothing may be acknowledged on them. The first tests check that
 * the stand-in speaks tRPC, so a refusal below is the SDK's, not a transport failure.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { generateUuidV7 } from '@custody/schema';

import { createCustody } from '../src/create-custody';
import { CustodyClientError } from '../src/custody-client-error';
import type { CustodyClient } from '../src/custody-client';
import { makeEvent } from './helpers';

/** What the stand-in answers a batch with: the procedure's data (wrapped as tRPC does), or a raw body. */
type TAnswer = { readonly data: unknown } | { readonly raw: string; readonly contentType: string };
type TAnswerer = (events: readonly { idempotency_key: string }[]) => TAnswer;

interface TStandIn {
  readonly url: string;
  /** The `events.createBatch` requests it received. */
  readonly requests: () => number;
  readonly close: () => Promise<void>;
}

async function startStandIn(answer: TAnswerer): Promise<TStandIn> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url?.endsWith('/trpc/events.createBatch') !== true) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
        return;
      }
      requests += 1;
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: { idempotency_key: string }[] };
      const answered = answer(input.events);
      const [body, contentType] = 'raw' in answered ? [answered.raw, answered.contentType] : [JSON.stringify({ result: { data: answered.data } }), 'application/json'];
      response.writeHead(200, { 'content-type': contentType }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const accepted = (seq: unknown, id: unknown = generateUuidV7(), replayed = false) => ({ status: 'accepted', id, seq, replayed });
/** The data of an answer whose counts agree with its results, as the server's do. */
const batchAnswer = (results: readonly unknown[]): TAnswer => {
  const count = results.filter((r) => (r as { status?: unknown } | null)?.status === 'accepted').length;
  return { data: { accepted: count, rejected: results.length - count, results } };
};

describe('when the server answers a batch with what cannot be true', () => {
  const standIns: TStandIn[] = [];
  const clients: CustodyClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 1_000 })));
    await Promise.all(standIns.splice(0).map((s) => s.close()));
  });

  /** Emits `count` events in one batch to a stand-in answering with `answer`; returns each outcome. */
  async function emitTo(answer: TAnswerer, count = 3, events = Array.from({ length: count }, (_, i) => makeEvent(i))) {
    const standIn = await startStandIn(answer);
    standIns.push(standIn);
    const onError = vi.fn();
    // The batch is due when its last event is queued; a retry, if any, would be quick and counted.
    const custody = createCustody({
      url: standIn.url,
      apiKey: 'ck_test',
      organizationId: 'acme',
      onError,
      batch: { maxEvents: events.length, maxDelayMs: 60_000 },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
    });
    clients.push(custody);
    const outcomes = await Promise.allSettled(events.map((event) => custody.emit(event)));
    await custody.flush();
    await new Promise((resolve) => setImmediate(resolve)); // onError runs in a microtask after each rejection
    return { standIn, custody, onError, outcomes };
  }

  /** Asserts that no event was acknowledged: each rejected once with UNEXPECTED_RESPONSE naming `problem`. */
  async function expectNothingAcknowledged(answer: TAnswerer, problem: RegExp, count = 3): Promise<void> {
    const { standIn, custody, onError, outcomes } = await emitTo(answer, count);
    expect(outcomes.map((o) => o.status)).toEqual(Array(count).fill('rejected'));
    const errors = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as unknown) : undefined));
    for (const error of errors) {
      expect(error).toBeInstanceOf(CustodyClientError);
      expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', httpStatus: 200, organizationId: 'acme' });
      const { message, idempotencyKey } = error as CustodyClientError;
      expect(message).toMatch(/^events\.createBatch answered what cannot be a true answer: /);
      expect(message).toMatch(problem);
      expect(message).toContain('No event of the batch is acknowledged; each may or may not be in the log');
      expect(idempotencyKey).toMatch(/^custody-/);
    }
    expect(new Set(errors.map((e) => (e as CustodyClientError).idempotencyKey)).size).toBe(count);
    expect(standIn.requests()).toBe(1); // final, like every answer that is not the API's: not retried
    expect(custody.stats()).toMatchObject({ sent: 0, failed: count, inFlight: 0, queued: 0, retries: 0 });
    expect(onError).toHaveBeenCalledTimes(count);
  }

  describe('the stand-in, answering as the server does', () => {
    it('gets its answer acknowledged, so the refusals below are the checks', async () => {
      const ids = [generateUuidV7(), generateUuidV7(), generateUuidV7()];
      const { outcomes, standIn } = await emitTo(() => batchAnswer([accepted(10, ids[0]), accepted(11, ids[1]), accepted(4, ids[2], true)]));
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? [o.value.id, o.value.seq, o.value.replayed] : (o.reason as unknown)))).toEqual([
        [ids[0], 10, false],
        [ids[1], 11, false],
        [ids[2], 4, true],
      ]);
      expect(standIn.requests()).toBe(1);
    });

    it('may give one event, sent twice under one key, the same seq: the second is the first replayed', async () => {
      const id = generateUuidV7();
      const event = makeEvent(1, { idempotency_key: 'invoice-7' });
      const { outcomes } = await emitTo(() => batchAnswer([accepted(3, id), accepted(3, id, true)]), 2, [event, event]);
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? [o.value.id, o.value.seq, o.value.replayed] : (o.reason as unknown)))).toEqual([
        [id, 3, false],
        [id, 3, true],
      ]);
    });
  });

  it('acknowledges nothing when every event has the same seq', async () => {
    await expectNothingAcknowledged(() => batchAnswer([accepted(0), accepted(0), accepted(0)]), /results\[1\] and results\[0\] both have seq 0, for events with different idempotency keys/);
  });

  it('acknowledges nothing when two events of different keys are replays at one seq', async () => {
    const id = generateUuidV7();
    await expectNothingAcknowledged(() => batchAnswer([accepted(1), accepted(0, id, true), accepted(0, id, true)]), /both have seq 0, for events with different idempotency keys/);
  });

  it('acknowledges nothing when one id is at two seqs', async () => {
    const id = generateUuidV7();
    await expectNothingAcknowledged(() => batchAnswer([accepted(0, id), accepted(1, id), accepted(2)]), /results\[1\] and results\[0\] have the same id with different seqs/);
  });

  it.each([-1, 1.5, 2 ** 53, '2', null])('acknowledges nothing when a seq is %j, not a log position', async (seq) => {
    await expectNothingAcknowledged(() => batchAnswer([accepted(0), accepted(1), accepted(seq)]), /results\[2\] is accepted with seq .*, which is not a log position/);
  });

  it.each([42, 'evt_1', ''])('acknowledges nothing when an id is %j, not a lowercase UUIDv7', async (id) => {
    await expectNothingAcknowledged(() => batchAnswer([accepted(0, id), accepted(1), accepted(2)]), /results\[0\] is accepted with id .*, which is not an event id/);
  });

  it('acknowledges nothing when a result has an unknown status', async () => {
    await expectNothingAcknowledged(() => batchAnswer([accepted(0), { status: 'queued', id: generateUuidV7(), seq: 1 }, accepted(2)]), /results\[1\] has status "queued"/);
  });

  it('acknowledges nothing when a rejection has an unknown code', async () => {
    const rejection = { status: 'rejected', code: 'TEAPOT', message: 'no', issues: [] };
    await expectNothingAcknowledged(() => batchAnswer([accepted(0), rejection, accepted(1)]), /results\[1\] is rejected with code "TEAPOT"/);
  });

  it.each([
    ['fewer', 2, /it holds 2 results for 3 events/],
    ['more', 4, /it holds 4 results for 3 events/],
  ])('acknowledges nothing when there are %s results than events', async (_label, results, problem) => {
    await expectNothingAcknowledged(() => batchAnswer(Array.from({ length: results }, (_, i) => accepted(i))), problem);
  });

  it('acknowledges nothing when the counts contradict the results', async () => {
    await expectNothingAcknowledged(
      () => ({ data: { accepted: 0, rejected: 3, results: [accepted(0), accepted(1), accepted(2)] } }),
      /it counts 0 accepted and 3 rejected, but its results hold 3 and 0/,
    );
  });

  describe('when the answer is not the API at all (as before)', () => {
    it.each([
      ['JSON that is not a tRPC answer', { raw: '{"ok":true}', contentType: 'application/json' }],
      ['an HTML page', { raw: '<html>hello</html>', contentType: 'text/html' }],
    ])('settles every event with UNEXPECTED_RESPONSE after one request, for %s', async (_label, answer) => {
      const { outcomes, standIn, custody } = await emitTo(() => answer);
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'UNEXPECTED_RESPONSE', httpStatus: 200 } });
      expect(standIn.requests()).toBe(1);
      expect(custody.stats()).toMatchObject({ sent: 0, failed: 3 });
    });
  });
});
