/**
 * What a filter matches, as docs/api.md states it, identical on SQLite and Postgres: what `q` searches and what it
 * does not, IPv4 and IPv4-mapped IPv6 as one address, `targetId` + `targetType` on one target, metadata values
 * compared as text, exact comparison everywhere but `q`, the filters that mean no filter, the limits of case
 * folding, `events.get` of an id that is not a UUID, and the default width of `events.stats` buckets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import type { Custody, TEventFilter } from '../src/index';
import { createTestCustody, event, refusal } from './helpers';

const DAY = 86_400_000;

/** Every event's `request_id` is its name, so a test says which events matched. */
const EVENTS: Record<string, Record<string, unknown>> = {
  fields: {
    action: 'alphaaction.done',
    actor: { id: 'betaactor', type: 'gammatype', name: 'Deltaname', metadata: { team: 'actormetaword' } },
    targets: [{ id: 'epsilontarget', type: 'zetatype', name: 'Etaname', metadata: { k: 'targetmetaword' } }],
    context: { location: '10.0.0.1', user_agent: 'Thetaagent/1.0', request_id: 'fields', session_id: 'iotasession' },
    metadata: { kappakey: 'lambdavalue', count: 4242, flag: true },
    idempotency_key: 'muidem',
  },
  mapped: { context: { location: '::ffff:10.0.0.2', request_id: 'mapped' }, metadata: {} },
  v6: { context: { location: '2001:db8::1', request_id: 'v6' }, metadata: {} },
  targets: { targets: [{ id: 'a_1', type: 'user' }, { id: 'd_1', type: 'document' }], context: { location: '10.9.9.9', request_id: 'targets' }, metadata: {} },
  jsonNull: { context: { location: '10.9.9.9', request_id: 'jsonNull' }, metadata: { v: null, n: 1.5, z: -0 } },
  textNull: { context: { location: '10.9.9.9', request_id: 'textNull' }, metadata: { v: 'null', n: '1.50', z: '0' } },
  numbers: { context: { location: '10.9.9.9', request_id: 'numbers' }, metadata: { v: 42, n: 1e-7, b: false } },
  text42: { context: { location: '10.9.9.9', request_id: 'text42' }, metadata: { v: '42', b: 'False' } },
  // Å as one code point (NFC) in the actor id, metadata and text; the filters below send it decomposed (NFD).
  nfc: { actor: { id: '\u00c5ke', type: 'user' }, context: { location: '10.9.9.9', request_id: 'nfc', user_agent: '\u00c5ngstr\u00f6m' }, metadata: { who: '\u00c5ke' } },
  folding: { context: { location: '10.9.9.9', request_id: 'folding', user_agent: 'Caf\u00e9 Stra\u00dfe \u0130stanbul' }, metadata: {} },
  // Vowel signs and a virama with no precomposed form: part of the words.
  marks: { context: { location: '10.9.9.9', request_id: 'marks', user_agent: '\u0939\u093f\u0928\u094d\u0926\u0940 \u0932\u0947\u0916\u0915' }, metadata: {} },
};

