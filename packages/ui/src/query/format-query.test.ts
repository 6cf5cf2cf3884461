import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS, parseCidr } from '@custody/schema';

import type { TQuery, TQueryTerm } from '../data-source';
import { formatQuery } from './format-query';
import { parseQuery } from './parse-query';
import { QUERY_FIELDS, QUERY_FLAGS, ROW_STATUSES } from './query-fields';

const anyString = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('', ' ', 'a b', '"', '\\', '-x', 'x*', 'a:b', '10.0.0.0/8', '*'));
const negate = fc.boolean();
const textFields = QUERY_FIELDS.filter((field) => field !== 'status' && field !== 'seq');
const metaField = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}$/).map((key) => `meta.${key}` as const);
const field = fc.oneof(fc.constantFrom(...textFields), metaField);
const cidr = fc
  .oneof(
    fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })).map(([bytes, prefix]) => {
      const value = bytes.reduce((acc, byte) => acc * 256 + byte, 0);
      const masked = prefix === 0 ? 0 : Math.floor(value / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
      const octets = [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256);
      return `${octets.join('.')}/${prefix}`;
    }),
    fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 128 })).map(([groups, prefix]) => {
      const bits = groups.map((group) => group.toString(2).padStart(16, '0')).join('');
      const masked = bits.slice(0, prefix).padEnd(128, '0');
      const hex = Array.from({ length: 8 }, (_, i) => parseInt(masked.slice(i * 16, i * 16 + 16), 2).toString(16));
      return `${hex.join(':')}/${prefix}`;
    }),
  )
  .map((text) => parseCidr(text).text);
const sign = <T extends TQueryTerm>(term: T, negated: boolean): T => (negated ? { ...term, negate: true } : term);

const term: fc.Arbitrary<TQueryTerm> = fc.oneof(
  fc.tuple(anyString.filter((value) => value.trim() !== ''), negate).map(([value, n]) => sign({ kind: 'text', value }, n)),
  fc.tuple(field, anyString, negate).map(([f, value, n]) => sign({ kind: 'field', field: f, op: 'eq', value }, n)),
  fc.tuple(field, anyString, negate).map(([f, value, n]) => sign({ kind: 'field', field: f, op: 'prefix', value }, n)),
  fc.tuple(cidr, negate).map(([value, n]) => sign({ kind: 'field', field: 'ip', op: 'cidr', value }, n)),
  fc.tuple(fc.constantFrom(...ROW_STATUSES), negate).map(([value, n]) => sign({ kind: 'field', field: 'status', op: 'eq', value }, n)),
  fc.tuple(fc.nat(), negate).map(([value, n]) => sign({ kind: 'field', field: 'seq', op: 'eq', value: String(value) }, n)),
  fc.tuple(fc.constantFrom(...QUERY_FLAGS), negate).map(([flag, n]) => sign({ kind: 'flag', flag }, n)),
  fc.tuple(fc.integer({ min: MIN_TIMESTAMP_MS, max: MAX_TIMESTAMP_MS }), fc.boolean()).map(([ms, after]): TQueryTerm => (after ? { kind: 'time', after: ms } : { kind: 'time', before: ms })),
);
const query: fc.Arbitrary<TQuery> = fc.array(term, { maxLength: 8 }).map((terms) => ({ terms }));

describe('formatQuery', () => {
  describe('when given any query the parser can produce', () => {
    it('round-trips through parseQuery without errors', () => {
      fc.assert(
        fc.property(query, (q) => {
          const text = formatQuery(q);
          expect(parseQuery(text)).toEqual({ query: q, errors: [] });
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('when given arbitrary text', () => {
    it('never throws, reports in-range error positions, and formats the terms it kept stably', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), query.map(formatQuery).map((t) => t.slice(0, -1))), (text) => {
          const parsed = parseQuery(text);
          for (const error of parsed.errors) {
            expect(error.at).toBeGreaterThanOrEqual(0);
            expect(error.end).toBeGreaterThan(error.at);
            expect(error.end).toBeLessThanOrEqual(Math.max(text.length, error.at + 1));
          }
          expect(parseQuery(formatQuery(parsed.query)).query).toEqual(parsed.query);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('when values need quoting', () => {
    it('quotes only where needed', () => {
      expect(
        formatQuery({
          terms: [
            { kind: 'field', field: 'action', op: 'prefix', value: 'user.' },
            { kind: 'field', field: 'actor.name', op: 'eq', value: 'Ada "A" Lovelace' },
            { kind: 'field', field: 'action', op: 'eq', value: 'user.*' },
            { kind: 'field', field: 'ip', op: 'eq', value: '10.0.0.0/8' },
            { kind: 'field', field: 'ua', op: 'prefix', value: 'Mozilla/5.0 (X11' },
            { kind: 'text', value: 'two words', negate: true },
            { kind: 'text', value: '-dash' },
            { kind: 'text', value: 'a:b' },
            { kind: 'text', value: 'plain' },
          ],
        }),
      ).toBe('action:user.* actor.name:"Ada \\"A\\" Lovelace" action:"user.*" ip:"10.0.0.0/8" ua:"Mozilla/5.0 (X11"* -"two words" "-dash" "a:b" plain');
    });

    it('writes times in their shortest exact form', () => {
      expect(
        formatQuery({
          terms: [
            { kind: 'time', after: Date.UTC(2026, 0, 1), before: Date.UTC(2026, 1, 1, 12) },
            { kind: 'time', after: Date.UTC(2026, 0, 1, 0, 0, 5) },
            { kind: 'time', before: Date.UTC(2026, 0, 1, 0, 0, 5, 7) },
          ],
        }),
      ).toBe('after:2026-01-01 before:2026-02-01T12:00Z after:2026-01-01T00:00:05Z before:2026-01-01T00:00:05.007Z');
    });
  });
});
