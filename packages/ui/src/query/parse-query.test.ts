import { describe, expect, it } from 'vitest';

import { parseQuery } from './parse-query';

const JAN_1 = Date.UTC(2026, 0, 1);
const FEB_1_NOON = Date.UTC(2026, 1, 1, 12, 0);

describe('parseQuery', () => {
  describe('when given the documented example', () => {
    it('produces one term per clause, in order', () => {
      const { query, errors } = parseQuery(
        'action:user.* actor.id:u_123 ip:10.0.0.0/8 after:2026-01-01 before:2026-02-01T12:00Z -action:user.viewed "exact phrase" word meta.plan:enterprise tag:important is:starred status:failed',
      );
      expect(errors).toEqual([]);
      expect(query.terms).toEqual([
        { kind: 'field', field: 'action', op: 'prefix', value: 'user.' },
        { kind: 'field', field: 'actor.id', op: 'eq', value: 'u_123' },
        { kind: 'field', field: 'ip', op: 'cidr', value: '10.0.0.0/8' },
        { kind: 'time', after: JAN_1 },
        { kind: 'time', before: FEB_1_NOON },
        { kind: 'field', field: 'action', op: 'eq', value: 'user.viewed', negate: true },
        { kind: 'text', value: 'exact phrase' },
        { kind: 'text', value: 'word' },
        { kind: 'field', field: 'meta.plan', op: 'eq', value: 'enterprise' },
        { kind: 'field', field: 'tag', op: 'eq', value: 'important' },
        { kind: 'flag', flag: 'starred' },
        { kind: 'field', field: 'status', op: 'eq', value: 'failed' },
      ]);
    });
  });

  describe('when values are quoted', () => {
    it('keeps spaces and escapes, and a quoted value is never a wildcard', () => {
      expect(parseQuery('actor.name:"Ada \\"the\\" Lovelace" action:"user.*"').query.terms).toEqual([
        { kind: 'field', field: 'actor.name', op: 'eq', value: 'Ada "the" Lovelace' },
        { kind: 'field', field: 'action', op: 'eq', value: 'user.*' },
      ]);
    });

    it('reads "…"* as a prefix with spaces', () => {
      expect(parseQuery('ua:"Mozilla/5.0 (X11"*').query.terms).toEqual([{ kind: 'field', field: 'ua', op: 'prefix', value: 'Mozilla/5.0 (X11' }]);
    });

    it('accepts an empty quoted value (matches an empty field)', () => {
      expect(parseQuery('ua:""').query.terms).toEqual([{ kind: 'field', field: 'ua', op: 'eq', value: '' }]);
    });
  });

  describe('when values contain colons', () => {
    it('splits at the first colon only (IPv6, typed ids)', () => {
      expect(parseQuery('ip:2001:db8::1 target.id:doc:42 ip:2001:DB8::/32').query.terms).toEqual([
        { kind: 'field', field: 'ip', op: 'eq', value: '2001:db8::1' },
        { kind: 'field', field: 'target.id', op: 'eq', value: 'doc:42' },
        { kind: 'field', field: 'ip', op: 'cidr', value: '2001:db8::/32' },
      ]);
    });
  });

  describe('when fields use other spellings', () => {
    it('accepts aliases and any case for field names, keeping metadata key case', () => {
      expect(parseQuery('Actor:u_1 TARGET:doc_7 tags:x meta.Plan:Pro STATUS:Verified -IS:Noted').query.terms).toEqual([
        { kind: 'field', field: 'actor.id', op: 'eq', value: 'u_1' },
        { kind: 'field', field: 'target.id', op: 'eq', value: 'doc_7' },
        { kind: 'field', field: 'tag', op: 'eq', value: 'x' },
        { kind: 'field', field: 'meta.Plan', op: 'eq', value: 'Pro' },
        { kind: 'field', field: 'status', op: 'eq', value: 'verified' },
        { kind: 'flag', flag: 'noted', negate: true },
      ]);
    });
  });

  describe('when times carry offsets and fractions', () => {
    it('converts to ms UTC', () => {
      expect(parseQuery('after:2026-01-01T10:00:00.250+02:00 before:2026-01-01T00:00:05Z').query.terms).toEqual([
        { kind: 'time', after: Date.UTC(2026, 0, 1, 8, 0, 0, 250) },
        { kind: 'time', before: Date.UTC(2026, 0, 1, 0, 0, 5) },
      ]);
    });
  });

  describe('when the text is empty or blank', () => {
    it('returns no terms and no errors', () => {
      expect(parseQuery('')).toEqual({ query: { terms: [] }, errors: [] });
      expect(parseQuery('  \t ')).toEqual({ query: { terms: [] }, errors: [] });
    });
  });

  describe('when the text has errors', () => {
    it('reports an unknown field at the field name and keeps the other terms', () => {
      const { query, errors } = parseQuery('action:x foo:bar word');
      expect(errors).toEqual([{ at: 9, end: 12, message: 'unknown field "foo" (quote the word to search for it as text)' }]);
      expect(query.terms).toEqual([
        { kind: 'field', field: 'action', op: 'eq', value: 'x' },
        { kind: 'text', value: 'word' },
      ]);
    });

    it('reports a bad date at the value with the reason', () => {
      const { errors } = parseQuery('after:2026-02-30');
      expect(errors).toEqual([{ at: 6, end: 16, message: 'invalid time "2026-02-30": day 30 is out of range for February 2026 (28 days)' }]);
    });

    it('rejects a time without an offset', () => {
      const [error] = parseQuery('before:2026-01-01T12:00:00').errors;
      expect(error?.at).toBe(7);
      expect(error?.message).toMatch(/no UTC offset/);
    });

    it('rejects a time in an unknown shape', () => {
      expect(parseQuery('after:yesterday').errors[0]?.message).toBe(
        'invalid time "yesterday": expected a date (2026-01-31) or an RFC 3339 time (2026-01-31T12:00Z)',
      );
    });

    it('reports an unclosed quote at the opening quote', () => {
      expect(parseQuery('action:x "open phrase').errors).toEqual([{ at: 9, end: 21, message: 'unclosed quote' }]);
      expect(parseQuery('actor.name:"Ada').errors).toEqual([{ at: 11, end: 15, message: 'unclosed quote' }]);
    });

    it('reports a missing value, a dangling minus and a missing field name', () => {
      expect(parseQuery('action:').errors).toEqual([{ at: 0, end: 7, message: 'missing value after "action:"' }]);
      expect(parseQuery('a - b').errors).toEqual([{ at: 2, end: 3, message: 'nothing to exclude after "-"' }]);
      expect(parseQuery(':x').errors[0]).toMatchObject({ at: 0, message: expect.stringMatching(/missing field name/) as unknown });
    });

    it('rejects negated time bounds, bad flags, statuses, sequences and CIDR blocks', () => {
      expect(parseQuery('-after:2026-01-01').errors[0]).toMatchObject({ at: 0, message: '"after:" cannot be negated (use before: instead)' });
      expect(parseQuery('is:deleted').errors[0]?.message).toBe('unknown flag "deleted" (expected starred, noted, tagged)');
      expect(parseQuery('status:ok').errors[0]?.message).toBe('unknown status "ok" (expected verified, pending, failed)');
      expect(parseQuery('seq:12a').errors[0]?.message).toBe('"seq:" needs a whole number, not "12a"');
      expect(parseQuery('ip:10.0.0.1/8').errors[0]).toMatchObject({ at: 3, end: 13, message: expect.stringMatching(/did you mean 10\.0\.0\.0\/8/) as unknown });
      expect(parseQuery('ip:10.0.0.0/33').errors[0]?.message).toMatch(/invalid CIDR block/);
    });

    it('rejects stray quotes and invalid metadata keys', () => {
      expect(parseQuery('ab"c').errors[0]).toMatchObject({ at: 2, message: expect.stringMatching(/unexpected quote/) as unknown });
      expect(parseQuery('action:"a"b').errors[0]?.message).toMatch(/expected a space after the closing quote/);
      expect(parseQuery('meta.:x').errors[0]?.message).toMatch(/invalid metadata key/);
    });
  });
});
