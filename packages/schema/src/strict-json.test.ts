import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { StrictJsonError } from './errors';
import { parseStrictJson } from './strict-json';

function thrown(input: string | Uint8Array): StrictJsonError {
  try {
    parseStrictJson(input);
  } catch (error) {
    if (error instanceof StrictJsonError) return error;
    throw error;
  }
  throw new Error('expected a StrictJsonError');
}

describe('parseStrictJson', () => {
  describe('when the text is valid I-JSON', () => {
    it.each([
      ['null', null],
      ['true', true],
      [' false ', false],
      ['0', 0],
      ['-0', -0],
      ['1.5e3', 1500],
      ['-12.25E-2', -0.1225],
      ['"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"', 'a"b\\c/d\b\f\n\r\t'],
      ['"\\u00e9\\ud83d\\ude02"', '\u00e9\ud83d\ude02'],
      ['"\\uD83D\\uDE02"', '\ud83d\ude02'],
      ['[]', []],
      ['{}', {}],
      ['\t\r\n [1, {"a": [true, null]}]\n', [1, { a: [true, null] }]],
    ])('parses %j like JSON.parse', (text, expected) => {
      expect(parseStrictJson(text)).toEqual(expected);
      expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    });

    it('accepts raw non-ASCII characters, including surrogate pairs and U+2028', () => {
      expect(parseStrictJson('"\u00e9\ud83d\ude02\u2028"')).toBe('\u00e9\ud83d\ude02\u2028');
    });

    it('accepts UTF-8 bytes', () => {
      expect(parseStrictJson(new TextEncoder().encode('{"\u00e9":1}'))).toEqual({ '\u00e9': 1 });
    });

    it('keeps "__proto__" as an own member and never changes the prototype', () => {
      const value = parseStrictJson('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toEqual(['__proto__', 'a']);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
      expect((value as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it('parses numbers exactly like JSON.parse, including precision loss and underflow', () => {
      for (const text of ['9007199254740993', '1e-400', '0.1', '123456789012345678901234567890', '5e-324', '1.7976931348623157e308']) {
        expect(parseStrictJson(text)).toBe(JSON.parse(text));
      }
    });
  });

  describe('when the text breaks I-JSON', () => {
    it.each([
      ['a duplicate member name', '{"a":1,"b":2,"a":3}', 'duplicate_key', 1, 14, 'duplicate member name "a" at line 1, column 14'],
      ['a duplicate "__proto__"', '{"__proto__":1,"__proto__":2}', 'duplicate_key', 1, 16, undefined],
      ['an escaped lone high surrogate', '["\\ud800"]', 'lone_surrogate', 1, 3, undefined],
      ['an escaped lone low surrogate', '["x\\udc00"]', 'lone_surrogate', 1, 4, undefined],
      ['a high surrogate followed by a plain escape', '["\\ud83d\\u0041"]', 'lone_surrogate', 1, 3, undefined],
      ['a raw lone surrogate', '["a\ud800b"]', 'lone_surrogate', 1, 4, undefined],
      ['reversed surrogates', '["\\ude02\\ud83d"]', 'lone_surrogate', 1, 3, undefined],
      ['an invalid escape', '["\\x41"]', 'invalid_escape', 1, 3, 'invalid escape \\x at line 1, column 3'],
      ['a short \\u escape', '["\\u12"]', 'invalid_escape', 1, 3, undefined],
      ['an unescaped control character', '["a\tb"]', 'control_character', 1, 4, 'unescaped control character U+0009 in a string at line 1, column 4'],
      ['a raw newline in a string', '"a\nb"', 'control_character', 1, 3, undefined],
      ['a leading zero', '[01]', 'invalid_number', 1, 2, undefined],
      ['a trailing dot', '[1.]', 'invalid_number', 1, 2, undefined],
      ['a bare exponent', '[1e]', 'invalid_number', 1, 2, undefined],
      ['a plus sign', '[+1]', 'unexpected_token', 1, 2, undefined],
      ['a leading dot', '[.5]', 'unexpected_token', 1, 2, undefined],
      ['a lone minus', '[-]', 'invalid_number', 1, 2, undefined],
      ['a number beyond double range', '[1e400]', 'number_out_of_range', 1, 2, undefined],
      ['trailing content', '{} x', 'trailing_content', 1, 4, 'unexpected content after the JSON value at line 1, column 4'],
      ['two documents', '1 2', 'trailing_content', 1, 3, undefined],
      ['a trailing comma in an array', '[1,]', 'unexpected_token', 1, 4, undefined],
      ['a trailing comma in an object', '{"a":1,}', 'unexpected_token', 1, 8, undefined],
      ['a single-quoted string', "['a']", 'unexpected_token', 1, 2, undefined],
      ['an unquoted member name', '{a:1}', 'unexpected_token', 1, 2, undefined],
      ['a missing colon', '{"a" 1}', 'unexpected_token', 1, 6, undefined],
      ['NaN', '[NaN]', 'unexpected_token', 1, 2, undefined],
      ['Infinity', '[Infinity]', 'unexpected_token', 1, 2, undefined],
      ['a misspelled literal', '[tru]', 'unexpected_token', 1, 2, undefined],
      ['a comment', '[1 /* no */]', 'unexpected_token', 1, 4, undefined],
      ['an empty text', '', 'unexpected_end', 1, 1, undefined],
      ['an unterminated string', '["abc', 'unexpected_end', 1, 2, undefined],
      ['an unterminated array', '[1, 2', 'unexpected_end', 1, 6, undefined],
      ['an unterminated object', '{"a":1', 'unexpected_end', 1, 7, undefined],
      ['a byte-order mark', '\ufeff{}', 'unexpected_token', 1, 1, 'unexpected U+FEFF, expected a value at line 1, column 1'],
      ['a non-breaking space as whitespace', '[1,\u00a02]', 'unexpected_token', 1, 4, undefined],
    ] as const)('rejects %s', (_name, text, code, line, column, message) => {
      const error = thrown(text);
      expect(error.code).toBe(code);
      expect({ line: error.line, column: error.column }).toEqual({ line, column });
      if (message !== undefined) expect(error.message).toBe(message);
    });

    it('reports lines and columns across newlines', () => {
      const error = thrown('{\n  "a": 1,\n  "a": 2\n}');
      expect({ code: error.code, offset: error.offset, line: error.line, column: error.column }).toEqual({
        code: 'duplicate_key',
        offset: 14,
        line: 3,
        column: 3,
      });
    });

    it('rejects invalid UTF-8 bytes', () => {
      expect(thrown(new Uint8Array([0x22, 0xc3, 0x22])).code).toBe('invalid_utf8');
      expect(thrown(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])).code).toBe('invalid_utf8'); // CESU-8 surrogate
    });
  });

  describe('when nesting is deep', () => {
    it('accepts 64 levels and rejects 65', () => {
      expect(() => parseStrictJson(`${'['.repeat(64)}${']'.repeat(64)}`)).not.toThrow();
      const error = thrown(`${'['.repeat(65)}${']'.repeat(65)}`);
      expect({ code: error.code, column: error.column }).toEqual({ code: 'too_deep', column: 65 });
      expect(thrown(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`).code).toBe('too_deep');
    });

    it('rejects a million open brackets without overflowing the stack', () => {
      expect(thrown('['.repeat(1_000_000)).code).toBe('too_deep');
    });
  });

  describe('when given hostile sizes', () => {
    // A quadratic parser would blow the test timeout (the hang guard); no speed is asserted.
    it('parses a 10 MB string', () => {
      const text = `"${'a'.repeat(10_000_000)}"`;
      expect((parseStrictJson(text) as string).length).toBe(10_000_000);
    });

    it('rejects 100,000 duplicate members at the first duplicate', () => {
      const text = `{${Array.from({ length: 100_000 }, () => '"k":1').join(',')}}`;
      expect(thrown(text).column).toBe(8);
    });
  });

  describe('when given arbitrary text', () => {
    it('agrees with JSON.parse on every JSON.stringify output without lone surrogates', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const text = JSON.stringify(value, null, 1);
          expect(parseStrictJson(text)).toEqual(JSON.parse(text));
        }),
        { numRuns: 500 },
      );
    });

    it('never throws anything but StrictJsonError', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
          try {
            parseStrictJson(text);
          } catch (error) {
            expect(error).toBeInstanceOf(StrictJsonError);
          }
        }),
        { numRuns: 2_000 },
      );
    });
  });
});
