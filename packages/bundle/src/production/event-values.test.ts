import { encodeBase64, encodeHex } from '@custody/ledger';
import { canonicalize, isWellFormedString } from '@custody/schema';
import type { TMetadata } from '@custody/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatCsvField } from './csv-record';
import {
  formatEntityReference,
  formatMetadataCsvField,
  formatMetadataJson,
  formatTargets,
  hashToBase64,
  hashToHex,
  joinMultiValue,
  splitMultiValue,
} from './event-values';
import { ProductionError } from './production-error';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('hashToBase64', () => {
  describe('when given 32 bytes', () => {
    it('agrees with the strict ledger codec', () => {
      fc.assert(fc.property(bytes32, (hash) => hashToBase64(hash) === encodeBase64(hash)), { numRuns: 500 });
      expect(hashToBase64(new Uint8Array(32))).toBe('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      expect(hashToBase64(new Uint8Array(32).fill(255))).toBe('//////////////////////////////////////////8=');
    });
  });

  describe('when given base64 text', () => {
    it('returns canonical 32-byte base64 unchanged', () => {
      const text = encodeBase64(new Uint8Array(32).fill(7));
      expect(hashToBase64(text)).toBe(text);
    });

    it.each([
      ['too short', 'AAAA'],
      ['non-canonical padding bits', `${'A'.repeat(42)}B=`],
      ['no padding', 'A'.repeat(44)],
      ['url-safe alphabet', `${'-'.repeat(42)}A=`],
    ])('rejects %s with INVALID_ARGUMENT', (_, text) => {
      expect(() => hashToBase64(text)).toThrow(ProductionError);
    });
  });

  describe('when given anything else', () => {
    it('rejects it with INVALID_ARGUMENT', () => {
      for (const value of [new Uint8Array(31), new Uint8Array(33), [1, 2], null, 42] as unknown[]) {
        expect(() => hashToBase64(value as Uint8Array)).toThrow(/32 bytes/);
      }
    });
  });
});

describe('hashToHex', () => {
  describe('when given 32 bytes', () => {
    it('agrees with the ledger codec', () => {
      fc.assert(fc.property(bytes32, (hash) => hashToHex(hash) === encodeHex(hash)), { numRuns: 200 });
    });
  });

  describe('when given hex text', () => {
    it('lowercases 64 hex digits and rejects anything else', () => {
      expect(hashToHex('AB'.repeat(32))).toBe('ab'.repeat(32));
      expect(() => hashToHex('ab'.repeat(31))).toThrow(ProductionError);
      expect(() => hashToHex('zz'.repeat(32))).toThrow(ProductionError);
    });
  });
});

describe('joinMultiValue', () => {
  describe('when items contain the separator or %', () => {
    it('percent-encodes exactly those two characters', () => {
      expect(joinMultiValue(['document:doc_1', 'user:a;b', 'file:100%'])).toBe('document:doc_1;user:a%3Bb;file:100%25');
      expect(joinMultiValue(['x:%3B'])).toBe('x:%253B');
      expect(joinMultiValue(['a|b', 'c'], '|')).toBe('a%7Cb|c');
    });
  });

  describe('when split again', () => {
    it('round-trips any items', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(';', '|', '\u00b6'), (items, sep) => {
          expect(splitMultiValue(joinMultiValue(items, sep), sep)).toEqual(items);
        }),
        { numRuns: 300 },
      );
      expect(splitMultiValue('')).toEqual([]);
    });
  });
});

describe('formatTargets', () => {
  describe('when an event has targets', () => {
    it('writes type:id items in order', () => {
      expect(formatTargets([{ type: 'document', id: 'doc_1' }, { type: 'user', id: 'u;2' }])).toBe('document:doc_1;user:u%3B2');
      expect(formatTargets([{ type: 'team', id: 't:1' }])).toBe('team:t:1');
      expect(formatTargets([])).toBe('');
      expect(formatEntityReference({ type: 'user', id: 'u_1' })).toBe('user:u_1');
    });
  });
});

describe('formatMetadataJson', () => {
  describe('when the metadata is flat', () => {
    it('equals RFC 8785 canonicalize', () => {
      const value = fc.oneof(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }).filter(isWellFormedString),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
      );
      const key = fc.oneof(fc.string({ unit: 'grapheme' }), fc.nat({ max: 200 }).map(String), fc.constantFrom('constructor', 'toJSON', 'a', 'B', '\u00e9', '\ud83d\ude00'));
      fc.assert(
        fc.property(fc.dictionary(key, value, { maxKeys: 12 }), (metadata) => {
          expect(formatMetadataJson(metadata as TMetadata)).toBe(canonicalize(metadata));
        }),
        { numRuns: 1000 },
      );
    });

    it('sorts array-index keys as strings, as RFC 8785 requires', () => {
      expect(formatMetadataJson({ '10': 1, '9': 2, a: -0, b: 1e21, c: 1e-7 })).toBe('{"10":1,"9":2,"a":0,"b":1e+21,"c":1e-7}');
      expect(formatMetadataJson({})).toBe('{}');
      expect(formatMetadataJson({ s: 'line\nbreak "q" \u2028' })).toBe('{"s":"line\\nbreak \\"q\\" \u2028"}');
    });
  });

  describe('when a value is not a flat JSON value', () => {
    it('falls back to canonicalize', () => {
      const nested = { b: { z: 1, a: [2, 1] }, a: 1 } as unknown as TMetadata;
      expect(formatMetadataJson(nested)).toBe('{"a":1,"b":{"a":[2,1],"z":1}}');
      expect(() => formatMetadataJson({ n: Number.NaN })).toThrow();
    });
  });
});

describe('formatMetadataCsvField', () => {
  describe('when given any metadata', () => {
    it('equals the canonical JSON quoted as a CSV field', () => {
      const value = fc.oneof(fc.string({ unit: 'grapheme' }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
      const key = fc.oneof(fc.string({ unit: 'grapheme' }), fc.nat({ max: 200 }).map(String), fc.constantFrom('"q"', 'a,b', 'x\ny'));
      fc.assert(
        fc.property(fc.dictionary(key, value, { maxKeys: 10 }), (metadata) => {
          expect(formatMetadataCsvField(metadata as TMetadata)).toBe(formatCsvField(canonicalize(metadata), false));
        }),
        { numRuns: 1000 },
      );
      expect(formatMetadataCsvField({ b: { x: 1 } as unknown as string, a: '"' })).toBe('"{""a"":""\\"""",""b"":{""x"":1}}"');
    });
  });
});
