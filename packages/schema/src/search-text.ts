/**
 * Full-text normalization shared by both dialects, so SQLite FTS5 and Postgres `tsvector` see the
 * same words and return the same events. The rule, for documents and queries alike:
 *
 * 1. Unicode NFC.
 * 2. Lowercase (JavaScript `toLowerCase()`, locale-independent).
 * 3. Fold to FTS5's forms ({@link SEARCH_FOLDS}): the few lowercase letters that FTS5's `unicode61`
 *    tokenizer folds further become the letter it folds them to (`ς` → `σ`, `µ` → `μ`, `ſ` → `s`).
 * 4. Split on anything that is not a letter, a digit or a combining mark (`\p{L}`, `\p{N}`, `\p{M}`); pieces
 *    with no letter or digit are dropped.
 * 5. Cut each word at {@link MAX_SEARCH_WORD_LENGTH} UTF-16 code units.
 *
 * The words that come out are a fixed point of the rule (`searchWords(w) = [w]`). Postgres stores them as lexemes
 * as they are (`array_to_tsvector`; no text-search parser, which would drop `²` or `½`: migration 0006 rewrote the
 * rows stored through one). SQLite's FTS5 `unicode61` tokenizer splits words at combining marks, and at the few
 * letters of {@link SEARCH_SEPARATORS}: the SQLite dialect hands it each such character as a private-use one
 * (`fts5Text` in `@custody/db`), so that FTS5 reads each word back as one word, unchanged (checked for every code
 * point by packages/db/test/search-fts5.test.ts), and FTS5 folding at index time changes nothing.
 * `alice@example.com` becomes `alice example com` on both engines (Postgres would otherwise keep an
 * e-mail address as one token and FTS5 would split it); `ΟΔΟΣ`, `οδος` and `οδοσ` all become `οδοσ`.
 *
 * NFC (since 2026-11-28) makes `Åke` typed with a combining ring (`A\u030Ake`) the same word as `Åke`
 * typed precomposed, in documents and queries alike. Marks are part of words since migration 0009 (also 2026-11-28):
 * a vowel sign or a virama that has no precomposed form (most Indic scripts: `हिन्दी`, Thai, Hebrew points) no longer
 * cuts a word into pieces that matched far too much (`हिन्दी` was `ह`, `न`, `द`). The documents indexed before were
 * made again from the event bodies where it mattered (migrations 0008 and 0009 on SQLite, 0006 and 0009 on Postgres).
 */
import type { TLoggedEvent } from './event-schemas';

const NON_WORD = /[^\p{L}\p{N}\p{M}]+/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * The lowercase letters that FTS5's `unicode61` tokenizer (`remove_diacritics 0`) folds to another letter
 * although `toLowerCase()` keeps them: `[from, to]`, one UTF-16 code unit each. Not chosen but derived:
 * every code point was put through steps 1, 2 and 4 of the rule, each code point of the words that came out
 * was indexed alone in an FTS5 table with that tokenizer (SQLite 3.51.2, better-sqlite3 12.6.2) and read
 * back through an `fts5vocab` table; these 11 are all that came back as another letter (the others came
 * back unchanged, or not at all: {@link SEARCH_SEPARATORS}). They are Unicode's case foldings of
 * lowercase letters (CaseFolding.txt), which FTS5 applies and `toLowerCase()` does not. Other Greek
 * symbols (`ϑ`…) fold too; `ι` U+1FBE and the like need no entry, NFC maps them already.
 * packages/db/test/search-fts5.test.ts derives the table again against the SQLite in use and fails when it differs.
 */
export const SEARCH_FOLDS: readonly (readonly [from: string, to: string])[] = [
  ['\u00b5', '\u03bc'], // µ MICRO SIGN → μ
  ['\u017f', 's'], // ſ LATIN SMALL LETTER LONG S → s
  ['\u03c2', '\u03c3'], // ς GREEK SMALL LETTER FINAL SIGMA → σ
  ['\u03d0', '\u03b2'], // ϐ GREEK BETA SYMBOL → β
  ['\u03d1', '\u03b8'], // ϑ GREEK THETA SYMBOL → θ
  ['\u03d5', '\u03c6'], // ϕ GREEK PHI SYMBOL → φ
  ['\u03d6', '\u03c0'], // ϖ GREEK PI SYMBOL → π
  ['\u03f0', '\u03ba'], // ϰ GREEK KAPPA SYMBOL → κ
  ['\u03f1', '\u03c1'], // ϱ GREEK RHO SYMBOL → ρ
  ['\u03f5', '\u03b5'], // ϵ GREEK LUNATE EPSILON SYMBOL → ε
  ['\u1e9b', '\u1e61'], // ẛ LATIN SMALL LETTER LONG S WITH DOT ABOVE → ṡ
];

