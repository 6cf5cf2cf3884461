import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { createCustody } from '../src/create-custody';
import type { CustodyClient } from '../src/custody-client';
import type { TCustodyOptions } from '../src/custody-options';
import { createOrganization, logSize, makeEvent, recordingFetch, startTestServer } from './helpers';
import type { TTestServer } from './helpers';

/** An event of about `kb` KB: `kb * 2` metadata strings of 500 characters. */
function bigEvent(n: number, kb: number) {
  const metadata: Record<string, string | number> = { n };
  for (let i = 0; i < kb * 2; i++) metadata[`pad_${i}`] = String(i % 10).repeat(500);
  return makeEvent(n, { metadata });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: batching`, () => {
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

    async function setup(options: Partial<TCustodyOptions> = {}, target: TTestServer = server) {
      const organizationId = `org-${dialect}-${++orgCounter}`;
      const apiKey = await createOrganization(target, organizationId);
      const recorder = recordingFetch();
      const custody = createCustody({ url: target.url, apiKey, organizationId, fetch: recorder.fetch, ...options });
      clients.push(custody);
      return { organizationId, recorder, custody };
    }

    describe('when more than batch.maxEvents events are emitted at once', () => {
      it('sends full batches, then the rest, in emit order', async () => {
        // A long delay, so that only size cuts batches even on a loaded machine; flush() sends the rest.
        const { organizationId, recorder, custody } = await setup({ batch: { maxEvents: 100, maxDelayMs: 60_000 } });
        const emitted = Promise.all(Array.from({ length: 250 }, (_, i) => custody.emit(makeEvent(i))));
        await custody.flush();
        const results = await emitted;
        expect(recorder.batches().map((b) => b.events.length)).toEqual([100, 100, 50]);
        // One request per organization at a time: the log order is the emit order.
        expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i));
        expect(await logSize(server, organizationId)).toBe(250);
        expect(custody.stats()).toMatchObject({ sent: 250, queued: 0, inFlight: 0, retries: 0 });
      });
    });

    describe('when fewer events than a batch are emitted', () => {
      it('sends them together once batch.maxDelayMs has passed, without a flush', async () => {
        const { recorder, custody } = await setup({ batch: { maxEvents: 100, maxDelayMs: 30 } });
        const results = await Promise.all([custody.emit(makeEvent(1)), custody.emit(makeEvent(2)), custody.emit(makeEvent(3))]);
        expect(results.map((r) => r.seq)).toEqual([0, 1, 2]);
        expect(recorder.batches().map((b) => b.events.length)).toEqual([3]);
      });

      it('sends nothing before the delay, and everything on flush()', async () => {
        const { recorder, custody } = await setup({ batch: { maxEvents: 100, maxDelayMs: 60_000 } });
        const pending = [custody.emit(makeEvent(1)), custody.emit(makeEvent(2)), custody.emit(makeEvent(3))];
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(recorder.requests).toHaveLength(0);
        expect(custody.stats()).toMatchObject({ queued: 3, inFlight: 0 });
        await custody.flush();
        expect(recorder.batches().map((b) => b.events.length)).toEqual([3]);
        expect((await Promise.all(pending)).map((r) => r.seq)).toEqual([0, 1, 2]);
      });
    });

    describe('when events go to several organizations', () => {
      it('sends one batch per organization', async () => {
        const a = `org-${dialect}-${++orgCounter}`;
        const b = `org-${dialect}-${++orgCounter}`;
        const admin = server.client(server.adminKey);
        await admin.organizations.create.mutate({ id: a, name: a });
        await admin.organizations.create.mutate({ id: b, name: b });
        const recorder = recordingFetch();
        // An unbound key may write to every organization.
        const custody = createCustody({ url: server.url, apiKey: server.adminKey, fetch: recorder.fetch, batch: { maxDelayMs: 60_000 } });
        clients.push(custody);
        const pending = [0, 1, 2, 3, 4, 5].map((i) => custody.emit(makeEvent(i), { organizationId: i % 2 === 0 ? a : b }));
        await custody.flush();
        await Promise.all(pending);
        const batches = recorder.batches().map((x) => ({ organizationId: x.organizationId, count: x.events.length }));
        expect(batches.sort((x, y) => x.organizationId.localeCompare(y.organizationId))).toEqual([
          { organizationId: a, count: 3 },
          { organizationId: b, count: 3 },
        ]);
        expect(await logSize(server, a)).toBe(3);
        expect(await logSize(server, b)).toBe(3);
      });
    });

    describe('when the events would exceed batch.maxBytes', () => {
      it('cuts batches by size', async () => {
        const { organizationId, recorder, custody } = await setup({ batch: { maxEvents: 100, maxDelayMs: 60_000, maxBytes: 65_536 } });
        const pending = Array.from({ length: 10 }, (_, i) => custody.emit(bigEvent(i, 10)));
        await custody.flush();
        await Promise.all(pending);
        const bodies = recorder.requests.filter((r) => r.path === 'events.createBatch').map((r) => JSON.stringify(r.body).length);
        expect(bodies.length).toBeGreaterThanOrEqual(2);
        for (const length of bodies) expect(length).toBeLessThanOrEqual(65_536);
        expect(recorder.batches().reduce((sum, b) => sum + b.events.length, 0)).toBe(10);
        expect(await logSize(server, organizationId)).toBe(10);
      });
    });

    describe('when the server answers 413 because its body limit is lower than batch.maxBytes', () => {
      let small: TTestServer;
      beforeAll(async () => {
        small = await startTestServer(dialect, { CUSTODY_BODY_LIMIT: '100000' });
      });
      afterAll(() => small.close());

      it('halves the batch until each request fits, and loses nothing', async () => {
        const { organizationId, recorder, custody } = await setup({ batch: { maxEvents: 100, maxDelayMs: 60_000 } }, small);
        const pending = Array.from({ length: 10 }, (_, i) => custody.emit(bigEvent(i, 20)));
        await custody.flush();
        const results = await Promise.all(pending);
        expect(results.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        const sizes = recorder.batches().map((b) => b.events.length);
        expect(sizes[0]).toBe(10);
        expect(sizes.length).toBeGreaterThan(2);
        expect(await logSize(small, organizationId)).toBe(10);
        expect(custody.stats()).toMatchObject({ sent: 10, failed: 0 });
      });

      it('fails an event that alone exceeds the limit with PAYLOAD_TOO_LARGE', async () => {
        const tiny = await startTestServer(dialect, { CUSTODY_BODY_LIMIT: '5000' });
        try {
          const { custody } = await setup({ batch: { maxDelayMs: 0 } }, tiny);
          await expect(custody.emit(bigEvent(1, 10))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
          await custody.close();
        } finally {
          await tiny.close();
        }
      });
    });
  });
}
