/**
 * Statistics from the in-memory copy of the statistics columns (`EventFacets`) are exactly those of the
 * SQL that reads every match from the events table: buckets, totals, top lists and their tie order, for
 * every filter the copy takes, before and after more events arrive. SQLite only (the copy needs its rowids).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '@custody/db';
import type { CustodyDatabase, TFacetReads } from '@custody/db';

import { EventQueries } from '../src/index';
import type { TEventFilter } from '../src/index';
import { EventFacets, compareBinary, createFacetMemory, facetMemoryBytes, metadataKey, releaseFacetLock, threadTag } from '../src/event-facets';
import { STATS_BUCKETS } from '../src/query';
import { StatsSummaries, summaryKey } from '../src/stats-summaries';
import type { TStatsSummary } from '../src/stats-summaries';
import { createTestCustody, event } from './helpers';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 1);

/** Event `i`: about one an hour, every seventh arriving two days late; actors whose ids sort differently in UTF-16 and UTF-8, and one with a control character in its id (NUL is refused at ingest). */
function eventNumber(i: number, words: string): Record<string, unknown> {
  const actors = ['u_a', 'u_b', '\u{ff5a}', '\u{1d49c}', 'svc', 'ctl\u0001id'];
  return event({
    action: ['user.signed_in', 'user.signed_out', 'invoice.paid', 'username.changed'][i % 4],
    occurred_at: new Date(START + i * HOUR + (i % 3) * 1000 - (i % 7 === 0 ? 48 * HOUR : 0)).toISOString(),
    actor: { id: actors[i % actors.length], type: i % 5 === 4 ? 'service' : 'user', name: `${words} ${i % 2 === 0 ? 'even' : 'odd'}` },
    targets: [{ id: `doc_${i % 9}`, type: i % 3 === 0 ? 'document' : 'account' }],
    context: { location: `10.${i % 4}.0.${i % 50}`, user_agent: 'Firefox/130' },
    metadata: { plan: i % 3 === 1 ? 'enterprise' : 'team' },
  });
}

/**
 * A SQLite log of 300 events in `org_f` (every tenth `common rare`, the rest `common firefox`; `even` or `odd`
 * by number) and 40 in `org_other` with the same words: one full-text index holds both organizations.
 */
type TFacetLog = Awaited<ReturnType<typeof createTestCustody>>;

async function createFacetLog(): Promise<TFacetLog> {
  const side = await createTestCustody('sqlite');
  await side.custody.createOrganization({ id: 'org_f', name: 'F' });
  await side.custody.createOrganization({ id: 'org_other', name: 'Other' });
  await side.custody.ingestor.ingest('org_f', Array.from({ length: 300 }, (_, i) => eventNumber(i, i % 10 === 0 ? 'common rare' : 'common firefox')));
  await side.custody.ingestor.ingest('org_other', Array.from({ length: 40 }, (_, i) => eventNumber(i, 'common firefox elsewhere')));
  return side;
}

/** A fresh `createFacetLog`, with its database, SQLite's facet reads and SQL's statistics, given to `test`; destroyed after. */
async function withFacetLog(
  test: (log: { side: TFacetLog; db: TFacetLog['custody']['database']['db']; dialect: TFacetLog['custody']['database']['dialect']; reads: TFacetReads; sql: EventQueries }) => Promise<void>,
): Promise<void> {
  const side = await createFacetLog();
  try {
    const { db, dialect } = side.custody.database;
    const reads = dialect.facetReads;
    if (reads === undefined) throw new Error('SQLite offers facetReads');
    await test({ side, db, dialect, reads, sql: new EventQueries(db, dialect) });
  } finally {
    await side.destroy();
  }
}

