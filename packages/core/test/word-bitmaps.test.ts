/**
 * Word bitmaps (`WordBitmaps`): the rowids a word's bitmap holds are exactly its index entries up to the
 * covered rowid, intersections and counts are exact at every bit position, and slots are shared, taken
 * back from the least recently used word, never from one being read, and freed from a stopped thread.
 * The entries come from a table of words here; `event-facets.test.ts` runs them on the full-text index.
 */
import { describe, expect, it } from 'vitest';

import { WordBitmaps, countCommon, createWordBitmapMemory, forEachCommon, isBroad } from '../src/word-bitmaps';
import type { TWordBitmap } from '../src/word-bitmaps';

/** Index entries of words, as `TFacetReads.searchEntryList` gives them (here in descending order: none is promised); every read is logged. */
function index(words: Record<string, number[]>) {
  const reads: [string, number, number][] = [];
  const entries = (word: string, after: number, upTo: number) => {
    reads.push([word, after, upTo]);
    return Uint32Array.from((words[word] ?? []).filter((r) => r > after && r <= upTo).reverse());
  };
  return { reads, entries };
}

const rowids = (bitmaps: readonly TWordBitmap[], last: number) => {
  const out: number[] = [];
  forEachCommon(bitmaps, last, (r) => out.push(r));
  return out;
};

describe('word bitmaps', () => {
  it('intersect and count exactly, at every bit of a 32-bit word and at the last rowid', () => {
    // Every bit position 0..31 and the sign bit; a last rowid inside a word. Rowids start at 1, as SQLite's.
    const a = Array.from({ length: 199 }, (_, i) => i + 1).filter((r) => r % 2 === 0 || r % 31 === 0 || r === 63);
    const b = Array.from({ length: 199 }, (_, i) => i + 1).filter((r) => r % 3 === 0 || r === 31 || r === 63 || r === 127);
    const { entries } = index({ a, b });
    const words = new WordBitmaps(createWordBitmapMemory(1000, 4), 1, entries);
    for (const last of [199, 150, 127, 95, 63, 31, 1]) {
      expect(words.store('a', entries('a', 0, 199), 199) || words.words.includes('a')).toBe(true);
      expect(words.store('b', entries('b', 0, 199), 199) || words.words.includes('b')).toBe(true);
      const held = words.acquire(['a', 'b'], last, 0);
      if (held === null) throw new Error('both words have bitmaps');
      const both = a.filter((r) => b.includes(r) && r <= last);
      expect(rowids(held, last)).toEqual(both);
      expect(countCommon(held, last)).toBe(both.length);
      const [first] = held;
      if (first === undefined) throw new Error('held');
      expect(rowids([first], last)).toEqual(a.filter((r) => r <= last));
      words.release(held);
    }
  });

  it('bring a bitmap up to the last rowid from the entries after its mark only, and share it between threads', () => {
    const words: Record<string, number[]> = { common: [1, 2, 5, 40] };
    const { reads, entries } = index(words);
    const memory = createWordBitmapMemory(10_000, 4);
    const one = new WordBitmaps(memory, 1, entries);
    const two = new WordBitmaps(memory, 2, entries);
    expect(one.store('common', entries('common', 0, 40), 40)).toBe(true);
    expect(two.store('common', entries('common', 0, 40), 40)).toBe(false); // already there
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
    // A word without a bitmap: nothing held (the other one released).
    expect(one.acquire(['common', 'other'], 9000, 0)).toBeNull();
    expect(one.store('other', new Uint32Array(), 9000)).toBe(true);
  });

  it('give the least recently used slot to a new word, but never one being read', () => {
    const { entries } = index({ a: [1], b: [2], c: [3], d: [4] });
    const words = new WordBitmaps(createWordBitmapMemory(100, 2), 1, entries);
    expect(words.store('a', entries('a', 0, 10), 10)).toBe(true);
    expect(words.store('b', entries('b', 0, 10), 10)).toBe(true);
    words.release(words.acquire(['a'], 10, 0) ?? []); // a used after b
    expect(words.store('c', entries('c', 0, 10), 10)).toBe(true);
    expect(words.words.sort()).toEqual(['a', 'c']);
    const held = words.acquire(['a', 'c'], 10, 0);
    expect(held).not.toBeNull();
    // Both read: no slot for d, and neither bitmap changed.
    expect(words.store('d', entries('d', 0, 10), 10)).toBe(false);
    expect(rowids(held?.slice(0, 1) ?? [], 10)).toEqual([1]);
    words.release(held ?? []);
    expect(words.store('d', entries('d', 0, 10), 10)).toBe(true);
    const d = words.acquire(['d'], 10, 0);
    // The slot's old bits are gone.
    expect(d === null ? null : rowids(d, 10)).toEqual([4]);
  });

  it('build a bitmap in slices between calls, completed at once by a thread that needs it sooner', async () => {
    const list = Array.from({ length: 100 }, (_, i) => i * 3 + 1);
    const { reads, entries } = index({ w: list });
    const memory = createWordBitmapMemory(1000, 2);
    const builder = new WordBitmaps(memory, 1, entries);
    const reader = new WordBitmaps(memory, 2, entries);
    let slices = 0;
    let readDuring: number[] | null = null;
    await builder.build('w', 300, 64, () => {
      slices++;
      if (slices === 2) {
        const held = reader.acquire(['w'], 300, 0);
        readDuring = held === null ? null : rowids(held, 300);
        reader.release(held ?? []);
      }
      return Promise.resolve();
    });
    expect(readDuring).toEqual(list.filter((r) => r <= 300));
    // Two slices of 64 rowids, then the reader read (128, 300]; nothing more to build.
    expect(reads).toEqual([
      ['w', 0, 64],
      ['w', 64, 128],
      ['w', 128, 300],
    ]);
  });

  it('give up a slot\'s lock held by a stopped thread, and a slot it was taking', () => {
    const { entries } = index({ a: [1, 2] });
    const memory = createWordBitmapMemory(100, 1);
    const header = new Int32Array(memory.header);
    const words = new WordBitmaps(memory, 1, entries);
    expect(words.store('a', entries('a', 0, 2), 2)).toBe(true);
    // Thread 7 holds the lock, half way through taking the slot (generation odd).
    Atomics.store(header, 0, 7);
    Atomics.add(header, 1, 1);
    expect(words.acquire(['a'], 2, 0)).toBeNull();
    WordBitmaps.releaseLocks(memory, 8);
    expect(Atomics.load(header, 0)).toBe(7);
    WordBitmaps.releaseLocks(memory, 7);
    expect(Atomics.load(header, 0)).toBe(0);
    expect(words.words).toEqual([]);
    expect(words.store('a', entries('a', 0, 2), 2)).toBe(true);
  });

  it('are worth making for words in a sixteenth of the log, and at least the least number of events', () => {
    expect(isBroad(65_536, 1_000_000)).toBe(true);
    expect(isBroad(65_535, 1_000_000)).toBe(false);
    expect(isBroad(100_000, 1_600_001)).toBe(false);
    expect(isBroad(10, 160, 10)).toBe(true);
  });
});
