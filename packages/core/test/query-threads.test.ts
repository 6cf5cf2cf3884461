/**
 * Queries on reader threads (a real SQLite file): the same answers and errors as on the calling thread,
 * reads that see every acknowledged event, and calls given up on (timeout, closed request, full queue,
 * a database the threads cannot open) answered at once with their closed code, the pool still serving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { migrateToLatest, openDatabase } from '@custody/db';
import type { CustodyDatabase } from '@custody/db';
import { generateSigner } from '@custody/ledger';

import { Custody, EventQueries, EventQueryThreads, nodeEd25519, nodeSha256, signingKeyFromText } from '../src/index';
import type { TEventFilter, TEventPage } from '../src/index';
import { LOG_NAME, event } from './helpers';

const DAY = 86_400_000;

describe('sqlite file: queries on reader threads', () => {
  let dir: string;
  let file: string;
  let database: CustodyDatabase;
  let custody: Custody;
  let inProcess: EventQueries;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-readers-'));
    file = join(dir, 'custody.db');
    database = await openDatabase({ url: file });
    await migrateToLatest(database.db, database.dialect);
    const signer = generateSigner(LOG_NAME, { sha256: nodeSha256, ed25519: nodeEd25519 });
    custody = new Custody(database, { logName: LOG_NAME, signingKey: signingKeyFromText(signer.skey), checkpoints: { intervalMs: 50 } });
    await custody.start();
    await custody.createOrganization({ id: 'acme', name: 'Acme Inc.' });
    await custody.createOrganization({ id: 'other', name: 'Other' });
    const actions = ['user.signed_in', 'user.password_reset', 'billing.plan_changed', 'document.viewed'];
    const events = Array.from({ length: 600 }, (_, i) =>
      event({
        action: actions[i % actions.length],
        occurred_at: new Date(Date.UTC(2026, 2, 1) + (i % 40) * DAY / 4 + i * 1000).toISOString(),
        actor: { id: `u_${i % 7}`, type: i % 5 === 0 ? 'service' : 'user' },
        context: { location: `10.${i % 3}.0.${i % 250}`, user_agent: i % 3 === 0 ? 'Firefox/130' : 'curl/8.5' },
        metadata: { method: i % 2 === 0 ? 'password' : 'sso', request_id: `req_${i}` },
      }),
    );
    for (let i = 0; i < events.length; i += 200) await custody.ingestor.ingest('acme', events.slice(i, i + 200));
    await custody.ingestor.ingest('other', [event({ metadata: { request_id: 'req_other' } })]);
    inProcess = new EventQueries(database.db, database.dialect);
  });
  afterAll(async () => {
    await custody.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('are used for a SQLite file', () => {
    expect(custody.events).toBeInstanceOf(EventQueryThreads);
    expect(database.readerThreadOptions).toMatchObject({ sqliteReadonly: true });
  });

  const filters: TEventFilter[] = [
    {},
    { actions: ['user.*'] },
    { actorId: 'u_3', occurredAfter: '2026-03-03T00:00:00Z' },
    { ip: '10.1.0.0/16' },
    { q: 'firefox' },
    { q: 'req 12*' },
    { metadata: { method: 'sso' }, actions: ['document.viewed'] },
  ];

  it('answer list pages, cursors, stats and get exactly as the calling thread does', async () => {
    for (const filter of filters) {
      for (const order of ['asc', 'desc'] as const) {
        let cursor: string | null = null;
        do {
          const [threaded, local]: TEventPage[] = await Promise.all([
            custody.events.list('acme', filter, { order, limit: 97, cursor }),
            inProcess.list('acme', filter, { order, limit: 97, cursor }),
          ]);
          expect(threaded).toEqual(local);
          cursor = threaded?.nextCursor ?? null;
        } while (cursor !== null);
      }
      expect(await custody.events.stats('acme', filter, { top: 3 })).toEqual(await inProcess.stats('acme', filter, { top: 3 }));
    }
    const some = (await inProcess.list('acme', {}, { limit: 1 })).events[0];
    expect(some).toBeDefined();
    expect(await custody.events.get('acme', some?.id ?? '')).toEqual(some);
  });

  it('keep each error\'s code and message', async () => {
    await expect(custody.events.get('other', (await inProcess.list('acme', {}, { limit: 1 })).events[0]?.id ?? '')).rejects.toMatchObject({ name: 'AppError', code: 'NOT_FOUND' });
    await expect(custody.events.list('acme', {}, { cursor: 'nonsense' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(custody.events.list('acme', {}, { cursor: 'nonsense' })).rejects.toThrow('invalid cursor');
    await expect(custody.events.stats('acme', { q: 'g*' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(custody.events.stats('acme', { q: 'g*' })).rejects.toThrow('at least 2 letters or digits');
  });

  it('see every event acknowledged before the query began', async () => {
    for (let round = 0; round < 5; round++) {
      const [result] = await custody.ingestor.ingest('other', [event({ metadata: { round } })]);
      expect(result?.status).toBe('accepted');
      const id = result?.status === 'accepted' ? result.id : '';
      expect((await custody.events.get('other', id)).metadata).toEqual({ round });
      expect((await custody.events.list('other', {}, { limit: 1 })).events[0]?.id).toBe(id);
    }
  });

  it('count, on both threads at once, events committed while the statistics are asked for', async () => {
    await custody.createOrganization({ id: 'stress', name: 'Stress' });
    const ingests = Promise.all(
      Array.from({ length: 10 }, (_, b) =>
        custody.ingestor.ingest('stress', Array.from({ length: 50 }, (_, i) => event({ action: i % 2 === 0 ? 'user.signed_in' : 'document.viewed', context: { location: '10.9.9.9', user_agent: 'Stress/1' }, metadata: { b, i } }))),
      ),
    );
    const asks = Promise.all(Array.from({ length: 24 }, () => custody.events.stats('stress', { q: 'stress' })));
    const [, answers] = await Promise.all([ingests, asks]);
    for (const answer of answers) {
      // Each answer is one consistent count: its buckets and its top actions add up to its total.
      expect(answer.total).toBeLessThanOrEqual(500);
      expect(answer.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(answer.total);
      expect(answer.topActions.reduce((sum, a) => sum + a.count, 0)).toBe(answer.total);
    }
    const final = await custody.events.stats('stress', { q: 'stress' });
    expect(final.total).toBe(500);
    expect(final).toEqual(await inProcess.stats('stress', { q: 'stress' }));
  });

  it('keep and extend the whole log\'s statistics of a search on both threads at once while events are committed', async () => {
    // A summary is kept from 10 matches: each call restores one, adds what came since, and keeps the result.
    const threads = new EventQueryThreads(database.readerThreadOptions ?? { url: file }, { threads: 2, queries: { broadSearchMatches: 10 } });
    try {
      await threads.start();
      await custody.createOrganization({ id: 'summed', name: 'Summed' });
      await custody.ingestor.ingest('summed', Array.from({ length: 20 }, () => event({ context: { location: '10.7.7.7', user_agent: 'Summed/1' } })));
      const ingests = Promise.all(
        Array.from({ length: 10 }, (_, b) =>
          custody.ingestor.ingest('summed', Array.from({ length: 30 }, (_, i) => event({ action: i % 3 === 0 ? 'user.signed_in' : 'document.viewed', actor: { id: `s_${(b * 30 + i) % 11}`, type: 'user' }, context: { location: '10.7.7.7', user_agent: 'Summed/1' }, metadata: { b, i } }))),
        ),
      );
      const asks = Promise.all(Array.from({ length: 30 }, () => threads.stats('summed', { q: 'summed' }, { top: 20 })));
      const [, answers] = await Promise.all([ingests, asks]);
      for (const answer of answers) {
        expect(answer.total).toBeGreaterThanOrEqual(20);
        expect(answer.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(answer.total);
        expect(answer.topActions.reduce((sum, a) => sum + a.count, 0)).toBe(answer.total);
        expect(answer.topActors.reduce((sum, a) => sum + a.count, 0)).toBe(answer.total);
      }
      for (let round = 0; round < 3; round++) {
        const [one, two] = await Promise.all([threads.stats('summed', { q: 'summed' }, { top: 20 }), threads.stats('summed', { q: 'summed' }, { top: 20 })]);
        const expected = await inProcess.stats('summed', { q: 'summed' }, { top: 20 });
        expect(expected.total).toBe(320);
        expect(one).toEqual(expected);
        expect(two).toEqual(expected);
      }
      expect(threads.load.statsSummaries).toBeGreaterThan(0);
    } finally {
      await threads.close();
    }
  });

  it('answer statistics over broad searches from bitmaps both threads share, as the calling thread does', async () => {
    // Every search here is broad at 10 matches: bitmaps are made by whichever thread answers first, and
    // brought up to date by either.
    const threads = new EventQueryThreads(database.readerThreadOptions ?? { url: file }, { threads: 2, queries: { broadSearchMatches: 10 } });
    try {
      await threads.start();
      // Once warm, the common metadata values have bitmaps of their own (`EventFacets.warmMetadata`).
      await expect.poll(() => threads.load.warm, { timeout: 10_000 }).toBe(2);
      const metadataBitmaps = threads.load.searchBitmaps;
      const searches: TEventFilter[] = [{ q: 'firefox' }, { q: 'firefox sso' }, { q: 'sso', actions: ['user.*'] }, { q: 'curl password' }, { q: 'req*' }];
      const both = async (org: string) => {
        for (let round = 0; round < 3; round++) {
          const answers = await Promise.all(searches.flatMap((filter) => [threads.stats(org, filter), threads.stats(org, filter, { bucketMs: DAY })]));
          const expected = await Promise.all(searches.flatMap((filter) => [inProcess.stats(org, filter), inProcess.stats(org, filter, { bucketMs: DAY })]));
          expect(answers).toEqual(expected);
        }
      };
      await both('acme');
      // Events of another organization, in the same full-text index: the bitmaps take them in.
      await custody.createOrganization({ id: 'wide', name: 'Wide' });
      await custody.ingestor.ingest('wide', Array.from({ length: 40 }, (_, i) => event({ context: { location: '10.0.0.1', user_agent: 'Firefox/131' }, metadata: { method: 'sso', request_id: `req_late_${i}` } })));
      await both('wide');
      await both('acme');
      // One per search at most, never two for one (both threads may read a search at once), shown for /metrics;
      // `firefox sso` has none when it came after both its words had one (their intersection answered).
      expect(metadataBitmaps).toBeGreaterThan(0);
      expect(threads.load.searchBitmaps - metadataBitmaps).toBeGreaterThanOrEqual(searches.length - 1);
      expect(threads.load.searchBitmaps - metadataBitmaps).toBeLessThanOrEqual(searches.length);
      expect(threads.load.searchBitmapBytes).toBeGreaterThan(0);
      // And the whole log's statistics of each search asked for alone (with 10 matches or more), and of the metadata values.
      expect(threads.load.statsSummaries).toBeGreaterThanOrEqual(metadataBitmaps + 2);
      expect(threads.load.statsSummaryBytes).toBeGreaterThan(0);
    } finally {
      await threads.close();
    }
  });

  it('give up on a call whose request closed, and serve the next call on the same thread', async () => {
    await custody.events.list('acme', {}, { limit: 1 }); // a thread is ready
    const before = (custody.events as EventQueryThreads).load;
    const aborted = new AbortController();
    aborted.abort();
    await expect(custody.events.list('acme', {}, { signal: aborted.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    // Aborted while its thread runs it: answered at once; the thread stops at its next statement and
    // stays (with its connection and statistics copy) for the next call.
    const running = new AbortController();
    const call = custody.events.stats('acme', { q: 'firefox' }, { signal: running.signal });
    expect((custody.events as EventQueryThreads).load.running).toBe(1);
    running.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(call).rejects.toThrow('closed before its query finished');
    expect((await custody.events.stats('acme', { q: 'firefox' })).total).toBe(200);
    // Both threads are still there (a stopped one is not replaced until calls wait), their copies complete.
    expect(before).toMatchObject({ threads: 2, running: 0, queued: 0, warm: 2 });
    // Once the stopped call's thread has finished its statement (the next call may have run on the other thread
    // meanwhile), both threads are idle.
    await expect.poll(() => (custody.events as EventQueryThreads).load, { timeout: 10_000 }).toEqual(before);
  });

  it('stop a call stuck past its time limit, then serve again once the database answers', async () => {
    // A database of its own, in rollback-journal mode, that another connection holds exclusively: a
    // thread's read waits inside SQLite (busy_timeout, 5 s), where better-sqlite3 cannot interrupt it.
    const stuckFile = join(dir, 'stuck.db');
    const stuck = await openDatabase({ url: stuckFile });
    await migrateToLatest(stuck.db, stuck.dialect);
    await stuck.close();
    const holder = new Database(stuckFile);
    holder.pragma('journal_mode = DELETE');
    const threads = new EventQueryThreads({ url: stuckFile, sqliteReadonly: true }, { threads: 1, timeoutMs: 300, abandonGraceMs: 200 });
    try {
      await threads.start();
      holder.exec('BEGIN EXCLUSIVE');
      try {
        await expect(threads.list('acme', {})).rejects.toMatchObject({ code: 'TIMEOUT', details: { timeoutMs: 300 } });
        // Told to stop, it cannot (its statement waits inside SQLite): still busy, then given up after the grace.
        expect(threads.load).toMatchObject({ threads: 1, running: 1, queued: 0 });
        await expect.poll(() => threads.load, { timeout: 5000 }).toMatchObject({ threads: 0, running: 0, queued: 0, warm: 0 });
        // Held past SQLite's busy timeout (5 s), the given-up thread's statement fails: it leaves once it returns.
        // (Terminated while inside it, the thread aborted the whole process: better-sqlite3 threw into a dying thread.)
        await new Promise((resolve) => setTimeout(resolve, 5_500));
      } finally {
        holder.exec('COMMIT');
        holder.close();
      }
      await threads.start(); // a new thread (starting one under tsx alone can take longer than 300 ms)
      // The database answers again (it holds no organization).
      await expect(threads.list('acme', {})).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'organization "acme" not found' });
    } finally {
      await threads.close();
    }
  });

  it('give the statistics copy up past its memory limit, say so once, and answer statistics in SQL', async () => {
    const notices: string[] = [];
    // The log's events (601 at first, more after the tests above) and the copy's first growth step (65,536 records
    // at 36 bytes each): far over 100,000 bytes.
    const threads = new EventQueryThreads(database.readerThreadOptions ?? { url: file }, { threads: 2, statsMemoryBytes: 100_000, onNotice: (message) => notices.push(message) });
    try {
      await threads.start();
      await vi.waitFor(() => expect(notices).toHaveLength(1));
      expect(notices[0]).toMatch(/^the statistics copy (would take about 2\.\d MiB to hold the log's [\d,]+ events, over its limit of 0\.1 MiB|was given up: it would pass its memory limit)/);
      for (const filter of [{ q: 'Firefox' }, { actions: ['user.*'] }, { metadata: { method: 'sso' } }] satisfies TEventFilter[]) {
        expect(await threads.stats('acme', filter)).toEqual(await inProcess.stats('acme', filter));
      }
      expect(threads.load).toMatchObject({ warm: 0, statsCopyOverLimit: true, statsMemoryLimitBytes: 100_000 });
      expect(threads.load.statsMemoryBytes).toBeLessThanOrEqual(100_000);
      expect(notices).toHaveLength(1);
    } finally {
      await threads.close();
    }
  });

  it('refuse calls beyond the queue at once, and all calls once closed', async () => {
    const threads = new EventQueryThreads(database.readerThreadOptions ?? { url: file }, { threads: 1, maxQueued: 2 });
    const first = threads.list('acme', {}, { limit: 3 });
    const second = threads.stats('acme', {});
    await expect(threads.list('acme', {})).rejects.toThrow('too many queries are waiting (2)');
    expect((await first).events).toHaveLength(3);
    expect((await second).total).toBe(600);
    await threads.close();
    await expect(threads.get('acme', 'x')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'the server is shutting down' });
  });

  it('fail with UNAVAILABLE, naming the cause, when the threads cannot open the database', async () => {
    const threads = new EventQueryThreads({ url: join(dir, 'missing', 'custody.db'), sqliteReadonly: true });
    try {
      const failed = threads.list('acme', {});
      await expect(failed).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(failed).rejects.toThrow('could not open the database');
      await expect(threads.start()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      await threads.close();
    }
  });
});
