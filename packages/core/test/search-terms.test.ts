/**
 * Full-text terms beyond whole words, on every dialect: `word*` prefixes, and IP addresses or CIDR blocks
 * typed into `q`, which match the event's IP (IPs are not words of the text). Expected results are
 * computed from the ingested inputs by definition, not by another query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { searchTextOf, searchWords } from '@custody/schema';
import { DIALECTS } from '@custody/db/testing';

import type { Custody, TEventFilter } from '../src/index';
import { createTestCustody } from './helpers';

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing'];
/** Which block each event's IP is in, by `i % 4`. */
const IPS = [(i: number) => `10.1.${i}.7`, (i: number) => `10.2.0.${i}`, (i: number) => `2001:db8::${i.toString(16)}`, (i: number) => `192.0.2.${i}`];

function input(i: number) {
  return {
    action: i % 3 === 0 ? 'document.shared' : 'invoice.paid',
    occurred_at: new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString(),
    actor: { id: `u_${i % 5}`, type: 'user', name: NAMES[i % 3] },
    targets: [{ id: `t_${i}`, type: 'file', name: i % 2 === 0 ? `Contract ${i}` : `Contour ${i}` }],
    context: { location: IPS[i % 4]?.(i) ?? '', user_agent: i % 2 === 0 ? 'Firefox/130' : 'curl/8.1', request_id: `req_${i}` },
  };
}

const INPUTS = Array.from({ length: 48 }, (_, i) => input(i));

/** The event numbers whose text holds every term: whole words, or a word starting so for `word*`. */
function byText(...terms: string[]): number[] {
  return INPUTS.flatMap((e, i) => {
    const words = new Set(searchWords(searchTextOf(e as never)));
    return terms.every((t) => (t.endsWith('*') ? [...words].some((w) => w.startsWith(t.slice(0, -1))) : words.has(t))) ? [i] : [];
  });
}

const where = (keep: (i: number) => boolean, among: readonly number[] = INPUTS.map((_, i) => i)) => among.filter(keep);

for (const dialect of DIALECTS) {
  describe(`${dialect}: full-text prefixes and IP terms`, () => {
    let custody: Custody;
    let destroy: () => Promise<void>;
    beforeAll(async () => {
      ({ custody, destroy } = await createTestCustody(dialect));
      await custody.createOrganization({ id: 'org_s', name: 'S' });
      const results = await custody.ingestor.ingest('org_s', INPUTS);
      expect(results.every((r) => r.status === 'accepted')).toBe(true);
    });
    afterAll(() => destroy());

    /** Every matching event's number (its seq: one batch into an empty log), following cursors. */
    const matching = async (filter: TEventFilter) => {
      const seqs: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await custody.events.list('org_s', filter, { order: 'asc', limit: 7, cursor });
        seqs.push(...page.events.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor !== null);
      return seqs.sort((a, b) => a - b);
    };

    it('finds words by prefix, alone and with whole words', async () => {
      expect(await matching({ q: 'contr*' })).toEqual(byText('contr*'));
      expect(byText('contr*')).toEqual(where((i) => i % 2 === 0));
      expect(await matching({ q: 'Gr* hopper' })).toEqual(where((i) => i % 3 === 1));
      // `req_12*`: the words req and 12*, which also match target names such as "Contract 12".
      expect(await matching({ q: 'req_12*' })).toEqual(byText('req', '12*'));
      expect(byText('req', '12*')).toEqual([12]);
      expect(await matching({ q: 'cont* firefox' })).toEqual(byText('cont*', 'firefox'));
      expect(await matching({ q: 'zzz*' })).toEqual([]);
    });

    it('refuses a prefix shorter than two characters, with a clear error', async () => {
      await expect(custody.events.list('org_s', { q: 'g*' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(custody.events.list('org_s', { q: 'g*' })).rejects.toThrow('at least 2 letters or digits');
      // The short prefix is the last word of the token, and the message says so.
      await expect(custody.events.stats('org_s', { q: 'grace req_1*' })).rejects.toThrow('search term "req_1*": a prefix needs at least 2 letters or digits before the *, and "1" has 1');
    });

    it('matches an IP address or CIDR block in q against the event IP, ANDed with the other terms', async () => {
      expect(await matching({ q: '10.1.0.0/16' })).toEqual(where((i) => i % 4 === 0));
      expect(await matching({ q: '10.0.0.0/8 firefox' })).toEqual(where((i) => i % 4 < 2 && i % 2 === 0));
      expect(await matching({ q: '192.0.2.3' })).toEqual([3]);
      expect(await matching({ q: '2001:DB8::/32 Hopper' })).toEqual(where((i) => i % 4 === 2 && i % 3 === 1));
      // Not an address: whole words, as before.
      expect(await matching({ q: '1.2.3' })).toEqual(byText('1', '2', '3'));
    });

    it('intersects IP terms with the ip filter and with each other', async () => {
      expect(await matching({ q: '10.1.0.0/16', ip: '10.0.0.0/8' })).toEqual(where((i) => i % 4 === 0));
      expect(await matching({ q: '10.0.0.0/8', ip: '10.2.0.0/16' })).toEqual(where((i) => i % 4 === 1));
      expect(await matching({ q: '10.1.0.0/16', ip: '2001:db8::/32' })).toEqual([]);
      expect(await matching({ q: '10.1.0.0/16 10.2.0.0/16' })).toEqual([]);
      expect((await custody.events.stats('org_s', { q: '10.1.0.0/16' })).total).toBe(12);
      expect((await custody.events.stats('org_s', { q: '10.1.0.0/16', ip: '192.0.2.0/24' })).total).toBe(0);
    });

    it('refuses a term shaped like a CIDR block that is not one', async () => {
      await expect(custody.events.list('org_s', { q: '10.0.0.1/8' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(custody.events.list('org_s', { q: '10.0.0.1/8' })).rejects.toThrow('not a valid CIDR block');
    });
  });
}
