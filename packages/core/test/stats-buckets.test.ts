/**
 * `events.stats` buckets are `floor(t / bucketMs) * bucketMs` for every time ingest accepts (years 0000 to 9999),
 * before 1970 too, whichever way the statistics are answered: the counts kept at ingest (hourly or daily), SQL over
 * the events (with or without the rowids of a target listed first), or the in-memory copy (SQLite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { EventQueries } from '../src/index';
import type { TEventFilter, TEventReader, TEventStats } from '../src/index';
import { createTestCustody, event } from './helpers';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Around 1970, on and beside the hour and day bounds either side of it. */
const NEAR_EPOCH = [
  '1969-12-30T12:00:00.000Z',
  '1969-12-31T00:00:00.000Z',
  '1969-12-31T22:59:59.999Z',
  '1969-12-31T23:00:00.000Z',
  '1969-12-31T23:30:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.000Z',
  '1970-01-01T00:30:00.000Z',
  '1970-01-01T01:00:00.000Z',
];
/** Far before 1970: the first instant ingest accepts, and a century before 1970. */
const LONG_AGO = ['0000-01-01T00:00:00.000Z', '0000-01-01T00:59:59.999Z', '0000-03-01T10:00:00.000Z', '1869-12-31T23:59:59.999Z', '1870-01-01T00:00:00.000Z'];

/** The buckets of `times` at `width`, floored. */
function expected(times: readonly string[], width: number): TEventStats['buckets'] {
  const counts = new Map<number, number>();
  for (const time of times) {
    const start = Math.floor(Date.parse(time) / width) * width;
    counts.set(start, (counts.get(start) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start: new Date(start).toISOString(), count }));
}

/** Filters that each way of answering takes: the counts kept at ingest, SQL or the copy over the events, a target's rowids. */
const FILTERS: TEventFilter[] = [
  {},
  { actions: ['user.*'] },
  { occurredAfter: '0000-01-01T00:00:00Z', occurredBefore: '1970-01-02T00:00:00Z' },
  { actorType: 'user' },
  { actorId: 'u_1' },
  { targetId: 'acct_1' },
  { q: 'firefox' },
  { occurredAfter: '0000-01-01T00:00:00.001Z' },
  { ip: '10.0.0.0/8', actions: ['user.signed_in'] },
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: statistics buckets before 1970`, () => {
    let side: Awaited<ReturnType<typeof createTestCustody>>;
    /** The served reader, SQL alone, and (on SQLite) one with the in-memory copy. */
    const readers: [string, TEventReader][] = [];

    beforeAll(async () => {
      side = await createTestCustody(dialect);
      const { custody } = side;
      await custody.createOrganization({ id: 'org_epoch', name: 'Epoch' });
      await custody.createOrganization({ id: 'org_old', name: 'Old' });
      await custody.ingestor.ingest('org_epoch', NEAR_EPOCH.map((occurred_at) => event({ occurred_at })));
      await custody.ingestor.ingest('org_old', LONG_AGO.map((occurred_at) => event({ occurred_at })));
      const { db, dialect: d } = custody.database;
      const withCopy = new EventQueries(db, d, { facets: true });
      await withCopy.warmFacets();
      readers.push(['served', custody.events], ['sql', new EventQueries(db, d)], ['copy', withCopy]);
    });
    afterAll(async () => {
      await side.destroy();
    });

    const cases: [string, readonly string[], (number | undefined)[]][] = [
      ['org_epoch', NEAR_EPOCH, [1_000, 900_000, HOUR, 3 * HOUR, DAY, 7 * DAY, undefined]],
      ['org_old', LONG_AGO, [HOUR, DAY, 30 * DAY, undefined]],
    ];
    for (const [organizationId, times, widths] of cases) {
      it(`${organizationId}: every time in the bucket that starts at or before it, however the statistics are answered`, async () => {
        for (const filter of FILTERS) {
          const matching = times.filter((t) => filter.occurredAfter === undefined || Date.parse(t) >= Date.parse(filter.occurredAfter));
          for (const bucketMs of widths) {
            for (const [name, reader] of readers) {
              const stats = await reader.stats(organizationId, filter, bucketMs === undefined ? {} : { bucketMs });
              const what = `${name} ${JSON.stringify(filter)} bucketMs ${String(bucketMs)}`;
              expect(stats.total, what).toBe(matching.length);
              if (bucketMs !== undefined) expect(stats.bucketMs, what).toBe(bucketMs);
              expect(stats.buckets, what).toEqual(expected(matching, stats.bucketMs));
            }
          }
        }
      });
    }

    it('answers the reviewed case: 1969-12-31T23:30Z in the hour starting 23:00, not 1970-01-01T00:00', async () => {
      for (const [, reader] of readers) {
        const stats = await reader.stats('org_epoch', { actorType: 'user', occurredAfter: '1969-12-31T23:30:00Z', occurredBefore: '1969-12-31T23:31:00Z' }, { bucketMs: HOUR });
        expect(stats.buckets).toEqual([{ start: '1969-12-31T23:00:00.000Z', count: 1 }]);
      }
    });
  });
}
