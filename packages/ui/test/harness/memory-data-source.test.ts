import { describe, expect, it } from 'vitest';

import { findTimeIndex } from '../../src/grid/find-time-index';
import { parseQuery } from '../../src/query/parse-query';
import { VALID_BUNDLE } from './fixtures';
import { createMemoryDataSource } from './memory-data-source';
import { BASE_TIME, lazySyntheticRows, mix, sampleRows } from './synthetic';

const ASC = { column: 'time', direction: 'asc' } as const;
const q = (text: string) => {
  const { query, errors } = parseQuery(text);
  expect(errors).toEqual([]);
  return query;
};

describe('createMemoryDataSource', () => {
  const rows = sampleRows(2000);
  const source = createMemoryDataSource(rows, [VALID_BUNDLE]);
  const all = async (text: string, sort: Parameters<typeof source.view>[1] = ASC) => {
    const view = await source.view(q(text), sort);
    return source.rows(view.viewId, 0, view.total);
  };

  describe('when filtering', () => {
    it('applies field, prefix, negation, CIDR, time, flag and text terms', async () => {
      expect((await all('action:user.*')).every((r) => r.action.startsWith('user.'))).toBe(true);
      expect((await all('-action:user.signed_in')).some((r) => r.action === 'user.signed_in')).toBe(false);
      expect((await all('ip:10.0.0.0/8')).every((r) => r.ip.startsWith('10.'))).toBe(true);
      expect((await all('ACTOR:U_ALICE')).every((r) => r.actorId === 'u_alice')).toBe(true);
      const after = BASE_TIME + 86_400_000;
      const timed = await all(`after:${new Date(after).toISOString()} before:${new Date(after + 3_600_000).toISOString()}`);
      expect(timed.length).toBeGreaterThan(0);
      expect(timed.every((r) => r.time >= after && r.time < after + 3_600_000)).toBe(true);
      expect((await all('is:starred')).every((r) => r.starred)).toBe(true);
      expect((await all('"Carol Díaz"')).every((r) => r.actorName === 'Carol Díaz')).toBe(true);
      expect((await all('meta.plan:enterprise')).length).toBeGreaterThan(0);
      expect((await all('status:failed')).every((r) => r.status === 'failed')).toBe(true);
      expect((await all('target.type:member')).every((r) => r.targets.includes('member:'))).toBe(true);
    });

    it('sorts by any column with a stable tiebreak', async () => {
      const byAction = await all('', { column: 'action', direction: 'desc' });
      for (let i = 1; i < byAction.length; i++) expect(byAction[i - 1]!.action >= byAction[i]!.action).toBe(true);
      const byTime = await all('', { column: 'time', direction: 'desc' });
      expect(byTime[0]!.rowId).toBe(1999);
    });
  });

  describe('when aggregating', () => {
    it('counts histograms and facets over the view', async () => {
      const view = await source.view(q('status:failed'), ASC);
      const h = await source.histogram(view.viewId, { buckets: 10 });
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(view.total);
      expect(h.failed.reduce((a, b) => a + b, 0)).toBe(view.total);
      const facets = await source.facets(view.viewId, ['status', 'action'], 3);
      expect(facets.status).toEqual([{ value: 'failed', count: view.total }]);
      expect(facets.action?.length).toBeLessThanOrEqual(3);
    });
  });

  describe('when locating, giving context and annotating', () => {
    it('answers positions and neighbours, and persists annotations', async () => {
      const view = await source.view(q(''), { column: 'time', direction: 'desc' });
      expect(await source.locate(view.viewId, 0)).toBe(1999);
      const context = await source.context(10, { before: 3, after: 2 });
      expect(context.rows.map((r) => r.rowId)).toEqual([7, 8, 9, 10, 11, 12]);
      expect(context.index).toBe(3);
      const [updated] = await source.annotate([10], { addTags: ['x'], starred: true, note: 'n' });
      expect(updated).toMatchObject({ rowId: 10, starred: true, hasNote: true });
      expect((await source.event(10)).note).toBe('n');
      expect((await all('tag:x')).map((r) => r.rowId)).toEqual([10]);
    });

    it('gives the event with its canonical line and leaf hash', async () => {
      const detail = await source.event(3);
      expect(detail.canonical.startsWith('{"action":')).toBe(true);
      expect(detail.leafHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    });
  });
});

describe('findTimeIndex', () => {
  describe('when the view has 2,000,000 lazy rows', () => {
    it('finds the first row at or past a time in both directions', async () => {
      const source = createMemoryDataSource(lazySyntheticRows(2_000_000));
      const time = (i: number) => BASE_TIME + i * 15_000 + (mix(i) % 15_000);
      const asc = await source.view({ terms: [] }, ASC);
      expect(await findTimeIndex(source, asc, 'asc', time(1_234_567))).toBe(1_234_567);
      expect(await findTimeIndex(source, asc, 'asc', time(1_234_567) + 1)).toBe(1_234_568);
      expect(await findTimeIndex(source, asc, 'asc', 0)).toBe(0);
      expect(await findTimeIndex(source, asc, 'asc', Number.MAX_SAFE_INTEGER)).toBe(1_999_999);
      const desc = await source.view({ terms: [] }, { column: 'time', direction: 'desc' });
      expect(await findTimeIndex(source, desc, 'desc', time(1_234_567))).toBe(2_000_000 - 1 - 1_234_567);
      const rowsCalls = source.calls.filter((c) => c.method === 'rows').length;
      expect(rowsCalls).toBeLessThan(5 * 22);
    });
  });
});
