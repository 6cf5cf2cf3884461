/**
 * A list cursor belongs to the organization, filter and order of the page it came from: sent with another of
 * them it is a BAD_REQUEST saying which, never a page of another log's snapshot or in another order. Cursors
 * made before they named their organization still work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import type { Custody, TListOptions } from '../src/index';
import { createTestCustody, event, refusal } from './helpers';


/** The cursor's JSON, changed by `edit`, encoded again (cursors are base64url JSON). */
function edited(cursor: string, edit: (fields: Record<string, unknown>) => void): string {
  const fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(fields);
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: list cursors`, () => {
    let side: Awaited<ReturnType<typeof createTestCustody>>;
    let custody: Custody;
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();

    beforeAll(async () => {
      side = await createTestCustody(dialect);
      custody = side.custody;
      await custody.createOrganization({ id: 'org_a', name: 'A' });
      await custody.createOrganization({ id: 'org_b', name: 'B' });
      // A small log in A, a larger one in B: A's snapshot would cut B's pages short.
      await custody.ingestor.ingest('org_a', Array.from({ length: 6 }, (_, i) => event({ occurred_at: at(i) })));
      await custody.ingestor.ingest('org_b', Array.from({ length: 20 }, (_, i) => event({ occurred_at: at(i) })));
    });
    afterAll(async () => {
      await side.destroy();
    });

    /** Every seq of `organizationId`, page by page from `first`'s cursor, each later page sent with `next`. */
    const pages = async (organizationId: string, first: TListOptions, next: TListOptions) => {
      const page = await custody.events.list(organizationId, {}, { ...first, limit: 4 });
      const seqs = page.events.map((e) => e.seq);
      let cursor = page.nextCursor;
      while (cursor !== null) {
        const more = await custody.events.list(organizationId, {}, { ...next, limit: 4, cursor });
        seqs.push(...more.events.map((e) => e.seq));
        cursor = more.nextCursor;
      }
      return seqs;
    };
    const ascending = Array.from({ length: 20 }, (_, i) => i);

    it('is refused on another organization, which it would cut to its own snapshot', async () => {
      const fromA = (await custody.events.list('org_a', {}, { limit: 2 })).nextCursor ?? '';
      const error = await refusal(() => custody.events.list('org_b', {}, { limit: 2, cursor: fromA }));
      expect(error).toEqual({ code: 'BAD_REQUEST', message: 'this cursor belongs to a different organization' });
    });

    it('is refused with another order, naming the order it belongs to', async () => {
      const desc = (await custody.events.list('org_b', {}, { order: 'desc', limit: 4 })).nextCursor ?? '';
      const error = await refusal(() => custody.events.list('org_b', {}, { order: 'asc', limit: 4, cursor: desc }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(/^this cursor belongs to a different order: it continues a page in "desc" order/);
      const asc = (await custody.events.list('org_b', {}, { order: 'asc', limit: 4 })).nextCursor ?? '';
      expect((await refusal(() => custody.events.list('org_b', {}, { order: 'desc', limit: 4, cursor: asc }))).message).toMatch(/in "asc" order/);
    });

    it('is still refused with another filter', async () => {
      const cursor = (await custody.events.list('org_b', {}, { limit: 4 })).nextCursor ?? '';
      expect(await refusal(() => custody.events.list('org_b', { actorId: 'u_1' }, { limit: 4, cursor }))).toEqual({
        code: 'BAD_REQUEST',
        message: 'this cursor belongs to a different filter',
      });
    });

    it('belongs to its metadata filter whatever order the keys are given in, and to its values only', async () => {
      await custody.createOrganization({ id: 'org_m', name: 'M' });
      await custody.ingestor.ingest('org_m', Array.from({ length: 6 }, (_, i) => event({ occurred_at: at(i), metadata: { plan: 'pro', region: i < 5 ? 'eu' : 'us' } })));
      const first = await custody.events.list('org_m', { metadata: { region: 'eu', plan: 'pro' } }, { order: 'asc', limit: 2 });
      const cursor = first.nextCursor ?? '';
      const next = await custody.events.list('org_m', { metadata: { plan: 'pro', region: 'eu' } }, { order: 'asc', limit: 4, cursor });
      expect([...first.events, ...next.events].map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
      expect(await refusal(() => custody.events.list('org_m', { metadata: { plan: 'pro', region: 'us' } }, { limit: 2, cursor }))).toEqual({
        code: 'BAD_REQUEST',
        message: 'this cursor belongs to a different filter',
      });
    });

    it('continues in its own order when the order is given again or left out', async () => {
      expect(await pages('org_b', { order: 'asc' }, { order: 'asc' })).toEqual(ascending);
      expect(await pages('org_b', { order: 'asc' }, {})).toEqual(ascending);
      expect(await pages('org_b', { order: 'desc' }, { order: 'desc' })).toEqual([...ascending].reverse());
      expect(await pages('org_b', {}, {})).toEqual([...ascending].reverse());
    });

    it('made before cursors named their organization, still continues its pagination', async () => {
      const page = await custody.events.list('org_b', {}, { order: 'asc', limit: 8 });
      const old = edited(page.nextCursor ?? '', (fields) => {
        expect(fields.g).toEqual(expect.any(String));
        delete fields.g;
      });
      const next = await custody.events.list('org_b', {}, { order: 'asc', limit: 8, cursor: old });
      expect(next.events.map((e) => e.seq)).toEqual(ascending.slice(8, 16));
    });

    it('made before cursors named their organization, is refused on a log smaller than its snapshot', async () => {
      const fromB = (await custody.events.list('org_b', {}, { limit: 2 })).nextCursor ?? '';
      const old = edited(fromB, (fields) => {
        delete fields.g;
      });
      expect(await refusal(() => custody.events.list('org_a', {}, { limit: 2, cursor: old }))).toEqual({
        code: 'BAD_REQUEST',
        message: 'this cursor belongs to a different organization',
      });
    });

    it('naming this organization with a snapshot past its log is an invalid cursor, not another organization\'s', async () => {
      const page = await custody.events.list('org_b', {}, { limit: 4 });
      const forged = edited(page.nextCursor ?? '', (fields) => {
        fields.m = 1_000_000;
      });
      expect(await refusal(() => custody.events.list('org_b', {}, { limit: 4, cursor: forged }))).toEqual({
        code: 'BAD_REQUEST',
        message: 'invalid cursor: it continues a snapshot of 1000000 events, and this log holds 20; pass the nextCursor of the previous page unchanged',
      });
    });

    it('with a malformed organization field is an invalid cursor', async () => {
      const page = await custody.events.list('org_b', {}, { limit: 4 });
      const bad = edited(page.nextCursor ?? '', (fields) => {
        fields.g = 42;
      });
      expect((await refusal(() => custody.events.list('org_b', {}, { limit: 4, cursor: bad }))).message).toMatch(/^invalid cursor/);
    });
  });
}
