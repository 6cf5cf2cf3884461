/**
 * Whole-log statistics summaries (`StatsSummaries`): what is kept is read back exactly, by any thread sharing
 * the memory; a summary is replaced only by one counting as far or further; the least recently used makes way;
 * too large a summary, or one whose slot would grow past the memory left, is refused; a slot a stopped thread held is emptied and freed.
 * `event-facets.test.ts` checks the statistics they answer against SQL.
 */
import { describe, expect, it } from 'vitest';

import { StatsSummaries, createStatsSummaryMemory, summaryKey } from '../src/stats-summaries';
import type { TStatsSummary } from '../src/stats-summaries';

function summary(mark: number, n: number, actors = 3): TStatsSummary {
  return {
    mark,
    n,
    lo: 1_000 * mark,
    hi: 1_000 * mark + 999,
    histogram: { resolution: 3_600_000, first: 490_000 + mark, cells: Float64Array.from([n - 1, 0, 1]), lo: 1_000 * mark, hi: 1_000 * mark + 500 },
    actionCounts: Float64Array.from([0, n - 2, 2]),
    actorCounts: Float64Array.from({ length: actors }, (_, i) => (i === 0 ? 0 : i + mark)),
  };
}

describe('statistics summaries', () => {
  it('read back exactly what was kept, through another thread\'s view of the memory, as a copy', () => {
    const memory = createStatsSummaryMemory(4);
    const one = new StatsSummaries(memory, 1);
    const other = new StatsSummaries(memory, 2);
    const key = summaryKey('org_a', 'common', [1_000]);
    expect(other.get(key)).toBeNull();
    expect(one.put(key, summary(100, 40))).toBe(true);
    const read = other.get(key);
    expect(read).toEqual(summary(100, 40));
    read?.actorCounts.fill(7);
    expect(one.get(key)).toEqual(summary(100, 40));
    // Keys are the organization, the filter and the bucket widths: another organization's is another summary.
    expect(other.get(summaryKey('org_b', 'common', [1_000]))).toBeNull();
    expect(other.get(summaryKey('org_a', 'common', [1_000, 60_000]))).toBeNull();
    expect(other.keys).toEqual([key]);
  });

  it('replace a summary with one counting as far or further, never with an older one', () => {
    const summaries = new StatsSummaries(createStatsSummaryMemory(4), 1);
    expect(summaries.put('k', summary(100, 40))).toBe(true);
    expect(summaries.put('k', summary(90, 30))).toBe(false);
    expect(summaries.get('k')?.mark).toBe(100);
    // More actors than before: the payload grows.
    expect(summaries.put('k', summary(150, 60, 5_000))).toBe(true);
    expect(summaries.get('k')).toEqual(summary(150, 60, 5_000));
    expect(summaries.put('k', summary(160, 61))).toBe(true);
    expect(summaries.get('k')).toEqual(summary(160, 61));
    expect(summaries.keys).toEqual(['k']);
  });

  it('make way for a new summary by dropping the least recently used', () => {
    const summaries = new StatsSummaries(createStatsSummaryMemory(2), 1);
    summaries.put('a', summary(10, 5));
    summaries.put('b', summary(10, 6));
    expect(summaries.get('a')?.n).toBe(5); // `a` used last: `b` makes way
    summaries.put('c', summary(10, 7));
    expect(summaries.keys.sort()).toEqual(['a', 'c']);
    expect(summaries.get('b')).toBeNull();
  });

  it('refuse a summary larger than a slot or with too long a key', () => {
    const summaries = new StatsSummaries(createStatsSummaryMemory(2, 8 * 1_000), 1);
    expect(summaries.put('big', summary(10, 5, 1_000))).toBe(false);
    expect(summaries.put('x'.repeat(1_025), summary(10, 5))).toBe(false);
    expect(summaries.put('', summary(10, 5))).toBe(false);
    expect(summaries.keys).toEqual([]);
  });

  it('keep no summary whose slot would grow past the memory left, and keep the one already there', () => {
    let room = Number.POSITIVE_INFINITY;
    const summaries = new StatsSummaries(createStatsSummaryMemory(2), 1, () => room);
    expect(summaries.put('k', summary(100, 40))).toBe(true);
    room = 0;
    // The same size: the slot does not grow.
    expect(summaries.put('k', summary(110, 41))).toBe(true);
    // More actors: it would grow by 8 bytes an actor.
    room = 8 * 4_000;
    expect(summaries.put('k', summary(120, 42, 5_000))).toBe(false);
    expect(summaries.get('k')).toEqual(summary(110, 41));
    room = 100; // a new slot's 160 bytes
    expect(summaries.put('other', summary(10, 5))).toBe(false);
    expect(summaries.keys).toEqual(['k']);
    room = 8 * 5_000;
    expect(summaries.put('k', summary(120, 42, 5_000))).toBe(true);
  });

  it('empty and free a slot whose lock a stopped thread held, and leave other threads\' locks alone', () => {
    const memory = createStatsSummaryMemory(2);
    const summaries = new StatsSummaries(memory, 1);
    summaries.put('a', summary(10, 5));
    summaries.put('b', summary(10, 6));
    const header = new Int32Array(memory.header);
    // Thread 9 stopped holding slot 0's lock (mid-write); thread 8 holds slot 1's.
    Atomics.store(header, 0, 9);
    Atomics.store(header, 4, 8);
    StatsSummaries.releaseLocks(memory, 9);
    expect(Atomics.load(header, 0)).toBe(0);
    expect(Atomics.load(header, 4)).toBe(8);
    expect(summaries.keys).toEqual(['b']);
    expect(summaries.get('a')).toBeNull();
    Atomics.store(header, 4, 0);
    expect(summaries.get('b')?.n).toBe(6);
  });
});
