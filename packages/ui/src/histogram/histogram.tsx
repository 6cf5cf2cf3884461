/**
 * Events over time for a view, as SVG: bars (merged to the available pixels, so 1–10,000 buckets draw
 * as at most one path per series), a red overlay and markers for failed events, a brush that zooms to a
 * time range, zoom out / reset, linear or log scale, and UTC or local axis labels. Keyboard: ←/→ move a
 * cursor bucket, Shift+←/→ extend a selection, Enter zooms to it, `-` zooms out, Escape clears.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, PointerEvent as ReactPointerEvent, ReactElement } from 'react';

import type { THistogram, TViewHandle, TViewerDataSource } from '../data-source';
import type { TTimeZone } from '../common/format';
import { formatCount, formatDuration, formatTime, timeZoneLabel } from '../common/format';
import { Icon } from '../common/icon';
import { useControllable } from '../common/use-controllable';
import type { THistogramColumn } from './histogram-math';
import { binHistogram, formatTick, histogramDomain, linearTicks, logTicks, niceBucketPlan, scaleValue, snapRange, timeTicks, zoomOutRange } from './histogram-math';

/** A time range: `after` inclusive, `before` exclusive, ms UTC. */
export interface TTimeRange {
  readonly after: number;
  readonly before: number;
}

/** Props of `Histogram`. */
export interface THistogramProps {
  readonly source: TViewerDataSource;
  readonly view: TViewHandle | null;
  /** The time filter in force (drawn as the axis extent); absent or `null` for the view's whole extent. */
  readonly range?: { readonly after?: number; readonly before?: number } | null;
  /** A brush, a click on a bar or the keyboard selected a range; `null` for "Reset" (no time filter). */
  readonly onRangeChange?: (range: TTimeRange | null) => void;
  /** Axis labels and tooltips. Default is `'utc'`. */
  readonly timeZone?: TTimeZone;
  /**
   * Buckets to ask for over the range as given. Default: round bucket widths (1 min, 5 min, 1 h, 1 d…) giving
   * at most one bucket per 4 px of plot width, aligned to the width (at most 10,000).
   */
  readonly buckets?: number;
  /** Log scale (controlled); kept internally when absent. */
  readonly logScale?: boolean;
  readonly onLogScaleChange?: (log: boolean) => void;
  /** Plot height in px. Default is 120. */
  readonly height?: number;
  /** The region's heading. Default is `'Events over time'`. */
  readonly title?: string;
}

const MARGIN = { left: 52, right: 14, top: 10, bottom: 24 };
const MAX_BUCKETS = 10_000;

/**
 * The histogram band above the grid.
 *
 * ```tsx
 * <Histogram source={source} view={view} range={timeRangeOf(query)} timeZone={zone}
 *   onRangeChange={(r) => setQuery(withTimeRange(query, r))} />
 * ```
 */
