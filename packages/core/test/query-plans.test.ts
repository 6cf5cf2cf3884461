/**
 * The read plans `EventQueries` picks on SQLite give exactly the results of the plain ones: a full-text
 * page read through a window of seqs, and whole-log statistics answered from the daily counts kept at ingest.
 * (dialect-parity.test.ts compares the same with Postgres when it runs; these need only SQLite.)
 */
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EventQueries } from '../src/index';
import type { TEventFilter } from '../src/index';
import { createTestCustody, event } from './helpers';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1);

/** Event `i`: one an hour, but every fifth arrives three days late; every one holds the word "common". */
function eventNumber(i: number): Record<string, unknown> {
  return event({
    action: ['user.signed_in', 'user.signed_out', 'invoice.paid'][i % 3],
    occurred_at: new Date(START + i * HOUR - (i % 5 === 0 ? 72 * HOUR : 0)).toISOString(),
    actor: { id: `u_${i % 4}`, type: i % 8 === 0 ? 'service' : 'user', name: i % 2 === 0 ? 'Common Even' : 'Common Odd' },
  });
}

describe('query plans on SQLite', () => {
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  beforeAll(async () => {
    side = await createTestCustody('sqlite');
    await side.custody.createOrganization({ id: 'org_q', name: 'Q' });
    await side.custody.ingestor.ingest('org_q', Array.from({ length: 240 }, (_, i) => eventNumber(i)));
    // Another organization with the same words: one full-text index holds both on SQLite.
    await side.custody.createOrganization({ id: 'org_other', name: 'Other' });
    await side.custody.ingestor.ingest('org_other', Array.from({ length: 30 }, (_, i) => eventNumber(i)));
  });
  afterAll(async () => {
    await side.destroy();
  });

  const pages = async (queries: EventQueries, filter: TEventFilter, order: 'asc' | 'desc', limit: number) => {
    const out: { seqs: number[]; more: boolean }[] = [];
    let cursor: string | null = null;
    do {
      const page = await queries.list('org_q', filter, { order, limit, cursor });
      out.push({ seqs: page.events.map((e) => e.seq), more: page.nextCursor !== null });
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  };

  it('reads a full-text page through a window exactly as without one, in both orders, page after page', async () => {
    const { db, dialect } = side.custody.database;
    // seekLimit 1: every search scans; the plain reading has a window larger than the log.
    const plain = new EventQueries(db, dialect, { seekLimit: 1, searchWindow: 1_000_000 });
    for (const searchWindow of [1, 10, 25, 100]) {
      const windowed = new EventQueries(db, dialect, { seekLimit: 1, searchWindow });
      const timed: TEventFilter[] = [
        // Bounded in time: the window starts where the bound falls (late events sit on both sides of it).
        { q: 'common', occurredBefore: new Date(START + 150 * HOUR).toISOString() },
        { q: 'even', occurredAfter: new Date(START + 60 * HOUR).toISOString() },
        { q: 'common', occurredAfter: new Date(START + 40 * HOUR).toISOString(), occurredBefore: new Date(START + 200 * HOUR).toISOString() },
        { q: 'common', occurredBefore: new Date(START - 1000 * HOUR).toISOString() },
      ];
      for (const filter of [{ q: 'common' }, { q: 'even' }, { q: 'odd', actions: ['user.*'] }, ...timed] as TEventFilter[]) {
        for (const order of ['asc', 'desc'] as const) {
          // A limit of 10 with a window of 10: the window holds exactly one page and nothing more.
          for (const limit of [10, 30]) {
            const expected = await pages(plain, filter, order, limit);
            // Every filter but the one before all events spans several pages.
            if (filter.occurredBefore !== new Date(START - 1000 * HOUR).toISOString()) expect(expected.length).toBeGreaterThan(1);
            expect(await pages(windowed, filter, order, limit), `${JSON.stringify(filter)} ${order} window ${searchWindow} limit ${limit}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('reads a prefix search the same through the index entries read while planning as through the index', async () => {
    const { db, dialect } = side.custody.database;
    const plain = new EventQueries(db, dialect, { seekLimit: 1, searchWindow: 1_000_000 });
    // The seek limit bounds how many entries planning reads: all of them (a seek against the list), the
    // newest 12, 40 or 100 (the newest page looked for among them, org_other's 30 newest included), or 1.
    for (const seekLimit of [1, 12, 40, 100, 1_000_000]) {
      const queries = new EventQueries(db, dialect, { seekLimit, searchWindow: 25 });
      const filters: TEventFilter[] = [
        { q: 'comm*' },
        { q: 'ev*' },
        { q: 'od* common' },
        { q: 'comm*', actions: ['user.*'] },
        { q: 'comm*', occurredAfter: new Date(START + 60 * HOUR).toISOString() },
        { q: 'ev*', occurredBefore: new Date(START + 150 * HOUR).toISOString() },
      ];
      for (const filter of filters) {
        for (const order of ['asc', 'desc'] as const) {
          for (const limit of [10, 30]) {
            const expected = await pages(plain, filter, order, limit);
            expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(1);
            expect(await pages(queries, filter, order, limit), `${JSON.stringify(filter)} ${order} seekLimit ${seekLimit} limit ${limit}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('lists a search the same when it drives the read (its matches by rowid) as when the page is scanned in time order', async () => {
    const { db, dialect } = side.custody.database;
    const seeking = new EventQueries(db, dialect, { seekLimit: 1_000_000 });
    const scanning = new EventQueries(db, dialect, { seekLimit: 1 });
    for (const filter of [{ q: 'even' }, { q: 'odd', actorId: 'u_1' }, { q: 'comm*', actions: ['user.*'] }] as TEventFilter[]) {
      for (const order of ['asc', 'desc'] as const) {
        const expected = await pages(scanning, filter, order, 25);
        expect(expected.flatMap((p) => p.seqs).length, JSON.stringify(filter)).toBeGreaterThan(25);
        expect(await pages(seeking, filter, order, 25), JSON.stringify(filter)).toEqual(expected);
      }
    }
  });

  it('gives the same stats for a search whether the search drives the reads (by rowid) or the other indexes do', async () => {
    const { db, dialect } = side.custody.database;
    const driven = new EventQueries(db, dialect, { statsSearchSeekLimit: 1_000_000 });
    const indexed = new EventQueries(db, dialect, { statsSearchSeekLimit: 0 });
    const filters: TEventFilter[] = [
      { q: 'even' },
      { q: 'common', actions: ['user.*'] },
      { q: 'odd', actorId: 'u_1' },
      { q: 'comm*', occurredAfter: new Date(START + 40 * HOUR).toISOString(), occurredBefore: new Date(START + 200 * HOUR).toISOString() },
      { q: 'even', actions: ['invoice.paid'], actorId: 'u_2' },
      // A prefix: the driven reads check against the entries read while planning.
      { q: 'comm*' },
    ];
    for (const filter of filters) {
      for (const bucketMs of [HOUR, undefined]) {
        const expected = await indexed.stats('org_q', filter, { bucketMs });
        expect(expected.total, JSON.stringify(filter)).toBeGreaterThan(0);
        expect(expected.total).toBe((await side.custody.events.list('org_q', { ...filter, seqFrom: 0 }, { limit: 1000 })).events.length);
        expect(await driven.stats('org_q', filter, { bucketMs }), JSON.stringify(filter)).toEqual(expected);
      }
    }
  });

  it('answers one actor’s stats (two seeks, two index scans, the per-actor counts) exactly as the general path', async () => {
    for (const bucketMs of [HOUR, 6 * HOUR, undefined]) {
      for (const actorId of ['u_0', 'u_3', 'nobody']) {
        const actorOnly = await side.custody.events.stats('org_q', { actorId }, { bucketMs });
        // seqFrom: 0 matches every event but takes the general path.
        const general = await side.custody.events.stats('org_q', { actorId, seqFrom: 0 }, { bucketMs });
        expect(actorOnly).toEqual(general);
        expect(actorOnly.total).toBe(actorId === 'nobody' ? 0 : 60);
      }
    }
  });

  it('answers whole-log stats in day buckets from the daily counts exactly as from the events', async () => {
    for (const filter of [{}, { actions: ['user.*'] }, { occurredAfter: '2026-03-02T00:00:00Z', occurredBefore: '2026-03-08T00:00:00Z' }] as TEventFilter[]) {
      // Bucket widths are given: left to choose, the counts pick one from whole hours, the events from milliseconds.
      for (const bucketMs of [86_400_000, 2 * 86_400_000]) {
        const fromCounts = await side.custody.events.stats('org_q', filter, { bucketMs });
        const fromEvents = await side.custody.events.stats('org_q', { ...filter, seqFrom: 0 }, { bucketMs });
        expect(fromCounts, `${JSON.stringify(filter)} ${bucketMs}`).toEqual(fromEvents);
      }
    }
  });

  it('looks each event’s targets and metadata up by its seq, never by the filter’s seq range (a transitive constraint)', async () => {
    // Every event of org_q has one target and one metadata pair (the helper's). With the seq range's columns
    // compared plainly, SQLite looked each event's targets up by the whole range: 11-14 s a page among 38,000 events.
    const { db, dialect } = side.custody.database;
    const compiled: { sql: string; parameters: readonly unknown[] }[] = [];
    const recording = db.withPlugin({
      transformQuery: (args) => {
        compiled.push(db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    });
    const queries = new EventQueries(recording, dialect);
    for (const filter of [
      { seqFrom: 20, seqTo: 200, targetId: 'acct_1' },
      { seqFrom: 20, seqTo: 200, targetType: 'account' },
      { seqFrom: 20, metadata: { method: 'password' } },
      { seqTo: 200, metadata: { method: 'password' }, targetType: 'account' },
    ] as TEventFilter[]) {
      for (const order of ['asc', 'desc'] as const) {
        compiled.length = 0;
        const page = await queries.list('org_q', filter, { order, limit: 7 });
        expect(page.events.length).toBe(7);
        const lookups: string[] = [];
        for (const query of compiled) {
          const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
          lookups.push(...plan.rows.map((r) => r.detail).filter((d) => /\b(event_targets|event_metadata)\b/.test(d) && d.includes('EXISTS')));
        }
        expect(lookups.length, `${JSON.stringify(filter)} ${order}: no row-by-row lookup`).toBeGreaterThan(0);
        for (const lookup of lookups) expect(lookup, `${JSON.stringify(filter)} ${order}`).toMatch(/seq=\?/);
      }
    }
  });
});
