import { describe, expect, it } from 'vitest';

import { cp1252Byte, decodeCp1252, encodeCp1252, isCp1252CodePoint } from './cp1252';
import { ProductionError } from './production-error';

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('decodeCp1252', () => {
  describe('when given every byte', () => {
    // Node 20's TextDecoder('windows-1252') decodes as Latin-1 (0x80 → U+0080), so it cannot serve as the
    // reference. This table is Python's cp1252 codec (checked when written), with the WHATWG index's C1
    // controls for the five bytes Microsoft leaves undefined.
    const HIGH = [
      0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
      0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
    ];

    it('maps bytes like the WHATWG windows-1252 index', () => {
      const expected = Array.from(ALL_BYTES, (b) => String.fromCharCode(b >= 0x80 && b < 0xa0 ? (HIGH[b - 0x80] ?? 0) : b)).join('');
      expect(decodeCp1252(ALL_BYTES)).toBe(expected);
    });

    it('maps the CP1252 additions', () => {
      expect(decodeCp1252(Uint8Array.of(0x80, 0x85, 0x8a, 0x93, 0x94, 0x96, 0x97, 0x99, 0x9f))).toBe('\u20ac\u2026\u0160\u201c\u201d\u2013\u2014\u2122\u0178');
    });
  });

  describe('when given a large input', () => {
    it('decodes it in chunks without a stack overflow', () => {
      const big = new Uint8Array(1_000_003).fill(0xe9);
      const text = decodeCp1252(big);
      expect(text.length).toBe(1_000_003);
      expect(text[1_000_002]).toBe('\u00e9');
    });
  });
});

describe('encodeCp1252', () => {
  describe('when round-tripping', () => {
    it('encodes the decoding of every byte back to that byte', () => {
      expect(encodeCp1252(decodeCp1252(ALL_BYTES))).toEqual(ALL_BYTES);
    });

    it('writes Latin-1 and CP1252 characters as one byte each', () => {
      expect(Array.from(encodeCp1252('Caf\u00e9 \u20ac5 \u00fe\u00ae\u0014'))).toEqual([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x35, 0x20, 0xfe, 0xae, 0x14]);
    });
  });

  describe('when a character has no windows-1252 byte', () => {
    it.each([
      ['an emoji', 'ok \ud83d\ude00', 'U+1F600', 3],
      ['Hebrew', '\u05e9', 'U+05E9', 0],
      ['a CJK character', 'a\u4e2d', 'U+4E2D', 1],
      ['U+0080 (not the euro sign)', '\u0080', 'U+0080', 0],
      ['a lone surrogate', 'x\ud800', 'U+D800', 1],
    ])('throws UNENCODABLE_CHARACTER for %s', (_, text, codePoint, offset) => {
      try {
        encodeCp1252(text);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProductionError);
        expect((error as ProductionError).code).toBe('UNENCODABLE_CHARACTER');
        expect((error as ProductionError).details).toEqual({ codePoint, offset });
      }
    });
  });

  describe('when lossy', () => {
    it('writes one ? per unrepresentable code point', () => {
      expect(decodeCp1252(encodeCp1252('ok \ud83d\ude00 \u05e9\u05dc \u00e9', { lossy: true }))).toBe('ok ? ?? \u00e9');
      expect(decodeCp1252(encodeCp1252('\ud83d\udc68\u200d\ud83d\udc69', { lossy: true }))).toBe('???');
    });
  });
});

describe('isCp1252CodePoint', () => {
  it('accepts exactly the 256 decoded characters', () => {
    const decoded = new Set(Array.from(decodeCp1252(ALL_BYTES), (c) => c.charCodeAt(0)));
    for (let cp = 0; cp < 0x3000; cp++) {
      expect(isCp1252CodePoint(cp)).toBe(decoded.has(cp));
      expect(cp1252Byte(cp) >= 0).toBe(decoded.has(cp));
    }
  });
});
