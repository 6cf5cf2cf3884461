/**
 * The inverted index for full-text search, built incrementally while rows load. It posts the words of each row's
 * own free text (request and session ids); the words of dictionary columns are found through their dictionaries
 * (`ColumnStore.index`). Each row adds its distinct term ids as (term, row) pairs to a pending buffer; `seal()`
 * turns pending pairs into a compressed segment (terms sorted, row lists per term, by a counting sort), and
 * `merge()` folds all segments into one when there are more than twelve (loading ends with a seal, since a query
 * over a few segments is as fast and folding them cost CPU just as verification needs it). Rows are added in
 * increasing rowId order, so every posting list is sorted without sorting. */
import { GrowInt32 } from './growable';

interface Segment {
  /** Distinct term ids, ascending. */
  readonly terms: Int32Array;
  /** `rows[starts[i] … starts[i + 1])` are the rows of `terms[i]`. */
  readonly starts: Int32Array;
  readonly rows: Int32Array;
}

const EMPTY = new Int32Array(0);

export class TextIndex {
  readonly #pendingTerms = new GrowInt32(1 << 16);
  readonly #pendingRows = new GrowInt32(1 << 16);
  #segments: Segment[] = [];
  /** Last row that added each term (dedupe per row). */
  #lastRow = new GrowInt32(1 << 12);

  /** Pairs held (pending and sealed). */
  get size(): number {
    return this.#pendingTerms.length + this.#segments.reduce((sum, s) => sum + s.rows.length, 0);
  }

  get byteSize(): number {
    return this.#pendingTerms.array.byteLength * 2 + this.#lastRow.array.byteLength +
      this.#segments.reduce((sum, s) => sum + s.terms.byteLength + s.starts.byteLength + s.rows.byteLength, 0);
  }

  /** Adds `term` to `row` (once per row). Rows must come in increasing order. */
  add(row: number, term: number): void {
    const last = this.#lastRow;
    if (term >= last.length) {
      last.reserve(term + 1 - last.length);
      last.array.fill(-1, last.length, term + 1);
      last.length = term + 1;
    }
    if (last.array[term] === row) return;
    last.array[term] = row;
    this.#pendingTerms.push(term);
    this.#pendingRows.push(row);
    if (this.#pendingTerms.length >= 1 << 22) this.seal();
  }

  /** Moves pending pairs into a segment (so queries see them). */
  seal(): void {
    const n = this.#pendingTerms.length;
    if (n === 0) return;
    this.#segments.push(build([{ terms: this.#pendingTerms.view(), rows: this.#pendingRows.view() }], this.#lastRow.length));
    this.#pendingTerms.clear();
    this.#pendingRows.clear();
    if (this.#segments.length > 12) this.merge();
  }

  /** Seals and folds every segment into one. */
  merge(): void {
    this.seal();
    if (this.#segments.length <= 1) return;
    const parts = this.#segments.map((segment) => ({ terms: expandTerms(segment), rows: segment.rows }));
    this.#segments = [build(parts, this.#lastRow.length)];
  }

  /** Sorted rows holding `term`. */
  postings(term: number): Int32Array {
    this.seal();
    const lists: Int32Array[] = [];
    let total = 0;
    for (const segment of this.#segments) {
      const at = binarySearch(segment.terms, term);
      if (at < 0) continue;
      const list = segment.rows.subarray(segment.starts[at], segment.starts[at + 1]);
      lists.push(list);
      total += list.length;
    }
    if (lists.length === 0) return EMPTY;
    if (lists.length === 1) return lists[0] as Int32Array;
    const out = new Int32Array(total);
    let at = 0;
    for (const list of lists) {
      out.set(list, at);
      at += list.length;
    }
    return out;
  }

  /** Number of rows holding `term`. */
  count(term: number): number {
    this.seal();
    let total = 0;
    for (const segment of this.#segments) {
      const at = binarySearch(segment.terms, term);
      if (at >= 0) total += (segment.starts[at + 1] as number) - (segment.starts[at] as number);
    }
    return total;
  }
}

function expandTerms(segment: Segment): Int32Array {
  const out = new Int32Array(segment.rows.length);
  for (let i = 0; i < segment.terms.length; i++) out.fill(segment.terms[i] as number, segment.starts[i], segment.starts[i + 1]);
  return out;
}

/** Counting sort of (term, row) pairs by term, stable (rows stay ascending). */
function build(parts: readonly { terms: Int32Array; rows: Int32Array }[], termCount: number): Segment {
  const counts = new Int32Array(termCount + 1);
  let total = 0;
  for (const part of parts) {
    const terms = part.terms;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i] as number;
      counts[t] = (counts[t] as number) + 1;
    }
    total += terms.length;
  }
  let distinct = 0;
  for (let t = 0; t < termCount; t++) if ((counts[t] as number) > 0) distinct++;
  const termList = new Int32Array(distinct);
  const starts = new Int32Array(distinct + 1);
  const cursor = counts; // reused: becomes the write position of each term
  let k = 0;
  let position = 0;
  for (let t = 0; t < termCount; t++) {
    const c = cursor[t] as number;
    if (c === 0) continue;
    termList[k] = t;
    starts[k] = position;
    cursor[t] = position;
    position += c;
    k++;
  }
  starts[distinct] = position;
  const rows = new Int32Array(total);
  for (const part of parts) {
    const terms = part.terms;
    const partRows = part.rows;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i] as number;
      rows[cursor[t] as number] = partRows[i] as number;
      cursor[t] = (cursor[t] as number) + 1;
    }
  }
  return { terms: termList, starts, rows };
}

function binarySearch(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
