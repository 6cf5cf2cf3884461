/**
 * Full-text normalization shared by both dialects, so SQLite FTS5 and Postgres `tsvector` see the
 * same words and return the same events: lowercase, split on anything that is not a letter or a
 * digit. `alice@example.com` becomes `alice example com` on both engines (Postgres would otherwise
 * keep an e-mail address as one token and FTS5 would split it).
 */
const NON_WORD = /[^\p{L}\p{N}]+/u;

/** Longest word indexed; longer runs are cut (Postgres refuses lexemes over 2 KB). */
export const MAX_SEARCH_WORD_LENGTH = 100;

/** Splits text into normalized search words. */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  for (const raw of text.toLowerCase().split(NON_WORD)) {
    if (raw.length > 0) words.push(raw.slice(0, MAX_SEARCH_WORD_LENGTH));
  }
  return words;
}

/** The document text stored for `parts`: its distinct normalized words, joined by single spaces. */
export function normalizeSearchText(parts: readonly string[]): string {
  return [...new Set(searchWords(parts.join(' ')))].join(' ');
}
