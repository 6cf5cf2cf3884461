import { describe, expect, it } from 'vitest';

import { ControlNumberSequence } from './control-number-sequence';
import { ProductionError } from './production-error';

function errorOf(run: () => unknown): ProductionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProductionError) return error;
    throw error;
  }
  throw new Error('expected a ProductionError');
}

describe('ControlNumberSequence', () => {
  describe('when issuing numbers', () => {
    it('starts at 1 with width 6 by default and counts up', () => {
      const numbers = new ControlNumberSequence({ prefix: 'ACME' });
      expect(numbers.range()).toBeUndefined();
      expect([numbers.next(), numbers.next(), numbers.next()]).toEqual(['ACME000001', 'ACME000002', 'ACME000003']);
      expect(numbers.issued).toBe(3);
      expect(numbers.range()).toEqual({ prefix: 'ACME', first: 1, last: 3, width: 6 });
    });

    it('starts at the configured first number', () => {
      const numbers = new ControlNumberSequence({ prefix: 'ACME', first: 1001, width: 7 });
      expect(numbers.next()).toBe('ACME0001001');
      expect(numbers.range()).toEqual({ prefix: 'ACME', first: 1001, last: 1001, width: 7 });
    });

    it('gives line k the number first + k', () => {
      const numbers = new ControlNumberSequence({ prefix: 'P', first: 10, width: 4 });
      expect(numbers.at(0)).toBe('P0010');
      expect(numbers.at(5)).toBe('P0015');
      expect(numbers.numberAt(89)).toBe(99);
      expect(numbers.issued).toBe(0);
    });
  });

  describe('when the width is exhausted', () => {
    it('fails on the number past 10^width - 1 and never widens', () => {
      const numbers = new ControlNumberSequence({ prefix: 'ACME', first: 999_998 });
      expect(numbers.next()).toBe('ACME999998');
      expect(numbers.next()).toBe('ACME999999');
      const error = errorOf(() => numbers.next());
      expect(error.code).toBe('CONTROL_NUMBERS_EXHAUSTED');
      expect(error.message).toContain('ACME999999');
      expect(error.details).toMatchObject({ prefix: 'ACME', width: 6, max: 999_999, needed: 1_000_000 });
      expect(numbers.range()).toEqual({ prefix: 'ACME', first: 999_998, last: 999_999, width: 6 });
    });

    it('fails in the constructor when the announced count does not fit', () => {
      expect(errorOf(() => new ControlNumberSequence({ prefix: 'ACME', count: 1_000_000 })).code).toBe('CONTROL_NUMBERS_EXHAUSTED');
      expect(new ControlNumberSequence({ prefix: 'ACME', count: 999_999 }).at(999_998)).toBe('ACME999999');
      expect(new ControlNumberSequence({ prefix: 'ACME', count: 0, first: 999_999 }).first).toBe(999_999);
    });

    it('fails for at() past the end', () => {
      const numbers = new ControlNumberSequence({ prefix: 'X', width: 1 });
      expect(numbers.at(8)).toBe('X9');
      expect(errorOf(() => numbers.at(9)).code).toBe('CONTROL_NUMBERS_EXHAUSTED');
    });
  });

  describe('when the options are invalid', () => {
    it.each([
      ['a lowercase prefix', { prefix: 'acme' }, 'INVALID_CONTROL_PREFIX'],
      ['a long prefix', { prefix: 'A'.repeat(21) }, 'INVALID_CONTROL_PREFIX'],
      ['width 0', { prefix: 'A', width: 0 }, 'INVALID_CONTROL_WIDTH'],
      ['width 16', { prefix: 'A', width: 16 }, 'INVALID_CONTROL_WIDTH'],
      ['a negative first', { prefix: 'A', first: -1 }, 'INVALID_CONTROL_NUMBER'],
      ['a first too wide', { prefix: 'A', first: 1_000_000 }, 'INVALID_CONTROL_NUMBER'],
      ['a fractional count', { prefix: 'A', count: 1.5 }, 'INVALID_CONTROL_NUMBER'],
    ])('rejects %s', (_, options, code) => {
      expect(errorOf(() => new ControlNumberSequence(options)).code).toBe(code);
    });

    it('rejects a negative line number', () => {
      expect(errorOf(() => new ControlNumberSequence({ prefix: 'A' }).at(-1)).code).toBe('INVALID_ARGUMENT');
    });
  });
});