for (const dialect of DIALECTS) {
  describe(`${dialect}: what a filter matches`, () => {
    let custody: Custody;
    let destroy: () => Promise<void>;

    /** The names of the events `filter` lists, sorted. */
    const matching = async (filter: TEventFilter): Promise<string[]> => {
      const page = await custody.events.list('acme', filter, { limit: 1000 });
      return page.events.map((e) => e.context.request_id ?? '').sort();
    };
    const all = Object.keys(EVENTS).sort();

    beforeAll(async () => {
      ({ custody, destroy } = await createTestCustody(dialect));
      await custody.createOrganization({ id: 'acme', name: 'Acme' });
      const results = await custody.ingestor.ingest('acme', Object.values(EVENTS).map((overrides) => event(overrides)));
      expect(results.map((r) => r.status)).toEqual(Object.keys(EVENTS).map(() => 'accepted'));
    });
    afterAll(async () => {
      await destroy();
    });

    describe('q', () => {
      it.each(['alphaaction', 'betaactor', 'gammatype', 'deltaname', 'epsilontarget', 'zetatype', 'etaname', 'thetaagent', 'fields', 'iotasession', 'lambdavalue'])(
        'finds %s in the action, actor, targets, context strings or a root metadata string value',
        async (word) => {
          expect(await matching({ q: word })).toEqual(['fields']);
        },
      );

      it.each(['kappakey', '4242', 'true', 'actormetaword', 'targetmetaword', 'muidem'])(
        'does not search %s: metadata keys, numbers and booleans, actor or target metadata, the idempotency key',
        async (word) => {
          expect(await matching({ q: word })).toEqual([]);
        },
      );

      it.each(['', '   ', '\u{1f389}', '@@@', '*', '** @'])('%j has no words: no text filter', async (q) => {
        expect(await matching({ q })).toEqual(all);
      });

      it('reads a run of stars after a prefix as one: al** is al*', async () => {
        expect(await matching({ q: 'alphaac**' })).toEqual(['fields']);
        expect(await matching({ q: 'alphaac**' })).toEqual(await matching({ q: 'alphaac*' }));
      });

      it('compares words in NFC, any case; no accent folding, ß is not ss, İ is i and a combining dot', async () => {
        expect(await matching({ q: 'A\u030angstro\u0308m' })).toEqual(['nfc']);
        expect(await matching({ q: 'caf\u00e9' })).toEqual(['folding']);
        expect(await matching({ q: 'cafe' })).toEqual([]);
        expect(await matching({ q: 'strasse' })).toEqual([]);
        expect(await matching({ q: 'STRA\u00dfE' })).toEqual(['folding']);
        expect(await matching({ q: 'istanbul' })).toEqual([]);
        // The combining dot is part of the word (marks are, since migration 0009): `stanbul` is no word of it.
        expect(await matching({ q: 'stanbul' })).toEqual([]);
        expect(await matching({ q: '\u0130stanbul' })).toEqual(['folding']);
        expect(await matching({ q: 'i\u0307stanbul' })).toEqual(['folding']);
        expect(await matching({ q: '\u0130st*' })).toEqual(['folding']);
      });

      it('keeps combining marks in words: a Hindi word is found whole, not as its letters', async () => {
        expect(await matching({ q: 'हिन्दी' })).toEqual(['marks']);
        expect(await matching({ q: 'हिन्*' })).toEqual(['marks']);
        expect(await matching({ q: 'लेखक हिन्दी' })).toEqual(['marks']);
        expect(await matching({ q: 'ह' })).toEqual([]);
        expect(await matching({ q: 'हन*' })).toEqual([]);
      });
    });

    describe('ip', () => {
      it('treats an IPv4 address and its IPv4-mapped IPv6 form as one address, in ip and in q', async () => {
        expect(await matching({ ip: '::ffff:10.0.0.1' })).toEqual(['fields']);
        expect(await matching({ ip: '10.0.0.2' })).toEqual(['mapped']);
        expect(await matching({ q: '::ffff:10.0.0.1' })).toEqual(['fields']);
        expect(await matching({ q: '10.0.0.2' })).toEqual(['mapped']);
        expect(await matching({ ip: '10.0.0.0/30' })).toEqual(['fields', 'mapped']);
        expect(await matching({ ip: '::ffff:10.0.0.0/126' })).toEqual(['fields', 'mapped']);
      });

      it('matches IPv4 events with ::/0, and mapped ones with 0.0.0.0/0', async () => {
        expect(await matching({ ip: '::/0' })).toEqual(all);
        expect(await matching({ ip: '0.0.0.0/0' })).toEqual(all.filter((name) => name !== 'v6'));
      });
    });

    it('matches targetId and targetType on the same target', async () => {
      expect(await matching({ targetId: 'a_1', targetType: 'user' })).toEqual(['targets']);
      expect(await matching({ targetId: 'a_1', targetType: 'document' })).toEqual([]);
      expect(await matching({ targetId: 'd_1' })).toEqual(['targets']);
    });

    describe('metadata', () => {
      it.each([
        [{ v: 'null' }, ['jsonNull', 'textNull']],
        [{ v: '42' }, ['numbers', 'text42']],
        [{ n: '1.5' }, ['jsonNull']],
        [{ n: '1.50' }, ['textNull']],
        [{ n: '1e-7' }, ['numbers']],
        [{ n: '0.0000001' }, []],
        [{ z: '0' }, ['jsonNull', 'textNull']],
        [{ z: '-0' }, []],
        [{ b: 'false' }, ['numbers']],
        [{ b: 'False' }, ['text42']],
        [{ flag: 'true' }, ['fields']],
        [{ count: '4242' }, ['fields']],
        [{ V: 'null' }, []],
      ])('%j compares with the stored text of the value (strings as sent, others as JSON)', async (metadata, names) => {
        expect(await matching({ metadata })).toEqual(names);
      });

      it('means no metadata filter when empty', async () => {
        expect(await matching({ metadata: {} })).toEqual(all);
      });
    });

    it('compares actorId and metadata exactly, code point by code point (no NFC, no case folding)', async () => {
      expect(await matching({ actorId: '\u00c5ke' })).toEqual(['nfc']);
      expect(await matching({ actorId: 'A\u030ake' })).toEqual([]);
      expect(await matching({ actorId: '\u00e5ke' })).toEqual([]);
      expect(await matching({ metadata: { who: 'A\u030ake' } })).toEqual([]);
      expect(await matching({ targetId: 'A_1' })).toEqual([]);
    });

    it('means no action filter with actions: []', async () => {
      expect(await matching({ actions: [] })).toEqual(all);
      expect((await custody.events.stats('acme', { actions: [] })).total).toBe(all.length);
    });

    it('answers NOT_FOUND to events.get with an id that is not a UUID', async () => {
      expect(await refusal(() => custody.events.get('acme', 'not-a-uuid'))).toEqual({ code: 'NOT_FOUND', message: 'event "not-a-uuid" not found' });
    });
  });

  describe(`${dialect}: the default width of stats buckets`, () => {
    let custody: Custody;
    let destroy: () => Promise<void>;

    beforeAll(async () => {
      ({ custody, destroy } = await createTestCustody(dialect));
      await custody.createOrganization({ id: 'wide', name: 'Wide' });
      await custody.createOrganization({ id: 'near', name: 'Near' });
      const years = ['1900-01-01T00:00:00Z', '1950-06-01T00:00:00Z', '2000-01-01T00:00:00Z', '2099-12-31T00:00:00Z'];
      await custody.ingestor.ingest('wide', years.map((occurred_at) => event({ occurred_at })));
      const minutes = ['2026-03-01T10:00:00Z', '2026-03-01T10:04:00Z', '2026-03-01T10:09:59Z'];
      await custody.ingestor.ingest('near', minutes.map((occurred_at) => event({ occurred_at })));
    });
    afterAll(async () => {
      await destroy();
    });

    it('is at most 30 days, so a range of two centuries has far more than 120 buckets', async () => {
      for (const filter of [{}, { actorId: 'u_1' }, { occurredAfter: '1900-01-01T00:00:00Z', occurredBefore: '2100-01-01T00:00:00Z' }, { q: 'firefox' }]) {
        const stats = await custody.events.stats('wide', filter);
        expect(stats.bucketMs, JSON.stringify(filter)).toBe(30 * DAY);
        expect(stats.total).toBe(4);
      }
      const range = (await custody.events.stats('wide', { occurredAfter: '1900-01-01T00:00:00Z', occurredBefore: '2100-01-01T00:00:00Z' })).bucketMs;
      expect(Date.parse('2100-01-01T00:00:00Z') - Date.parse('1900-01-01T00:00:00Z')).toBeGreaterThan(120 * range);
    });

    it('is the narrowest width giving at most 120 buckets over a shorter range', async () => {
      // 10 minutes: 5 s buckets (15 s would give 40, 1 s 600).
      expect((await custody.events.stats('near', { actorId: 'u_1' })).bucketMs).toBe(5_000);
      expect((await custody.events.stats('near', { occurredAfter: '2026-03-01T10:00:00Z', occurredBefore: '2026-03-01T19:30:00Z' })).bucketMs).toBe(300_000);
      expect((await custody.events.stats('near', { actorId: 'u_1', occurredAfter: '2026-03-01T10:00:00Z', occurredBefore: '2026-03-01T20:00:00Z' })).bucketMs).toBe(300_000);
    });

    it('is at least an hour where the counts kept at ingest answer (no filter, actions, whole-hour bounds)', async () => {
      expect((await custody.events.stats('near', {})).bucketMs).toBe(3_600_000);
      expect((await custody.events.stats('near', { actions: ['user.*'] })).bucketMs).toBe(3_600_000);
      expect((await custody.events.stats('near', { occurredAfter: '2026-03-01T10:00:00Z', occurredBefore: '2026-03-01T11:00:00Z' })).bucketMs).toBe(3_600_000);
    });
  });
}
