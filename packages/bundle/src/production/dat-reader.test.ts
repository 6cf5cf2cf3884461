import { describe, expect, it } from 'vitest';

import { parseDat } from './dat-reader';
import { ProductionError } from './production-error';

const F = '\u0014';
const Q = '\u00fe';

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'no error';
  } catch (error) {
    return error instanceof ProductionError ? error.code : 'other error';
  }
}

describe('parseDat', () => {
  describe('when given a Relativity-style file', () => {
    it('splits header and records', () => {
      const text = `${Q}A${Q}${F}${Q}B${Q}\r\n${Q}1${Q}${F}${Q}x\u00aey${Q}\r\n${Q}${Q}${F}${Q}${Q}\r\n`;
      expect(parseDat(text)).toEqual({ header: ['A', 'B'], records: [['1', 'x\u00aey'], ['', '']] });
      expect(parseDat(text, { restoreNewlines: true }).records[0]).toEqual(['1', 'x\ny']);
    });

    it('accepts bare values, LF line ends, a BOM and no final line end', () => {
      expect(parseDat(`\ufeffA${F}${Q}B${Q}\nv${F}${Q}w${Q}`)).toEqual({ header: ['A', 'B'], records: [['v', 'w']] });
    });

    it('reads UTF-8 and windows-1252 bytes', () => {
      const utf8 = new TextEncoder().encode(`${Q}\u00e9${Q}\r\n`);
      expect(parseDat(utf8).header).toEqual(['\u00e9']);
      expect(parseDat(Uint8Array.of(0xfe, 0xe9, 0x80, 0xfe, 0x0d, 0x0a), { encoding: 'cp1252' }).header).toEqual(['\u00e9\u20ac']);
    });

    it('uses custom delimiters', () => {
      expect(parseDat('"a"|"b"\r\n"1"|"2"\r\n', { delimiters: { field: '|', quote: '"' } }).records).toEqual([['1', '2']]);
    });
  });

  describe('when the file is malformed', () => {
    it.each([
      ['empty', ''],
      ['an unclosed quote', `${Q}A${Q}\r\n${Q}1\r\n`],
      ['text after a closing quote', `${Q}A${Q}x\r\n`],
      ['a short record', `${Q}A${Q}${F}${Q}B${Q}\r\n${Q}1${Q}\r\n`],
      ['a long record', `${Q}A${Q}\r\n${Q}1${Q}${F}${Q}2${Q}\r\n`],
    ])('rejects %s with MALFORMED_DAT', (_, text) => {
      expect(codeOf(() => parseDat(text))).toBe('MALFORMED_DAT');
    });

    it('rejects invalid UTF-8 with MALFORMED_DAT', () => {
      expect(codeOf(() => parseDat(Uint8Array.of(0xfe, 0x41, 0xfe)))).toBe('MALFORMED_DAT');
    });

    it('rejects non-text input with INVALID_ARGUMENT', () => {
      expect(codeOf(() => parseDat(42 as unknown as string))).toBe('INVALID_ARGUMENT');
    });
  });
});
