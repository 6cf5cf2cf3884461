import { searchTerms, searchWords } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { ByteInterner } from './interner';
import { parseTextTerm } from './query';
import { asciiWords, isAscii, textWords } from './tokenize';

/** The words of an ASCII `text` on the byte path, as strings (an id the string path never gives shows as `#id`). */
function viaBytes(text: string): string[] {
  const encoder = new TextEncoder();
  const bytes = encoder.encode(text);
  const terms = new ByteInterner();
  const ids: number[] = [];
  asciiWords(bytes, 0, bytes.length, terms, (t) => ids.push(t));
  const words = new Map(searchWords(text).map((word) => [terms.find(encoder.encode(word), 0, encoder.encode(word).length), word]));
  return ids.map((id) => words.get(id) ?? `#${id}`);
}

// The rule itself (`@custody/schema` searchWords) is tested against SQLite FTS5 and Postgres in packages/db.
describe('the byte path', () => {
  describe('when a value is ASCII', () => {
    it('gives the same words on the byte path as on the string path', () => {
      const text = 'Alice@Example.com signed-in FROM 10.0.0.1 req_12';
      const bytes = new TextEncoder().encode(text);
      const terms = new ByteInterner();
      const onBytes: number[] = [];
      const onText: number[] = [];
      asciiWords(bytes, 0, bytes.length, terms, (t) => onBytes.push(t));
      textWords(text, terms, (t) => onText.push(t));
      expect(onBytes).toEqual(onText);
      expect(onText.length).toBe(searchWords(text).length);
    });

    it('gives the string path\'s words for every ASCII character, alone and inside words', () => {
      for (let c = 0; c < 0x80; c++) {
        const ch = String.fromCharCode(c);
        const text = `${ch} a${ch}b ${ch}${ch}Z9${ch} ${'x'.repeat(99)}${ch}yy`;
        expect(isAscii(new TextEncoder().encode(text), 0, text.length)).toBe(true);
        expect(viaBytes(text), `U+${c.toString(16)}`).toEqual(searchWords(text));
      }
    });

    it('cuts a long word where the string path does', () => {
      const text = `${'A'.repeat(250)} b`;
      expect(viaBytes(text)).toEqual(searchWords(text));
      expect(viaBytes(text)[0]).toHaveLength(100);
    });
  });
});

describe('parseTextTerm', () => {
  it('takes a `*` as a prefix exactly where the server does', () => {
    for (const chunk of ['firef*', 'foo-*', 'req_12*', 're\u0301*', 'MÜL*', 'a.b*', '*', 'x**', 'ab\u19b0*', 'हिन्*', '\u0939\u093f*']) {
      const { words } = parseTextTerm(chunk);
      const asTerms = words.map((w) => (w.prefix ? `${w.word}*` : w.word));
      expect(asTerms, chunk).toEqual(searchTerms(chunk).map((t) => t.replace(/\*+$/, '*')));
    }
  });
});
