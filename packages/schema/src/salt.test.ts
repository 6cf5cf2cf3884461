import { describe, expect, it } from 'vitest';

import { encodeBase64 } from './base64';
import { SALT_PATTERN, generateSalt } from './salt';

describe('generateSalt', () => {
  describe('when called', () => {
    it('returns 16 random bytes as 24 characters of padded standard base64', () => {
      const salt = generateSalt();
      expect(salt).toHaveLength(24);
      expect(salt).toMatch(SALT_PATTERN);
      expect(Buffer.from(salt, 'base64')).toHaveLength(16);
      expect(Buffer.from(salt, 'base64').toString('base64')).toBe(salt);
    });

    it('does not repeat', () => {
      const salts = new Set(Array.from({ length: 10_000 }, () => generateSalt()));
      expect(salts.size).toBe(10_000);
    });
  });
});

describe('SALT_PATTERN', () => {
  describe('when checking salts', () => {
    it('accepts only canonical encodings of exactly 16 bytes', () => {
      expect(SALT_PATTERN.test(Buffer.alloc(16, 0xff).toString('base64'))).toBe(true);
      expect(SALT_PATTERN.test('AAAAAAAAAAAAAAAAAAAAAB==')).toBe(false); // non-zero padding bits
      expect(SALT_PATTERN.test('AAAAAAAAAAAAAAAAAAAAAA')).toBe(false); // unpadded
      expect(SALT_PATTERN.test('AAAAAAAAAAAAAAAAAAAA-_==')).toBe(false); // base64url
      expect(SALT_PATTERN.test(Buffer.alloc(15).toString('base64'))).toBe(false);
    });
  });
});

describe('encodeBase64', () => {
  describe('when encoding any length', () => {
    it('matches RFC 4648 §10 test vectors and Node', () => {
      const vectors = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'];
      expect(vectors.map((text) => encodeBase64(new TextEncoder().encode(text)))).toEqual([
        '',
        'Zg==',
        'Zm8=',
        'Zm9v',
        'Zm9vYg==',
        'Zm9vYmE=',
        'Zm9vYmFy',
      ]);
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      for (let length = 0; length <= 256; length += 7) {
        expect(encodeBase64(bytes.subarray(0, length))).toBe(Buffer.from(bytes.subarray(0, length)).toString('base64'));
      }
    });
  });
});
