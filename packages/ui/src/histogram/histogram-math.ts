/**
 * The histogram's pure math: binning up to 10,000 buckets into the pixels available, nice value ticks
 * (linear and log), calendar-aligned time ticks in UTC or local time, and brush snapping.
 */
import type { THistogram } from '../data-source';
import type { TTimeZone } from '../common/format';
import { formatTime, timeParts } from '../common/format';

/** One drawn bar: one or more consecutive buckets merged. `end` is exclusive. */
export interface THistogramColumn {
  readonly start: number;
  readonly end: number;
  /** Events in the merged buckets (the tooltip's number). */
  readonly count: number;
  readonly failed: number;
  /**
   * The largest single bucket among those merged: the bar's height, so the value axis always means "events
   * per bucket", a burst inside a merged column stays visible, and columns merging 7 or 8 buckets do not
   * alternate in height.
   */
  readonly peak: number;
  readonly failedPeak: number;
  /** The first and last bucket indexes merged into it. */
  readonly firstBucket: number;
  readonly lastBucket: number;
}

/** The time axis: `[from, end)` where `end = from + buckets × bucketMs` (the last bucket may pass `to`). */
export function histogramDomain(histogram: THistogram): { from: number; end: number } {
  const end = histogram.from + Math.max(1, histogram.counts.length) * histogram.bucketMs;
  return { from: histogram.from, end: Math.max(end, histogram.to) };
}

/**
 * Merges buckets so there are at most `maxColumns` bars: `count`/`failed` sum the merged buckets (totals are
 * preserved), `peak`/`failedPeak` keep the largest one. Column `c` takes buckets `⌈c·n/columns⌉ …`, so
 * columns differ by at most one bucket.
 */
export function binHistogram(histogram: THistogram, maxColumns: number): THistogramColumn[] {
  const n = histogram.counts.length;
  if (n === 0) return [];
  const columns = Math.max(1, Math.min(n, Math.floor(maxColumns)));
  const out: THistogramColumn[] = [];
  for (let column = 0; column < columns; column++) {
    const firstBucket = Math.ceil((column * n) / columns);
    const lastBucket = Math.ceil(((column + 1) * n) / columns) - 1;
    let count = 0;
    let failed = 0;
    let peak = 0;
    let failedPeak = 0;
    for (let b = firstBucket; b <= lastBucket; b++) {
      const c = histogram.counts[b] ?? 0;
      const f = histogram.failed[b] ?? 0;
      count += c;
      failed += f;
      if (c > peak) peak = c;
      if (f > failedPeak) failedPeak = f;
    }
    out.push({
      start: histogram.from + firstBucket * histogram.bucketMs,
      end: histogram.from + (lastBucket + 1) * histogram.bucketMs,
      count,
      failed,
      peak,
      failedPeak,
      firstBucket,
      lastBucket,
    });
  }
  return out;
}

/** The smallest of 1, 2, 5 × 10^k (k ≥ 0) at least `value` (at least 1). */
export function niceStep(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= value) return factor * power;
  }
  return 10 * power;
}

/** Value axis: ticks from 0 in nice steps, at most `maxTicks + 1` of them; `max` is the top tick. */
export function linearTicks(maxValue: number, maxTicks = 4): { max: number; ticks: number[] } {
  const step = niceStep(Math.max(1, maxValue) / Math.max(1, maxTicks));
  const max = Math.max(step, Math.ceil(Math.max(1, maxValue) / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= max; t += step) ticks.push(t);
  return { max, ticks };
}

/** Log axis: the powers of ten up to `maxValue` (the baseline is 0); `max` is `maxValue` (at least 1). */
export function logTicks(maxValue: number): { max: number; ticks: number[] } {
  const max = Math.max(1, maxValue);
  const ticks: number[] = [];
  for (let t = 1; t <= max; t *= 10) ticks.push(t);
  return { max, ticks };
}

/** A count's height as a fraction of the plot: linear, or `log10(1 + v) / log10(1 + max)` (0 stays 0). */
export function scaleValue(value: number, max: number, log: boolean): number {
  if (value <= 0 || max <= 0) return 0;
  const fraction = log ? Math.log10(1 + value) / Math.log10(1 + max) : value / max;
  return Math.min(1, fraction);
}

/** A time-axis step: `count` units. */
export interface TTimeStep {
  readonly unit: 'millisecond' | 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';
  readonly count: number;
}

const STEPS: readonly (readonly [TTimeStep['unit'], number, number])[] = [
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500].map((n) => ['millisecond', n, n] as const),
  ...[1, 2, 5, 10, 15, 30].map((n) => ['second', n, n * 1000] as const),
  ...[1, 2, 5, 10, 15, 30].map((n) => ['minute', n, n * 60_000] as const),
  ...[1, 2, 3, 6, 12].map((n) => ['hour', n, n * 3_600_000] as const),
  ...[1, 2, 7, 14].map((n) => ['day', n, n * 86_400_000] as const),
  ...[1, 2, 3, 6].map((n) => ['month', n, n * 30 * 86_400_000] as const),
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((n) => ['year', n, n * 365 * 86_400_000] as const),
];