describe('statistics from the in-memory copy', () => {
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  let sql: EventQueries;
  let sqlDriven: EventQueries;
  let withFacets: EventQueries;
  let facets: EventFacets;

  beforeAll(async () => {
    side = await createFacetLog();
    const { db, dialect } = side.custody.database;
    // SQL both ways: the planner's choice (statsSearchSeekLimit 1), and the words driving (the default here).
    sql = new EventQueries(db, dialect, { statsSearchSeekLimit: 1 });
    sqlDriven = new EventQueries(db, dialect);
    withFacets = new EventQueries(db, dialect, { facets: true });
    await withFacets.warmFacets();
    if (dialect.facetReads === undefined) throw new Error('SQLite offers facetReads');
    facets = new EventFacets(dialect.facetReads);
  });
  afterAll(async () => {
    await side.destroy();
  });

  const at = (hour: number) => new Date(START + hour * HOUR).toISOString();
  const filters: TEventFilter[] = [
    { q: 'common' },
    { q: 'firefox' },
    { q: 'fire*' },
    { q: 'common even' },
    { q: 'rare' },
    { q: 'elsewhere' },
    { q: 'nothing' },
    { q: 'common', actions: ['user.*'] },
    { q: 'common', actions: ['invoice.paid', 'username.*'] },
    { q: 'common', actorId: '\u{ff5a}' },
    { q: 'common', actorType: 'service' },
    { q: 'common', actorId: 'u_a', actorType: 'user' },
    { q: 'firefox', occurredAfter: at(39), occurredBefore: at(201) }, // events 39 and 201 fall on the bounds
    { q: 'common', occurredAfter: at(250) },
    { q: 'common', occurredBefore: at(-1000) },
    // No search: every event checked in the copy, or the whole log from the counts kept at ingest.
    {},
    { actions: ['user.*'] },
    { actions: ['invoice.paid'], occurredAfter: at(39), occurredBefore: at(201) },
    { occurredAfter: at(39), occurredBefore: at(201) },
    { occurredAfter: new Date(START + 39 * HOUR + 1500).toISOString() },
    { actorType: 'service' },
    { actorId: 'u_a' },
    { actorId: 'u_a', actions: ['user.*'] },
    // Parts the copy does not hold: their matches read in SQL, then counted in the copy.
    { targetId: 'doc_3' },
    { targetType: 'document', actions: ['user.*'] },
    { metadata: { plan: 'enterprise' } },
    { metadata: { plan: 'team' }, actorType: 'user', occurredBefore: at(150) },
    { ip: '10.1.0.0/16' },
    { ip: '10.2.0.6', actorId: 'u_a' },
    // IPv4 blocks holding many events: checked in the copy (a mapped IPv6 block too); 0.0.0.0/0 from the index.
    { ip: '10.0.0.0/15', actions: ['user.*'] },
    { ip: '::ffff:10.3.0.0/120' },
    { q: 'common', ip: '10.2.0.0/16', actorType: 'user' },
    { ip: '10.0.0.0/8', occurredAfter: at(39), occurredBefore: at(201) },
    { ip: '0.0.0.0/0' },
    { ip: '2001:db8::/32' },
    { q: 'common', metadata: { plan: 'enterprise' } },
    { q: 'rare', targetId: 'doc_0' },
    { targetId: 'nothing' },
  ];

  it('equal those of SQL for every filter, bucket width and top size', async () => {
    const { dialect } = side.custody.database;
    if (dialect.facetReads === undefined) throw new Error('SQLite offers facetReads');
    const copy = new EventFacets(dialect.facetReads);
    expect(copy.ready).toBe(false);
    await copy.warm();
    expect(copy.ready).toBe(true);
    expect(copy.size).toBe(340);
    for (const filter of filters) {
      for (const options of [{}, { top: 2 }, { bucketMs: HOUR, top: 100 }, { bucketMs: 1000 }]) {
        const expected = await sql.stats('org_f', filter, options);
        expect(await sqlDriven.stats('org_f', filter, options)).toEqual(expected);
        expect(await withFacets.stats('org_f', filter, options), JSON.stringify([filter, options])).toEqual(expected);
      }
    }
  });

  it('count every filter\'s matches in the copy, reading in SQL only the parts it does not hold', async () => {
    const { db, dialect } = side.custody.database;
    const base = dialect.facetReads;
    if (base === undefined) throw new Error('SQLite offers facetReads');
    const calls: string[] = [];
    const facetReads: typeof base = {
      rowsAfter: (after, limit) => base.rowsAfter(after, limit),
      searchEntryBits: (words, bits, after, upTo) => (calls.push('search'), base.searchEntryBits(words, bits, after, upTo)),
      rowidBits: (query, bits, upTo) => (calls.push('rowids'), base.rowidBits(query, bits, upTo)),
      metadataEntryBits: (organizationId, key, value, bits, after, upTo) => (calls.push(`metadata ${key}=${value} ${after}`), base.metadataEntryBits(organizationId, key, value, bits, after, upTo)),
      metadataSeqBits: (organizationId, key, value, bits) => (calls.push(`metadata list ${key}=${value}`), base.metadataSeqBits(organizationId, key, value, bits)),
      metadataSample: (organizationId, seqs) => (calls.push('metadata sample'), base.metadataSample(organizationId, seqs)),
      lastRowid: () => (calls.push('copy'), base.lastRowid()),
    };
    // A scan of the copy once the matches are more than a quarter of the log (by default: one in 512).
    const logged = new EventQueries(db, { ...dialect, facetReads }, { facets: true, facetScanRatio: 4 });
    const byDefault = new EventQueries(db, { ...dialect, facetReads }, { facets: true });
    await logged.warmFacets();
    const reads = async (filter: TEventFilter, queries = logged) => {
      calls.length = 0;
      expect(await queries.stats('org_f', filter)).toEqual(await sql.stats('org_f', filter));
      return [...calls];
    };
    expect(await reads({ targetId: 'doc_3' })).toEqual(['copy', 'rowids']);
    expect(await reads({ metadata: { plan: 'team' }, actions: ['user.*'] })).toEqual(['copy', 'metadata plan=team 0']);
    expect(await reads({ metadata: { plan: 'team' }, targetType: 'document' })).toEqual(['copy', 'metadata plan=team 0', 'rowids']);
    // An IPv4 block in more than one in 32 events is checked in the copy; fewer (three events), read as rowids.
    expect(await reads({ q: 'common', ip: '10.1.0.0/16' })).toEqual(['copy', 'search']);
    expect(await reads({ ip: '10.1.0.0/16' })).toEqual(['copy']);
    expect(await reads({ q: 'common', ip: '10.1.0.7' })).toEqual(['copy', 'rowids']);
    expect(await reads({ ip: '2001:db8::/32' })).toEqual(['copy', 'rowids']);
    expect(await reads({ q: 'common', actorType: 'user' })).toEqual(['copy', 'search']);
    expect(await reads({ actorType: 'service' })).toEqual(['copy']);
    // Actions over whole hours: the counts kept at ingest, and the top actors of many events from the copy.
    expect(await reads({ actions: ['user.*'] })).toEqual(['copy']);
    expect(await reads({ occurredAfter: at(39), occurredBefore: at(101) })).toEqual([]);
    expect(await reads({ occurredAfter: at(0), occurredBefore: at(201) })).toEqual(['copy']);
    // One actor with few events (u_a has a sixth of them): its own index; with many, the copy.
    expect(await reads({ actorId: 'u_a' })).toEqual([]);
    expect(await reads({ actorId: 'u_a', actions: ['user.*'] })).toEqual([]);
    expect(await reads({ actorId: 'u_a' }, byDefault)).toEqual(['copy']);
    // The whole log: the counts alone.
    expect(await reads({})).toEqual([]);
  });

  it('are really read from the copy (the same numbers, computed without SQL)', async () => {
    await facets.warm();
    const chooseBucket = { widths: [HOUR], choose: () => HOUR };
    const direct = facets.stats('org_f', { words: ['common'], actions: ['user.*'] }, undefined, 3, chooseBucket);
    expect(direct).toEqual(await sql.stats('org_f', { q: 'common', actions: ['user.*'] }, { bucketMs: HOUR, top: 3 }));
    expect(direct?.total).toBe(150);
    // Ties in binary (code point) order: U+FF5A sorts before U+1D49C in UTF-8, after it in UTF-16.
    const tied = facets.stats('org_f', { words: ['common'], actorType: 'user' }, undefined, 100, chooseBucket);
    const ids = tied?.topActors.map((a) => a.id) ?? [];
    expect(ids.indexOf('\u{ff5a}')).toBeLessThan(ids.indexOf('\u{1d49c}'));
  });

  it('take in events committed after the copy was made, its arrays growing', async () => {
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 25 }, (_, i) => eventNumber(1000 + i, 'common latecomer')));
    // Past the arrays' first 1,024 rowids.
    for (let b = 0; b < 3; b++) await side.custody.ingestor.ingest('org_other', Array.from({ length: 400 }, (_, i) => eventNumber(2000 + b * 400 + i, 'common filler')));
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 10 }, (_, i) => eventNumber(3000 + i, 'common latecomer')));
    for (const filter of [{ q: 'common' }, { q: 'latecomer' }, { q: 'common', actions: ['user.*'] }]) {
      expect(await withFacets.stats('org_f', filter)).toEqual(await sql.stats('org_f', filter));
      expect(await withFacets.stats('org_other', filter)).toEqual(await sql.stats('org_other', filter));
    }
    expect((await withFacets.stats('org_f', { q: 'latecomer' })).total).toBe(35);
    expect((await withFacets.stats('org_other', { q: 'filler' })).total).toBe(1200);
  });

  it('are shared: a copy made by one reader serves another, and either brings it up to date for both', async () => {
    const { dialect } = side.custody.database;
    if (dialect.facetReads === undefined) throw new Error('SQLite offers facetReads');
    const memory = createFacetMemory();
    const first = new EventFacets(dialect.facetReads, memory);
    const second = new EventFacets(dialect.facetReads, memory);
    await first.warm();
    // Ready without reading a row itself: the warm-up of another reader on the same memory made the copy.
    expect(second.ready).toBe(true);
    await second.warm();
    const size = first.size;
    const options = [undefined, 5, { widths: [HOUR], choose: () => HOUR }] as const;
    const viaSecond = second.stats('org_f', { words: ['common'] }, ...options);
    expect(viaSecond).toEqual(await sql.stats('org_f', { q: 'common' }, { bucketMs: HOUR, top: 5 }));
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 3 }, (_, i) => eventNumber(5000 + i, 'common sharedcopy')));
    // The second reader appends the new events; the first sees them without appending.
    expect(second.stats('org_f', { words: ['sharedcopy'] }, ...options)?.total).toBe(3);
    expect(first.size).toBe(size + 3);
    expect(first.stats('org_f', { words: ['common'] }, ...options)).toEqual(await sql.stats('org_f', { q: 'common' }, { bucketMs: HOUR, top: 5 }));
  });

  it('are completed by a statistics query that comes before the warm-up is done', async () => {
    const { dialect } = side.custody.database;
    if (dialect.facetReads === undefined) throw new Error('SQLite offers facetReads');
    const fresh = new EventFacets(dialect.facetReads);
    expect(fresh.ready).toBe(false);
    expect(fresh.stats('org_f', { words: ['common'] }, HOUR, 5, { widths: [HOUR], choose: () => HOUR })).toEqual(await sql.stats('org_f', { q: 'common' }, { bucketMs: HOUR, top: 5 }));
    expect(fresh.ready).toBe(true);
    await fresh.warm(); // the warm-up that was under way finds it complete
  });

  it('are completed by a statistics query before the warm-up only when nearly complete: far from it, SQL answers', async () => {
    const { dialect } = side.custody.database;
    if (dialect.facetReads === undefined) throw new Error('SQLite offers facetReads');
    const buckets = { widths: [HOUR], choose: () => HOUR };
    // Copied 50 at a time: after the first slice, more than 100 are missing (340 events at least, by now more).
    const far = new EventFacets(dialect.facetReads, createFacetMemory(), { slice: 50, completeAtOnce: 100 });
    expect(far.stats('org_f', { words: ['common'] }, HOUR, 5, buckets)).toBeNull();
    expect(far.ready).toBe(false);
    expect(far.size).toBe(50);
    await far.warm();
    expect(far.stats('org_f', { words: ['common'] }, HOUR, 5, buckets)).toEqual(await sql.stats('org_f', { q: 'common' }, { bucketMs: HOUR, top: 5 }));
    const near = new EventFacets(dialect.facetReads, createFacetMemory(), { slice: 50, completeAtOnce: far.size });
    expect(near.stats('org_f', { words: ['common'] }, HOUR, 5, buckets)).toEqual(await sql.stats('org_f', { q: 'common' }, { bucketMs: HOUR, top: 5 }));
    expect(near.ready).toBe(true);
  });

  it('free the copy\'s lock that a stopped thread held, and only that one', () => {
    const memory = createFacetMemory();
    const header = new Int32Array(memory.header);
    Atomics.store(header, 0, threadTag(41));
    releaseFacetLock(memory, 40);
    expect(Atomics.load(header, 0)).toBe(threadTag(41));
    releaseFacetLock(memory, 41);
    expect(Atomics.load(header, 0)).toBe(0);
    // A statistics summary's slot it held too.
    const summaries = new Int32Array(memory.summaries.header);
    Atomics.store(summaries, 0, threadTag(42));
    releaseFacetLock(memory, 42);
    expect(Atomics.load(summaries, 0)).toBe(0);
  });

  it('refuse a malformed action prefix as SQL does', async () => {
    await expect(withFacets.stats('org_f', { q: 'common', actions: ['User.*'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(withFacets.stats('org_f', { q: 'common', actions: ['.*'] })).rejects.toThrow('invalid action prefix ".*"');
  });

  it('order strings as SQLite\'s BINARY collation does', () => {
    const values = ['b', 'a', '\u{1d49c}', '\u{ff5a}', 'ab', '', 'Z'];
    expect([...values].sort(compareBinary)).toEqual([...values].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  });
});

describe('statistics over broad searches, from bitmaps', () => {
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  let sql: EventQueries;
  let facets: EventFacets;
  /** Every read of the full-text index's entries the copy made: words, after, up to. */
  const reads: [string[], number, number][] = [];
  const HOUR_BUCKETS = { widths: [HOUR], choose: () => HOUR };

  beforeAll(async () => {
    // common: 340 events, firefox 310, even and odd 150 each, rare 30 (not broad: fewer than 50).
    side = await createFacetLog();
    const { db, dialect } = side.custody.database;
    sql = new EventQueries(db, dialect, { statsSearchSeekLimit: 1 });
    const base = dialect.facetReads;
    if (base === undefined) throw new Error('SQLite offers facetReads');
    facets = new EventFacets(
      {
        rowsAfter: (after, limit) => base.rowsAfter(after, limit),
        rowidBits: (query, bits, upTo) => base.rowidBits(query, bits, upTo),
        metadataEntryBits: (organizationId, key, value, bits, after, upTo) => base.metadataEntryBits(organizationId, key, value, bits, after, upTo),
        metadataSeqBits: (organizationId, key, value, bits) => base.metadataSeqBits(organizationId, key, value, bits),
        metadataSample: (organizationId, seqs) => base.metadataSample(organizationId, seqs),
        lastRowid: () => base.lastRowid(),
        searchEntryBits: (words, bits, after, upTo) => {
          reads.push([[...words], after, upTo]);
          return base.searchEntryBits(words, bits, after, upTo);
        },
      },
      createFacetMemory(3),
      { broadSearchMatches: 50 },
    );
    await facets.warm();
  });
  afterAll(async () => {
    await side.destroy();
  });

  const check = async (org: string, words: string[], extra: Omit<TEventFilter, 'q' | 'metadata'> = {}) => {
    const after = extra.occurredAfter === undefined ? {} : { after: Date.parse(extra.occurredAfter) };
    const before = extra.occurredBefore === undefined ? {} : { before: Date.parse(extra.occurredBefore) };
    const got = facets.stats(org, { words, ...extra, ...after, ...before }, undefined, 4, HOUR_BUCKETS);
    expect(got, JSON.stringify([org, words, extra])).toEqual(await sql.stats(org, { q: words.join(' '), ...extra }, { bucketMs: HOUR, top: 4 }));
    return got;
  };

  it('keep a broad search\'s matches as a bitmap and answer from it without reading the index again', async () => {
    expect(await check('org_f', ['common'])).toMatchObject({ total: 300 });
    expect(facets.bitmapSearches).toEqual(['common']);
    reads.length = 0;
    await check('org_f', ['common']);
    await check('org_other', ['common']);
    await check('org_f', ['common'], { actions: ['user.*'], actorType: 'user', occurredAfter: new Date(START + 40 * HOUR).toISOString() });
    expect(reads).toEqual([]);
    // A search matching few events gets none.
    await check('org_f', ['rare']);
    await check('org_f', ['common', 'rare']);
    expect(facets.bitmapSearches).toEqual(['common']);
  });

  it('keep a broad search of several words by its words, in any order', async () => {
    reads.length = 0;
    await check('org_f', ['common', 'even']);
    expect(reads).toEqual([[['common', 'even'], 0, 340]]);
    expect(facets.bitmapSearches.sort()).toEqual(['common', 'common even']);
    reads.length = 0;
    await check('org_f', ['even', 'common'], { actorId: 'u_a' });
    await check('org_other', ['common', 'even']);
    expect(reads).toEqual([]);
  });

  it('answer a search of several words from their own bitmaps\' intersection', async () => {
    await check('org_f', ['odd']);
    expect(facets.bitmapSearches.sort()).toEqual(['common', 'common even', 'odd']);
    reads.length = 0;
    await check('org_f', ['odd', 'common']);
    await check('org_f', ['common', 'odd'], { actions: ['invoice.paid'] });
    expect(reads).toEqual([]);
  });

  it('bring the bitmaps up to date with events committed since, reading only the new entries', async () => {
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 30 }, (_, i) => eventNumber(500 + i, 'common latecomer')));
    reads.length = 0;
    expect(await check('org_f', ['common', 'even'])).toMatchObject({ total: 165 });
    expect(await check('org_f', ['odd', 'common'])).toMatchObject({ total: 165 });
    expect(reads.sort()).toEqual([
      [['common'], 340, 370],
      [['common', 'even'], 340, 370],
      [['odd'], 340, 370],
    ]);
  });

  it('make room for new broad searches by dropping the least recently used, answers unchanged', async () => {
    await check('org_f', ['firefox']);
    // `common` was used last by the intersection above, `common even` before it: that one made way.
    expect(facets.bitmapSearches.sort()).toEqual(['common', 'firefox', 'odd']);
    for (const words of [['common', 'even'], ['firefox', 'odd'], ['even'], ['common', 'firefox', 'odd'], ['common']]) await check('org_f', words);
    expect(facets.bitmapSearches).toHaveLength(3);
  });
});

