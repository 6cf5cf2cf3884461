import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MAX_JSON_DEPTH, canonicalBytes, canonicalize, isCanonicalJson } from './canonical';
import { CanonicalizationError } from './errors';
import { parseStrictJson } from './strict-json';
import type { TJsonValue } from './strict-json';

function thrown(run: () => unknown): CanonicalizationError {
  try {
    run();
  } catch (error) {
    if (error instanceof CanonicalizationError) return error;
    throw error;
  }
  throw new Error('expected a CanonicalizationError');
}

function nest(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** JSON values whose strings are well formed and whose numbers are finite (what JCS accepts). */
const jsonValue: fc.Arbitrary<TJsonValue> = fc.letrec<{ value: TJsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonicalize', () => {
  describe('when given literals and numbers', () => {
    it('writes them like ECMAScript (RFC 8785 §3.2.2.3)', () => {
      expect(canonicalize(null)).toBe('null');
      expect(canonicalize(true)).toBe('true');
      expect(canonicalize(false)).toBe('false');
      expect(canonicalize(-0)).toBe('0');
      expect(canonicalize(1e21)).toBe('1e+21');
      expect(canonicalize(1e-7)).toBe('1e-7');
      expect(canonicalize(0.000001)).toBe('0.000001');
      expect(canonicalize(Number('333333333.33333329'))).toBe('333333333.3333333');
      expect(canonicalize(4.5)).toBe('4.5');
      expect(canonicalize(2e-3)).toBe('0.002');
      expect(canonicalize(Number('9007199254740993'))).toBe('9007199254740992');
      expect(canonicalize(Number.MAX_VALUE)).toBe('1.7976931348623157e+308');
      expect(canonicalize(Number.MIN_VALUE)).toBe('5e-324');
    });
  });

  describe('when given strings', () => {
    it('escapes exactly like JSON.stringify and leaves everything else raw', () => {
      expect(canonicalize('"\\\b\f\n\r\t')).toBe('"\\"\\\\\\b\\f\\n\\r\\t"');
      expect(canonicalize('\u0000\u000f\u001f')).toBe('"\\u0000\\u000f\\u001f"');
      expect(canonicalize('/\u007f\u0080\u2028\u2029\u00e9\ud83d\ude02')).toBe('"/\u007f\u0080\u2028\u2029\u00e9\ud83d\ude02"');
    });

    it('does not normalize Unicode (NFC and NFD stay different)', () => {
      expect(canonicalize('\u00e9')).not.toBe(canonicalize('e\u0301'));
    });
  });

  describe('when given objects', () => {
    it('sorts members by UTF-16 code units, recursively, and keeps array order', () => {
      // Non-ASCII test data is written with escapes: editors may NFC-normalize U+FB33 (verifiable-log.md §5.1).
      expect(canonicalize({ b: [3, { z: 1, a: 2 }], a: { '\ufb33': 1, '\ud83d\ude02': 2, '\u00e9': 3 } })).toBe(
        '{"a":{"\u00e9":3,"\ud83d\ude02":2,"\ufb33":1},"b":[3,{"a":2,"z":1}]}',
      );
    });

    it('sorts "10" after "1" and before "2" (strings, not numbers)', () => {
      expect(canonicalize({ 2: 'c', 10: 'b', 1: 'a' })).toBe('{"1":"a","10":"b","2":"c"}');
    });

    it('accepts null-prototype objects', () => {
      const object = Object.create(null) as Record<string, unknown>;
      object.b = 1;
      object.a = 2;
      expect(canonicalize(object)).toBe('{"a":2,"b":1}');
    });

    it('treats "__proto__", "constructor" and "toString" as ordinary own members', () => {
      const value = JSON.parse('{"__proto__":{"polluted":true},"constructor":"c","toString":"t"}') as unknown;
      expect(canonicalize(value)).toBe('{"__proto__":{"polluted":true},"constructor":"c","toString":"t"}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('ignores symbol-keyed properties, as JSON does', () => {
      expect(canonicalize({ a: 1, [Symbol('s')]: 2 })).toBe('{"a":1}');
    });
  });

  describe('when given something that is not I-JSON', () => {
    it.each([
      ['NaN', NaN, 'non_finite_number'],
      ['Infinity', Infinity, 'non_finite_number'],
      ['-Infinity', -Infinity, 'non_finite_number'],
      ['a lone high surrogate', '\ud800', 'lone_surrogate'],
      ['a lone low surrogate', 'a\udc00b', 'lone_surrogate'],
      ['undefined', undefined, 'undefined'],
      ['a function', () => 1, 'function'],
      ['a bigint', 1n, 'bigint'],
      ['a symbol', Symbol('x'), 'symbol'],
      ['a Date', new Date(0), 'non_plain_object'],
      ['a Map', new Map(), 'non_plain_object'],
      ['a Uint8Array', new Uint8Array(1), 'non_plain_object'],
      ['a class instance', new (class Point {})(), 'non_plain_object'],
    ] as const)('throws CanonicalizationError(%s)', (_name, value, code) => {
      expect(thrown(() => canonicalize(value)).code).toBe(code);
    });

    it('reports where the problem is', () => {
      const error = thrown(() => canonicalize({ metadata: { amount: NaN }, targets: [{}, { id: '\ud800' }] }));
      expect(error.code).toBe('non_finite_number');
      expect(error.path).toBe('metadata.amount');
      expect(error.message).toBe('NaN is not a finite number at metadata.amount');
      expect(thrown(() => canonicalize({ targets: [{}, { id: '\ud800' }] })).path).toBe('targets[1].id');
      expect(thrown(() => canonicalize({ 'a.b': [undefined] })).path).toBe('["a.b"][0]');
      expect(thrown(() => canonicalize({ ['\ud800']: 1 })).code).toBe('lone_surrogate');
    });

    it('rejects undefined members and array holes instead of dropping them', () => {
      expect(thrown(() => canonicalize({ a: undefined })).code).toBe('undefined');
      // eslint-disable-next-line no-sparse-arrays -- the hole is the point
      expect(thrown(() => canonicalize([1, , 3])).path).toBe('[1]');
    });

    it('never calls toJSON', () => {
      expect(thrown(() => canonicalize({ toJSON: () => 'x', a: { b: new Date(0) } })).path).toBe('a.b');
      expect(canonicalize({ toJSON: 'not called' })).toBe('{"toJSON":"not called"}');
    });

    it('detects cycles', () => {
      const a: Record<string, unknown> = { x: 1 };
      a.self = { back: a };
      const error = thrown(() => canonicalize(a));
      expect(error.code).toBe('cycle');
      expect(error.path).toBe('self.back');
      const list: unknown[] = [];
      list.push(list);
      expect(thrown(() => canonicalize(list)).code).toBe('cycle');
    });

    it('accepts the same object twice when it is not a cycle', () => {
      const shared = { a: 1 };
      expect(canonicalize([shared, shared])).toBe('[{"a":1},{"a":1}]');
    });
  });

  describe('when nesting is deep', () => {
    it(`accepts ${MAX_JSON_DEPTH} levels and rejects ${MAX_JSON_DEPTH + 1}`, () => {
      expect(canonicalize(nest(MAX_JSON_DEPTH))).toBe(`${'['.repeat(64)}0${']'.repeat(64)}`);
      expect(thrown(() => canonicalize(nest(MAX_JSON_DEPTH + 1))).code).toBe('too_deep');
    });

    it('rejects 100,000 levels without overflowing the stack', () => {
      expect(thrown(() => canonicalize(nest(100_000))).code).toBe('too_deep');
    });
  });

  describe('when given huge strings', () => {
    it('handles 10 MB strings', () => {
      const big = 'x'.repeat(10_000_000);
      expect(canonicalize({ big }).length).toBe(10_000_010);
      expect(thrown(() => canonicalize({ big: `${big}\ud800` })).code).toBe('lone_surrogate');
    });
  });

  describe('when run on a 1 KB event', () => {
    // Speed is measured by the benchmarks, never asserted in tests.
    it('serializes it to the same text as a re-parse and re-serialization', () => {
      const event = {
        v: 1,
        organization_id: 'org_2xQ9',
        seq: 1234567,
        id: '019b7a3e-4c1d-7a2b-9f3e-1c2d3e4f5a6b',
        received_at: '2026-01-01T08:00:00.456Z',
        salt: 'q0Hc3bX2s1m8JtYV1o9SgA==',
        action: 'document.shared',
        occurred_at: '2026-01-01T08:00:00.123Z',
        actor: { id: 'user_01HXYZ', type: 'user', name: 'Alice Example', metadata: { role: 'admin', mfa: true } },
        targets: [
          { id: 'doc_42', type: 'document', name: 'Q4 board deck.pdf', metadata: { size: 123456, folder: 'Finance' } },
          { id: 'user_01HABC', type: 'user', name: 'Bob Example' },
        ],
        context: {
          location: '2001:db8::1',
          user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
          request_id: 'req_8f14e45fceea167a5a36dedd4bea2543',
        },
        metadata: {
          permission: 'view',
          expires_in_days: 30,
          notify: true,
          note: 'Shared for the board meeting \u2014 see agenda',
          ticket: 'https://support.example.com/tickets/1234567',
          amount: 1234.5,
          reason: null,
        },
        version: 1,
      };
      expect(canonicalBytes(event).length).toBeGreaterThan(900);
      const text = canonicalize(event);
      expect(canonicalize(JSON.parse(text))).toBe(text);
      expect(isCanonicalJson(text)).toBe(true);
      expect(text.startsWith('{"action":"document.shared","actor":')).toBe(true);
    });
  });

  describe('when given arbitrary JSON values', () => {
    it('is stable: canonicalize(parseStrictJson(canonicalize(x))) === canonicalize(x)', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          const text = canonicalize(value);
          expect(canonicalize(parseStrictJson(text))).toBe(text);
        }),
        { numRuns: 500 },
      );
    });

    it('always produces canonical JSON, with no raw line feed', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          const bytes = canonicalBytes(value);
          expect(isCanonicalJson(bytes)).toBe(true);
          expect(bytes.includes(0x0a)).toBe(false);
        }),
        { numRuns: 500 },
      );
    });

    it('round-trips through JSON.parse: JSON.parse(canonicalize(x)) deep-equals x for JSON-safe values', () => {
      fc.assert(
        // fc.jsonValue can produce -0, which no JSON text represents; JSON-safe values survive a round trip.
        fc.property(fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown), (value) => {
          expect(JSON.parse(canonicalize(value))).toEqual(value);
        }),
        { numRuns: 500 },
      );
    });

    it('round-trips the wider value space up to -0 (which JSON writes as 0)', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          expect(JSON.parse(canonicalize(value))).toEqual(JSON.parse(JSON.stringify(value)));
        }),
        { numRuns: 500 },
      );
    });

    it('does not depend on member insertion order', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.integer(), { maxKeys: 10 }), (object) => {
          const reversed = Object.fromEntries(Object.entries(object).reverse());
          expect(canonicalize(reversed)).toBe(canonicalize(object));
        }),
      );
    });
  });
});