/** The smallest step giving at most `maxTicks` ticks over `span` ms. */
export function chooseTimeStep(span: number, maxTicks: number): TTimeStep {
  for (const [unit, count, approx] of STEPS) {
    if (span / approx <= Math.max(1, maxTicks)) return { unit, count };
  }
  return { unit: 'year', count: 1000 };
}

function compose(zone: TTimeZone, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  if (zone === 'utc') {
    date.setUTCFullYear(y, mo - 1, d);
    date.setUTCHours(h, mi, s, ms);
  } else {
    date.setFullYear(y, mo - 1, d);
    date.setHours(h, mi, s, ms);
  }
  return date.getTime();
}

/** The latest step boundary at or before `ms` in `zone` (e.g. local midnight for 1-day steps). */
export function floorToStep(ms: number, step: TTimeStep, zone: TTimeZone): number {
  if (step.unit === 'millisecond') return Math.floor(ms / step.count) * step.count;
  const p = timeParts(ms, zone);
  const k = step.count;
  switch (step.unit) {
    case 'second':
      return compose(zone, p.year, p.month, p.day, p.hour, p.minute, Math.floor(p.second / k) * k, 0);
    case 'minute':
      return compose(zone, p.year, p.month, p.day, p.hour, Math.floor(p.minute / k) * k, 0, 0);
    case 'hour':
      return compose(zone, p.year, p.month, p.day, Math.floor(p.hour / k) * k, 0, 0, 0);
    case 'day':
      // 7- and 14-day steps restart on the 1st of each month (ticks 1, 8, 15, 22, 29).
      return compose(zone, p.year, p.month, Math.floor((p.day - 1) / k) * k + 1, 0, 0, 0, 0);
    case 'month':
      return compose(zone, p.year, Math.floor((p.month - 1) / k) * k + 1, 1, 0, 0, 0, 0);
    case 'year':
      return compose(zone, Math.floor(p.year / k) * k, 1, 1, 0, 0, 0, 0);
  }
}

function addStep(ms: number, step: TTimeStep, zone: TTimeZone): number {
  if (step.unit === 'millisecond') return ms + step.count;
  const p = timeParts(ms, zone);
  const k = step.count;
  switch (step.unit) {
    case 'second':
      return compose(zone, p.year, p.month, p.day, p.hour, p.minute, p.second + k, 0);
    case 'minute':
      return compose(zone, p.year, p.month, p.day, p.hour, p.minute + k, 0, 0);
    case 'hour':
      return compose(zone, p.year, p.month, p.day, p.hour + k, 0, 0, 0);
    case 'day':
      return compose(zone, p.year, p.month, p.day + k, 0, 0, 0, 0);
    case 'month':
      return compose(zone, p.year, p.month + k, 1, 0, 0, 0, 0);
    case 'year':
      return compose(zone, p.year + k, 1, 1, 0, 0, 0, 0);
  }
}

/**
 * Calendar-aligned ticks in `[from, to]`: at most about `maxTicks` of them, on step boundaries in `zone`
 * (local ticks fall on local midnights and hours).
 */
