import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { THistogram } from '../data-source';
import { binHistogram, chooseTimeStep, formatTick, linearTicks, logTicks, niceBucketPlan, niceStep, scaleValue, snapRange, timeTicks, zoomOutRange } from './histogram-math';

const H = Date.UTC(2026, 0, 1);
const hist = (counts: number[], bucketMs = 1000, failed?: number[]): THistogram => ({
  from: H,
  to: H + counts.length * bucketMs,
  bucketMs,
  counts,
  failed: failed ?? counts.map(() => 0),
});

describe('binHistogram', () => {
  describe('when there are fewer buckets than columns', () => {
    it('keeps one column per bucket', () => {
      const columns = binHistogram(hist([1, 2, 3], 1000, [0, 1, 0]), 100);
      expect(columns.map((c) => [c.count, c.failed, c.start - H, c.end - H])).toEqual([
        [1, 0, 0, 1000],
        [2, 1, 1000, 2000],
        [3, 0, 2000, 3000],
      ]);
    });
  });

  describe('when 10,000 buckets meet 700 pixels', () => {
    it('merges evenly and preserves the totals', () => {
      const counts = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 13);
      const failed = counts.map((c, i) => (i % 97 === 0 ? Math.min(c, 1) : 0));
      const columns = binHistogram(hist(counts, 60_000, failed), 700);
      expect(columns).toHaveLength(700);
      expect(columns.reduce((s, c) => s + c.count, 0)).toBe(counts.reduce((s, c) => s + c, 0));
      expect(columns.reduce((s, c) => s + c.failed, 0)).toBe(failed.reduce((s, c) => s + c, 0));
      const sizes = new Set(columns.map((c) => c.lastBucket - c.firstBucket + 1));
      expect([...sizes].sort()).toEqual([14, 15]);
      expect(columns[0]?.start).toBe(H);
      expect(columns.every((c) => c.peak <= 12 && c.peak > 0)).toBe(true);
      expect(Math.max(...columns.map((c) => c.peak))).toBe(Math.max(...counts));
      expect(columns[699]?.end).toBe(H + 10_000 * 60_000);
    });
  });

  it('covers every bucket exactly once for any sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 3000 }), (n, width) => {
        const columns = binHistogram(hist(Array.from({ length: n }, () => 1)), width);
        expect(columns.length).toBe(Math.min(n, width));
        let next = 0;
        for (const c of columns) {
          expect(c.firstBucket).toBe(next);
          expect(c.lastBucket).toBeGreaterThanOrEqual(c.firstBucket);
          next = c.lastBucket + 1;
        }
        expect(next).toBe(n);
      }),
      { numRuns: 150 },
    );
  });
});

describe('value ticks', () => {
  it('chooses 1-2-5 steps and a top tick at or above the maximum', () => {
    expect(niceStep(3)).toBe(5);
    expect(niceStep(0.2)).toBe(1);
    expect(linearTicks(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(linearTicks(37)).toEqual({ max: 40, ticks: [0, 10, 20, 30, 40] });
    expect(linearTicks(1234).max).toBe(1500);
    expect(logTicks(2500).ticks).toEqual([1, 10, 100, 1000]);
  });

  it('scales linearly or logarithmically, 0 staying at the baseline', () => {
    expect(scaleValue(50, 100, false)).toBe(0.5);
    expect(scaleValue(0, 100, true)).toBe(0);
    expect(scaleValue(1, 1_000_000, true)).toBeGreaterThan(0.04);
    expect(scaleValue(1_000_000, 1_000_000, true)).toBe(1);
  });
});

describe('time ticks', () => {
  it('picks a step for the span', () => {
    expect(chooseTimeStep(60_000, 6)).toEqual({ unit: 'second', count: 10 });
    expect(chooseTimeStep(86_400_000, 8)).toEqual({ unit: 'hour', count: 3 });
    expect(chooseTimeStep(365 * 86_400_000, 8)).toEqual({ unit: 'month', count: 2 });
  });

  it('lands UTC ticks on calendar boundaries and labels them', () => {
    const from = Date.UTC(2026, 0, 1, 10, 17);
    const { step, ticks } = timeTicks(from, from + 86_400_000, 'utc', 8);
    expect(step).toEqual({ unit: 'hour', count: 3 });
    expect(ticks[0]).toBe(Date.UTC(2026, 0, 1, 12));
    expect(ticks.every((t) => new Date(t).getUTCHours() % 3 === 0 && new Date(t).getUTCMinutes() === 0)).toBe(true);
    expect(formatTick(ticks[0]!, step, 'utc', null)).toBe('2026-01-01 12:00');
    expect(formatTick(ticks[1]!, step, 'utc', ticks[0]!)).toBe('15:00');
    expect(formatTick(Date.UTC(2026, 0, 2), step, 'utc', ticks[3]!)).toBe('2026-01-02 00:00');
  });

  it('lands month ticks on the 1st and local day ticks on local midnight', () => {
    const { ticks } = timeTicks(Date.UTC(2025, 10, 15), Date.UTC(2026, 4, 1), 'utc', 8);
    expect(ticks.every((t) => new Date(t).getUTCDate() === 1)).toBe(true);
    const local = timeTicks(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 8), 'local', 10);
    expect(local.step.unit).toBe('day');
    expect(local.ticks.every((t) => new Date(t).getHours() === 0 && new Date(t).getMinutes() === 0)).toBe(true);
  });
});

describe('brush', () => {
  it('snaps to whole buckets in either drag direction, at least one bucket wide', () => {
    const h = hist(Array.from({ length: 60 }, () => 1), 60_000);
    expect(snapRange(h, H + 90_000, H + 150_000)).toEqual({ after: H + 60_000, before: H + 180_000 });
    expect(snapRange(h, H + 150_000, H + 90_000)).toEqual({ after: H + 60_000, before: H + 180_000 });
    expect(snapRange(h, H + 60_000, H + 60_000)).toEqual({ after: H + 60_000, before: H + 120_000 });
  });

  it('zooms out to twice the width around the centre', () => {
    expect(zoomOutRange({ after: 1000, before: 2000 })).toEqual({ after: 500, before: 2500 });
  });
});

describe('niceBucketPlan', () => {
  it('picks a round width and aligns the range to it', () => {
    const plan = niceBucketPlan(Date.UTC(2026, 0, 1, 10, 17), Date.UTC(2026, 0, 2, 9, 3), 300);
    expect(plan.bucketMs).toBe(300_000);
    expect(plan.from).toBe(Date.UTC(2026, 0, 1, 10, 15));
    expect(plan.to).toBe(Date.UTC(2026, 0, 2, 9, 5));
    expect(plan.buckets).toBe(274);
  });

  it('never exceeds the bucket budget and always covers the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 1, max: 5e11 }), fc.integer({ min: 1, max: 10_000 }), (from, span, max) => {
        const plan = niceBucketPlan(from, from + span, max);
        expect(plan.from).toBeLessThanOrEqual(from);
        expect(plan.to).toBeGreaterThanOrEqual(from + span);
        expect(plan.buckets * plan.bucketMs).toBe(plan.to - plan.from);
        if (plan.bucketMs <= 28 * 86_400_000) expect(plan.buckets).toBeLessThanOrEqual(max);
      }),
    );
  });
});
