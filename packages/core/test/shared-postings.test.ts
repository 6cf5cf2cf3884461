/**
 * The lists of rowids the statistics copy keeps per action and per actor (`SharedPostings`): shared between
 * threads, read up to a reader's own last rowid, and given up (broken) rather than ever read wrong.
 */
import { describe, expect, it } from 'vitest';

import { SharedPostings, createPostingsMemory } from '../src/shared-postings';

/** The rowids of list `key` up to `last` (`setBits`), and the capacities of its chunks (next, count, capacity, entries). */
function read(postings: SharedPostings, key: number, last = 2 ** 20): { rowids: number[]; capacities: number[] } {
  postings.sync();
  const list = postings.find(key);
  if (list === undefined) return { rowids: [], capacities: [] };
  const bits = new Uint32Array(Math.ceil((last + 1) / 32));
  const set = postings.setBits([list], bits, last);
  const rowids: number[] = [];
  bits.forEach((word, i) => {
    for (let b = 0; b < 32; b++) if ((word >>> b) & 1) rowids.push(i * 32 + b);
  });
  expect(set).toEqual(rowids.length === 0 ? { count: 0, lowest: 0, highest: 0 } : { count: rowids.length, lowest: rowids[0], highest: rowids[rowids.length - 1] });
  const { heads, pool } = postings.views();
  const capacities: number[] = [];
  for (let chunk = heads[list] ?? 0; chunk !== 0; chunk = pool[chunk] ?? 0) capacities.push(pool[chunk + 2] ?? 0);
  return { rowids, capacities };
}

describe('lists of rowids shared by the query threads', () => {
  it('keep each value\'s rowids in order, in chunks that double up to 256 entries', () => {
    const postings = new SharedPostings(createPostingsMemory(16, 10_000));
    const expected = new Map<number, number[]>();
    for (let rowid = 1; rowid <= 3_000; rowid++) {
      const key = rowid % 7 === 0 ? 0xffff_fff0 : rowid % 3;
      postings.append(key, rowid);
      expected.set(key, [...(expected.get(key) ?? []), rowid]);
    }
    postings.publish();
    for (const [key, rowids] of expected) {
      expect(read(postings, key).rowids).toEqual(rowids);
      expect(postings.views().counts[postings.find(key) ?? -1]).toBe(rowids.length);
    }
    expect(read(postings, 1).capacities.slice(0, 7)).toEqual([8, 16, 32, 64, 128, 256, 256]);
    // A reader stops at its own last rowid; a value no event holds has no list.
    expect(read(postings, 2, 20).rowids).toEqual([2, 5, 8, 11, 17, 20]);
    expect(postings.find(99)).toBeUndefined();
    expect(postings.usable).toBe(true);
  });

  it('count a column\'s values over a list from where a reader left it, as the list grows', () => {
    const postings = new SharedPostings(createPostingsMemory(4, 10_000));
    const values = new Uint32Array(2_000);
    for (let rowid = 1; rowid < values.length; rowid++) values[rowid] = rowid % 3;
    for (let rowid = 1; rowid <= 700; rowid++) postings.append(rowid % 2, rowid);
    postings.publish();
    postings.sync();
    const list = postings.find(1) ?? -1;
    const cursor = postings.cursor(list);
    const counts = new Float64Array(3);
    // Up to rowid 100, then to 700 (across chunks of 8, 16, ... 256), then on as more are appended.
    expect(postings.countFrom(cursor, 100, values, counts)).toBe(50);
    expect(postings.countFrom(cursor, 700, values, counts)).toBe(300);
    expect(postings.countFrom(cursor, 700, values, counts)).toBe(0);
    for (let rowid = 701; rowid <= 1_999; rowid++) postings.append(rowid % 2, rowid);
    postings.publish();
    expect(postings.countFrom(cursor, 1_999, values, counts)).toBe(650);
    const odd = Array.from({ length: 1_000 }, (_, i) => 2 * i + 1);
    expect([...counts]).toEqual([0, 1, 2].map((v) => odd.filter((r) => r % 3 === v).length));
  });

  it('show another thread only the lists published, and carry on from where it left them', () => {
    const memory = createPostingsMemory(16, 10_000);
    const writer = new SharedPostings(memory);
    const reader = new SharedPostings(memory);
    writer.append(5, 1);
    writer.append(6, 2);
    expect(read(reader, 5).rowids).toEqual([]);
    writer.publish();
    expect(read(reader, 5).rowids).toEqual([1]);
    // The other thread appends next (taking the lock in turn), to old lists and new ones.
    reader.append(5, 3);
    reader.append(7, 4);
    reader.publish();
    expect(read(writer, 5).rowids).toEqual([1, 3]);
    expect(read(writer, 7).rowids).toEqual([4]);
    writer.append(7, 5);
    writer.publish();
    expect(read(reader, 7).rowids).toEqual([4, 5]);
  });

  it('are given up when an append finds a list past its rowid (a thread stopped mid-append), and when full', () => {
    const memory = createPostingsMemory(16, 10_000);
    const stopped = new SharedPostings(memory);
    for (let rowid = 1; rowid <= 10; rowid++) stopped.append(rowid % 2, rowid);
    stopped.publish();
    // Stopped after appending rowids 11 and 12 and a new list, before publishing: the next thread copies them again.
    stopped.append(1, 11);
    stopped.append(9, 12);
    const next = new SharedPostings(memory);
    next.sync();
    expect(next.find(9)).toBeUndefined();
    next.append(9, 12); // a list unpublished: made again, from its own chunk
    expect(next.usable).toBe(true);
    next.append(1, 11);
    expect(next.usable).toBe(false);
    expect(stopped.usable).toBe(false);
    next.append(0, 13); // nothing kept any more
    // The pool full, or too many lists: given up too.
    const small = new SharedPostings(createPostingsMemory(4, 20));
    for (let rowid = 1; rowid <= 4; rowid++) small.append(rowid, rowid);
    expect(small.usable).toBe(true);
    small.append(5, 5);
    expect(small.usable).toBe(false);
    const pool = new SharedPostings(createPostingsMemory(1, 8));
    for (let rowid = 1; rowid <= 1_000 && pool.usable; rowid++) pool.append(1, rowid);
    expect(pool.usable).toBe(false);
  });
});
