/**
 * The same events give the same query results on SQLite and Postgres: identical inputs are ingested
 * into both, then every filter, both sort orders, pagination and stats are compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { EventQueries } from '../src/index';
import type { Custody, TEventFilter } from '../src/index';
import { createTestCustody } from './helpers';

const BOTH = DIALECTS.includes('sqlite') && DIALECTS.includes('postgres');

function eventNumber(i: number): Record<string, unknown> {
  const actions = ['user.signed_in', 'user.signed_out', 'invoice.paid', 'invoice.voided', 'document.deleted', 'username.changed'];
  return {
    action: actions[i % actions.length],
    // Deliberate ties on occurred_at: the order must still be identical (seq breaks ties). Every
    // seventh event arrives two days late, so time order is not seq order.
    occurred_at: new Date(Date.UTC(2026, 0, 3) + Math.floor(i / 3) * 3_600_000 - (i % 7 === 0 ? 2 * 86_400_000 : 0)).toISOString(),
    actor: { id: `u_${i % 7}`, type: i % 5 === 0 ? 'service' : 'user', name: ['Ada Lovelace', 'Grace Hopper', 'Zoë Ünïcode'][i % 3] },
    targets: i % 4 === 0 ? [] : [{ id: `t_${i % 11}`, type: i % 2 === 0 ? 'invoice' : 'document' }],
    context: { location: i % 3 === 0 ? `2001:db8::${i.toString(16)}` : `10.${i % 4}.0.${i % 250}`, user_agent: i % 2 === 0 ? 'Firefox/130' : 'curl/8.1' },
    metadata: { plan: i % 3 === 0 ? 'enterprise' : 'team', amount: i * 10, mfa: i % 2 === 0, note: 'e-mail alice@example.com' },
  };
}

const FILTERS: TEventFilter[] = [
  {},
  { actions: ['user.*'] },
  { actions: ['invoice.paid', 'document.*'] },
  { actorId: 'u_3' },
  { actorType: 'service' },
  { targetId: 't_5' },
  { targetType: 'invoice' },
  { occurredAfter: '2026-01-02T00:00:00Z', occurredBefore: '2026-01-03T12:00:00Z' },
  { ip: '10.1.0.0/16' },
  { ip: '2001:db8::/32' },
  { ip: '10.2.0.2' },
  { metadata: { plan: 'enterprise' } },
  { metadata: { amount: '120' } },
  { metadata: { mfa: 'true' }, actions: ['user.*'] },
  { q: 'grace' },
  { q: 'Zoë firefox' },
  { q: 'alice example' },
  { q: 'ünïcode invoice' },
  { q: 'gr* firef*' },
  { q: 'ünï*' },
  { q: '10.0.0.0/16 firefox' },
  { seqFrom: 50, seqTo: 80 },
  // Several indexed parts: the smallest drives a seek, the others are checked row by row.
  { actorId: 'u_3', actions: ['user.*'] },
  { q: 'grace', metadata: { plan: 'team' } },
  { targetType: 'invoice', ip: '10.0.0.0/8', metadata: { mfa: 'true' } },
  { actorId: 'u_1', seqFrom: 10, seqTo: 200, actions: ['invoice.paid'] },
];

describe.skipIf(!BOTH)('sqlite vs postgres: identical query results', () => {
  // Skipped unless both dialects run (DATABASE_URL names Postgres), since there is nothing to compare.
  const sides: Record<'sqlite' | 'postgres', { custody: Custody; destroy: () => Promise<void> }> = {} as never;
  beforeAll(async () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const side = await createTestCustody(dialect);
      await side.custody.createOrganization({ id: 'org_p', name: 'P' });
      for (let i = 0; i < 300; i += 50) {
        await side.custody.ingestor.ingest('org_p', Array.from({ length: 50 }, (_, j) => eventNumber(i + j)));
      }
      sides[dialect] = side;
    }
  });
  afterAll(async () => {
    for (const side of Object.values(sides)) await side.destroy();
  });

  const listAll = async (custody: Custody, filter: TEventFilter, order: 'asc' | 'desc') => {
    const seqs: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await custody.events.list('org_p', filter, { order, limit: 17, cursor });
      seqs.push(...page.events.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return seqs;
  };

  for (const filter of FILTERS) {
    it(`returns the same events in the same order for ${JSON.stringify(filter)}`, async () => {
      // SQLite also with a tiny seek limit, so that its ordered-scan plan is compared too, and with a
      // tiny full-text window, so that windows that hold the page, and windows that must grow, are too.
      const { db, dialect } = sides.sqlite.custody.database;
      const scanning = { events: new EventQueries(db, dialect, { seekLimit: 2, searchWindow: 30 }) } as unknown as Custody;
      for (const order of ['asc', 'desc'] as const) {
        const a = await listAll(sides.sqlite.custody, filter, order);
        const b = await listAll(sides.postgres.custody, filter, order);
        expect(a).toEqual(b);
        expect(await listAll(scanning, filter, order)).toEqual(b);
        if (Object.keys(filter).length === 0) expect(a).toHaveLength(300);
      }
    });
  }

  it('returns at least one event for every filter (the comparison is not vacuous)', async () => {
    for (const filter of FILTERS) expect((await listAll(sides.sqlite.custody, filter, 'asc')).length, JSON.stringify(filter)).toBeGreaterThan(0);
  });

  it('treats a prefix as whole segments: user.* never matches username.changed', async () => {
    for (const side of Object.values(sides)) {
      const page = await side.custody.events.list('org_p', { actions: ['user.*'] }, { limit: 1000 });
      expect(page.events.length).toBe(100);
      expect(page.events.every((e) => e.action.startsWith('user.'))).toBe(true);
    }
  });

  it('answers overview stats from the ingest counts exactly as from the events', async () => {
    for (const side of Object.values(sides)) {
      const filters: TEventFilter[] = [
        {},
        { actions: ['user.*'] },
        { actions: ['invoice.paid'], occurredAfter: '2026-01-02T00:00:00Z', occurredBefore: '2026-01-04T00:00:00Z' },
        { occurredAfter: '2026-01-02T05:00:00Z' },
        { actorId: 'u_3' },
      ];
      // Three-hour buckets come from the hourly counts, day buckets from the daily ones; one actor's
      // statistics from the actor index (which holds each event's action and actor type).
      for (const bucketMs of [3 * 3_600_000, 86_400_000, 2 * 86_400_000]) {
        for (const filter of filters) {
          const fromCounts = await side.custody.events.stats('org_p', filter, { bucketMs });
          // seqFrom: 0 matches every event but forces the read of the events themselves.
          const fromEvents = await side.custody.events.stats('org_p', { ...filter, seqFrom: 0 }, { bucketMs });
          expect(fromCounts).toEqual(fromEvents);
          expect(fromCounts.total).toBeGreaterThan(0);
        }
      }
    }
  });

  it('computes the same stats', async () => {
    for (const filter of [{}, { actions: ['user.*'] }, { q: 'firefox' }] as TEventFilter[]) {
      const a = await sides.sqlite.custody.events.stats('org_p', filter, { bucketMs: 6 * 3_600_000 });
      const b = await sides.postgres.custody.events.stats('org_p', filter, { bucketMs: 6 * 3_600_000 });
      expect(a).toEqual(b);
    }
  });
});
