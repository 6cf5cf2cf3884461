/**
 * Full-text words, exactly like the server's search (`@custody/db` searchWords): Unicode NFC, lowercase, the
 * letters SQLite FTS5 folds further folded (`ς` → `σ`, `µ` → `μ`, `ſ` → `s`, …) and the letters it does not
 * index turned into spaces, split on anything that is not a letter or a digit, cut at 100 characters. The byte
 * path handles ASCII values without creating strings (none of that touches ASCII); anything else goes through
 * the string path, so both give the same words.
 */
import type { ByteInterner } from './interner';

const NON_WORD = /[^\p{L}\p{N}]+/u;
/** Longest word indexed (as on the server). */
export const MAX_SEARCH_WORD_LENGTH = 100;

/**
 * The server's `SEARCH_FOLDS` (`packages/db/src/search-text.ts`, derived there from FTS5 and checked by its
 * tests): lowercase letters FTS5's tokenizer folds to another letter, `[from, to]`. Keep the two the same.
 */
const SEARCH_FOLDS: readonly (readonly [from: string, to: string])[] = [
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

/** The server's `SEARCH_SEPARATORS`: letters FTS5 does not index (inclusive ranges), which split words. */
const SEARCH_SEPARATORS: readonly (readonly [first: number, last: number])[] = [
  [0x19b0, 0x19c0],
  [0x19c8, 0x19c9],
  [0x1cf2, 0x1cf3],
];

const FTS5_FORMS: ReadonlyMap<string, string> = new Map([
  ...SEARCH_FOLDS.map(([from, to]) => [from, to] as const),
  ...SEARCH_SEPARATORS.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, i) => [String.fromCodePoint(first + i), ' '] as const)),
]);
const FTS5_FORMED = new RegExp(`[${[...FTS5_FORMS.keys()].map((c) => `\\u{${c.codePointAt(0)?.toString(16)}}`).join('')}]`, 'gu');

const encoder = new TextEncoder();

/** Splits text into normalized search words (the server's rule). */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  const normalized = text
    .normalize('NFC')
    .toLowerCase()
    .replace(FTS5_FORMED, (c) => FTS5_FORMS.get(c) ?? c);
  for (const raw of normalized.split(NON_WORD)) {
    if (raw.length > 0) words.push(raw.slice(0, MAX_SEARCH_WORD_LENGTH));
  }
  return words;
}

/** 1 for ASCII letters and digits (the word characters of an ASCII value), by byte. */
export const ALNUM = (() => {
  const table = new Uint8Array(256);
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1;
  for (let c = 97; c <= 122; c++) table[c] = 1;
  return table;
})();

const scratch = new Uint8Array(MAX_SEARCH_WORD_LENGTH * 4 + 8);

/** Whether `bytes[start, end)` is all ASCII. */
export function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

/**
 * Interns the words of an ASCII value `bytes[start, end)` into `terms`, calling `emit(termId)` for each word in
 * order (duplicates included).
 */
export function asciiWords(bytes: Uint8Array, start: number, end: number, terms: ByteInterner, emit: (term: number) => void): void {
  let length = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? (bytes[i] as number) : 32;
    if (ALNUM[c] === 1) {
      if (length < MAX_SEARCH_WORD_LENGTH) scratch[length++] = c >= 65 && c <= 90 ? c + 32 : c;
    } else if (length > 0) {
      emit(terms.intern(scratch, 0, length));
      length = 0;
    }
  }
}

/** Interns the words of any text into `terms`, calling `emit(termId)` for each word in order. */
export function textWords(text: string, terms: ByteInterner, emit: (term: number) => void): void {
  for (const word of searchWords(text)) {
    const bytes = encoder.encode(word);
    emit(terms.intern(bytes, 0, bytes.length));
  }
}

/** The term id of a word (already normalized), or -1. */
export function findTerm(word: string, terms: ByteInterner): number {
  const bytes = encoder.encode(word);
  return terms.find(bytes, 0, bytes.length);
}
