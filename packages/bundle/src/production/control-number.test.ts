import { describe, expect, it } from 'vitest';

import {
  formatControlNumber,
  formatControlRange,
  maxControlNumber,
  parseControlNumber,
  requiredControlWidth,
} from './control-number';
import { ProductionError } from './production-error';
import type { ProductionErrorCode } from './production-error';

function codeOf(run: () => unknown): ProductionErrorCode | 'no error' | 'other error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    return error instanceof ProductionError ? error.code : 'other error';
  }
}

describe('formatControlNumber', () => {
  describe('when given a valid prefix, number and width', () => {
    it('pads the number with zeros to the width', () => {
      expect(formatControlNumber('ACME', 1, 6)).toBe('ACME000001');
      expect(formatControlNumber('ACME', 999_999, 6)).toBe('ACME999999');
      expect(formatControlNumber('AB_C-1', 42, 8)).toBe('AB_C-100000042');
      expect(formatControlNumber('X', 0, 1)).toBe('X0');
    });

    it('defaults the width to 6', () => {
      expect(formatControlNumber('ACME', 7)).toBe('ACME000007');
    });

    it('accepts 15-digit numbers', () => {
      expect(formatControlNumber('P', 999_999_999_999_999, 15)).toBe('P999999999999999');
    });
  });

  describe('when the prefix is invalid', () => {
    it.each([
      ['empty', ''],
      ['lowercase', 'acme'],
      ['a space', 'AC ME'],
      ['21 characters', 'A'.repeat(21)],
      ['a slash', 'AC/ME'],
      ['a non-ASCII letter', 'ÄCME'],
      ['a newline', 'ACME\n'],
    ])('rejects %s with INVALID_CONTROL_PREFIX', (_, prefix) => {
      expect(codeOf(() => formatControlNumber(prefix, 1))).toBe('INVALID_CONTROL_PREFIX');
    });

    it('accepts exactly 20 characters', () => {
      expect(formatControlNumber('A'.repeat(20), 1)).toBe(`${'A'.repeat(20)}000001`);
    });
  });

  describe('when the number does not fit or is not an integer', () => {
    it.each([
      ['too many digits', 1_000_000],
      ['negative', -1],
      ['fractional', 1.5],
      ['NaN', Number.NaN],
      ['unsafe', 2 ** 53],
    ])('rejects %s with INVALID_CONTROL_NUMBER', (_, n) => {
      expect(codeOf(() => formatControlNumber('ACME', n, 6))).toBe('INVALID_CONTROL_NUMBER');
    });
  });

  describe('when the width is invalid', () => {
    it.each([[0], [16], [2.5], [Number.NaN]])('rejects %s with INVALID_CONTROL_WIDTH', (width) => {
      expect(codeOf(() => formatControlNumber('ACME', 1, width))).toBe('INVALID_CONTROL_WIDTH');
    });
  });
});

describe('parseControlNumber', () => {
  describe('when the text is a control number of the format', () => {
    it('returns its number', () => {
      expect(parseControlNumber('ACME000042', { prefix: 'ACME', width: 6 })).toBe(42);
      expect(parseControlNumber('ACME000042', { prefix: 'ACME' })).toBe(42);
      expect(parseControlNumber('A1000001', { prefix: 'A1', width: 6 })).toBe(1);
    });
  });

  describe('when the text does not match', () => {
    it.each([['ACME00042'], ['ACME0000042'], ['ACMF000042'], ['ACME00004x'], ['acme000042'], ['ACME-00042']])(
      'rejects %s with INVALID_CONTROL_NUMBER',
      (text) => {
        expect(codeOf(() => parseControlNumber(text, { prefix: 'ACME', width: 6 }))).toBe('INVALID_CONTROL_NUMBER');
      },
    );
  });

  describe('when round-tripping', () => {
    it('inverts formatControlNumber', () => {
      for (const n of [0, 1, 9, 10, 99_999, 123_456, 999_999]) {
        expect(parseControlNumber(formatControlNumber('BATES', n), { prefix: 'BATES' })).toBe(n);
      }
    });
  });
});

describe('requiredControlWidth', () => {
  describe('when the production fits the minimum', () => {
    it('returns the minimum', () => {
      expect(requiredControlWidth(1, 999_999)).toBe(6);
      expect(requiredControlWidth(1, 0)).toBe(6);
      expect(requiredControlWidth(1, 10, 3)).toBe(3);
    });
  });

  describe('when the last number needs more digits', () => {
    it('returns the digits of the last number', () => {
      expect(requiredControlWidth(1, 1_000_000)).toBe(7);
      expect(requiredControlWidth(999_990, 11)).toBe(7);
      expect(requiredControlWidth(1, 10, 1)).toBe(2);
    });
  });

  describe('when nothing fits 15 digits', () => {
    it('rejects with INVALID_CONTROL_NUMBER', () => {
      expect(codeOf(() => requiredControlWidth(10 ** 15, 1))).toBe('INVALID_CONTROL_NUMBER');
      expect(codeOf(() => requiredControlWidth(-1, 1))).toBe('INVALID_CONTROL_NUMBER');
    });
  });
});

describe('maxControlNumber', () => {
  it('is 10^width - 1', () => {
    expect(maxControlNumber(1)).toBe(9);
    expect(maxControlNumber(6)).toBe(999_999);
    expect(maxControlNumber(15)).toBe(999_999_999_999_999);
  });
});

describe('formatControlRange', () => {
  describe('when first and last differ', () => {
    it('joins both with an en dash', () => {
      expect(formatControlRange({ prefix: 'ACME', first: 1, last: 100, width: 6 })).toBe('ACME000001 \u2013 ACME000100');
    });
  });

  describe('when the range has one number', () => {
    it('prints it once', () => {
      expect(formatControlRange({ prefix: 'ACME', first: 5, last: 5, width: 6 })).toBe('ACME000005');
    });
  });
});
