/**
 * The search rule's words as SQLite FTS5 is given them. FTS5's `unicode61` tokenizer splits words at characters the
 * rule keeps inside them (`@custody/schema` search-text.ts): those become private-use characters, which it indexes as
 * part of a word. Apart from the SQLite dialect (no native module) so that migrations can index as ingest does.
 */
import { SEARCH_SEPARATORS } from '@custody/schema';

/**
 * The characters of the search rule's words that FTS5's `unicode61` tokenizer does not take as part of a word: combining
 * marks (`\p{M}`: its default categories are letters, digits and private use) and the letters of `SEARCH_SEPARATORS`
 * (marks in its older Unicode tables).
 */
const FTS5_SPLITTERS = new RegExp(
  `[\\p{M}${SEARCH_SEPARATORS.map(([first, last]) => `\\u{${first.toString(16)}}-\\u{${last.toString(16)}}`).join('')}]`,
  'gu',
);

/**
 * A character FTS5 would split words at, as the private-use character FTS5 is given instead: U+F0000 + its code point
 * for one of the Basic Multilingual Plane, U+100000 + its low 16 bits for one above (combining marks are in planes 0,
 * 1 and 14; test/search-fts5.test.ts checks that no two of them meet). The rule's words hold no private-use character
 * of their own (it splits words at them), so an image never stands for anything else. `unicode61` indexes private-use
 * characters as part of words and folds none of them.
 */
function fts5Char(codePoint: number): string {
  return String.fromCodePoint(codePoint < 0x10000 ? 0xf0000 + codePoint : 0x100000 + (codePoint & 0xffff));
}

/**
 * Normalized search text (words of the rule, `@custody/schema` `searchWords`) as FTS5 is given it, in documents and
 * queries alike: each character it would split a word at ({@link FTS5_SPLITTERS}) made a private-use one
 * ({@link fts5Char}), so that it reads each word back as that one word. ASCII text, most text, is returned as it is.
 */
export function fts5Text(text: string): string {
  return text.replace(FTS5_SPLITTERS, (c) => fts5Char(c.codePointAt(0) ?? 0));
}

/** Whether `text` holds a character FTS5 would split words at ({@link FTS5_SPLITTERS}). */
export function holdsFts5Splitter(text: string): boolean {
  FTS5_SPLITTERS.lastIndex = 0;
  return FTS5_SPLITTERS.test(text);
}
