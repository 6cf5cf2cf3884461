import { useMemo } from 'react';

import type { TEventStats } from '../lib/api-client';
import { formatCount, formatDuration, formatUtc } from '../lib/format';

/** Most buckets drawn with empty gaps filled in; past that, only the non-empty ones are drawn. */
const MAX_FILLED = 720;

interface TBar {
  start: number;
  end: number;
  count: number;
}

/** The server returns non-empty buckets only: fill the gaps so time runs evenly along the axis. */
export function fillBuckets(stats: TEventStats, after: string | null, before: string | null): TBar[] {
  const width = stats.bucketMs;
  const given = stats.buckets.map((b) => ({ start: Date.parse(b.start), count: b.count }));
  if (given.length === 0) return [];
  let lo = Math.min(...given.map((b) => b.start));
  let hi = Math.max(...given.map((b) => b.start));
  const afterMs = after === null ? NaN : Date.parse(after);
  const beforeMs = before === null ? NaN : Date.parse(before);
  if (!Number.isNaN(afterMs)) lo = Math.min(lo, Math.floor(afterMs / width) * width);
  if (!Number.isNaN(beforeMs)) hi = Math.max(hi, Math.floor((beforeMs - 1) / width) * width);
  const n = Math.round((hi - lo) / width) + 1;
  if (n > MAX_FILLED) return given.map((b) => ({ start: b.start, end: b.start + width, count: b.count }));
  const counts = new Map(given.map((b) => [b.start, b.count]));
  return Array.from({ length: n }, (_, i) => {
    const start = lo + i * width;
    return { start, end: start + width, count: counts.get(start) ?? 0 };
  });
}

/**
 * Events over time for the current filter (from `events.stats`). Clicking a bar narrows the time range to
 * that bucket.
 */
export function Histogram({ stats, after, before, onSelect }: {
  stats: TEventStats;
  after: string | null;
  before: string | null;
  onSelect: (after: string, before: string) => void;
}) {
  const bars = useMemo(() => fillBuckets(stats, after, before), [stats, after, before]);
  if (bars.length === 0) return <div className="histogram-empty">No events in this range.</div>;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const n = bars.length;
  const gap = n > 200 ? 0.05 : 0.15;
  const first = bars[0];
  const last = bars[n - 1];
  const middle = bars[Math.floor(n / 2)];
  const iso = (ms: number) => new Date(ms).toISOString();
  return (
    <div className="histogram" data-testid="histogram" data-total={stats.total} data-bucket-ms={stats.bucketMs}>
      <div className="histogram-y" aria-hidden="true">
        <span>{formatCount(max)}</span>
        <span>{max >= 2 ? formatCount(Math.round(max / 2)) : ''}</span>
        <span>0</span>
      </div>
      <div className="histogram-plot">
        <svg
          viewBox={`0 0 ${n} 100`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${formatCount(stats.total)} events in ${n} buckets of ${formatDuration(stats.bucketMs)}`}
        >
          <line x1="0" x2={n} y1="50" y2="50" className="gridline" vectorEffect="non-scaling-stroke" />
          {bars.map((bar, i) => {
            const height = bar.count === 0 ? 0 : Math.max(1.5, (bar.count / max) * 100);
            const label = `${formatCount(bar.count)} events · ${formatUtc(iso(bar.start), { ms: false })} to ${formatUtc(iso(bar.end), { ms: false })} UTC`;
            return (
              <g key={bar.start} className="bucket" onClick={() => onSelect(iso(bar.start), iso(bar.end))}>
                <title>{label}</title>
                <rect className="hit" x={i} width={1} y={0} height={100} />
                {bar.count > 0 && (
                  <rect className="bar" data-count={bar.count} data-start={iso(bar.start)} x={i + gap} width={1 - 2 * gap} y={100 - height} height={height} />
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <div className="histogram-x" aria-hidden="true">
        <span>{first !== undefined && formatUtc(iso(first.start), { ms: false })}</span>
        <span>{middle !== undefined && n > 2 && formatUtc(iso(middle.start), { ms: false })}</span>
        <span>{last !== undefined && formatUtc(iso(last.end), { ms: false })}</span>
      </div>
    </div>
  );
}
