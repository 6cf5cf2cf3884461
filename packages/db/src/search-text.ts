/**
 * Full-text normalization shared by both dialects, so SQLite FTS5 and Postgres `tsvector` see the
 * same words and return the same events: Unicode NFC, lowercase, split on anything that is not a letter
 * or a digit. `alice@example.com` becomes `alice example com` on both engines (Postgres would otherwise
 * keep an e-mail address as one token and FTS5 would split it).
 *
 * NFC (since 2026-11-28) makes `Åke` typed with a combining ring (`A\u030Ake`) the same word as `Åke`
 * typed precomposed, in documents and queries alike; documents indexed before were mostly precomposed
 * already, as most input is. Known limit: a combining mark that has no precomposed form (most Indic
 * scripts' vowel signs, `हिन्दी`) still separates words, as before; treating marks as part of words would
 * change how existing documents are indexed, and needs the index rebuilt from the event bodies.
 */
const NON_WORD = /[^\p{L}\p{N}]+/u;

/** Longest word indexed; longer runs are cut (Postgres refuses lexemes over 2 KB). */
export const MAX_SEARCH_WORD_LENGTH = 100;

/** Splits text into normalized search words. */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  for (const raw of text.normalize('NFC').toLowerCase().split(NON_WORD)) {
    if (raw.length > 0) words.push(raw.slice(0, MAX_SEARCH_WORD_LENGTH));
  }
  return words;
}

/** The document text stored for `parts`: its distinct normalized words, joined by single spaces. */
export function normalizeSearchText(parts: readonly string[]): string {
  return [...new Set(searchWords(parts.join(' ')))].join(' ');
}

/** Shortest prefix a `word*` term may have: a shorter one would match a large part of the index's words. */
export const MIN_SEARCH_PREFIX_LENGTH = 2;

/**
 * The terms of a full-text query: its words as {@link searchWords} splits them, each to be found whole,
 * except that a whitespace-separated token ending in `*` makes its last word a prefix, kept with its `*`
 * (`contr*` → `contr*`; `req_12*` → `req`, `12*`). A normalized word never holds a `*`, so the dialects
 * tell the two apart by it. Repeated terms are dropped; a lone `*` adds nothing.
 */
export function searchTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const token of query.split(/\s+/u)) {
    const words = searchWords(token);
    const last = words.length - 1;
    const prefix = token.endsWith('*') && last >= 0 && /[\p{L}\p{N}]\**$/u.test(token);
    words.forEach((word, i) => terms.add(prefix && i === last ? `${word}*` : word));
  }
  return [...terms];
}
