/**
 * Search bitmaps (`SearchBitmaps`): the rowids a search's bitmap holds are exactly its index entries up to
 * the covered rowid, intersections and counts are exact at every bit position, and slots are shared, taken
 * back from the least recently used search, never from one being read, and freed from a stopped thread.
 * The entries come from a table of words here; `event-facets.test.ts` runs them on the full-text index.
 */
import { describe, expect, it } from 'vitest';

import { SearchBitmaps, bitmapWords, commonWord, createSearchBitmapMemory, isBroad, searchKey } from '../src/search-bitmaps';
import type { TSearchBitmap } from '../src/search-bitmaps';

/**
 * The full-text index's entries of the events holding all of some words, set in bitmaps as
 * `TFacetReads.searchEntryBits` does; every read is logged, its words as a key.
 */
function index(words: Record<string, number[]>) {
  const reads: [string, number, number][] = [];
  const entries = (search: readonly string[], bits: Uint32Array, after: number, upTo: number) => {
    reads.push([search.join(' '), after, upTo]);
    const lists = search.map((w) => words[w] ?? []);
    const matching = (lists[0] ?? []).filter((r) => r > after && r <= upTo && lists.every((l) => l.includes(r)));
    for (const r of matching) bits[r >>> 5] = (bits[r >>> 5] ?? 0) | (1 << (r & 31));
    return { count: matching.length, lowest: matching[0] ?? 0, highest: matching[matching.length - 1] ?? 0 };
  };
  /** The bitmap of a search's matches up to `upTo`, as a statistics query reads it before keeping it. */
  const of = (search: string | string[], upTo: number) => {
    const bits = new Uint32Array(Math.ceil((upTo + 1) / 32));
    entries(typeof search === 'string' ? [search] : search, bits, 0, upTo);
    return bits;
  };
  /** The reads `SearchBitmaps` makes: a key (`searchKey`) whose words are separated by spaces. */
  const byKey = (key: string, bits: Uint32Array, after: number, upTo: number) => entries(key.split(' '), bits, after, upTo);
  return { reads, entries: byKey, of };
}

/** The rowids up to `last` every one of `bitmaps` holds, walked a uint32 word at a time as the statistics walk them. */
const rowids = (bitmaps: readonly TSearchBitmap[], last: number) => {
  const [first = new Uint32Array(0), ...rest] = bitmaps.map((b) => b.bits);
  const out: number[] = [];
  for (let word = 0; word < bitmapWords(last); word++) {
    const x = commonWord(first, rest, word, last);
    for (let bit = 0; bit < 32; bit++) if ((x >>> bit) & 1) out.push(word * 32 + bit);
  }
  return out;
};

