/**
 * The full-text words of each row's own free text: its request and session ids, which are nearly all distinct
 * (a million request ids make a million distinct words). They are not interned or posted per row: each value is
 * appended, lowercased, to one byte pool, with a 32-bit hash of each of its words. A search for a word compares
 * the hashes (about five per row) and confirms each hit in the pool; a prefix search scans the pool. Interning and
 * posting these words cost about a quarter of the engine's loading CPU.
 *
 * Words follow the server's rule (`searchWords`): lowercase, split on anything that is not a letter, a digit or a
 * combining mark, cut at 100 characters. ASCII values go to the pool (lowercased; ASCII letters and digits are exactly the word
 * characters there); values with other characters keep their words as strings (`searchWords`), which is rare.
 */
import { MAX_SEARCH_WORD_LENGTH, searchWords } from '@custody/schema';

import { GrowInt32, GrowUint8 } from './growable';
import { hashBytes } from './interner';
import { ALNUM } from './tokenize';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Separates values in the pool (not a word character). */
const SEPARATOR = 0x20;

export class FreeText {
  readonly #pool = new GrowUint8(1 << 16);
  /** Pool offset where each value starts; `#rows` is its row. */
  readonly #starts = new GrowInt32(1 << 12);
  readonly #rows = new GrowInt32(1 << 12);
  /** The hash of each word of the pool's values (its first 100 characters), in order. */
  readonly #wordHashes = new GrowInt32(1 << 14);
  /** Per value, the end of its words in `#wordHashes`. */
  readonly #wordEnds = new GrowInt32(1 << 12);
  /** Values with characters beyond ASCII: their rows and words. */
  readonly #otherRows: number[] = [];
  readonly #otherWords: string[][] = [];

  /** Approximate bytes held. */
  get byteSize(): number {
    return this.#pool.array.byteLength + this.#starts.array.byteLength * 3 + this.#wordHashes.array.byteLength;
  }

  /** Adds the value `bytes[start, end)` (UTF-8, unescaped) of `row`. Rows come in increasing order. */
  add(row: number, bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) {
        this.#otherRows.push(row);
        this.#otherWords.push(searchWords(decoder.decode(bytes.subarray(start, end))));
        return;
      }
    }
    const pool = this.#pool;
    pool.reserve(length + 1);
    const out = pool.array;
    let at = pool.length;
    this.#starts.push(at);
    this.#rows.push(row);
    for (let i = start; i < end; i++) {
      const c = bytes[i] as number;
      out[at++] = c >= 65 && c <= 90 ? c + 32 : c;
    }
    out[at++] = SEPARATOR;
    pool.length = at;
    const hashes = this.#wordHashes;
    let i = at - length - 1;
    while (i < at) {
      while (i < at && ALNUM[out[i] as number] === 0) i++;
      const word = i;
      while (i < at && ALNUM[out[i] as number] === 1) i++;
      if (i > word) hashes.push(hashBytes(out, word, Math.min(i, word + MAX_SEARCH_WORD_LENGTH)));
    }
    this.#wordEnds.push(hashes.length);
  }

  /**
   * Sets `mask[row]` for the rows below `n` whose free text has the word `word` (already normalized by
   * `searchWords`), or a word starting with it when `prefix`.
   */
  markWord(word: string, prefix: boolean, n: number, mask: Uint8Array): void {
    const w = encoder.encode(word);
    if (w.length === 0) return;
    // A word that long was cut on the server: a longer word matches by its first 100 characters.
    const open = prefix || word.length >= MAX_SEARCH_WORD_LENGTH;
    // Only a word of ASCII letters and digits can be in the pool (ALNUM is 0 for every byte from 0x80).
    let ascii = true;
    for (let i = 0; i < w.length; i++) if (ALNUM[w[i] as number] === 0) ascii = false;
    if (ascii) {
      if (open) this.#markPrefix(w, n, mask);
      else this.#markHashed(w, n, mask);
    }
    const others = this.#otherRows;
    for (let i = 0; i < others.length; i++) {
      const row = others[i] as number;
      if (row >= n || mask[row] === 1) continue;
      for (const candidate of this.#otherWords[i] as string[]) {
        if (open ? candidate.startsWith(word) : candidate === word) {
          mask[row] = 1;
          break;
        }
      }
    }
  }

  /** The values with a word whose hash is the word's, each confirmed in the pool. */
  #markHashed(w: Uint8Array, n: number, mask: Uint8Array): void {
    const hash = hashBytes(w, 0, w.length);
    const hashes = this.#wordHashes.array;
    const count = this.#wordHashes.length;
    const ends = this.#wordEnds.array;
    const rows = this.#rows.array;
    let value = 0;
    for (let t = 0; t < count; t++) {
      if (hashes[t] !== hash) continue;
      while ((ends[value] as number) <= t) value++;
      const row = rows[value] as number;
      if (row < n && mask[row] === 0 && this.#valueHas(value, w)) mask[row] = 1;
    }
  }

  /** Whether value `value` has the word `w` exactly. */
  #valueHas(value: number, w: Uint8Array): boolean {
    const pool = this.#pool.array;
    const end = value + 1 < this.#starts.length ? (this.#starts.array[value + 1] as number) : this.#pool.length;
    const wl = w.length;
    let i = this.#starts.array[value] as number;
    while (i < end) {
      while (i < end && ALNUM[pool[i] as number] === 0) i++;
      const start = i;
      while (i < end && ALNUM[pool[i] as number] === 1) i++;
      if (i - start !== wl) continue;
      let k = 0;
      while (k < wl && pool[start + k] === w[k]) k++;
      if (k === wl) return true;
    }
    return false;
  }

  /** The values with a word starting with `w`: one pass over the pool, word by word (a length check rejects most). */
  #markPrefix(w: Uint8Array, n: number, mask: Uint8Array): void {
    const length = this.#pool.length;
    const pool = this.#pool.array;
    const starts = this.#starts.array;
    const rows = this.#rows.array;
    const values = this.#starts.length;
    const wl = w.length;
    const first = w[0] as number;
    let value = 0;
    let i = 0;
    while (i < length) {
      while (i < length && ALNUM[pool[i] as number] === 0) i++;
      const start = i;
      while (i < length && ALNUM[pool[i] as number] === 1) i++;
      const tl = i - start;
      if (tl < wl || pool[start] !== first) continue;
      let match = true;
      for (let k = 1; k < wl; k++) {
        if (pool[start + k] !== w[k]) {
          match = false;
          break;
        }
      }
      if (!match) continue;
      while (value + 1 < values && (starts[value + 1] as number) <= start) value++;
      const row = rows[value] as number;
      if (row < n) mask[row] = 1;
    }
  }
}