export function timeTicks(from: number, to: number, zone: TTimeZone, maxTicks: number): { step: TTimeStep; ticks: number[] } {
  const step = chooseTimeStep(Math.max(1, to - from), maxTicks);
  const ticks: number[] = [];
  let t = floorToStep(from, step, zone);
  if (t < from) t = floorToStep(addStep(t, step, zone), step, zone);
  let guard = 0;
  while (t <= to && guard++ < 1000) {
    ticks.push(t);
    const next = floorToStep(addStep(t, step, zone), step, zone);
    // A boundary that does not advance (DST, a month restart) steps once more.
    t = next > t ? next : addStep(next, step, zone);
  }
  return { step, ticks };
}

/**
 * A tick's label for its step: years `2026`, months `2026-03`, days `2026-03-14`, times `09:30` (with the
 * date on the first tick and when the day changes), seconds `09:30:15`, milliseconds `09:30:15.250`.
 */
export function formatTick(ms: number, step: TTimeStep, zone: TTimeZone, previous: number | null): string {
  if (step.unit === 'year') return String(timeParts(ms, zone).year).padStart(4, '0');
  if (step.unit === 'month') return formatTime(ms, zone, 'day').slice(0, 7);
  if (step.unit === 'day') return formatTime(ms, zone, 'day');
  const full = formatTime(ms, zone, step.unit === 'millisecond' ? 'millisecond' : step.unit === 'second' ? 'second' : 'minute');
  const newDay = previous === null || formatTime(previous, zone, 'day') !== full.slice(0, 10);
  return newDay ? full : full.slice(11);
}

/**
 * The range a brush from `t0` to `t1` selects, widened to whole buckets: `after` on the boundary at or
 * before the earlier time, `before` on the boundary after the later one (at least one bucket).
 */
export function snapRange(histogram: THistogram, t0: number, t1: number): { after: number; before: number } {
  const { from, bucketMs } = histogram;
  const lo = Math.min(t0, t1);
  const hi = Math.max(t0, t1);
  const first = Math.floor((lo - from) / bucketMs);
  const last = Math.max(first + 1, Math.ceil((hi - from) / bucketMs));
  return { after: Math.round(from + first * bucketMs), before: Math.round(from + last * bucketMs) };
}

/** The range twice as wide around the same centre (zoom out one step). */
export function zoomOutRange(range: { after: number; before: number }): { after: number; before: number } {
  const width = Math.max(1, range.before - range.after);
  return { after: Math.round(range.after - width / 2), before: Math.round(range.before + width / 2) };
}

/** Bucket widths the histogram snaps to, so bars and brushes fall on round times. */
const NICE_BUCKETS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1000, 2000, 5000, 10_000, 15_000, 30_000,
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000,
  86_400_000, 2 * 86_400_000, 7 * 86_400_000, 14 * 86_400_000, 28 * 86_400_000,
];

/**
 * A histogram request with round buckets: the smallest nice width giving at most `maxBuckets` buckets over
 * `[from, to)`, and `from`/`to` widened to multiples of it (UTC-aligned; weeks and longer align to the
 * epoch). Returns what to pass to `TViewerDataSource.histogram`.
 *
 * ```ts
 * niceBucketPlan(Date.UTC(2026, 0, 1, 10, 17), Date.UTC(2026, 0, 2, 9, 3), 300);
 * // { from: …T10:15Z, to: …T09:05Z, bucketMs: 300000, buckets: 274 }
 * ```
 */
export function niceBucketPlan(from: number, to: number, maxBuckets: number): { from: number; to: number; bucketMs: number; buckets: number } {
  const span = Math.max(1, to - from);
  const limit = Math.max(1, Math.floor(maxBuckets));
  let bucketMs = NICE_BUCKETS_MS.find((size) => Math.ceil(to / size) - Math.floor(from / size) <= limit);
  if (bucketMs === undefined) {
    // Longer than the table covers: whole multiples of 28 days.
    const week4 = 28 * 86_400_000;
    bucketMs = Math.ceil(span / limit / week4 + 1) * week4;
  }
  const start = Math.floor(from / bucketMs) * bucketMs;
  const end = Math.max(start + bucketMs, Math.ceil(to / bucketMs) * bucketMs);
  return { from: start, to: end, bucketMs, buckets: Math.round((end - start) / bucketMs) };
}
