import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  NUMGEN_PUBLISHED_SHA256,
  NUMGEN_STATIC_BITS,
  formatNumgenLine,
  generateNumgenValues,
} from '../scripts/numgen';

import { canonicalBytes, canonicalize, isCanonicalJson } from './canonical';
import { parseStrictJson } from './strict-json';

const JCS_DIR = fileURLToPath(new URL('../testdata/jcs/', import.meta.url));
const CASES = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'] as const;

const read = (path: string): Buffer => readFileSync(`${JCS_DIR}${path}`);
const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

describe('canonicalize (cyberphone/json-canonicalization test vectors)', () => {
  describe('when the vector files are read', () => {
    it('are byte-identical to upstream commit 19d51d7f (SHA256SUMS)', () => {
      const sums = read('SHA256SUMS').toString('utf8').trim().split('\n');
      expect(sums).toHaveLength(18);
      const mismatches = sums
        .map((line) => line.split('  ') as [string, string])
        .filter(([hash, path]) => sha256(read(path)) !== hash)
        .map(([, path]) => path);
      expect(mismatches).toEqual([]);
    });
  });

  describe.each(CASES)('when canonicalizing input/%s.json', (name) => {
    const input = read(`input/${name}.json`).toString('utf8');
    const expected = read(`output/${name}.json`);

    it('produces exactly the bytes of output/', () => {
      expect(Buffer.from(canonicalBytes(parseStrictJson(input))).equals(expected)).toBe(true);
    });

    it('produces exactly the bytes of outhex/', () => {
      const hex = read(`outhex/${name}.txt`).toString('ascii').trim().split(/\s+/).join('');
      expect(Buffer.from(canonicalBytes(JSON.parse(input))).toString('hex')).toBe(hex);
    });

    it('recognizes the expected output as canonical, and the input as not', () => {
      expect(isCanonicalJson(new Uint8Array(expected))).toBe(true);
      expect(isCanonicalJson(input)).toBe(false);
    });
  });

  describe('when sorting the keys of weird.json', () => {
    it('orders by UTF-16 code units, so U+1F602 sorts before U+FB33', () => {
      const text = canonicalize(parseStrictJson(read('input/weird.json').toString('utf8')));
      // Object.keys would list the integer-like key "1" first, so read the names off the text.
      const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => JSON.parse(`"${match[1] ?? ''}"`) as string);
      expect(keys).toEqual(['\n', '\r', '1', '</script>', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude02', '\ufb33']);
    });
  });
});

describe('canonicalize (numgen number vectors)', () => {
  describe('when generating the static arm', () => {
    it('has the 168 upstream edge cases', () => {
      expect(NUMGEN_STATIC_BITS).toHaveLength(168);
    });
  });

  describe.each([1_000, 10_000, 100_000])('when writing the first %i lines', (count) => {
    it('matches the published SHA-256 and size, with canonicalize writing every number', () => {
      const published = NUMGEN_PUBLISHED_SHA256[count];
      const hash = createHash('sha256');
      let bytes = 0;
      const mismatches: string[] = [];
      for (const { bits, value } of generateNumgenValues(count)) {
        const text = canonicalize(value);
        // The reference file was written with ECMAScript Number#toString.
        if (text !== String(value) && mismatches.length < 10) mismatches.push(`${bits.toString(16)}: ${text}`);
        const line = formatNumgenLine(bits, text);
        hash.update(line);
        bytes += line.length;
      }
      expect(mismatches).toEqual([]);
      expect({ sha256: hash.digest('hex'), bytes }).toEqual(published);
    });
  });

  describe('when checking a few well-known lines', () => {
    it('writes them as the upstream README shows', () => {
      const lines = [...generateNumgenValues(168)].map(({ bits, value }) => formatNumgenLine(bits, canonicalize(value)));
      expect(lines).toContain('444b1ae4d6e2ef50,1e+21\n');
      expect(lines).toContain('3eb0c6f7a0b5ed8c,9.999999999999997e-7\n');
      expect(lines).toContain('3eb0c6f7a0b5ed8d,0.000001\n');
      expect(lines).toContain('8000000000000000,0\n');
      expect(lines).toContain('0,0\n');
    });
  });
});