describe('canonicalBytes', () => {
  describe('when given non-ASCII text', () => {
    it('is the UTF-8 encoding of canonicalize', () => {
      expect([...canonicalBytes({ '\u00e9': '\ud83d\ude02' })]).toEqual([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x22, 0xf0, 0x9f, 0x98, 0x82, 0x22, 0x7d]);
    });
  });
});

describe('isCanonicalJson', () => {
  describe('when the text is canonical', () => {
    it('returns true for text and bytes', () => {
      expect(isCanonicalJson('{"a":[1,2],"b":"\u00e9"}')).toBe(true);
      expect(isCanonicalJson(new TextEncoder().encode('{"a":[1,2],"b":"\u00e9"}'))).toBe(true);
    });
  });

  describe('when the text is not canonical', () => {
    it.each([
      ['whitespace', '{"a": 1}'],
      ['unsorted members', '{"b":1,"a":2}'],
      ['a number that is not shortest', '{"a":1.0}'],
      ['an exponent form', '[1E3]'],
      ['an unnecessary escape', '["\\u0041"]'],
      ['an escaped slash', '["\\/"]'],
      ['an uppercase hex escape', '["\\u001F"]'],
      ['a trailing newline', '{}\n'],
      ['a duplicate member', '{"a":1,"a":1}'],
      ['an escaped lone surrogate', '["\\ud800"]'],
      ['invalid JSON', '{'],
      ['negative zero', '[-0]'],
    ])('returns false for %s', (_name, text) => {
      expect(isCanonicalJson(text)).toBe(false);
    });

    it('returns false for invalid UTF-8 and for a byte-order mark', () => {
      expect(isCanonicalJson(new Uint8Array([0x22, 0xff, 0x22]))).toBe(false);
      expect(isCanonicalJson(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe(false);
    });
  });
});
