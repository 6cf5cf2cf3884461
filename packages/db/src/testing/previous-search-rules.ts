/**
 * Search documents as earlier versions of the rule (`@custody/schema` search-text.ts) made them, for the tests and
 * benchmarks of the migrations that re-index them.
 */
import { SEARCH_SEPARATORS } from '@custody/schema';

const SEPARATORS = new RegExp(`[${SEARCH_SEPARATORS.map(([a, b]) => `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`).join('')}]`, 'gu');

/**
 * `text`'s document until migration 0009: NFC, lowercase, the letters of `SEARCH_SEPARATORS` made spaces, split at
 * anything not a letter or a digit (a combining mark too); each word once. Given the rule's own document
 * (`searchTextOf`), it gives what was stored for the same event before 0009.
 */
export function searchTextBefore0009(text: string): string {
  const words = text.normalize('NFC').toLowerCase().replace(SEPARATORS, ' ').split(/[^\p{L}\p{N}]+/u);
  return [...new Set(words.filter((w) => w !== ''))].join(' ');
}
