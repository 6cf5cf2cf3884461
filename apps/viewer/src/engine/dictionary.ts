/**
 * A dictionary-encoded string column: each distinct value gets a dense id (interned by its UTF-8 bytes), its
 * decoded text, and, for searchable columns, its full-text words in order (computed once per distinct value, so
 * a value repeated on a million rows is tokenized once; the order also answers phrase queries).
 */
import { GrowInt32 } from './growable';
import { ByteInterner } from './interner';
import { asciiWords, isAscii, textWords } from './tokenize';

const decoder = new TextDecoder();

export class Dictionary {
  readonly interner = new ByteInterner();
  readonly values: string[] = [];
  readonly #terms: ByteInterner | undefined;
  /** Per id, the start of its words in `#words`; `#wordStarts[id + 1]` ends them. */
  readonly #wordStarts = new GrowInt32(64);
  readonly #words = new GrowInt32(64);
  #lower: string[] = [];
  #rank: Int32Array | undefined;
  readonly #sortKey: (value: string) => string;

  /** `terms`: the full-text term dictionary, for searchable columns; `sortKey`: what sorting compares. */
  constructor(terms?: ByteInterner, sortKey: (value: string) => string = defaultSortKey) {
    this.#terms = terms;
    this.#sortKey = sortKey;
    this.#wordStarts.push(0);
  }

  get size(): number {
    return this.values.length;
  }

  /** The id of the value `bytes[start, end)` (UTF-8, unescaped), adding it if new. */
  intern(bytes: Uint8Array, start: number, end: number): number {
    const id = this.interner.intern(bytes, start, end);
    if (!this.interner.added) return id;
    const ascii = isAscii(bytes, start, end);
    const text = ascii && end - start < 64 ? asciiText(bytes, start, end) : decoder.decode(bytes.subarray(start, end));
    this.values.push(text);
    const terms = this.#terms;
    if (terms !== undefined) {
      const words = this.#words;
      const emit = (term: number): void => words.push(term);
      if (ascii) asciiWords(bytes, start, end, terms, emit);
      else textWords(text, terms, emit);
    }
    this.#wordStarts.push(this.#words.length);
    return id;
  }

  /** The id of an exact value, or -1. */
  find(text: string): number {
    return this.interner.findText(text);
  }

  /** The full-text words of value `id`, in order. */
  words(id: number): Int32Array {
    return this.#words.array.subarray(this.#wordStarts.array[id], this.#wordStarts.array[id + 1]);
  }

  /**
   * Marks in `out` (indexed by value id, at least `size` long) each value having a word whose term id is marked in
   * `terms` (indexed by term id); returns whether any was marked. No allocation.
   */
  markValuesWithTerms(terms: Uint8Array, out: Uint8Array): boolean {
    const starts = this.#wordStarts.array;
    const words = this.#words.array;
    let any = false;
    for (let id = 0; id < this.values.length; id++) {
      const end = starts[id + 1] as number;
      for (let i = starts[id] as number; i < end; i++) {
        if (terms[words[i] as number] === 1) {
          out[id] = 1;
          any = true;
          break;
        }
      }
    }
    return any;
  }

  /** Lowercased values (computed incrementally). */
  lowerValues(): readonly string[] {
    for (let i = this.#lower.length; i < this.values.length; i++) this.#lower.push((this.values[i] as string).toLowerCase());
    return this.#lower;
  }

  /** Rank of each id in sorted value order (cached until the dictionary grows). */
  rank(): Int32Array {
    if (this.#rank?.length === this.values.length) return this.#rank;
    const ids = Array.from({ length: this.values.length }, (_, i) => i);
    const keys = this.values.map(this.#sortKey);
    ids.sort((a, b) => {
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    const rank = new Int32Array(ids.length);
    ids.forEach((id, position) => {
      rank[id] = position;
    });
    this.#rank = rank;
    return rank;
  }
}

/** Case-insensitive first, then exact (so `Alice` and `alice` sit together, in a stable order). */
export function defaultSortKey(value: string): string {
  return `${value.toLowerCase()}\u0000${value}`;
}

function asciiText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i] as number);
  return text;
}
