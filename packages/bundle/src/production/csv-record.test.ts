import { describe, expect, it } from 'vitest';

import { CSV_FORMULA_TRIGGERS, formatCsvField, formatCsvRecord } from './csv-record';

describe('formatCsvField', () => {
  describe('when the value needs no quoting (RFC 4180 §2 rule 5)', () => {
    it.each([['plain'], [''], ['a b'], ['ünïcødé'], ['x\ty'], ["it's"]])('writes %j as is', (value) => {
      expect(formatCsvField(value, false)).toBe(value);
    });
  });

  describe('when the value contains a comma, quote, CR or LF (rule 6)', () => {
    it.each([
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['"', '""""'],
      ['line1\r\nline2', '"line1\r\nline2"'],
      ['cr\ronly', '"cr\ronly"'],
      ['lf\nonly', '"lf\nonly"'],
      [',', '","'],
    ])('quotes %j and doubles inner quotes (rule 7)', (value, expected) => {
      expect(formatCsvField(value, false)).toBe(expected);
    });
  });

  describe('when the value begins or ends with a space or tab', () => {
    it.each([
      [' lead', '" lead"'],
      ['trail ', '"trail "'],
      [' ', '" "'],
      ['tab\t', '"tab\t"'],
    ])('quotes %j so readers that trim keep it', (value, expected) => {
      expect(formatCsvField(value, false)).toBe(expected);
    });
  });

  describe('when the formula guard is on', () => {
    it.each([
      ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
      ['+1', "'+1"],
      ['-2', "'-2"],
      ['@cmd', "'@cmd"],
      ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
      ['\t=1', "'\t=1"],
      ['\r=1', '"\'\r=1"'],
      ['\uff1dcmd', "'\uff1dcmd"],
      ['=cmd|\' /C calc\'!A0', "'=cmd|' /C calc'!A0"],
    ])('prefixes %j with a single quote', (value, expected) => {
      expect(formatCsvField(value, true)).toBe(expected);
    });

    it('leaves values that start otherwise untouched', () => {
      for (const value of ['a=b', '1-2', 'x@y', '{"k":"=1"}', '', ' =1']) {
        expect(formatCsvField(value, true)).toBe(formatCsvField(value, false));
      }
    });

    it('lists every trigger it guards', () => {
      for (const trigger of CSV_FORMULA_TRIGGERS) expect(formatCsvField(`${trigger}x`, true).replace(/^"/, '')).toMatch(/^'/);
    });
  });

  describe('when the guard is off', () => {
    it('keeps formulas verbatim', () => {
      expect(formatCsvField('=1+1', false)).toBe('=1+1');
      expect(formatCsvField('-5', false)).toBe('-5');
    });
  });
});

describe('formatCsvRecord', () => {
  describe('when given fields', () => {
    it('joins them with commas and ends with CRLF (rule 1)', () => {
      expect(formatCsvRecord(['a', 'b,c', ''], false)).toBe('a,"b,c",\r\n');
      expect(formatCsvRecord([], false)).toBe('\r\n');
      expect(formatCsvRecord(['', ''], false)).toBe(',\r\n');
    });
  });
});
