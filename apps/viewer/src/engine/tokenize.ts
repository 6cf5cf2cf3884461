/**
 * Full-text words, by the server's own rule (`@custody/schema` `searchWords`: Unicode NFC, lowercase, folded to
 * SQLite FTS5's forms, split on anything that is not a letter, a digit or a combining mark, cut at 100 characters), plus a byte path
 * for ASCII values that creates no strings: none of the rule's steps but lowercasing and splitting touches ASCII,
 * so both paths give the same words (checked for every byte by the tests).
 */
import { MAX_SEARCH_WORD_LENGTH, searchWords } from '@custody/schema';

import type { ByteInterner } from './interner';

const encoder = new TextEncoder();

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
