import { describe, expect, it } from 'vitest';
import { decodeHex, encodeHex } from './hex';
import { VerificationError } from './verification-error';

describe('encodeHex', () => {
  describe('when given bytes', () => {
    it('writes lowercase hex', () => {
      expect(encodeHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
      expect(encodeHex(new Uint8Array(0))).toBe('');
    });
  });
});

describe('decodeHex', () => {
  describe('when given hex of either case', () => {
    it('decodes it', () => {
      expect(decodeHex('0001abFF')).toEqual(Uint8Array.of(0, 1, 0xab, 0xff));
    });
  });

  describe('when given anything else', () => {
    it.each([['odd length', 'abc'], ['a non-hex digit', 'zz'], ['a prefix', '0x00'], ['whitespace', '00 ']])(
      'rejects %s with INVALID_ENCODING',
      (_, text) => {
        expect(() => decodeHex(text)).toThrow(VerificationError);
        try {
          decodeHex(text);
        } catch (error) {
          expect((error as VerificationError).code).toBe('INVALID_ENCODING');
        }
      },
    );
  });
});
