import { describe, expect, it } from 'vitest';
import { parseHash, parseIndex, parseTreeSize } from './parse';
import { VerificationError } from './verification-error';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof VerificationError ? error.code : `non-verification error: ${String(error)}`;
  }
}

describe('parseTreeSize', () => {
  describe('when given a decimal string, a safe integer or a bigint below 2^64', () => {
    it('returns a bigint', () => {
      expect(parseTreeSize('0')).toBe(0n);
      expect(parseTreeSize('18446744073709551615')).toBe(18446744073709551615n);
      expect(parseTreeSize(42)).toBe(42n);
      expect(parseTreeSize(7n)).toBe(7n);
    });
  });

  describe('when given anything else', () => {
    it.each([
      ['a leading zero', '08'], ['a sign', '+8'], ['a minus', '-1'], ['an exponent', '1e3'], ['a space', ' 8'],
      ['an empty string', ''], ['2^64', '18446744073709551616'], ['a fraction', 1.5], ['a negative number', -1],
      ['NaN', Number.NaN], ['an unsafe integer', 2 ** 53], ['a negative bigint', -1n], ['2^64 as bigint', 1n << 64n],
      ['undefined', undefined], ['null', null], ['an object', {}], ['10 MB of digits', '9'.repeat(10_000_000)],
    ])('rejects %s with INVALID_TREE_SIZE', (_, value) => {
      expect(codeOf(() => parseTreeSize(value as string))).toBe('INVALID_TREE_SIZE');
    });
  });
});

describe('parseIndex', () => {
  describe('when given bad input', () => {
    it('rejects it with INVALID_INDEX', () => {
      expect(parseIndex('5')).toBe(5n);
      for (const value of ['05', '-5', 'x', 5.5, undefined]) expect(codeOf(() => parseIndex(value as string))).toBe('INVALID_INDEX');
    });
  });
});

describe('parseHash', () => {
  describe('when given base64 or hex of 32 bytes', () => {
    it('decodes it', () => {
      expect(parseHash('A'.repeat(43) + '=')).toHaveLength(32);
      expect(parseHash('ab'.repeat(32), 'hex')).toHaveLength(32);
    });
  });

  describe('when given the wrong length or bad text', () => {
    it('rejects it with INVALID_HASH or INVALID_ENCODING', () => {
      expect(codeOf(() => parseHash('AAAA'))).toBe('INVALID_HASH');
      expect(codeOf(() => parseHash('A'.repeat(44)))).toBe('INVALID_HASH'); // 33 bytes, unpadded
      expect(codeOf(() => parseHash(`${'A'.repeat(42)}==`))).toBe('INVALID_HASH'); // 31 bytes
      expect(codeOf(() => parseHash('*'.repeat(44)))).toBe('INVALID_ENCODING');
      expect(codeOf(() => parseHash('A'.repeat(10_000_000)))).toBe('INVALID_HASH');
      expect(codeOf(() => parseHash(42 as unknown as string))).toBe('INVALID_ENCODING');
    });
  });
});
