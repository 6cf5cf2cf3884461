/**
 * A filter's time bounds (`occurredAfter`, `occurredBefore`) are read as ingest reads `occurred_at`: strict
 * RFC 3339 with an explicit offset, whatever the server's time zone, in `events.list` and in every way
 * `events.stats` answers (the counts kept at ingest, or the events). Anything ingest would refuse is a
 * BAD_REQUEST naming the field, not a guess.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { isAppError } from '../src/index';
import type { Custody, TEventFilter } from '../src/index';
import { createTestCustody, event } from './helpers';

/** Far from UTC, with daylight saving: a bound read as local time would move by 5 hours. */
const ZONE = 'America/New_York';

const TIMES = ['2026-01-02T22:00:00.000Z', '2026-01-02T23:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-03T04:00:00.000Z', '2026-01-03T06:00:00.000Z'];

/** Values ingest refuses as an event's time, with what the refusal says. */
const REFUSED: [string, RegExp][] = [
  ['2026-01-03T00:00:00', /no UTC offset/],
  ['2026-02-30T00:00:00Z', /day 30 is out of range for February 2026/],
  ['2026-01-03', /expected e\.g\./],
  ['2026-01-03T00:00Z', /expected e\.g\./],
  ['2026-01-03T00:00:00+0100', /expected e\.g\./],
  ['2026-01-03T24:00:00Z', /hour 24 is out of range/],
  ['2026-01-03T23:59:60Z', /leap second/],
  ['2026-01-03 00:00:00Z', /expected e\.g\./],
  ['bad', /expected e\.g\./],
  ['', /expected e\.g\./],
];

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal');
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: filter time bounds`, () => {
    let side: Awaited<ReturnType<typeof createTestCustody>>;
    let custody: Custody;
    const zone = process.env.TZ;

    beforeAll(async () => {
      process.env.TZ = ZONE;
      side = await createTestCustody(dialect);
      custody = side.custody;
      await custody.createOrganization({ id: 'org_t', name: 'T' });
      await custody.ingestor.ingest('org_t', TIMES.map((occurred_at, i) => event({ occurred_at, actor: { id: `u_${i % 2}`, type: 'user' } })));
    });
    afterAll(async () => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
      await side.destroy();
    });

    const listed = async (filter: TEventFilter) =>
      (await custody.events.list('org_t', filter, { order: 'asc' })).events.map((e) => e.occurred_at);
    /** Statistics from the counts kept at ingest (whole hours, no other part), and from the events (an actor too). */
    const counted = async (filter: TEventFilter) => [
      (await custody.events.stats('org_t', filter, { bucketMs: 3_600_000 })).total,
      (await custody.events.stats('org_t', { ...filter, actorType: 'user' }, { bucketMs: 3_600_000 })).total,
    ];

    it('runs in a time zone other than UTC', () => {
      expect(new Date(2026, 0, 3).getTimezoneOffset()).toBe(300);
    });

    for (const field of ['occurredAfter', 'occurredBefore'] as const) {
      for (const [value, reason] of REFUSED) {
        it(`${field}: "${value}" is a BAD_REQUEST in list and stats`, async () => {
          for (const call of [
            () => custody.events.list('org_t', { [field]: value }),
            () => custody.events.list('org_t', { [field]: value, q: 'firefox' }),
            () => custody.events.stats('org_t', { [field]: value }),
            () => custody.events.stats('org_t', { [field]: value, actorId: 'u_1' }),
            () => custody.events.stats('org_t', { [field]: value, q: 'firefox' }),
          ]) {
            const error = await refusal(call());
            expect(error.code).toBe('BAD_REQUEST');
            expect(error.message).toContain(`${field} "${value}" is not a valid RFC 3339 time`);
            expect(error.message).toMatch(reason);
            expect(error.details).toMatchObject({ issues: [{ path: `filter.${field}` }] });
          }
        });
      }
    }

    it('reads an offset as ingest does, whatever the server time zone', async () => {
      const utc = await listed({ occurredAfter: '2026-01-02T23:00:00Z', occurredBefore: '2026-01-03T04:00:00Z' });
      expect(utc).toEqual(['2026-01-02T23:00:00.000Z', '2026-01-03T00:00:00.000Z']);
      // The same instants written with offsets, lower case, and a fraction truncated (not rounded) to milliseconds.
      expect(await listed({ occurredAfter: '2026-01-03T01:00:00+02:00', occurredBefore: '2026-01-02T23:00:00-05:00' })).toEqual(utc);
      expect(await listed({ occurredAfter: '2026-01-02t23:00:00z', occurredBefore: '2026-01-03T03:59:59.9999999Z' })).toEqual(utc);
      expect(await listed({ occurredAfter: '2026-01-02T23:00:00.0009Z' })).toEqual(TIMES.slice(1));
      expect(await listed({ occurredAfter: '2026-01-02T23:00:00-00:00' })).toEqual(TIMES.slice(1));
      expect(await counted({ occurredAfter: '2026-01-03T01:00:00+02:00', occurredBefore: '2026-01-02T23:00:00-05:00' })).toEqual([2, 2]);
      expect(await counted({ occurredAfter: '2026-01-03T00:00:00Z' })).toEqual([3, 3]);
    });
  });
}
