import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64';
import { VerificationError } from './verification-error';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof VerificationError ? error.code : `non-verification error: ${String(error)}`;
  }
}

describe('encodeBase64', () => {
  describe('when given the RFC 4648 §10 test vectors', () => {
    it('produces padded standard base64', () => {
      const vectors: [string, string][] = [
        ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
      ];
      for (const [plain, encoded] of vectors) expect(encodeBase64(utf8(plain))).toBe(encoded);
    });
  });

  describe('when given arbitrary bytes', () => {
    it('matches Node and round-trips through decodeBase64', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
      }));
    });
  });
});

describe('decodeBase64', () => {
  describe('when given the RFC 4648 §10 test vectors', () => {
    it('decodes them', () => {
      expect(new TextDecoder().decode(decodeBase64('Zm9vYmE='))).toBe('fooba');
      expect(decodeBase64('')).toEqual(new Uint8Array(0));
      expect(decodeBase64('+/+/')).toEqual(Uint8Array.of(0xfb, 0xff, 0xbf));
    });
  });

  describe('when given text that is not strict padded base64', () => {
    it.each([
      ['a length that is not a multiple of 4', 'Zm9'],
      ['missing padding', 'Zg'],
      ['a character outside the alphabet', 'Zm9*'],
      ['the URL-safe alphabet', 'Zm-_'],
      ['a space', 'Zm9v Zm9v'],
      ['a trailing newline', 'Zm9v\n'],
      ['padding in the middle', 'Zg==Zm9v'],
      ['three padding characters', 'Z==='],
      ['only padding', '===='],
      ['non-zero trailing bits with two pads', 'Zh=='],
      ['non-zero trailing bits with one pad', 'Zm9='],
      ['a non-ascii character', 'Zm9\u00e9'],
    ])('rejects %s with INVALID_ENCODING', (_, text) => {
      expect(codeOf(() => decodeBase64(text))).toBe('INVALID_ENCODING');
    });

    it('rejects non-strings with INVALID_ENCODING', () => {
      for (const value of [undefined, null, 42, {}, [], Uint8Array.of(1)]) {
        expect(codeOf(() => decodeBase64(value as string))).toBe('INVALID_ENCODING');
      }
    });

    it('accepts exactly the strings that Node re-encodes to themselves', () => {
      fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'AQgw+/=Zz0 '), maxLength: 12 }), (text) => {
        const canonical = Buffer.from(text, 'base64').toString('base64') === text;
        expect(codeOf(() => decodeBase64(text)) === undefined).toBe(canonical);
      }));
    });
  });
});