export function Histogram(props: THistogramProps): ReactElement {
  const { source, view, range = null, onRangeChange, timeZone = 'utc', height = 120, title = 'Events over time' } = props;
  const id = useId();
  const plotRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [log, setLog] = useControllable(props.logScale, false, props.onLogScaleChange);

  useLayoutEffect(() => {
    const el = plotRef.current;
    if (el === null) return undefined;
    const measure = (): void => setWidth(el.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const plotWidth = Math.max(0, width - MARGIN.left - MARGIN.right);
  const plotHeight = Math.max(20, height - MARGIN.top - MARGIN.bottom);
  // Round so a resize by a few pixels does not refetch.
  const buckets = Math.min(MAX_BUCKETS, Math.max(10, Math.round(plotWidth / 4 / 25) * 25));

  const [histogram, setHistogram] = useState<THistogram | null>(null);
  const [error, setError] = useState<string | null>(null);
  const viewId = view?.viewId ?? null;
  const after = range?.after;
  const before = range?.before;
  const fixedBuckets = props.buckets;
  useEffect(() => {
    if (viewId === null || plotWidth === 0) return undefined;
    let live = true;
    const load = async (): Promise<THistogram> => {
      let from = after;
      let to = before;
      if (from === undefined || to === undefined) {
        // The view's extent first (one bucket), so the real request can use round buckets.
        const probe = await source.histogram(viewId, { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), buckets: 1 });
        from = probe.from;
        to = probe.to;
      }
      const plan = fixedBuckets === undefined ? niceBucketPlan(from, to, buckets) : { from, to, buckets: fixedBuckets };
      return source.histogram(viewId, { from: plan.from, to: plan.to, buckets: plan.buckets });
    };
    load().then(
      (h) => {
        if (!live) return;
        setHistogram(h);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [source, viewId, after, before, buckets, fixedBuckets, plotWidth === 0]);

  const columns = useMemo(() => (histogram === null ? [] : binHistogram(histogram, Math.max(1, Math.floor(plotWidth)))), [histogram, plotWidth]);
  const domain = histogram === null ? null : histogramDomain(histogram);
  const totals = useMemo(() => {
    let count = 0;
    let failed = 0;
    let max = 0;
    for (const c of columns) {
      count += c.count;
      failed += c.failed;
      max = Math.max(max, c.peak);
    }
    return { count, failed, max };
  }, [columns]);
  const yAxis = log ? logTicks(totals.max) : linearTicks(totals.max);

  const xOf = useCallback(
    (t: number): number => (domain === null || domain.end === domain.from ? 0 : ((t - domain.from) / (domain.end - domain.from)) * plotWidth),
    [domain, plotWidth],
  );
  const tOf = useCallback(
    (x: number): number => (domain === null ? 0 : domain.from + (Math.min(plotWidth, Math.max(0, x)) / Math.max(1, plotWidth)) * (domain.end - domain.from)),
    [domain, plotWidth],
  );
  const columnAt = (x: number): number => {
    if (columns.length === 0) return -1;
    const t = tOf(x);
    let lo = 0;
    let hi = columns.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((columns[mid]?.start ?? 0) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  // Paths: one per series, whatever the bucket count.
  const paths = useMemo(() => {
    let bars = '';
    let failedBars = '';
    let markers = '';
    for (const c of columns) {
      const x0 = xOf(c.start);
      const x1 = xOf(c.end);
      const gap = x1 - x0 > 4 ? 1 : 0;
      const w = Math.max(0.6, x1 - x0 - gap);
      const h = scaleValue(c.peak, yAxis.max, log) * plotHeight;
      if (h > 0) bars += `M${x0.toFixed(2)} ${(plotHeight - h).toFixed(2)}h${w.toFixed(2)}V${plotHeight}h${(-w).toFixed(2)}Z`;
      if (c.failed > 0) {
        // At least 2 px, so one failed event among millions is still visible.
        const fh = Math.max(2, scaleValue(c.failedPeak, yAxis.max, log) * plotHeight);
        failedBars += `M${x0.toFixed(2)} ${(plotHeight - fh).toFixed(2)}h${Math.max(1, w).toFixed(2)}V${plotHeight}h${(-Math.max(1, w)).toFixed(2)}Z`;
        const cx = x0 + w / 2;
        markers += `M${(cx - 3.5).toFixed(2)} -7h7l-3.5 5.5Z`;
      }
    }
    return { bars, failedBars, markers };
  }, [columns, xOf, yAxis.max, log, plotHeight]);

  const xTicks = useMemo(() => {
    if (domain === null || plotWidth === 0) return [];
    const { step, ticks } = timeTicks(domain.from, domain.end, timeZone, Math.max(2, Math.floor(plotWidth / 120)));
    let previous: number | null = null;
    return ticks.map((t) => {
      const label = formatTick(t, step, timeZone, previous);
      previous = t;
      return { t, x: xOf(t), label };
    });
  }, [domain, plotWidth, timeZone, xOf]);

  // Brush, hover and keyboard cursor.
  const [brush, setBrush] = useState<{ x0: number; x1: number } | null>(null);
  const brushRef = useRef<{ x0: number; pointerId: number } | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const [cursor, setCursor] = useState<{ index: number; anchor: number } | null>(null);
  useEffect(() => setCursor(null), [histogram]);

  const emitColumns = (a: number, b: number): void => {
    const first = columns[Math.min(a, b)];
    const last = columns[Math.max(a, b)];
    if (first === undefined || last === undefined || histogram === null) return;
    onRangeChange?.(snapRange(histogram, first.start, last.end - 1));
  };

  const localX = (event: ReactPointerEvent): number => {
    const rect = event.currentTarget.getBoundingClientRect();
    return event.clientX - rect.left;
  };
  const onPointerDown = (event: ReactPointerEvent<SVGRectElement>): void => {
    if (event.button !== 0 || histogram === null) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const x = localX(event);
    brushRef.current = { x0: x, pointerId: event.pointerId };
    setBrush({ x0: x, x1: x });
  };
  const onPointerMove = (event: ReactPointerEvent<SVGRectElement>): void => {
    const x = localX(event);
    setHover(columnAt(x));
    if (brushRef.current !== null) setBrush({ x0: brushRef.current.x0, x1: Math.min(plotWidth, Math.max(0, x)) });
  };
  const onPointerUp = (event: ReactPointerEvent<SVGRectElement>): void => {
    const start = brushRef.current;
    brushRef.current = null;
    setBrush(null);
    if (start === null || histogram === null) return;
    const x = Math.min(plotWidth, Math.max(0, localX(event)));
    if (Math.abs(x - start.x0) < 3) {
      // A click: zoom to the bar under the pointer.
      const index = columnAt(x);
      if (index >= 0) emitColumns(index, index);
      return;
    }
    onRangeChange?.(snapRange(histogram, tOf(start.x0), tOf(x)));
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (columns.length === 0) return;
    const last = columns.length - 1;
    const current = cursor ?? { index: hover ?? 0, anchor: hover ?? 0 };
    const move = (index: number): void => {
      const next = Math.min(last, Math.max(0, index));
      setCursor({ index: next, anchor: event.shiftKey ? current.anchor : next });
    };
    switch (event.key) {
      case 'ArrowLeft':
        move(cursor === null ? 0 : current.index - 1);
        break;
      case 'ArrowRight':
        move(cursor === null ? 0 : current.index + 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(last);
        break;
      case 'Enter':
        if (cursor !== null) emitColumns(cursor.anchor, cursor.index);
        break;
      case '-':
        if (histogram !== null && range !== null && (range.after !== undefined || range.before !== undefined)) {
          onRangeChange?.(zoomOutRange({ after: histogram.from, before: domain?.end ?? histogram.to }));
        }
        break;
      case 'Escape':
        setCursor(null);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const focusColumn: THistogramColumn | undefined = cursor === null ? (hover === null ? undefined : columns[hover]) : columns[cursor.index];
  const describe = (c: THistogramColumn): string =>
    `${formatTime(c.start, timeZone, 'second')} – ${formatTime(c.end, timeZone, 'second')}: ${formatCount(c.count)} events${c.failed > 0 ? `, ${formatCount(c.failed)} failed` : ''}`;
  const filtered = range !== null && (range.after !== undefined || range.before !== undefined);
  const selection =
    cursor !== null && columns[Math.min(cursor.anchor, cursor.index)] !== undefined
      ? { x0: xOf(columns[Math.min(cursor.anchor, cursor.index)]?.start ?? 0), x1: xOf(columns[Math.max(cursor.anchor, cursor.index)]?.end ?? 0) }
      : null;

  return (
    <section className="cu-histogram" aria-labelledby={`${id}-title`}>
      <header className="cu-histogram-head">
        <h2 id={`${id}-title`} className="cu-panel-title">
          {title}
        </h2>
        <span className="cu-histogram-summary" data-testid="histogram-summary">
          {histogram === null ? 'Loading…' : `${formatCount(totals.count)} events · ${formatDuration(histogram.bucketMs)} buckets`}
        </span>
        <span className="cu-legend">
          <span className="cu-legend-item">
            <span className="cu-swatch cu-swatch-events" /> Events
          </span>
          <span className={`cu-legend-item${totals.failed > 0 ? ' is-alarm' : ''}`}>
            <span className="cu-swatch cu-swatch-failed" /> Failed {histogram === null ? '' : formatCount(totals.failed)}
          </span>
        </span>
        <span className="cu-spacer" />
        <div className="cu-button-row" role="group" aria-label="Histogram controls">
          <button
            type="button"
            className="cu-button cu-button-quiet"
            disabled={!filtered || histogram === null}
            onClick={() => {
              if (histogram !== null) onRangeChange?.(zoomOutRange({ after: histogram.from, before: domain?.end ?? histogram.to }));
            }}
          >
            <Icon name="zoomOut" /> Zoom out
          </button>
          <button type="button" className="cu-button cu-button-quiet" disabled={!filtered} onClick={() => onRangeChange?.(null)}>
            <Icon name="reset" /> Reset
          </button>
          <button type="button" className="cu-button cu-button-quiet" aria-pressed={log} onClick={() => setLog(!log)}>
            Log scale
          </button>
        </div>
      </header>
      <div
        ref={plotRef}
        className="cu-histogram-plot"
        style={{ height }}
        tabIndex={0}
        role="group"
        aria-roledescription="histogram"
        aria-label={`${title}. Drag or use the arrow keys with Shift to select a time range, Enter to zoom to it, minus to zoom out.`}
        aria-describedby={`${id}-live`}
        onKeyDown={onKeyDown}
      >
        {width > 0 ? (
          <svg width={width} height={height} className="cu-histogram-svg" aria-hidden="true">
            <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
              {yAxis.ticks.map((tick) => {
                const y = plotHeight - scaleValue(tick, yAxis.max, log) * plotHeight;
                return (
                  <g key={tick} className="cu-axis-y">
                    {tick === 0 ? null : <line x1={0} x2={plotWidth} y1={y} y2={y} className="cu-grid-line" />}
                    <text x={-8} y={y} dy="0.32em" textAnchor="end">
                      {formatCount(tick)}
                    </text>
                  </g>
                );
              })}
              <line x1={0} x2={plotWidth} y1={plotHeight} y2={plotHeight} className="cu-axis-base" />
              {xTicks.map((tick) => (
                <g key={tick.t} className="cu-axis-x" transform={`translate(${tick.x},${plotHeight})`}>
                  <line y1={0} y2={4} />
                  <text y={16} textAnchor={tick.x < 40 ? 'start' : tick.x > plotWidth - 40 ? 'end' : 'middle'}>
                    {tick.label}
                  </text>
                </g>
              ))}
              <path d={paths.bars} className="cu-bars" />
              <path d={paths.failedBars} className="cu-bars-failed" />
              <path d={paths.markers} className="cu-failed-markers" />
              {focusColumn === undefined ? null : (
                <rect x={xOf(focusColumn.start)} y={0} width={Math.max(1, xOf(focusColumn.end) - xOf(focusColumn.start))} height={plotHeight} className="cu-hover-band" />
              )}
              {selection === null ? null : <rect x={selection.x0} y={0} width={Math.max(1, selection.x1 - selection.x0)} height={plotHeight} className="cu-brush" />}
              {brush === null ? null : (
                <rect x={Math.min(brush.x0, brush.x1)} y={0} width={Math.abs(brush.x1 - brush.x0)} height={plotHeight} className="cu-brush" data-testid="histogram-brush" />
              )}
              <rect
                x={0}
                y={0}
                width={plotWidth}
                height={plotHeight}
                className="cu-histogram-hit"
                data-testid="histogram-hit"
                onPointerDown={onPointerDown}
                onPointerMove={onPointerMove}
                onPointerUp={onPointerUp}
                onPointerLeave={() => setHover(null)}
                onPointerCancel={() => {
                  brushRef.current = null;
                  setBrush(null);
                }}
              />
            </g>
            <text x={width - MARGIN.right} y={height - 2} textAnchor="end" className="cu-axis-zone">
              {timeZoneLabel(timeZone, domain?.from)}
            </text>
          </svg>
        ) : null}
        {histogram !== null && totals.count === 0 ? <div className="cu-histogram-empty">No events in this range.</div> : null}
        {error === null ? null : (
          <div className="cu-histogram-empty" role="alert">
            Could not load the histogram: {error}
          </div>
        )}
        {focusColumn !== undefined && cursor === null && hover !== null ? (
          <div className="cu-tooltip" style={{ left: Math.min(width - 220, Math.max(0, MARGIN.left + xOf(focusColumn.start) + 8)), top: 4 }}>
            {describe(focusColumn)}
          </div>
        ) : null}
      </div>
      <div id={`${id}-live`} className="cu-visually-hidden" aria-live="polite">
        {cursor !== null && focusColumn !== undefined ? describe(focusColumn) : ''}
      </div>
    </section>
  );
}
