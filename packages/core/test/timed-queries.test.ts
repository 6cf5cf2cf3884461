/**
 * Postgres: queries with a statement time limit (`TimedEventQueries`). A statement held up past the limit
 * (here by a lock another connection holds) fails the call with TIMEOUT and gives its connection back;
 * the same calls answer as before once it is free.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

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
    const holder = await db.startTransaction().execute();
    try {
      await sql`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`.execute(holder);
      await expect(timed.list('org_t', {})).rejects.toMatchObject({ name: 'AppError', code: 'TIMEOUT', details: { timeoutMs: 300 } });
      await expect(timed.stats('org_t', { q: 'firefox' })).rejects.toThrow('ran past the server\'s limit of 300 ms');
    } finally {
      await holder.rollback().execute();
    }
    expect((await timed.list('org_t', {}, { limit: 5 })).events).toHaveLength(5);
  });
});
