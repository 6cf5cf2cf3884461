/**
 * The SQLite dialect's FTS5 query text: words quoted whatever they hold, a prefix ORed as the index's words
 * when it has few of them, FTS5's own prefix query otherwise, and prefix ranges that hold every word with
 * the prefix and nothing else.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { createPrefixTerms, ftsQuery, prefixEnd } from '../src/dialect/sqlite';

describe('FTS5 query text', () => {
  const terms = (known: Record<string, string[] | null>) => (prefix: string) => known[prefix] ?? null;

  it('quotes every word and ANDs them', () => {
    expect(ftsQuery(['alice', 'o"brien'], terms({}))).toBe('"alice" AND "o""brien"');
  });

  it('searches a prefix of few words as those words, and one of many (or unknown) as a prefix', () => {
    const known = terms({ fire: ['fire', 'firefox'], okh: ['okhttp'], zz: [], re: null });
    expect(ftsQuery(['fire*', 'team'], known)).toBe('("fire" OR "firefox") AND "team"');
    expect(ftsQuery(['okh*'], known)).toBe('"okhttp"');
    expect(ftsQuery(['zz*'], known)).toBe('"zz"*');
    expect(ftsQuery(['re*'], known)).toBe('"re"*');
  });

  it('bounds a prefix\'s words by the next code point, past surrogates, with none after the last', () => {
    expect(prefixEnd('fire')).toBe('firf');
    expect(prefixEnd('a\u{d7ff}')).toBe('a\u{e000}');
    expect(prefixEnd('x\u{1f600}')).toBe('x\u{1f601}');
    expect(prefixEnd('x\u{10ffff}')).toBeNull();
    // Every word with the prefix sorts below the bound in UTF-8 byte order, as SQLite compares.
    for (const [prefix, word] of [['fire', 'firefox\u{10ffff}'], ['ж', 'жжж'], ['a\u{d7ff}', 'a\u{d7ff}\u{ffff}']] as const) {
      const end = prefixEnd(prefix) ?? '';
      expect(Buffer.compare(Buffer.from(word), Buffer.from(end))).toBe(-1);
      expect(Buffer.compare(Buffer.from(prefix), Buffer.from(end))).toBe(-1);
    }
  });

  it('reads a prefix\'s words from the index, none past the limit, and answers null when the index cannot say', () => {
    const native = new Database(':memory:');
    // Made before the index exists, as on a database not yet migrated.
    const prefixTerms = createPrefixTerms(native);
    expect(prefixTerms('fire')).toBeNull();
    native.exec("CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0')");
    const insert = native.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
    insert.run(1, 'fire firefox firf fir');
    insert.run(2, Array.from({ length: 65 }, (_, i) => `many${i}`).join(' '));
    expect(prefixTerms('fire')).toEqual(['fire', 'firefox']);
    expect(prefixTerms('many1')).toHaveLength(11);
    expect(prefixTerms('many')).toBeNull();
    expect(prefixTerms('zz')).toEqual([]);
    native.close();
  });
});