describe('statistics from a copy another reader brought further', () => {
  it('count only the events of the call\'s own snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custody-facets-'));
    const side = await createTestCustody('sqlite', { sqliteFile: join(dir, 'custody.db') });
    const readers: CustodyDatabase[] = [];
    try {
      await side.custody.createOrganization({ id: 'org_f', name: 'F' });
      await side.custody.ingestor.ingest('org_f', Array.from({ length: 30 }, (_, i) => eventNumber(i, 'common')));
      const options = side.custody.database.readerThreadOptions;
      if (options === null) throw new Error('a SQLite file has query-thread connection options');
      const memory = createFacetMemory();
      const open = async () => {
        const opened = await openDatabase(options);
        readers.push(opened);
        return { opened, queries: new EventQueries(opened.db, opened.dialect, { facets: memory, broadSearchMatches: 1 }) };
      };
      const older = await open();
      const newer = await open();
      const readSnapshot = older.opened.dialect.readSnapshot;
      if (readSnapshot === undefined) throw new Error('the SQLite dialect reads snapshots');
      // A search that gets a bitmap (every search does here), another that gets one only after the commit.
      const filters: TEventFilter[] = [{ actorType: 'service' }, { actions: ['user.*'] }, { targetId: 'doc_3' }, { q: 'common' }, { q: 'later' }];
      const [during, newerTotals] = await readSnapshot(older.opened.db, async () => {
        const before = await Promise.all(filters.map((f) => older.queries.stats('org_f', f)));
        // Committed after the older call's snapshot began; the newer reader copies them into the shared memory.
        await side.custody.ingestor.ingest('org_f', Array.from({ length: 20 }, (_, i) => eventNumber(100 + i * 5 + 4, 'common later')));
        await newer.queries.stats('org_f', { actorType: 'user' });
        // The older call sees the copy ahead of its snapshot before the newer one asks for the searches.
        const again = await Promise.all(filters.map((f) => older.queries.stats('org_f', f)));
        expect(again).toEqual(before);
        const totals = await Promise.all(filters.map(async (f) => (await newer.queries.stats('org_f', f)).total));
        return [again, totals];
      });
      // The newer reader did see more events (else this test would prove nothing), and so does every later call:
      // no bitmap was marked as covering the new events by the call that could not see them.
      expect(newerTotals[0]).toBeGreaterThan(during[0]?.total ?? 0);
      expect(newerTotals.slice(3)).toEqual([50, 20]);
      expect((await older.queries.stats('org_f', { q: 'common' })).total).toBe(50);
    } finally {
      for (const reader of readers) await reader.close();
      await side.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

for (const [how, rangeByEvents] of [['each event checked', undefined], ['the values\' lists read', 0]] as const) {
  describe(`statistics over metadata, from bitmaps (${how})`, () => {
    it('keep a common metadata value\'s events as a bitmap, brought up to date from the events committed since', async () => {
      await withFacetLog(async ({ side, db, dialect, reads: base, sql }) => {
      /** The metadata reads the copy made: organization, key, value, and the rowid after which (or the list). */
      const reads: [string, string, string, number | 'list'][] = [];
      const facetReads: typeof base = {
        rowsAfter: (after, limit) => base.rowsAfter(after, limit),
        searchEntryBits: (words, bits, after, upTo) => base.searchEntryBits(words, bits, after, upTo),
        rowidBits: (query, bits, upTo) => base.rowidBits(query, bits, upTo),
        lastRowid: () => base.lastRowid(),
        metadataEntryBits: (organizationId, key, value, bits, after, upTo) => {
          reads.push([organizationId, key, value, after]);
          return base.metadataEntryBits(organizationId, key, value, bits, after, upTo);
        },
        metadataSeqBits: (organizationId, key, value, bits) => {
          reads.push([organizationId, key, value, 'list']);
          return base.metadataSeqBits(organizationId, key, value, bits);
        },
        metadataSample: (organizationId, seqs) => base.metadataSample(organizationId, seqs),
      };
      const memory = createFacetMemory(4);
      const queries = new EventQueries(db, { ...dialect, facetReads }, { facets: memory, broadSearchMatches: 50, ...(rangeByEvents === undefined ? {} : { metadataRangeByEvents: rangeByEvents }) });
      const kept = () => new EventFacets(facetReads, memory).bitmapSearches;
      const same = async (org: string, filter: TEventFilter) => {
        const got = await queries.stats(org, filter, { top: 100 });
        expect(got, JSON.stringify([org, filter])).toEqual(await sql.stats(org, filter, { top: 100 }));
        return got;
      };
      const read = (org: string, after: number): [string, string, string, number | 'list'] => [org, 'plan', 'team', rangeByEvents === 0 ? 'list' : after];
      // plan=team: two events in three of org_f's 300 (broad: 50 or more, and a sixteenth of the log).
      expect(await same('org_f', { metadata: { plan: 'team' } })).toMatchObject({ total: 200 });
      expect(reads).toEqual([read('org_f', 0)]);
      expect(kept()).toEqual([metadataKey('org_f', 'plan', 'team')]);
      reads.length = 0;
      await same('org_f', { metadata: { plan: 'team' }, actions: ['user.*'] });
      await same('org_f', { metadata: { plan: 'team' }, q: 'common', actorType: 'user' });
      await same('org_f', { metadata: { plan: 'team' }, targetType: 'document' });
      expect(reads).toEqual([]);
      // The same pair in another organization is another set; one with few events is read each time, kept never.
      await same('org_other', { metadata: { plan: 'team' } });
      await same('org_other', { metadata: { plan: 'team' } });
      expect(reads).toEqual([read('org_other', 0), read('org_other', 0)]);
      expect(kept().sort()).toEqual([metadataKey('org_f', 'plan', 'team'), 'common']);
      // Events committed since: only they are read, from the range past the bitmap's mark.
      await side.custody.ingestor.ingest('org_f', Array.from({ length: 30 }, (_, i) => eventNumber(600 + i, 'common')));
      reads.length = 0;
      expect(await same('org_f', { metadata: { plan: 'team' } })).toMatchObject({ total: 220 });
      expect(reads).toEqual([read('org_f', 340)]);
      await same('org_f', { metadata: { plan: 'enterprise' }, occurredAfter: new Date(START + 100 * HOUR).toISOString() });
      await same('org_other', { metadata: { plan: 'enterprise' }, q: 'common' });
      await same('org_f', { metadata: { plan: 'nobody' } });
      // An organization that does not exist has no statistics (not zero events): NOT_FOUND, the copy not asked.
      reads.length = 0;
      for (const stats of [queries, sql]) {
        await expect(stats.stats('org_nobody', { metadata: { plan: 'team' } })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'organization "org_nobody" not found' });
      }
      expect(reads).toEqual([]);
      });
    });
  });
}

describe('common metadata values made into bitmaps after start', () => {
  it('are guessed from a sample, read a part of their list at a time, made by one thread, and answer statistics without reading them', async () => {
    const side = await createFacetLog();
    try {
      // Ten of org_f's events also hold region=eu: too few for a bitmap.
      await side.custody.ingestor.ingest('org_f', Array.from({ length: 10 }, (_, i) => ({ ...eventNumber(300 + i, 'common'), metadata: { plan: 'team', region: 'eu' } })));
      const { db, dialect } = side.custody.database;
      const base = dialect.facetReads;
      if (base === undefined) throw new Error('SQLite offers facetReads');
      /** The metadata lists read: organization, key, value, seq range. */
      const lists: [string, string, string, readonly [number, number] | undefined][] = [];
      const samples: [string, number][] = [];
      const facetReads: typeof base = {
        ...base,
        metadataSeqBits: (organizationId, key, value, bits, seqs) => {
          lists.push([organizationId, key, value, seqs]);
          return base.metadataSeqBits(organizationId, key, value, bits, seqs);
        },
        metadataSample: (organizationId, seqs) => {
          samples.push([organizationId, seqs.length]);
          expect(new Set(seqs).size).toBe(seqs.length);
          expect(seqs.every((seq) => seq >= 0 && seq < 310)).toBe(true);
          return base.metadataSample(organizationId, seqs);
        },
      };
      const memory = createFacetMemory(4);
      const options = { broadSearchMatches: 50, metadataRangeByEvents: 0 };
      const first = new EventFacets(facetReads, memory, options);
      const second = new EventFacets(facetReads, memory, options);
      // Nothing before the copy is complete.
      expect(await first.warmMetadata()).toEqual([]);
      await first.warm();
      // In org_f (310 events, the only organization large enough), plan=team (210) and plan=enterprise (100), in
      // parts of 128 seqs; org_other's 40 events are not sampled. The other thread finds the work taken.
      const team = metadataKey('org_f', 'plan', 'team');
      const enterprise = metadataKey('org_f', 'plan', 'enterprise');
      expect(await first.warmMetadata(undefined, { seqsAtOnce: 128, pairs: 3, buckets: STATS_BUCKETS })).toEqual([team, enterprise]);
      // Their whole-log statistics too.
      expect(new StatsSummaries(memory.summaries, 99).keys.sort()).toEqual([team, enterprise].map((key) => summaryKey('org_f', key, STATS_BUCKETS.widths)).sort());
      expect(await second.warmMetadata()).toEqual([]);
      expect(samples).toEqual([['org_f', 310]]);
      const parts = [[0, 128], [128, 256], [256, 384]];
      expect(lists).toEqual([...parts.map((p) => ['org_f', 'plan', 'team', p]), ...parts.map((p) => ['org_f', 'plan', 'enterprise', p])]);
      expect(second.bitmapSearches.sort()).toEqual([team, enterprise].sort());
      // Statistics over them read no list, and equal SQL's.
      lists.length = 0;
      const sql = new EventQueries(db, dialect);
      const queries = new EventQueries(db, { ...dialect, facetReads }, { facets: memory, ...options });
      const filters: TEventFilter[] = [{ metadata: { plan: 'team' } }, { metadata: { plan: 'enterprise' }, actions: ['user.*'] }, { metadata: { plan: 'team', region: 'eu' } }];
      for (const filter of filters) {
        expect(await queries.stats('org_f', filter, { top: 100 }), JSON.stringify(filter)).toEqual(await sql.stats('org_f', filter, { top: 100 }));
      }
      expect(lists).toEqual([['org_f', 'region', 'eu', undefined]]);
      // At most `pairs`, the most common first.
      const alone = new EventFacets(facetReads, createFacetMemory(4), options);
      await alone.warm();
      expect(await alone.warmMetadata(undefined, { pairs: 1 })).toEqual([team]);
    } finally {
      await side.destroy();
    }
  });
});

describe('statistics over a few actions or actors, from their lists', () => {
  it('read the events of the actions or actors asked for, as SQL counts them, with later events, and scan once an append that never published made the lists unreliable', async () => {
    const side = await createTestCustody('sqlite');
    try {
      await side.custody.createOrganization({ id: 'org_c', name: 'C' });
      await side.custody.createOrganization({ id: 'org_d', name: 'D' });
      // Mostly invoice.paid; user.signed_in one in 20, user.deleted one in 50, sso.failed one in 200; both organizations interleaved.
      const actionOf = (i: number) => (i % 200 === 0 ? 'sso.failed' : i % 50 === 0 ? 'user.deleted' : i % 20 === 0 ? 'user.signed_in' : 'invoice.paid');
      const batch = (org: string, from: number, length: number, action: (i: number) => string = actionOf) =>
        side.custody.ingestor.ingest(org, Array.from({ length }, (_, j) => eventNumber(from + j, 'chain')).map((e, j) => ({ ...e, action: action(from + j) })));
      for (let b = 0; b < 4; b++) {
        await batch('org_c', b * 500, 500);
        await batch('org_d', b * 500, 200);
      }
      const { db, dialect } = side.custody.database;
      const base = dialect.facetReads;
      if (base === undefined) throw new Error('SQLite offers facetReads');
      const sql = new EventQueries(db, dialect);
      const memory = createFacetMemory();
      const copy = new EventQueries(db, dialect, { facets: memory });
      await copy.warmFacets();
      const filters: TEventFilter[] = [
        { actions: ['user.signed_in'] },
        { actions: ['user.*'] },
        { actions: ['user.deleted', 'sso.failed'] },
        { actions: ['user.*'], occurredAfter: new Date(START + 300 * HOUR).toISOString(), occurredBefore: new Date(START + 1500 * HOUR).toISOString() },
        { actions: ['user.signed_in'], actorType: 'service' },
        { actions: ['user.*'], actorId: 'u_b' },
        { actorId: 'ctl\u0001id' },
        { actorType: 'service', occurredAfter: new Date(START + 300 * HOUR).toISOString() },
        { actions: ['invoice.*'] },
        { actions: ['fresh.thing'] },
      ];
      const same = async (queries: EventQueries, note: string) => {
        for (const org of ['org_c', 'org_d']) {
          for (const filter of filters) {
            const got = await queries.stats(org, filter, { top: 100 });
            expect(got, `${note} ${org} ${JSON.stringify(filter)}`).toEqual(await sql.stats(org, filter, { top: 100 }));
          }
        }
        expect((await queries.stats('org_c', { actions: ['user.*'] })).total).toBeGreaterThan(0);
      };
      await same(copy, 'warm');
      expect(new EventFacets(base, memory).listsUsable).toBe(true);
      // Each thread counts every action's actors after the warm-up: four actions in each organization.
      expect(new EventFacets(base, memory).warmTallies()).toBe(8);
      // Events committed since: appended to the lists.
      await batch('org_c', 2000, 300);
      await batch('org_d', 800, 100, (i) => (i % 3 === 0 ? 'fresh.thing' : actionOf(i)));
      // Actors new to the copy, after this thread counted the actions' actors (its running counts grow).
      await side.custody.ingestor.ingest('org_c', Array.from({ length: 60 }, (_, j) => ({ ...eventNumber(2300 + j, 'chain'), action: 'user.signed_in', actor: { id: `late_${j % 4}`, type: 'user' } })));
      await same(copy, 'later');
      expect((await copy.stats('org_c', { actions: ['user.signed_in'] }, { top: 100 })).topActors).toContainEqual({ type: 'user', id: 'late_0', count: 15 });
      // An append that stopped part-way (its thread stopped by the pool: the lock released, nothing published):
      // it added events to lists, one of them new, that the next append copies again.
      await batch('org_c', 2300, 40, (i) => (i % 2 === 0 ? 'user.signed_in' : 'brand.new'));
      await batch('org_d', 900, 40, (i) => (i % 4 === 0 ? 'user.deleted' : 'fresh.thing'));
      const stopping = new EventFacets(
        {
          ...base,
          rowsAfter: (after, limit) => {
            const rows = base.rowsAfter(after, limit);
            const stop = [...rows[60] ?? []];
            Object.defineProperty(stop, 1, { get: () => { throw new Error('stopped'); } });
            return [...rows.slice(0, 60), stop as unknown as (typeof rows)[number], ...rows.slice(61)];
          },
        },
        memory,
      );
      expect(stopping.catchUp()).toBe(false);
      // A stopped thread never marks the copy broken, as this failure did.
      Atomics.store(new Int32Array(memory.header), 2, 1);
      filters.push({ actions: ['brand.new'] }, { actions: ['brand.*', 'fresh.thing'] });
      await same(new EventQueries(db, dialect, { facets: memory }), 'copied again');
      await same(copy, 'copied again, seen by another thread');
      expect(new EventFacets(base, memory).listsUsable).toBe(false);
    } finally {
      await side.destroy();
    }
  });
});

describe('statistics over a time range, blocks of the copy skipped', () => {
  it('skip only the blocks of rowids whose events all fall outside the range, late events included', async () => {
    const side = await createTestCustody('sqlite');
    try {
      await side.custody.createOrganization({ id: 'org_t', name: 'T' });
      // 10,000 events a minute apart, over three blocks of 4,096 rowids; every 97th arrives three days late,
      // its time among far earlier blocks' times.
      const MINUTE = 60_000;
      for (let b = 0; b < 10; b++) {
        await side.custody.ingestor.ingest('org_t', Array.from({ length: 1000 }, (_, j) => {
          const i = b * 1000 + j;
          return event({ action: i % 3 === 0 ? 'user.signed_in' : 'invoice.paid', occurred_at: new Date(START + i * MINUTE - (i % 97 === 0 ? 3 * 24 * HOUR : 0)).toISOString() });
        }));
      }
      const { db, dialect } = side.custody.database;
      const sql = new EventQueries(db, dialect);
      const copy = new EventQueries(db, dialect, { facets: true });
      await copy.warmFacets();
      const at = (minute: number) => new Date(START + minute * MINUTE).toISOString();
      for (const filter of [
        { occurredAfter: at(100), occurredBefore: at(200) },
        { occurredAfter: at(5000), occurredBefore: at(5100), actions: ['user.*'] },
        { occurredAfter: at(-4320), occurredBefore: at(-3000) }, // only late events, in every block
        { occurredAfter: at(9990) },
        { occurredBefore: at(10) },
        { occurredAfter: at(4095), occurredBefore: at(4097), actorType: 'user' },
      ] as TEventFilter[]) {
        const got = await copy.stats('org_t', filter, { top: 100 });
        expect(got, JSON.stringify(filter)).toEqual(await sql.stats('org_t', filter, { top: 100 }));
        expect(got.total, JSON.stringify(filter)).toBeGreaterThan(0);
      }
    } finally {
      await side.destroy();
    }
  });
});

describe('whole-log statistics of common searches and metadata values, kept as summaries', () => {
  it('answer later calls from the summary and the events committed since, exactly as SQL, and nothing else from it', async () => {
    await withFacetLog(async ({ side, db, dialect, reads: base, sql }) => {
    /** The full-text and metadata reads the copy made, and the rowid after which. */
    const reads: [string, number][] = [];
    const facetReads: typeof base = {
      ...base,
      searchEntryBits: (words, bits, after, upTo) => (reads.push([words.join(' '), after]), base.searchEntryBits(words, bits, after, upTo)),
      metadataEntryBits: (organizationId, key, value, bits, after, upTo) => (reads.push([`${key}=${value}`, after]), base.metadataEntryBits(organizationId, key, value, bits, after, upTo)),
      metadataSeqBits: (organizationId, key, value, bits, seqs) => (reads.push([`${key}=${value} list`, 0]), base.metadataSeqBits(organizationId, key, value, bits, seqs)),
    };
    // Two bitmap slots: `common even` (searched third) gets none and is read from the index each time.
    const memory = createFacetMemory(2);
    const queries = new EventQueries(db, { ...dialect, facetReads }, { facets: memory, broadSearchMatches: 50 });
    await queries.warmFacets();
    const inspect = new StatsSummaries(memory.summaries, 99);
    const same = async (filter: TEventFilter, options: { top?: number; bucketMs?: number } = { top: 3 }, org = 'org_f') => {
      const got = await queries.stats(org, filter, options);
      expect(got, JSON.stringify([org, filter, options])).toEqual(await sql.stats(org, filter, options));
      return got;
    };
    const keys = {
      common: summaryKey('org_f', 'common', STATS_BUCKETS.widths),
      team: summaryKey('org_f', metadataKey('org_f', 'plan', 'team'), STATS_BUCKETS.widths),
      even: summaryKey('org_f', 'common even', STATS_BUCKETS.widths),
    };
    await same({ q: 'common' });
    await same({ metadata: { plan: 'team' } });
    await same({ q: 'even common' });
    // A search or a metadata value too rare, another organization's few events, and any other filter: no summary.
    await same({ q: 'rare' });
    await same({ q: 'common' }, { top: 3 }, 'org_other');
    for (const filter of [{ q: 'common', actions: ['user.*'] }, { q: 'common', occurredAfter: new Date(START).toISOString() }, { q: 'common', metadata: { plan: 'team' } }, { metadata: { plan: 'team' }, actorType: 'user' }]) await same(filter);
    await same({ q: 'common' }, { bucketMs: HOUR });
    expect(inspect.keys.sort()).toEqual(Object.values(keys).sort());
    expect(inspect.get(keys.common)).toMatchObject({ mark: 340, n: 300 });

    // The summary answers: counts changed in it show in the statistics (put back afterwards).
    const kept = inspect.get(keys.even);
    if (kept === null) throw new Error('kept');
    expect(inspect.put(keys.even, { ...kept, n: kept.n + 1_000 })).toBe(true);
    reads.length = 0;
    expect((await queries.stats('org_f', { q: 'common even' })).total).toBe(150 + 1_000);
    expect(reads).toEqual([]); // not even the search without a bitmap: nothing past the mark to read
    expect(inspect.put(keys.even, kept)).toBe(true);
    // A summary counting beyond the call's snapshot is not used.
    expect(inspect.put(keys.common, { ...(inspect.get(keys.common) as TStatsSummary), mark: 10_000, n: 1 })).toBe(true);
    expect((await same({ q: 'common' })).total).toBe(300);

    // Later events: far earlier times (the range grows past a year, the histogram's cells coarsen), new
    // actions and actors. Only what lies past each summary's mark is read.
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 40 }, (_, i) => event({
      action: i % 2 === 0 ? 'report.exported' : 'user.signed_in',
      occurred_at: new Date(START - (400 + i) * 24 * HOUR).toISOString(),
      actor: { id: `newcomer_${i % 7}`, type: 'user', name: i % 4 === 0 ? 'common even' : 'common' },
      metadata: { plan: 'team' },
    })));
    reads.length = 0;
    for (const filter of [{ q: 'even common' }, { metadata: { plan: 'team' } }]) {
      await same(filter, { top: 3 });
      expect((await same(filter, { top: 100 })).topActions.map((a) => a.action)).toContain('report.exported');
    }
    expect(reads.sort()).toEqual([['even common', 340], ['plan=team', 340]]);
    expect(inspect.get(keys.even)).toMatchObject({ mark: 380, n: 160 });
    expect(inspect.get(keys.team)).toMatchObject({ mark: 380, n: 240 });
    // The summary of `common` counting past the snapshot was replaced by a count from the events.
    await same({ q: 'common' }, { top: 100 });

    // A search too rare for a bitmap (under a sixteenth of the log) but with enough matches keeps a summary: its
    // later calls read the index only past the mark.
    await side.custody.ingestor.ingest('org_other', Array.from({ length: 1_000 }, (_, i) => eventNumber(7_000 + i, 'filler')));
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 60 }, (_, i) => eventNumber(8_000 + i, 'midsize')));
    reads.length = 0;
    await same({ q: 'midsize' });
    await side.custody.ingestor.ingest('org_f', Array.from({ length: 5 }, (_, i) => eventNumber(9_000 + i, 'midsize')));
    expect((await same({ q: 'midsize' })).total).toBe(65);
    expect(reads).toEqual([['midsize', 0], ['midsize', 1_440]]);
    expect(inspect.keys).toContain(summaryKey('org_f', 'midsize', STATS_BUCKETS.widths));
    expect(new EventFacets(facetReads, memory).bitmapSearches).not.toContain('midsize');
    });
  });
});

