/**
 * Postgres: queries with a statement time limit (`TimedEventQueries`). A statement held up past the limit
 * (here by a lock another connection holds) fails the call with TIMEOUT and gives its connection back;
 * the same calls answer as before once it is free. A call whose caller goes away (its signal aborts) has
 * its statement cancelled on the server, not merely abandoned.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CANCEL_APPLICATION_NAME, openDatabase } from '@custody/db';
import { DIALECTS, countLockWaits, withEventsLocked } from '@custody/db/testing';

import { EventQueries, TimedEventQueries } from '../src/index';
import { createTestCustody, event } from './helpers';

describe.skipIf(!DIALECTS.includes('postgres'))('postgres: queries with a time limit', () => {
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  beforeAll(async () => {
    side = await createTestCustody('postgres');
    await side.custody.createOrganization({ id: 'org_t', name: 'T' });
    await side.custody.ingestor.ingest('org_t', Array.from({ length: 30 }, (_, i) => event({ metadata: { i } })));
  });
  afterAll(async () => {
    await side.destroy();
  });

  it('answers as the plain queries do', async () => {
    const { db, dialect } = side.custody.database;
    const timed = new TimedEventQueries(db, dialect, 5_000);
    const plain = new EventQueries(db, dialect);
    expect(await timed.list('org_t', { q: 'firefox' }, { limit: 7 })).toEqual(await plain.list('org_t', { q: 'firefox' }, { limit: 7 }));
    expect(await timed.stats('org_t', {})).toEqual(await plain.stats('org_t', {}));
    const some = (await plain.list('org_t', {}, { limit: 1 })).events[0];
    expect(await timed.get('org_t', some?.id ?? '')).toEqual(some);
    await expect(timed.get('org_t', 'missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops a statement held up past the limit with TIMEOUT, then answers again', async () => {
    const { db, dialect } = side.custody.database;
    const timed = new TimedEventQueries(db, dialect, 300);
    // Another connection holds the events table: the query's statement waits for the lock.
    await withEventsLocked(db, async () => {
      await expect(timed.list('org_t', {})).rejects.toMatchObject({ name: 'AppError', code: 'TIMEOUT', details: { timeoutMs: 300 } });
      await expect(timed.stats('org_t', { q: 'firefox' })).rejects.toThrow('ran past the server\'s limit of 300 ms');
    });
    expect((await timed.list('org_t', {}, { limit: 5 })).events).toHaveLength(5);
  });

  it('cancels the running statement when its caller goes away, and answers the next call', async () => {
    const { db, dialect } = side.custody.database;
    // No time limit: only the cancel can stop the statement.
    const timed = new TimedEventQueries(db, dialect, 0);
    const waiting = () => countLockWaits(db);
    await withEventsLocked(db, async () => {
      for (const call of [
        (signal: AbortSignal) => timed.list('org_t', {}, { signal }),
        (signal: AbortSignal) => timed.stats('org_t', { q: 'firefox' }, { signal }),
        (signal: AbortSignal) => timed.get('org_t', 'missing', { signal }),
      ]) {
        const caller = new AbortController();
        const answer = call(caller.signal);
        answer.catch(() => undefined);
        await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
        caller.abort();
        await expect(answer).rejects.toMatchObject({ name: 'AppError', code: 'CANCELLED' });
        // The lock is still held: only a cancel on the server stops the statement waiting for it.
        expect(await waiting()).toBe(0);
      }
    });
    expect((await timed.list('org_t', {}, { limit: 5 })).events).toHaveLength(5);
  });

  it('cancels even when every pooled connection is stuck', async () => {
    const { db, dialect } = side.custody.database;
    const timed = new TimedEventQueries(db, dialect, 0);
    // The test database's pool holds 5 connections: the lock holder and four stuck queries take them all.
    // Watch from a connection of its own, since the pool has none to spare.
    const watcher = await openDatabase({ url: side.t.url, maxConnections: 1 });
    try {
      await withEventsLocked(db, async () => {
        const callers = Array.from({ length: 4 }, () => new AbortController());
        const answers = callers.map((caller) => timed.list('org_t', {}, { signal: caller.signal }));
        for (const answer of answers) answer.catch(() => undefined);
        await expect.poll(() => countLockWaits(watcher.db), { timeout: 10_000 }).toBe(4);
        for (const caller of callers) caller.abort();
        for (const answer of answers) await expect(answer).rejects.toMatchObject({ code: 'CANCELLED' });
        expect(await countLockWaits(watcher.db)).toBe(0);
        // The four cancels went over the process's few cancel connections, kept for the next ones, not one each.
        const cancelConnections = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = ${CANCEL_APPLICATION_NAME}`.execute(watcher.db);
        expect(cancelConnections.rows[0]?.n).toBeGreaterThanOrEqual(1);
        expect(cancelConnections.rows[0]?.n).toBeLessThanOrEqual(2);
      });
    } finally {
      await watcher.close();
    }
    expect((await timed.list('org_t', {}, { limit: 5 })).events).toHaveLength(5);
  });

  it('does not start a call whose caller has already gone', async () => {
    const { db, dialect } = side.custody.database;
    const timed = new TimedEventQueries(db, dialect, 5_000);
    const gone = AbortSignal.abort();
    await expect(timed.list('org_t', {}, { signal: gone })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(timed.stats('org_t', {}, { signal: gone })).rejects.toMatchObject({ code: 'CANCELLED' });
    // A signal that never aborts changes nothing.
    const plain = new EventQueries(db, dialect);
    expect(await timed.list('org_t', {}, { limit: 3, signal: new AbortController().signal })).toEqual(await plain.list('org_t', {}, { limit: 3 }));
  });
});
