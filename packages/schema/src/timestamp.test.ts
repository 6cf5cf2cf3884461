import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { TimestampError } from './errors';
import {
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  formatTimestamp,
  isCanonicalTimestamp,
  normalizeTimestamp,
  parseTimestamp,
} from './timestamp';

function thrown(run: () => unknown): TimestampError {
  try {
    run();
  } catch (error) {
    if (error instanceof TimestampError) return error;
    throw error;
  }
  throw new Error('expected a TimestampError');
}

describe('normalizeTimestamp', () => {
  describe('when the offset is not UTC', () => {
    it.each([
      ['2026-01-01T10:00:00.123456+02:00', '2026-01-01T08:00:00.123Z'],
      ['2026-01-01T00:30:00-05:30', '2026-01-01T06:00:00.000Z'],
      ['2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00.000Z'],
      ['2026-01-01T00:00:00+00:01', '2025-12-31T23:59:00.000Z'],
      ['2024-02-29T23:00:00-02:00', '2024-03-01T01:00:00.000Z'],
      ['2025-12-31T23:59:59.999-23:59', '2026-01-01T23:58:59.999Z'],
      ['2026-06-15T12:00:00+14:00', '2026-06-14T22:00:00.000Z'],
    ])('converts %s to UTC (%s)', (input, expected) => {
      expect(normalizeTimestamp(input)).toBe(expected);
    });

    it('reads -00:00 (offset unknown) as UTC', () => {
      expect(normalizeTimestamp('2026-01-01T10:00:00-00:00')).toBe('2026-01-01T10:00:00.000Z');
    });
  });

  describe('when the fraction has other than 3 digits', () => {
    it.each([
      ['2026-01-01T10:00:00Z', '2026-01-01T10:00:00.000Z'],
      ['2026-01-01T10:00:00.1Z', '2026-01-01T10:00:00.100Z'],
      ['2026-01-01T10:00:00.12Z', '2026-01-01T10:00:00.120Z'],
      ['2026-01-01T10:00:00.123Z', '2026-01-01T10:00:00.123Z'],
      ['2026-01-01T10:00:00.1239Z', '2026-01-01T10:00:00.123Z'],
      ['2026-01-01T10:00:00.999999999Z', '2026-01-01T10:00:00.999Z'],
      ['2026-12-31T23:59:59.9999999Z', '2026-12-31T23:59:59.999Z'],
    ])('truncates %s to milliseconds (%s), never rounding into the next second', (input, expected) => {
      expect(normalizeTimestamp(input)).toBe(expected);
    });
  });

  describe('when the separators are lowercase', () => {
    it('accepts t and z (RFC 3339 §5.6)', () => {
      expect(normalizeTimestamp('2026-01-01t10:00:00z')).toBe('2026-01-01T10:00:00.000Z');
    });
  });

  describe('when given a Date', () => {
    it('formats it in UTC with milliseconds', () => {
      expect(normalizeTimestamp(new Date(Date.UTC(2026, 0, 1, 8, 0, 0, 123)))).toBe('2026-01-01T08:00:00.123Z');
    });

    it('rejects an invalid Date', () => {
      expect(thrown(() => normalizeTimestamp(new Date(NaN))).code).toBe('invalid_date');
    });
  });

  describe('when the date is not real', () => {
    it.each([
      ['2026-02-29T00:00:00Z', 'invalid_date', 'day 29 is out of range for February 2026 (28 days)'],
      ['1900-02-29T00:00:00Z', 'invalid_date', 'day 29 is out of range for February 1900 (28 days)'],
      ['2026-04-31T00:00:00Z', 'invalid_date', 'day 31 is out of range for April 2026 (30 days)'],
      ['2026-00-10T00:00:00Z', 'invalid_date', 'month 00 is out of range 01-12'],
      ['2026-13-10T00:00:00Z', 'invalid_date', 'month 13 is out of range 01-12'],
      ['2026-01-00T00:00:00Z', 'invalid_date', 'day 00 is out of range for January 2026 (31 days)'],
      ['2026-01-01T24:00:00Z', 'invalid_time', 'hour 24 is out of range 00-23'],
      ['2026-01-01T10:60:00Z', 'invalid_time', 'minute 60 is out of range 00-59'],
      ['2026-01-01T10:00:61Z', 'invalid_time', 'second 61 is out of range 00-59'],
      ['2016-12-31T23:59:60Z', 'leap_second', 'leap second :60 is not supported (Unix time cannot represent it); use :59.999 instead'],
      ['2026-01-01T10:00:00+24:00', 'invalid_offset', 'offset +24:00 is out of range'],
      ['2026-01-01T10:00:00+01:60', 'invalid_offset', 'offset +01:60 is out of range'],
    ] as const)('rejects %s (%s)', (input, code, message) => {
      const error = thrown(() => parseTimestamp(input));
      expect({ code: error.code, message: error.message }).toEqual({ code, message });
    });

    it('accepts February 29 in leap years, including 2000', () => {
      expect(normalizeTimestamp('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
      expect(normalizeTimestamp('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    });
  });

  describe('when the text is not RFC 3339', () => {
    it.each([
      '2026-01-01T10:00:00',
      '2026-01-01T10:00:00.123',
    ])('rejects %s as missing_offset', (input) => {
      const error = thrown(() => parseTimestamp(input));
      expect(error.code).toBe('missing_offset');
      expect(error.message).toBe('no UTC offset; add "Z" or an offset such as "+02:00"');
    });

    it.each([
      '2026-01-01 10:00:00Z',
      '2026-01-01',
      '10:00:00Z',
      '26-01-01T10:00:00Z',
      '+02026-01-01T10:00:00Z',
      '2026-1-1T10:00:00Z',
      '2026-01-01T10:00Z',
      '2026-01-01T10:00:00.Z',
      '2026-01-01T10:00:00+0200',
      '2026-01-01T10:00:00+02',
      '2026-01-01T10:00:00 Z',
      ' 2026-01-01T10:00:00Z',
      '2026-01-01T10:00:00Z ',
      '2026-01-01T10:00:00UTC',
      '2026-01-01T10:00:00\u0660Z',
      '\u0662\u0660\u0662\u0666-01-01T10:00:00Z',
      'yesterday',
      '1767254400',
      '',
    ])('rejects %j as invalid_format', (input) => {
      expect(thrown(() => parseTimestamp(input)).code).toBe('invalid_format');
    });

    it('rejects very long input before matching', () => {
      const error = thrown(() => parseTimestamp(`2026-01-01T10:00:00.${'1'.repeat(1_000_000)}Z`));
      expect({ code: error.code, message: error.message }).toEqual({ code: 'invalid_format', message: 'longer than 64 characters' });
    });
  });

  describe('when the instant leaves years 0000-9999 in UTC', () => {
    it('accepts the bounds', () => {
      expect(normalizeTimestamp('0000-01-01T00:00:00Z')).toBe('0000-01-01T00:00:00.000Z');
      expect(normalizeTimestamp('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
      expect(parseTimestamp('0000-01-01T00:00:00Z')).toBe(MIN_TIMESTAMP_MS);
      expect(parseTimestamp('9999-12-31T23:59:59.999Z')).toBe(MAX_TIMESTAMP_MS);
    });

    it('rejects instants that normalize outside them', () => {
      expect(thrown(() => parseTimestamp('0000-01-01T00:30:00+01:00')).code).toBe('out_of_range');
      expect(thrown(() => parseTimestamp('9999-12-31T23:30:00-01:00')).code).toBe('out_of_range');
    });

    it('handles years 0-99 correctly (no Date.UTC 1900 mapping)', () => {
      expect(normalizeTimestamp('0050-06-01T00:00:00Z')).toBe('0050-06-01T00:00:00.000Z');
    });
  });

  describe('when given arbitrary instants and offsets', () => {
    it('agrees with Date for every instant and offset', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: MIN_TIMESTAMP_MS + 86_400_000, max: MAX_TIMESTAMP_MS - 86_400_000 }),
          fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
          (ms, offsetMinutes) => {
            const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
            const sign = offsetMinutes < 0 ? '-' : '+';
            const abs = Math.abs(offsetMinutes);
            const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
            expect(normalizeTimestamp(`${local}${offset}`)).toBe(new Date(ms).toISOString());
          },
        ),
        { numRuns: 2_000 },
      );
    });
  });
});

describe('formatTimestamp', () => {
  describe('when the value is not a representable instant', () => {
    it.each([NaN, 1.5, MAX_TIMESTAMP_MS + 1, MIN_TIMESTAMP_MS - 1])('rejects %s', (ms) => {
      expect(thrown(() => formatTimestamp(ms)).code).toBe('out_of_range');
    });
  });
});

describe('isCanonicalTimestamp', () => {
  describe('when checking logged forms', () => {
    it('accepts only YYYY-MM-DDTHH:MM:SS.sssZ with a real date', () => {
      expect(isCanonicalTimestamp('2026-01-01T08:00:00.123Z')).toBe(true);
      expect(isCanonicalTimestamp('2026-01-01T08:00:00Z')).toBe(false);
      expect(isCanonicalTimestamp('2026-01-01T08:00:00.123+00:00')).toBe(false);
      expect(isCanonicalTimestamp('2026-01-01t08:00:00.123z')).toBe(false);
      expect(isCanonicalTimestamp('2026-02-30T08:00:00.123Z')).toBe(false);
    });
  });

  describe('when compared with normalizeTimestamp', () => {
    it('is true exactly when the text normalizes to itself', () => {
      const normalizesToItself = (text: string): boolean => {
        try {
          return normalizeTimestamp(text) === text;
        } catch {
          return false;
        }
      };
      const digits = (values: number[], width: number) => fc.constantFrom(...values.map((value) => String(value).padStart(width, '0')));
      const text = fc
        .tuple(
          digits([0, 1, 99, 100, 1600, 1900, 1970, 2000, 2023, 2024, 2100, 9999], 4),
          digits([0, 1, 2, 9, 11, 12, 13, 19, 99], 2),
          digits([0, 1, 28, 29, 30, 31, 32, 39, 99], 2),
          digits([0, 9, 19, 23, 24, 29, 99], 2),
          digits([0, 9, 59, 60, 99], 2),
          digits([0, 9, 59, 60, 61, 99], 2),
          digits([0, 1, 999], 3),
          fc.constantFrom('T', 't', ' '),
          fc.constantFrom('Z', 'z', '+00:00', ''),
        )
        .map(([y, mo, d, h, mi, s, ms, sep, zone]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}.${ms}${zone}`);
      fc.assert(
        fc.property(fc.oneof(text, fc.string({ maxLength: 30 })), (value) => {
          expect(isCanonicalTimestamp(value)).toBe(normalizesToItself(value));
        }),
        { numRuns: 20_000 },
      );
      fc.assert(
        fc.property(fc.integer({ min: MIN_TIMESTAMP_MS, max: MAX_TIMESTAMP_MS }), (ms) => {
          expect(isCanonicalTimestamp(formatTimestamp(ms))).toBe(true);
        }),
        { numRuns: 2_000 },
      );
    });
  });
});
