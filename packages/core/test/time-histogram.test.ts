/**
 * `TimeHistogram` counts exactly what grouping every time by `floor(t / width) * width` counts, for the width
 * chosen from the times' range once all are seen: times in and out of order, before 1970, on bucket
 * bounds, over ranges that coarsen its cells past a day, and a requested width far narrower than the range.
 */
import { describe, expect, it } from 'vitest';

import { TimeHistogram, resolutionFor } from '../src/time-histogram';

const WIDTHS = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000, 2_592_000_000];
const choose = (lo: number, hi: number) => WIDTHS.find((w) => Math.max(hi - lo, 1) / w <= 120) ?? 2_592_000_000;

function expected(times: readonly number[], width: number) {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / width) * width, (counts.get(Math.floor(t / width) * width) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count }));
}

/** A small deterministic generator (no flaky seeds). */
function random(seed: number) {
  let s = seed;
  return () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
}

describe('time histogram', () => {
  const START = Date.UTC(2026, 2, 1);
  const cases: [string, number[]][] = [
    ['one time', [START]],
    ['in order over a minute', Array.from({ length: 500 }, (_, i) => START + i * 113)],
    ['in order over 90 days', Array.from({ length: 20_000 }, (_, i) => START + i * 388_800)],
    ['out of order over 3 days, on bucket bounds', Array.from({ length: 5_000 }, (_, i) => START + ((i * 7919) % 5_000) * 60_000 - (i % 2 === 0 ? 0 : 1))],
    ['before and after 1970', Array.from({ length: 3_000 }, (_, i) => (i - 1_500) * 7_777_777)],
    ['before 1970 in order, on and beside bucket bounds', Array.from({ length: 3_000 }, (_, i) => -3_000 * 60_000 + Math.floor(i / 3) * 60_000 + (i % 3) - 1)],
    ['far before 1970 (year 0)', Array.from({ length: 500 }, (_, i) => -62_167_219_200_000 + i * 1_234_567)],
    ['over 40 years', Array.from({ length: 3_000 }, (_, i) => START - i * 431_000_000)],
    ['backwards, then a jump far ahead', [...Array.from({ length: 1_000 }, (_, i) => START - i * 1_000), START + 400 * 86_400_000]],
  ];
  const rand = random(7);
  cases.push(['random over a year', Array.from({ length: 10_000 }, () => START + Math.floor(rand() * 365 * 86_400_000))]);

  for (const [name, times] of cases) {
    it(`counts per chosen width: ${name}`, () => {
      const histogram = new TimeHistogram({ widths: WIDTHS, choose });
      for (const t of times) histogram.add(t);
      const width = choose(Math.min(...times), Math.max(...times) + 1);
      expect(histogram.buckets(width)).toEqual(expected(times, width));
    });
  }

  // A saved range of 40 years, then times within a minute of its end: the restored range, not the new times', decides.
  const restoreCases: [string, number[]][] = [
    ...cases,
    ['forty years, then a minute', [START - 40 * 365 * 86_400_000, START, ...Array.from({ length: 498 }, (_, i) => START + i * 120)]],
  ];
  for (const [name, times] of restoreCases) {
    it(`goes on counting from a saved state as if never stopped: ${name}`, () => {
      const width = choose(Math.min(...times), Math.max(...times) + 1);
      for (const cut of [1, Math.floor(times.length / 3), times.length - 1]) {
        if (cut < 1 || cut >= times.length) continue;
        const before = new TimeHistogram({ widths: WIDTHS, choose });
        for (const t of times.slice(0, cut)) before.add(t);
        const state = before.state();
        if (state === null) throw new Error('no state');
        const after = TimeHistogram.restore({ widths: WIDTHS, choose }, state);
        // The state is a copy: counting on in the first histogram changes nothing restored from it.
        before.add(times[0] ?? 0);
        for (const t of times.slice(cut)) after.add(t);
        expect(after.buckets(width)).toEqual(expected(times, width));
        // And in cells as coarse as one histogram's of every time (not refined to the new times' narrower range).
        const whole = new TimeHistogram({ widths: WIDTHS, choose });
        for (const t of times) whole.add(t);
        expect(after.state()?.resolution).toBe(whole.state()?.resolution);
      }
    });
  }

  it('has no state to save before its first time or once its counts are in a map', () => {
    const histogram = new TimeHistogram({ widths: WIDTHS, choose });
    expect(histogram.state()).toBeNull();
    const narrow = new TimeHistogram(1_000);
    narrow.add(START);
    narrow.add(START + 40 * 365 * 86_400_000);
    expect(narrow.state()).toBeNull();
  });

  it('counts per a width given in advance, however many buckets the range spans', () => {
    const times = Array.from({ length: 2_000 }, (_, i) => START + i * 3_600_000 * 24 * 3 + (i % 5));
    for (const width of [1_000, 7_000, 86_400_000]) {
      const histogram = new TimeHistogram(width);
      for (const t of times) histogram.add(t);
      expect(histogram.buckets(width)).toEqual(expected(times, width));
    }
  });

  it('puts a time before 1970 in the bucket that starts at or before it, not the one after', () => {
    const histogram = new TimeHistogram(3_600_000);
    for (const t of [Date.parse('1969-12-31T23:30:00Z'), Date.parse('1969-12-31T23:00:00Z'), Date.parse('1969-12-31T22:59:59.999Z'), 0]) histogram.add(t);
    expect(histogram.buckets(3_600_000)).toEqual([
      { start: Date.parse('1969-12-31T22:00:00Z'), count: 1 },
      { start: Date.parse('1969-12-31T23:00:00Z'), count: 2 },
      { start: 0, count: 1 },
    ]);
  });

  it('refuses a width its cells cannot be merged into', () => {
    const histogram = new TimeHistogram({ widths: WIDTHS, choose });
    histogram.add(START);
    expect(() => histogram.buckets(1_500)).toThrow('not a multiple');
  });

  it('keeps cells that divide every width the range may still lead to', () => {
    expect(resolutionFor(WIDTHS, 3_600_000)).toBe(3_600_000);
    expect(resolutionFor(WIDTHS, 604_800_000)).toBe(86_400_000);
    expect(resolutionFor(WIDTHS, 2_592_000_000)).toBe(2_592_000_000);
    expect(resolutionFor([1_000, 1_500], 1_000)).toBe(500);
  });
});