/**
 * Letters (`\p{L}` to JavaScript) that FTS5's `unicode61` tokenizer does not index: its Unicode tables
 * still class them as spacing marks (Mc), as Unicode did before 8.0, so it splits words at them. Inclusive
 * ranges of code points, derived with {@link SEARCH_FOLDS} (the code points that came back not at all):
 * New Tai Lue vowel signs U+19B0–U+19C0 and final consonants U+19C8–U+19C9, Vedic signs U+1CF2–U+1CF3. The
 * rule keeps them in words, as it keeps combining marks; the SQLite dialect hands them to FTS5 as private-use
 * characters, as it does combining marks (`fts5Text` in `@custody/db`). Until then the rule split words
 * at them (migration 0005).
 */
export const SEARCH_SEPARATORS: readonly (readonly [first: number, last: number])[] = [
  [0x19b0, 0x19c0],
  [0x19c8, 0x19c9],
  [0x1cf2, 0x1cf3],
];

/** Each character step 3 replaces, with its replacement. */
const FTS5_FORMS: ReadonlyMap<string, string> = new Map(SEARCH_FOLDS.map(([from, to]) => [from, to] as const));
const FTS5_FORMED = new RegExp(`[${[...FTS5_FORMS.keys()].map((c) => `\\u{${c.codePointAt(0)?.toString(16)}}`).join('')}]`, 'gu');

/** Steps 1 to 3 of the rule: `text` in NFC, lowercase, folded to FTS5's forms (words not yet split). */
function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(FTS5_FORMED, (c) => FTS5_FORMS.get(c) ?? c);
}

/** Longest word indexed; longer runs are cut (Postgres refuses lexemes over 2 KB). */
export const MAX_SEARCH_WORD_LENGTH = 100;

/** Splits text into normalized search words (the rule above). */
export function searchWords(text: string): string[] {
  return splitWords(normalizeText(text));
}

function splitWords(normalized: string): string[] {
  const words: string[] = [];
  for (const raw of normalized.split(NON_WORD)) {
    if (LETTER_OR_DIGIT.test(raw)) words.push(raw.slice(0, MAX_SEARCH_WORD_LENGTH));
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
 * except that a whitespace-separated token ending in `*` makes its last word a prefix, kept with its `*`,
 * when the `*`s directly follow that word once the token is normalized (NFC, lowercase, folded): `contr*` →
 * `contr*`; `req_12*` → `req`, `12*`; `re\u0301*` (`e` and a combining acute) → `ré*`, as `r\u00e9*`; but
 * `foo-*` → `foo`, whole. A normalized word never holds a `*`, so the dialects tell the two apart by it.
 * Repeated terms are dropped; a lone `*` adds nothing.
 */
export function searchTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const token of query.split(/\s+/u)) {
    const { words, prefix } = tokenTerms(token);
    words.forEach((word, i) => terms.add(prefix && i === words.length - 1 ? `${word}*` : word));
  }
  return [...terms];
}

/**
 * One whitespace-free token of a query (`searchTerms`): its words in order, repeats kept (the viewer's phrases
 * need them), and whether the last one is a prefix: the token ends in `*`s that directly follow a letter, a digit
 * or a combining mark once normalized. Decided on the normalized token: a combining mark before the `*` may compose
 * with the letter before it (`re\u0301*` is the prefix `ré`).
 */
export function tokenTerms(token: string): { words: string[]; prefix: boolean } {
  const normalized = normalizeText(token);
  const words = splitWords(normalized);
  return { words, prefix: words.length > 0 && /[\p{L}\p{N}\p{M}]\*+$/u.test(normalized) };
}

/**
 * The words full-text search finds an event by: action, actor, targets, user agent, request and
 * session ids, and metadata values. IPs have their own (CIDR) filter and are left out, as are
 * metadata keys; each word is indexed once per event.
 */
export function searchTextOf(event: Pick<TLoggedEvent, 'action' | 'actor' | 'context' | 'targets' | 'metadata'>): string {
  const parts: string[] = [event.action, event.actor.id, event.actor.type];
  if (event.actor.name !== undefined) parts.push(event.actor.name);
  if (event.context.user_agent !== undefined) parts.push(event.context.user_agent);
  if (event.context.request_id !== undefined) parts.push(event.context.request_id);
  if (event.context.session_id !== undefined) parts.push(event.context.session_id);
  for (const t of event.targets) {
    parts.push(t.id, t.type);
    if (t.name !== undefined) parts.push(t.name);
  }
  for (const v of Object.values(event.metadata ?? {})) if (typeof v === 'string') parts.push(v);
  return normalizeSearchText(parts);
}
