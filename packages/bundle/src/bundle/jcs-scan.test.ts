import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { canonicalize, isCanonicalJson } from '@custody/schema';

import { eventBytes } from '../../test/fixtures';
import { isCanonicalJsonBytes, scanCanonicalJson } from './jcs-scan';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** JSON values with the characters that matter for JCS: controls, escapes, non-BMP, keys that sort differently in UTF-16. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('\u0000', '\u001f', '\b\t\n\f\r', '"\\/', '\u2028', '\ud83d\ude02', '\ufb33', '\u00e9', 'e\u0301', '\u007f'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('\ud83d\ude02', '\ufb33', 'a', 'b', '\u00e9')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Byte strings near canonical JSON: canonical text with one edit, or raw random bytes. */
const mutated = fc.tuple(jsonValue, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'insert', 'delete', 'swap')).map(([value, at, byte, how]) => {
  let bytes: Uint8Array;
  try {
    bytes = utf8(canonicalize(value));
  } catch {
    bytes = utf8('{}');
  }
  if (bytes.length === 0) return bytes;
  const i = at % bytes.length;
  const out = Array.from(bytes);
  if (how === 'replace') out[i] = byte;
  else if (how === 'insert') out.splice(i, 0, byte);
  else if (how === 'delete') out.splice(i, 1);
  else if (i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1] as number, out[i] as number];
  return Uint8Array.from(out);
});

describe('scanCanonicalJson', () => {
  describe('when given the canonical form of any JSON value', () => {
    it('accepts it, like isCanonicalJson', () => {
      fc.assert(
        fc.property(jsonValue, (value) => {
          let text: string;
          try {
            text = canonicalize(value);
          } catch {
            return; // lone surrogates in generated strings: not I-JSON
          }
          const bytes = utf8(text);
          expect(isCanonicalJson(bytes)).toBe(true);
          expect(isCanonicalJsonBytes(bytes)).toBe(true);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('when given mutated canonical text or random bytes', () => {
    it('agrees with isCanonicalJson on every input', () => {
      fc.assert(
        fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 40 })), (bytes) => {
          expect(isCanonicalJsonBytes(bytes)).toBe(isCanonicalJson(bytes));
        }),
        { numRuns: 5000 },
      );
    });
  });

  describe('when given hand-picked cases', () => {
    const cases: [string, boolean][] = [
      ['{"a":1,"b":[true,false,null]}', true],
      ['{"b":1,"a":2}', false],
      ['{"a":1,"a":2}', false],
      ['{ "a":1}', false],
      ['{"a":1.0}', false],
      ['{"a":1e3}', false],
      ['{"a":1e+21}', true],
      ['{"a":-0}', false],
      ['{"a":0.000001}', true],
      ['{"a":1e-7}', true],
      ['{"a":9007199254740993}', false],
      ['{"a":"\\u001f"}', true],
      ['{"a":"\\u001F"}', false],
      ['{"a":"\\u000a"}', false],
      ['{"a":"\\n"}', true],
      ['{"a":"\\/"}', false],
      ['{"a":"\\u00e9"}', false],
      ['{"a":"\\ud83d\\ude02"}', false],
      ['"\u2028"', true],
      ['{"\ud83d\ude02":1,"\ufb33":2}', true],
      ['{"\ufb33":1,"\ud83d\ude02":2}', false],
      ['{"\\n":1,"\\r":2,"1":3}', true],
      [`${'['.repeat(64)}${']'.repeat(64)}`, true],
      [`${'['.repeat(65)}${']'.repeat(65)}`, false],
      ['{"a":1}\n', false],
      ['\ufeff{"a":1}', false],
      ['', false],
      ['{"a":1} ', false],
      ['{"a":tru}', false],
    ];
    for (const [text, expected] of cases) {
      it(`${expected ? 'accepts' : 'rejects'} ${JSON.stringify(text).slice(0, 60)}`, () => {
        expect(isCanonicalJson(utf8(text))).toBe(expected);
        expect(isCanonicalJsonBytes(utf8(text))).toBe(expected);
      });
    }

    it('rejects invalid UTF-8: overlong forms, surrogates, truncated sequences', () => {
      for (const bytes of [[0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xe2, 0x82, 0x22], [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xff, 0x22]]) {
        expect(isCanonicalJsonBytes(Uint8Array.from(bytes))).toBe(false);
        expect(isCanonicalJson(Uint8Array.from(bytes))).toBe(false);
      }
    });

    it('names the reason and the offset', () => {
      expect(scanCanonicalJson(utf8('{"b":1,"a":2}'))).toMatchObject({ canonical: false, failure: 'keys_not_sorted', offset: 7 });
      expect(scanCanonicalJson(utf8('{"a":1, "b":2}'))).toMatchObject({ canonical: false, failure: 'whitespace', offset: 7 });
    });
  });

  describe('when given a logged event', () => {
    it('extracts seq and organization_id without parsing', () => {
      const scan = scanCanonicalJson(eventBytes(1041));
      expect(scan).toMatchObject({ canonical: true, seq: 1041, organizationId: 'org_acme' });
    });

    it('reports a seq that is not a non-negative integer as invalid', () => {
      expect(scanCanonicalJson(utf8('{"organization_id":1,"seq":-1}'))).toMatchObject({ seq: 'invalid', organizationId: { invalid: true } });
      expect(scanCanonicalJson(utf8('{"seq":1.5}')).seq).toBe('invalid');
      expect(scanCanonicalJson(utf8('{"x":{"seq":3}}')).seq).toBeUndefined();
    });
  });
});