describe('search bitmaps', () => {
  it('intersect and count exactly, at every bit of a 32-bit word and at the last rowid', () => {
    // Every bit position 0..31 and the sign bit; a last rowid inside a word. Rowids start at 1, as SQLite's.
    const a = Array.from({ length: 199 }, (_, i) => i + 1).filter((r) => r % 2 === 0 || r % 31 === 0 || r === 63);
    const b = Array.from({ length: 199 }, (_, i) => i + 1).filter((r) => r % 3 === 0 || r === 31 || r === 63 || r === 127);
    const { of } = index({ a, b });
    const words = new SearchBitmaps(createSearchBitmapMemory(1000, 4), 1, () => ({ count: 0, lowest: 0, highest: 0 }));
    for (const last of [199, 150, 127, 95, 63, 31, 1]) {
      expect(words.store('a', of('a', 199), 199) || words.keys.includes('a')).toBe(true);
      expect(words.store('b', of('b', 199), 199) || words.keys.includes('b')).toBe(true);
      const held = words.acquire(['a', 'b'], last, 0);
      if (held === null) throw new Error('both words have bitmaps');
      const both = a.filter((r) => b.includes(r) && r <= last);
      expect(rowids(held, last)).toEqual(both);
      expect(rowids(held, last)).toHaveLength(both.length);
      const [first] = held;
      if (first === undefined) throw new Error('held');
      expect(rowids([first], last)).toEqual(a.filter((r) => r <= last));
      words.release(held);
    }
  });

  it('bring a bitmap up to the last rowid from the entries after its mark only, and share it between threads', () => {
    const words: Record<string, number[]> = { common: [1, 2, 5, 40] };
    const { reads, entries, of } = index(words);
    const memory = createSearchBitmapMemory(10_000, 4);
    const one = new SearchBitmaps(memory, 1, entries);
    const two = new SearchBitmaps(memory, 2, entries);
    expect(one.store('common', of('common', 40), 40)).toBe(true);
    expect(two.store('common', of('common', 40), 40)).toBe(false); // already there
    words.common?.push(41, 700, 9000);
    reads.length = 0;
    const held = two.acquire(['common'], 9000, 0);
    if (held === null) throw new Error('common has a bitmap');
    expect(reads).toEqual([['common', 40, 9000]]);
    expect(rowids(held, 9000)).toEqual([1, 2, 5, 40, 41, 700, 9000]);
    two.release(held);
    // The other thread sees the extended bitmap without reading.
    reads.length = 0;
    const again = one.acquire(['common'], 9000, 0);
    expect(reads).toEqual([]);
    expect(again === null ? null : rowids(again, 9000)).toEqual([1, 2, 5, 40, 41, 700, 9000]);
    one.release(again ?? []);
    // A search without a bitmap: nothing held (the other one released).
    expect(one.acquire(['common', 'other'], 9000, 0)).toBeNull();
    expect(one.store('other', of('other', 9000), 9000)).toBe(true);
  });

  it('keep a search of several words by its words in any order, and extend it with the entries holding all of them', () => {
    const { reads, entries, of } = index({ blue: [1, 2, 3, 10, 11], sky: [2, 3, 4, 11] });
    const bitmaps = new SearchBitmaps(createSearchBitmapMemory(100, 2), 1, entries);
    expect(searchKey(['sky', 'blue', 'sky'])).toBe('blue sky');
    expect(bitmaps.store(searchKey(['sky', 'blue']), of(['sky', 'blue'], 5), 5)).toBe(true);
    reads.length = 0;
    const held = bitmaps.acquire([searchKey(['blue', 'sky'])], 11, 0);
    expect(reads).toEqual([['blue sky', 5, 11]]);
    expect(held === null ? null : rowids(held, 11)).toEqual([2, 3, 11]);
  });

  it('give the least recently used slot to a new search, but never one being read', () => {
    const { entries, of } = index({ a: [1], b: [2], c: [3], d: [4] });
    const words = new SearchBitmaps(createSearchBitmapMemory(100, 2), 1, entries);
    expect(words.store('a', of('a', 10), 10)).toBe(true);
    expect(words.store('b', of('b', 10), 10)).toBe(true);
    words.release(words.acquire(['a'], 10, 0) ?? []); // a used after b
    expect(words.store('c', of('c', 10), 10)).toBe(true);
    expect(words.keys.sort()).toEqual(['a', 'c']);
    const held = words.acquire(['a', 'c'], 10, 0);
    expect(held).not.toBeNull();
    // Both read: no slot for d, and neither bitmap changed.
    expect(words.store('d', of('d', 10), 10)).toBe(false);
    expect(rowids(held?.slice(0, 1) ?? [], 10)).toEqual([1]);
    words.release(held ?? []);
    expect(words.store('d', of('d', 10), 10)).toBe(true);
    const d = words.acquire(['d'], 10, 0);
    // The slot's old bits are gone.
    expect(d === null ? null : rowids(d, 10)).toEqual([4]);
  });

  it('give up a slot\'s lock held by a stopped thread, and a slot it was taking', () => {
    const { entries, of } = index({ a: [1, 2] });
    const memory = createSearchBitmapMemory(100, 1);
    const header = new Int32Array(memory.header);
    const words = new SearchBitmaps(memory, 1, entries);
    expect(words.store('a', of('a', 2), 2)).toBe(true);
    // Thread 7 holds the lock, half way through taking the slot (generation odd).
    Atomics.store(header, 0, 7);
    Atomics.add(header, 1, 1);
    expect(words.acquire(['a'], 2, 0)).toBeNull();
    SearchBitmaps.releaseLocks(memory, 8);
    expect(Atomics.load(header, 0)).toBe(7);
    SearchBitmaps.releaseLocks(memory, 7);
    expect(Atomics.load(header, 0)).toBe(0);
    expect(words.keys).toEqual([]);
    expect(words.store('a', of('a', 2), 2)).toBe(true);
  });

  it('claim one slot for a search between threads: none while another thread holds the claim lock, until it is freed', () => {
    const { of } = index({ a: [1, 2] });
    const memory = createSearchBitmapMemory(100, 2);
    const header = new Int32Array(memory.header);
    const words = new SearchBitmaps(memory, 1, () => ({ count: 0, lowest: 0, highest: 0 }));
    // Thread 9 is between looking for `a` and claiming a slot for it (the lock after the slots and the use counter).
    Atomics.store(header, 2 * 8 + 1, 9);
    expect(words.store('a', of('a', 2), 2)).toBe(false);
    expect(words.keys).toEqual([]);
    SearchBitmaps.releaseLocks(memory, 9);
    expect(words.store('a', of('a', 2), 2)).toBe(true);
    expect(words.store('a', of('a', 2), 2)).toBe(false);
    expect(words.keys).toEqual(['a']);
  });

  it('are worth making for searches matching a sixteenth of the log, and at least the least number of events', () => {
    expect(isBroad(65_536, 1_000_000)).toBe(true);
    expect(isBroad(65_535, 1_000_000)).toBe(false);
    expect(isBroad(100_000, 1_600_001)).toBe(false);
    expect(isBroad(10, 160, 10)).toBe(true);
  });
});