describe('the statistics copy saved to a file and restored at the next start', () => {
  it('restores a snapshot of the same database and goes on from its last rowid, exactly as a copy made from every event', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custody-snapshot-'));
    const side = await createFacetLog();
    const other = await createTestCustody('sqlite');
    try {
      const file = join(dir, 'statistics-copy.bin');
      const { db, dialect } = side.custody.database;
      const base = dialect.facetReads;
      if (base === undefined) throw new Error('SQLite offers facetReads');
      /** Where each read of events began: a restored copy reads only past its snapshot's last rowid. */
      const starts: number[] = [];
      const logged: typeof base = { ...base, rowsAfter: (after, limit) => (starts.push(after), base.rowsAfter(after, limit)) };
      const saved = new EventFacets(logged, createFacetMemory(), { snapshotFile: file, snapshotGrowth: 20 });
      expect(saved.saveSnapshot()).toBe(false); // not complete yet
      await saved.warm();
      expect(saved.saveSnapshot()).toBe(true);
      expect(saved.saveSnapshot()).toBe(false); // not grown since
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      // Events committed since the snapshot, with new actions, actors and an organization.
      await side.custody.createOrganization({ id: 'org_new', name: 'New' });
      await side.custody.ingestor.ingest('org_f', Array.from({ length: 30 }, (_, i) => eventNumber(4_000 + i, 'common restored')));
      await side.custody.ingestor.ingest('org_new', Array.from({ length: 5 }, (_, i) => event({ action: 'brand.new', actor: { id: `fresh_${i}`, type: 'robot' } })));

      const sql = new EventQueries(db, dialect);
      const restore = async (reads: typeof base) => {
        starts.length = 0;
        const memory = createFacetMemory();
        const facets = new EventFacets(reads, memory, { snapshotFile: file });
        await facets.warm();
        return { memory, first: starts[0] };
      };
      const { memory, first } = await restore(logged);
      expect(first).toBe(340);
      // The snapshot follows the copy once it has grown enough: 20 events here, or an eighth (42.5 of 340). 35 more
      // are not enough; 45 are.
      const again = new EventFacets(logged, memory, { snapshotFile: file, snapshotGrowth: 20 });
      expect(again.saveSnapshot()).toBe(false);
      await side.custody.ingestor.ingest('org_f', Array.from({ length: 10 }, (_, i) => eventNumber(4_100 + i, 'common restored')));
      expect(again.catchUp()).toBe(true);
      expect(again.saveSnapshot()).toBe(true);
      expect(again.saveSnapshot()).toBe(false);
      expect((await restore(logged)).first).toBe(385);
      const restored = new EventQueries(db, { ...dialect, facetReads: logged }, { facets: memory });
      const filters: TEventFilter[] = [
        { q: 'common' }, { q: 'restored' }, { actions: ['user.*'] }, { actorId: 'u_a' }, { actorType: 'robot' }, { metadata: { plan: 'team' } },
        { ip: '10.1.0.0/16' }, { occurredAfter: new Date(START + 40 * HOUR).toISOString(), occurredBefore: new Date(START + 90 * HOUR).toISOString() },
      ];
      for (const org of ['org_f', 'org_other', 'org_new']) {
        for (const filter of filters) {
          expect(await restored.stats(org, filter, { top: 100 }), JSON.stringify([org, filter])).toEqual(await sql.stats(org, filter, { top: 100 }));
        }
      }

      // Another database's snapshot (fewer events, other ids), or an altered file: the copy is made from every event.
      const otherReads = other.custody.database.dialect.facetReads;
      if (otherReads === undefined) throw new Error('SQLite offers facetReads');
      await other.custody.createOrganization({ id: 'org_f', name: 'F' });
      await other.custody.ingestor.ingest('org_f', Array.from({ length: 400 }, (_, i) => eventNumber(i, 'common')));
      const otherLogged: typeof base = { ...otherReads, rowsAfter: (after, limit) => (starts.push(after), otherReads.rowsAfter(after, limit)) };
      expect((await restore(otherLogged)).first).toBe(0);
      const bytes = await readFile(file);
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 1;
      await writeFile(file, bytes);
      const refused = await restore(logged);
      expect(refused.first).toBe(0);
      // What the refused file put in the buffers was undone: the copy made from the events instead is SQL's.
      const remade = new EventQueries(db, dialect, { facets: refused.memory });
      for (const filter of filters) expect(await remade.stats('org_new', filter, { top: 100 })).toEqual(await sql.stats('org_new', filter, { top: 100 }));
      await writeFile(file, bytes.subarray(0, bytes.length - 4096));
      expect((await restore(logged)).first).toBe(0);
      // A header number altered (an organization fewer in the dictionary), the body intact: the hash covers both.
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 1;
      const length = bytes.readUInt32LE(0);
      const header = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8')) as { counts: number[] };
      const altered = Buffer.from(JSON.stringify({ ...header, counts: [(header.counts[0] ?? 0) - 1, ...header.counts.slice(1)] }));
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(altered.length);
      await writeFile(file, Buffer.concat([prefix, altered, bytes.subarray(4 + length)]));
      expect((await restore(logged)).first).toBe(0);
      // The same file with the true header again is restored: the alteration alone was refused.
      await writeFile(file, bytes);
      expect((await restore(logged)).first).toBe(385);
      await writeFile(file, 'not a snapshot');
      expect((await restore(logged)).first).toBe(0);
    } finally {
      await other.destroy();
      await side.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the statistics copy within its memory limit', () => {
  const buckets = { widths: [HOUR], choose: () => HOUR };

  it('is not made, nor restored from a saved copy, when holding every event would pass the limit: SQL answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custody-limit-'));
    try {
      await withFacetLog(async ({ db, dialect, reads, sql }) => {
        const file = join(dir, 'statistics-copy.bin');
        const saved = new EventFacets(reads, createFacetMemory(), { snapshotFile: file });
        await saved.warm();
        expect(saved.saveSnapshot()).toBe(true);
        // 340 events and a growth step of 4,096 records at 36 bytes each: about 160 KB, over 100,000 bytes.
        const memory = createFacetMemory(undefined, 100_000);
        const copy = new EventFacets(reads, memory, { snapshotFile: file, growRecords: 4_096 });
        await expect(copy.warm()).rejects.toThrow(/would take about 0\.2 MiB to hold the log's 340 events, over its limit of 0\.1 MiB/);
        expect(copy.overLimit).toBe(true);
        expect(copy.usable).toBe(false);
        expect(copy.size).toBe(0);
        expect(facetMemoryBytes(memory)).toBeLessThanOrEqual(100_000);
        expect(copy.stats('org_f', { words: ['common'] }, HOUR, 5, buckets)).toBeNull();
        // Another thread's warm-up on the same memory says why, and its statistics are SQL's.
        const limited = new EventQueries(db, dialect, { facets: memory });
        await expect(limited.warmFacets()).rejects.toThrow('the statistics copy was given up: it would pass its memory limit');
        for (const filter of [{ q: 'common' }, { actions: ['user.*'] }, {}] satisfies TEventFilter[]) {
          expect(await limited.stats('org_f', filter)).toEqual(await sql.stats('org_f', filter));
        }
        // With room for it, the same file is restored.
        const roomy = new EventFacets(reads, createFacetMemory(undefined, 64 * 2 ** 20), { snapshotFile: file });
        expect(roomy.catchUp()).toBe(true);
        expect(roomy.overLimit).toBe(false);
        expect(roomy.size).toBe(340);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is given up once the log grows past the limit, and SQL answers from then on', async () => {
    await withFacetLog(async ({ side, db, dialect, reads, sql }) => {
    const whole = createFacetMemory();
    await new EventFacets(reads, whole, { growRecords: 4_096 }).warm();
    const taken = facetMemoryBytes(whole);
    // Room for what the 340 events take (the columns made for 8,192: one step ahead) and a growth step with some
    // to spare, not for 8,000 more events, which pass the columns' end.
    const memory = createFacetMemory(undefined, taken + (4_096 + 1_000) * 36);
    const copy = new EventFacets(reads, memory, { growRecords: 4_096 });
    await copy.warm();
    expect(copy.ready).toBe(true);
    expect(copy.stats('org_f', { words: ['common'] }, HOUR, 5, buckets)).toEqual(await sql.stats('org_f', { q: 'common' }, { bucketMs: HOUR, top: 5 }));
    for (let b = 0; b < 8; b++) await side.custody.ingestor.ingest('org_other', Array.from({ length: 1_000 }, (_, i) => eventNumber(10_000 + b * 1_000 + i, 'common grown')));
    expect(copy.overLimit).toBe(false);
    expect(copy.stats('org_f', { words: ['common'] }, HOUR, 5, buckets)).toBeNull();
    expect(copy.overLimit).toBe(true);
    expect(facetMemoryBytes(memory)).toBeLessThanOrEqual(memory.maxBytes);
    const limited = new EventQueries(db, dialect, { facets: memory });
    for (const org of ['org_f', 'org_other']) {
      for (const filter of [{ q: 'common' }, { q: 'grown' }, { actorId: 'u_a' }] satisfies TEventFilter[]) {
        expect(await limited.stats(org, filter)).toEqual(await sql.stats(org, filter));
      }
    }
    expect((await limited.stats('org_other', { q: 'grown' })).total).toBe(8_000);
    });
  });
});
