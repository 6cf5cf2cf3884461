import { describe, expect, it } from 'vitest';

// The server's rule, for the parity check only: the viewer ships without @custody/db, and search-text.ts imports nothing.
import { searchTerms as serverSearchTerms, searchWords as serverSearchWords } from '../../../../packages/db/src/search-text';
import { ByteInterner } from './interner';
import { parseTextTerm } from './query';
import { asciiWords, searchWords, textWords } from './tokenize';

describe('searchWords', () => {
  it('gives the server\'s words for every code point (BMP and astral)', () => {
    const differ: string[] = [];
    // A thousand code points a call: each alone, and inside a word (where toLowerCase's final-sigma rule applies).
    for (let first = 0; first <= 0x10ffff; first += 1000) {
      const chars: string[] = [];
      for (let c = first; c < Math.min(first + 1000, 0x110000); c++) if (c < 0xd800 || c > 0xdfff) chars.push(String.fromCodePoint(c));
      const text = `${chars.join(' ')} ${chars.map((c) => `a${c}b`).join(' ')}`;
      if (searchWords(text).join(' ') !== serverSearchWords(text).join(' ')) differ.push(`U+${first.toString(16).toUpperCase()}…`);
    }
    expect(differ).toEqual([]);
  });

  describe('when text is typed with combining marks', () => {
    it('gives the precomposed words (NFC)', () => {
      expect(searchWords('A\u030Ake Lo\u0308we')).toEqual(['\u00e5ke', 'l\u00f6we']);
      expect(searchWords('re\u0301sume\u0301')).toEqual(searchWords('r\u00e9sum\u00e9'));
    });
  });

  describe('when a word holds a letter SQLite FTS5 folds further than lowercase', () => {
    it('folds it as FTS5 does, so final sigma matches sigma', () => {
      expect(searchWords('ΟΔΟΣ οδος οδοσ')).toEqual(['οδοσ', 'οδοσ', 'οδοσ']);
      expect(searchWords('5 \u00b5g Ma\u017fs \u03d1 \u1e9b')).toEqual(['5', '\u03bcg', 'mass', '\u03b8', '\u1e61']);
    });
  });

  describe('when a word holds a letter FTS5 does not index', () => {
    it('splits the word there', () => {
      expect(searchWords('x\u19b0y \u1cf2z')).toEqual(['x', 'y', 'z']);
    });
  });

  describe('when a value is ASCII', () => {
    it('gives the same words on the byte path as on the string path', () => {
      const text = 'Alice@Example.com signed-in FROM 10.0.0.1 req_12';
      const bytes = new TextEncoder().encode(text);
      const terms = new ByteInterner();
      const viaBytes: number[] = [];
      const viaText: number[] = [];
      asciiWords(bytes, 0, bytes.length, terms, (t) => viaBytes.push(t));
      textWords(text, terms, (t) => viaText.push(t));
      expect(viaBytes).toEqual(viaText);
      expect(viaText.length).toBe(searchWords(text).length);
    });
  });
});

describe('parseTextTerm', () => {
  it('takes a `*` as a prefix exactly where the server does', () => {
    for (const chunk of ['firef*', 'foo-*', 'req_12*', 're\u0301*', 'MÜL*', 'a.b*', '*', 'x**']) {
      const { words } = parseTextTerm(chunk);
      const asTerms = words.map((w) => (w.prefix ? `${w.word}*` : w.word));
      expect(asTerms, chunk).toEqual(serverSearchTerms(chunk).map((t) => t.replace(/\*+$/, '*')));
    }
  });
});
