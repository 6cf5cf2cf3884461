/**
 * A database with no room left (a full disk; here SQLite's `max_page_count`, which fails the same way): ingest is
 * answered UNAVAILABLE saying so, nothing of the failed commit is kept, the ingestor remembers it for `/readyz`, and
 * once there is room again the next commit succeeds and the log still verifies, without a gap.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkStoredLogs } from '../src/index';
import { createTestCustody, event } from './helpers';

describe('sqlite: ingest into a database with no room left', () => {
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  beforeAll(async () => {
    // In memory: the log writer runs on this connection, so the page limit set here is the writer's.
    side = await createTestCustody('sqlite', { intervalMs: 3_600_000 });
    await side.custody.createOrganization({ id: 'org_full', name: 'Full' });
    await side.custody.ingestor.ingest('org_full', [event(), event()]);
  });
  afterAll(() => side.destroy());

  it('answers UNAVAILABLE saying why, keeps nothing of it, and goes on once there is room', async () => {
    const { db } = side.t;
    const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(db);
    await sql.raw(`PRAGMA max_page_count = ${(rows[0]?.page_count ?? 0) + 4}`).execute(db);
    const batch = Array.from({ length: 300 }, (_, i) => event({ metadata: { pad: 'x'.repeat(400), i } }));
    await expect(side.custody.ingestor.ingest('org_full', batch)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('the database has no room left') as string,
      details: { storageFull: true },
      cause: expect.objectContaining({ code: 'SQLITE_FULL' }) as unknown,
    });
    expect(side.custody.ingestor.storageFullAt()).toEqual(expect.any(Number));
    expect((await side.custody.organizations.get('org_full')).size).toBe(2);

    await sql`PRAGMA max_page_count = 1073741823`.execute(db);
    const results = await side.custody.ingestor.ingest('org_full', batch);
    expect(results.map((r) => (r.status === 'accepted' ? r.seq : -1))).toEqual(Array.from({ length: 300 }, (_, i) => 2 + i));
    expect(side.custody.ingestor.storageFullAt()).toBeNull();
    await side.custody.log.latestCheckpoint('org_full', { fresh: true });
    expect((await checkStoredLogs(db, { full: true })).map((c) => [c.organizationId, c.size, c.problem])).toEqual([['org_full', 302, null]]);
  });
});
