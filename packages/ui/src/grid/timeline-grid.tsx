/**
 * The timeline grid: a virtualized, keyboard-driven table over a materialized view of millions of rows.
 *
 * 1. Geometry: `createScrollMapping` maps the real scrollbar to a virtual offset, so views taller than the
 *    browser's maximum element height (viewer.md §6.1) scroll end to end (scaled scroll).
 * 2. Layout: inside the scroll container, a sticky header and a sticky, viewport-sized window hold the
 *    rendered rows at `index·rowHeight − virtualTop`; a spacer gives the scrollbar its length.
 * 3. Data: rows come from `source.rows(viewId, offset, limit)` in pages kept in a small LRU cache,
 *    at most `MAX_IN_FLIGHT` requests at a time, always for what is visible now.
 * 4. Interaction: click / Ctrl-click / Shift-click selection (emits row ids), arrows, Page Up/Down,
 *    Home/End, Enter, Space, Escape; sortable, resizable, choosable columns; go to row or time.
 */
import { useCallback, useEffect, useId, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, MouseEvent as ReactMouseEvent, PointerEvent as ReactPointerEvent, ReactElement, Ref } from 'react';

import type { TSort, TViewHandle, TViewerDataSource, TViewerRow } from '../data-source';
import type { TTimeZone } from '../common/format';
import { formatCount } from '../common/format';
import { Icon } from '../common/icon';
import { useControllable } from '../common/use-controllable';
import { useSourceState } from '../common/use-view';
import { parseQueryTime } from '../query/query-time';
import { ColumnChooser } from './column-chooser';
import { findTimeIndex } from './find-time-index';
import type { TGridColumnState } from './grid-columns';
import { DEFAULT_GRID_COLUMNS, gridColumn, normalizeGridColumns } from './grid-columns';
import { RowPageCache } from './row-page-cache';
import { DEFAULT_MAX_SCROLL_HEIGHT, createScrollMapping } from './scroll-mapping';

/** Concurrent `rows()` requests per grid. */
const MAX_IN_FLIGHT = 4;
/** A Shift-click range is capped at this many rows (their ids are fetched to be emitted). */
export const MAX_RANGE_SELECTION = 100_000;
/** Rows per request while resolving a range selection. */
const RANGE_CHUNK = 10_000;

/** Imperative controls, through `ref`. */
export interface TTimelineGridHandle {
  /** Makes row `index` active and scrolls it into view (`nearest` by default). */
  scrollToIndex(index: number, align?: 'nearest' | 'start' | 'center' | 'end'): void;
  /** Finds `rowId` in the view (`locate`) and makes it active; `false` when the view does not contain it. */
  scrollToRowId(rowId: number): Promise<boolean>;
  /** Jumps to the first row at or past `ms` (the view must be sorted by time); resolves to its position. */
  jumpToTime(ms: number): Promise<number | null>;
  /** Replaces cached rows by id (e.g. the rows `annotate()` returned), without refetching. */
  updateRows(rows: readonly TViewerRow[]): void;
  /** Drops the cache and refetches the visible rows. */
  reload(): void;
  /** Moves keyboard focus to the grid. */
  focus(): void;
}

/** Props of `TimelineGrid`. */
export interface TTimelineGridProps {
  readonly source: TViewerDataSource;
  /** The view to show (`useView`); `null` while the first one loads. */
  readonly view: TViewHandle | null;
  /** The view's order (drawn on the headers). */
  readonly sort: TSort;
  /** A header was clicked: same column toggles the direction, another starts ascending. */
  readonly onSortChange?: (sort: TSort) => void;
  /** How times are shown. Default is `'utc'`. */
  readonly timeZone?: TTimeZone;
  /** When given, the toolbar shows a UTC / Local switch. */
  readonly onTimeZoneChange?: (zone: TTimeZone) => void;
  /** Column layout (controlled); default `DEFAULT_GRID_COLUMNS`, kept internally. */
  readonly columns?: readonly TGridColumnState[];
  /** The layout changed (chooser, resize): save it in the session if you like. */
  readonly onColumnsChange?: (columns: readonly TGridColumnState[]) => void;
  /** Selected row ids (controlled); kept internally when absent. */
  readonly selectedRowIds?: readonly number[];
  readonly onSelectionChange?: (rowIds: readonly number[]) => void;
  /** The active (focused) row changed: drive a details pane from it. */
  readonly onActiveRowChange?: (row: TViewerRow | null) => void;
  /** Enter or double-click on a row. */
  readonly onRowActivate?: (row: TViewerRow) => void;
  /** A row to mark (e.g. the event a context view jumped to). */
  readonly highlightRowId?: number | null;
  /** Row height in px. Default is 24. */
  readonly rowHeight?: number;
  /** Scrollbar cap in px (see `scroll-mapping.ts`). Default is 15,000,000. */
  readonly maxScrollHeight?: number;
  /** Rows per fetch. Default is 256. */
  readonly pageSize?: number;
  /** Pages kept. Default is 32. */
  readonly cachePages?: number;
  /** Rows rendered beyond each edge. Default is 6. */
  readonly overscan?: number;
  /** The grid's accessible name. Default is `'Timeline'`. */
  readonly label?: string;
  readonly ref?: Ref<TTimelineGridHandle>;
}

/**
 * The virtualized timeline grid with its toolbar (go to row/time, time zone, columns) and status bar
 * (`Total / Visible / Selected / Verified / Failed`). Give it a height (it fills its container).
 *
 * ```tsx
 * const { view } = useView(source, query, sort);
 * <TimelineGrid source={source} view={view} sort={sort} onSortChange={setSort} onActiveRowChange={(r) => setRowId(r?.rowId ?? null)} />
 * ```
 */
export function TimelineGrid(props: TTimelineGridProps): ReactElement {
  const {
    source,
    view,
    sort,
    onSortChange,
    timeZone = 'utc',
    onTimeZoneChange,
    onActiveRowChange,
    onRowActivate,
    highlightRowId = null,
    rowHeight = 24,
    maxScrollHeight = DEFAULT_MAX_SCROLL_HEIGHT,
    pageSize = 256,
    cachePages = 32,
    overscan = 6,
    label = 'Timeline',
    ref,
  } = props;
  const gridId = useId();
  const scrollerRef = useRef<HTMLDivElement>(null);
  const headerRef = useRef<HTMLDivElement>(null);
  const [viewportHeight, setViewportHeight] = useState(0);
  const [headerHeight, setHeaderHeight] = useState(rowHeight + 8);
  const total = view?.total ?? 0;
  const viewId = view?.viewId ?? null;

  // 1. Columns.
  const [columnsRaw, setColumns] = useControllable<readonly TGridColumnState[]>(props.columns, DEFAULT_GRID_COLUMNS, props.onColumnsChange);
  const columns = useMemo(() => normalizeGridColumns(columnsRaw), [columnsRaw]);
  const [liveWidth, setLiveWidth] = useState<{ id: string; width: number } | null>(null);
  // The row-number column grows to fit the largest number ("2,000,000"), whatever width was saved.
  const rowNumberWidth = Math.ceil(formatCount(Math.max(1, total)).length * 7.2 + 20);
  const shown = useMemo(
    () =>
      columns
        .filter((c) => c.visible)
        .map((c) => {
          const width = liveWidth?.id === c.id ? liveWidth.width : c.width;
          return { ...c, width: c.id === 'row' ? Math.max(width, rowNumberWidth) : width, def: gridColumn(c.id) };
        }),
    [columns, liveWidth, rowNumberWidth],
  );
  const totalWidth = shown.reduce((sum, c) => sum + c.width, 0);

  // 2. Geometry.
  const mapping = useMemo(
    () => createScrollMapping({ total, rowHeight, viewportHeight, maxScrollHeight }),
    [total, rowHeight, viewportHeight, maxScrollHeight],
  );
  const mappingRef = useRef(mapping);
  mappingRef.current = mapping;
  const [virtualTop, setVirtualTop] = useState(0);
  const virtualTopRef = useRef(0);
  const viewportHeightRef = useRef(viewportHeight);
  viewportHeightRef.current = viewportHeight;
  /** The `scrollTop` we last wrote, so its scroll event is not mapped back (which would lose precision). */
  const expectedScrollRef = useRef<number | null>(null);

  const applyVirtualTop = useCallback((next: number) => {
    const m = mappingRef.current;
    const clamped = m.clampVirtual(next);
    virtualTopRef.current = clamped;
    setVirtualTop(clamped);
    const el = scrollerRef.current;
    if (el === null) return;
    const scrollTop = m.toScroll(clamped);
    if (Math.abs(el.scrollTop - scrollTop) >= 0.5) {
      expectedScrollRef.current = scrollTop;
      el.scrollTop = scrollTop;
    }
  }, []);

  useLayoutEffect(() => {
    const el = scrollerRef.current;
    if (el === null) return undefined;
    const measure = (): void => {
      const header = headerRef.current?.offsetHeight ?? 0;
      setHeaderHeight(header);
      setViewportHeight(Math.max(0, el.clientHeight - header));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Keep the virtual offset valid, and the scrollbar in step, whenever the geometry changes.
  useLayoutEffect(() => {
    applyVirtualTop(virtualTopRef.current);
  }, [mapping, applyVirtualTop]);

  const onScroll = useCallback(() => {
    const el = scrollerRef.current;
    if (el === null) return;
    const expected = expectedScrollRef.current;
    expectedScrollRef.current = null;
    if (expected !== null && Math.abs(el.scrollTop - expected) <= 1) return;
    const next = mappingRef.current.toVirtual(el.scrollTop);
    virtualTopRef.current = next;
    setVirtualTop(next);
  }, []);

  // Scaled views take the wheel in virtual pixels, so a notch moves the same distance at any row count.
  useEffect(() => {
    const el = scrollerRef.current;
    if (el === null) return undefined;
    const onWheel = (event: WheelEvent): void => {
      const m = mappingRef.current;
      if (!m.scaled || event.ctrlKey || event.deltaY === 0) return;
      const unit = event.deltaMode === 1 ? rowHeight : event.deltaMode === 2 ? Math.max(rowHeight, viewportHeightRef.current) : 1;
      event.preventDefault();
      applyVirtualTop(virtualTopRef.current + event.deltaY * unit);
      if (event.deltaX !== 0) el.scrollLeft += event.deltaX * unit;
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [applyVirtualTop, rowHeight]);
  const range = mapping.visibleRows(virtualTop, overscan);

  // 3. Data.
  const [reloadToken, setReloadToken] = useState(0);
  const cache = useMemo(
    () => new RowPageCache<TViewerRow>(pageSize, cachePages),
    // A new cache per view (and per reload): rows of another view are never shown.
    [viewId, pageSize, cachePages, reloadToken],
  );
  const cacheRef = useRef(cache);
  cacheRef.current = cache;
  const fetchState = useMemo(() => ({ inFlight: 0, failed: false }), [cache]);
  const [, setVersion] = useState(0);
  const [rowsError, setRowsError] = useState<{ cache: RowPageCache<TViewerRow>; message: string } | null>(null);
  const rangeRef = useRef(range);
  rangeRef.current = range;

  const pump = useCallback(() => {
    const current = cacheRef.current;
    if (current !== cache || viewId === null) return;
    const { first, last } = rangeRef.current;
    for (const page of current.missingPages(first, last)) {
      if (fetchState.inFlight >= MAX_IN_FLIGHT) break;
      current.markPending(page);
      fetchState.inFlight++;
      source
        .rows(viewId, page * current.pageSize, current.pageSize)
        .then(
          (rows) => {
            current.put(page, rows);
            if (cacheRef.current === current) setVersion((v) => v + 1);
          },
          (error: unknown) => {
            current.fail(page);
            // Stop asking until the user retries (reload), rather than hammering a failing engine.
            fetchState.failed = true;
            if (cacheRef.current === current) setRowsError({ cache: current, message: error instanceof Error ? error.message : String(error) });
          },
        )
        .finally(() => {
          fetchState.inFlight--;
          // Fetch whatever is visible *now* (the user may have scrolled on).
          if (!fetchState.failed) pump();
        });
    }
  }, [cache, fetchState, source, viewId]);

  useEffect(() => {
    pump();
  }, [pump, range.first, range.last]);

  // 4. Selection and the active row.
  const [selection, setSelection] = useControllable<readonly number[]>(props.selectedRowIds, [], props.onSelectionChange);
  const selectedSet = useMemo(() => new Set(selection), [selection]);
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  // The active row is a position in one view: after the view changes it is relocated (`locate`) before use.
  const [active, setActive] = useState<{ readonly view: string | null; readonly index: number } | null>(null);
  const activeIndex = active !== null && active.view === viewId ? active.index : null;
  const relocating = active !== null && active.view !== viewId && viewId !== null;
  const setActiveIndex = useCallback((index: number | null) => setActive(index === null ? null : { view: viewId, index }), [viewId]);
  const anchorRef = useRef<number | null>(null);
  const activeRowIdRef = useRef<number | null>(null);
  /** Select the active row once its page arrives (keyboard moves into unloaded pages). */
  const selectOnLoadRef = useRef<number | null>(null);
  const [rangeNotice, setRangeNotice] = useState<string | null>(null);
  const rangeTokenRef = useRef(0);

  const activeRow = activeIndex === null ? undefined : cache.get(activeIndex);
  if (activeRow !== undefined) activeRowIdRef.current = activeRow.rowId;

  useEffect(() => {
    if (activeRow !== undefined && selectOnLoadRef.current === activeIndex) {
      selectOnLoadRef.current = null;
      setSelection([activeRow.rowId]);
    }
  }, [activeRow, activeIndex, setSelection]);

  const onActiveRef = useRef(onActiveRowChange);
  onActiveRef.current = onActiveRowChange;
  const lastEmittedRef = useRef<TViewerRow | null | undefined>(undefined);
  useEffect(() => {
    // While relocating after a view change, the old position means nothing: emit nothing.
    if (relocating) return;
    const next = activeIndex === null ? null : activeRow;
    if (next === undefined || next === lastEmittedRef.current) return;
    lastEmittedRef.current = next;
    onActiveRef.current?.(next);
  }, [activeIndex, activeRow, relocating]);

  // A new view: keep the active event in view if the new view has it, else go to the top.
  const sourceRef = useRef(source);
  sourceRef.current = source;
  useEffect(() => {
    if (viewId === null) return undefined;
    let live = true;
    const rowId = activeRowIdRef.current;
    setRangeNotice(null);
    anchorRef.current = null;
    selectOnLoadRef.current = null;
    if (rowId === null) {
      setActive(null);
      applyVirtualTop(0);
      return undefined;
    }
    const forget = (): void => {
      activeRowIdRef.current = null;
      setActive(null);
      applyVirtualTop(0);
    };
    sourceRef.current.locate(viewId, rowId).then(
      (position) => {
        if (!live) return;
        if (position === null) forget();
        else {
          setActive({ view: viewId, index: position });
          anchorRef.current = position;
          applyVirtualTop(mappingRef.current.virtualTopFor(position, 'center', 0));
        }
      },
      () => {
        if (live) forget();
      },
    );
    return () => {
      live = false;
    };
  }, [viewId, applyVirtualTop]);

  const resolveRange = useCallback(
    async (from: number, to: number, additive: boolean) => {
      if (viewId === null) return;
      const token = ++rangeTokenRef.current;
      let lo = Math.min(from, to);
      let hi = Math.max(from, to);
      let notice: string | null = null;
      if (hi - lo + 1 > MAX_RANGE_SELECTION) {
        // Keep the end the user clicked; trim the far end.
        if (to >= from) lo = hi - MAX_RANGE_SELECTION + 1;
        else hi = lo + MAX_RANGE_SELECTION - 1;
        notice = `Selection limited to ${formatCount(MAX_RANGE_SELECTION)} rows`;
      }
      const ids: number[] = [];
      let index = lo;
      while (index <= hi) {
        const cached = cacheRef.current.get(index);
        if (cached !== undefined) {
          ids.push(cached.rowId);
          index++;
          continue;
        }
        const count = Math.min(RANGE_CHUNK, hi - index + 1);
        const rows = await sourceRef.current.rows(viewId, index, count);
        if (token !== rangeTokenRef.current) return;
        for (const row of rows) ids.push(row.rowId);
        if (rows.length === 0) break;
        index += rows.length;
      }
      if (token !== rangeTokenRef.current) return;
      setRangeNotice(notice);
      if (additive) {
        const merged = new Set(selectionRef.current);
        for (const id of ids) merged.add(id);
        setSelection([...merged]);
      } else setSelection(ids);
    },
    [viewId, setSelection],
  );

  const moveActive = useCallback(
    (index: number, mode: 'select' | 'extend' | 'keep') => {
      if (total === 0) return;
      const target = Math.min(total - 1, Math.max(0, index));
      setActiveIndex(target);
      applyVirtualTop(mappingRef.current.virtualTopFor(target, 'nearest', virtualTopRef.current));
      if (mode === 'extend') {
        const anchor = anchorRef.current ?? target;
        anchorRef.current = anchor;
        void resolveRange(anchor, target, false);
        return;
      }
      anchorRef.current = target;
      if (mode === 'select') {
        rangeTokenRef.current++;
        setRangeNotice(null);
        const row = cacheRef.current.get(target);
        if (row === undefined) selectOnLoadRef.current = target;
        else setSelection([row.rowId]);
      }
    },
    [total, applyVirtualTop, resolveRange, setSelection, setActiveIndex],
  );

  const toggleSelected = useCallback(
    (row: TViewerRow) => {
      const current = selectionRef.current;
      setSelection(current.includes(row.rowId) ? current.filter((id) => id !== row.rowId) : [...current, row.rowId]);
    },
    [setSelection],
  );

  const onRowClick = (event: ReactMouseEvent, index: number, row: TViewerRow | undefined): void => {
    if (event.shiftKey) {
      const anchor = anchorRef.current ?? index;
      setActiveIndex(index);
      void resolveRange(anchor, index, event.ctrlKey || event.metaKey);
      return;
    }
    anchorRef.current = index;
    setActiveIndex(index);
    rangeTokenRef.current++;
    setRangeNotice(null);
    if (row === undefined) return;
    if (event.ctrlKey || event.metaKey) toggleSelected(row);
    else setSelection([row.rowId]);
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    // Alt+arrows belong to the filter history (and the browser); keys from header controls to them.
    if (event.target !== event.currentTarget || event.altKey) return;
    const page = mappingRef.current.pageRows;
    const from = activeIndex ?? -1;
    const mode = event.shiftKey ? 'extend' : event.ctrlKey || event.metaKey ? 'keep' : 'select';
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        moveActive(activeIndex === null ? 0 : from + 1, mode);
        break;
      case 'ArrowUp':
        moveActive(activeIndex === null ? 0 : from - 1, mode);
        break;
      case 'PageDown':
        moveActive(Math.max(0, from) + page, mode);
        break;
      case 'PageUp':
        moveActive(Math.max(0, from) - page, mode);
        break;
      case 'Home':
        moveActive(0, mode);
        break;
      case 'End':
        moveActive(total - 1, mode);
        break;
      case ' ':
        if (activeRow !== undefined) toggleSelected(activeRow);
        break;
      case 'Enter':
        if (activeRow !== undefined) onRowActivate?.(activeRow);
        break;
      case 'Escape':
        rangeTokenRef.current++;
        setSelection([]);
        break;
      case 'ArrowLeft':
        event.currentTarget.scrollLeft -= 48;
        break;
      case 'ArrowRight':
        event.currentTarget.scrollLeft += 48;
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  // 5. Imperative handle.
  const jumpToTime = useCallback(
    async (ms: number): Promise<number | null> => {
      if (view === null || sort.column !== 'time') return null;
      const index = await findTimeIndex(sourceRef.current, view, sort.direction, ms);
      if (index !== null) {
        setActiveIndex(index);
        anchorRef.current = index;
        selectOnLoadRef.current = index;
        applyVirtualTop(mappingRef.current.virtualTopFor(index, 'start', virtualTopRef.current));
      }
      return index;
    },
    [view, sort, applyVirtualTop, setActiveIndex],
  );

  const scrollToIndex = useCallback(
    (index: number, align: 'nearest' | 'start' | 'center' | 'end' = 'nearest') => {
      if (total === 0) return;
      const target = Math.min(total - 1, Math.max(0, Math.floor(index)));
      setActiveIndex(target);
      anchorRef.current = target;
      applyVirtualTop(mappingRef.current.virtualTopFor(target, align, virtualTopRef.current));
    },
    [total, applyVirtualTop, setActiveIndex],
  );

  useImperativeHandle(
    ref,
    () => ({
      scrollToIndex,
      jumpToTime,
      async scrollToRowId(rowId: number) {
        if (viewId === null) return false;
        const position = await sourceRef.current.locate(viewId, rowId);
        if (position === null) return false;
        scrollToIndex(position, 'center');
        return true;
      },
      updateRows(rows: readonly TViewerRow[]) {
        const byId = new Map(rows.map((row) => [row.rowId, row]));
        cacheRef.current.update((row) => byId.get(row.rowId));
        setVersion((v) => v + 1);
      },
      reload() {
        setReloadToken((t) => t + 1);
      },
      focus() {
        scrollerRef.current?.focus();
      },
    }),
    [scrollToIndex, jumpToTime, viewId],
  );

  // 6. Status counts.
  const [statusCounts, setStatusCounts] = useState<{ viewId: string; verified: number; failed: number; pending: number } | null>(null);
  useEffect(() => {
    if (viewId === null) return undefined;
    let live = true;
    source.facets(viewId, ['status'], 3).then(
      (facets) => {
        if (!live) return;
        const counts = { viewId, verified: 0, failed: 0, pending: 0 };
        for (const { value, count } of facets.status ?? []) {
          if (value === 'verified' || value === 'failed' || value === 'pending') counts[value] = count;
        }
        setStatusCounts(counts);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [source, viewId, reloadToken]);

  // 7. Go to row or time.
  const [gotoText, setGotoText] = useState('');
  const [gotoError, setGotoError] = useState<string | null>(null);
  const onGoto = async (): Promise<void> => {
    const text = gotoText.trim();
    setGotoError(null);
    if (text === '') return;
    if (/^[0-9][0-9,]*$/.test(text)) {
      const n = Number(text.replace(/,/g, ''));
      if (n < 1 || n > total) {
        setGotoError(`Row ${formatCount(n)} is outside 1–${formatCount(total)}`);
        return;
      }
      scrollToIndex(n - 1, 'start');
      selectOnLoadRef.current = n - 1;
      scrollerRef.current?.focus();
      return;
    }
    const parsed = parseQueryTime(text);
    if (!parsed.ok) {
      setGotoError(`Not a row number or a time: ${parsed.message}`);
      return;
    }
    if (sort.column !== 'time') {
      setGotoError('Sort by time to go to a time');
      return;
    }
    const index = await jumpToTime(parsed.ms);
    if (index === null) setGotoError('The view is empty');
    else scrollerRef.current?.focus();
  };

  // 8. Column resize.
  const resizeRef = useRef<{ id: string; startX: number; startWidth: number; min: number } | null>(null);
  const commitWidth = (id: string, width: number): void => {
    setLiveWidth(null);
    setColumns(columns.map((c) => (c.id === id ? { ...c, width: Math.max(gridColumn(c.id).minWidth, Math.round(width)) } : c)));
  };
  const onResizeDown = (event: ReactPointerEvent<HTMLDivElement>, id: string, width: number, min: number): void => {
    event.preventDefault();
    event.stopPropagation();
    event.currentTarget.setPointerCapture(event.pointerId);
    resizeRef.current = { id, startX: event.clientX, startWidth: width, min };
    setLiveWidth({ id, width });
  };
  const onResizeMove = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const drag = resizeRef.current;
    if (drag === null) return;
    setLiveWidth({ id: drag.id, width: Math.max(drag.min, drag.startWidth + event.clientX - drag.startX) });
  };
  const onResizeUp = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const drag = resizeRef.current;
    if (drag === null) return;
    resizeRef.current = null;
    commitWidth(drag.id, Math.max(drag.min, drag.startWidth + event.clientX - drag.startX));
  };

  // 9. Render.
  const rows: ReactElement[] = [];
  let loading = false;
  for (let index = range.first; index <= range.last; index++) {
    const row = cache.get(index);
    const top = mapping.rowTop(index, virtualTop);
    const selected = row !== undefined && selectedSet.has(row.rowId);
    const classes = ['cu-grid-row', index % 2 === 1 ? 'is-odd' : ''];
    if (row === undefined) {
      loading = true;
      classes.push('is-loading');
    } else {
      if (row.status !== 'verified') classes.push(`is-${row.status}`);
      if (row.rowId === highlightRowId) classes.push('is-highlighted');
    }
    if (selected) classes.push('is-selected');
    if (index === activeIndex) classes.push('is-active');
    rows.push(
      <div
        key={index}
        id={`${gridId}-row-${index}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        aria-busy={row === undefined ? true : undefined}
        data-row-id={row?.rowId}
        className={classes.filter(Boolean).join(' ')}
        style={{ transform: `translateY(${top}px)`, height: rowHeight, lineHeight: `${rowHeight - 1}px`, width: totalWidth }}
        onClick={(event) => onRowClick(event, index, row)}
        onDoubleClick={() => {
          if (row !== undefined) onRowActivate?.(row);
        }}
      >
        {shown.map((column, columnIndex) => (
          <div
            key={column.id}
            role="gridcell"
            aria-colindex={columnIndex + 1}
            className={`cu-grid-cell cu-col-${column.id}${column.def.mono === true ? ' is-mono' : ''}${column.def.align === undefined ? '' : ` is-${column.def.align}`}`}
            style={{ width: column.width }}
            title={row === undefined ? undefined : column.def.text(row, { timeZone, index }) || undefined}
          >
            {row === undefined ? (column.id === 'row' ? (index + 1).toLocaleString('en-US') : <span className="cu-skeleton" />) : column.def.render(row, { timeZone, index })}
          </div>
        ))}
      </div>,
    );
  }

  const activeVisible = activeIndex !== null && activeIndex >= range.first && activeIndex <= range.last;
  const topRow = total === 0 ? 0 : mapping.visibleRows(virtualTop).first + 1;
  const counts = statusCounts !== null && statusCounts.viewId === viewId ? statusCounts : null;

  return (
    <div className="cu-grid" data-scaled={mapping.scaled ? 'true' : 'false'}>
      <div className="cu-grid-toolbar">
        <form
          className="cu-grid-goto"
          onSubmit={(event) => {
            event.preventDefault();
            void onGoto();
          }}
        >
          <label htmlFor={`${gridId}-goto`} className="cu-label">
            Go to
          </label>
          <input
            id={`${gridId}-goto`}
            className="cu-input cu-input-small"
            value={gotoText}
            placeholder="row # or 2026-01-31T12:00Z"
            aria-label="Go to row number or time"
            aria-invalid={gotoError !== null}
            aria-describedby={gotoError === null ? undefined : `${gridId}-goto-error`}
            onChange={(event) => {
              setGotoText(event.target.value);
              setGotoError(null);
            }}
          />
          <button type="submit" className="cu-button">
            Go
          </button>
          {gotoError === null ? null : (
            <span id={`${gridId}-goto-error`} role="alert" className="cu-inline-error">
              {gotoError}
            </span>
          )}
        </form>
        <div className="cu-spacer" />
        {onTimeZoneChange === undefined ? null : (
          <div className="cu-segmented" role="group" aria-label="Time zone">
            {(['utc', 'local'] as const).map((zone) => (
              <button key={zone} type="button" aria-pressed={timeZone === zone} onClick={() => onTimeZoneChange(zone)}>
                {zone === 'utc' ? 'UTC' : 'Local'}
              </button>
            ))}
          </div>
        )}
        <ColumnChooser columns={columns} onChange={setColumns} />
      </div>

      <div
        ref={scrollerRef}
        className="cu-grid-scroller"
        role="grid"
        aria-label={label}
        aria-rowcount={total + 1}
        aria-colcount={shown.length}
        aria-multiselectable="true"
        aria-busy={view === null || loading}
        aria-activedescendant={activeVisible ? `${gridId}-row-${activeIndex}` : undefined}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        <div className="cu-grid-content" style={{ width: totalWidth, height: headerHeight + mapping.scrollHeight }}>
          <div ref={headerRef} className="cu-grid-header" role="rowgroup">
            <div role="row" aria-rowindex={1} className="cu-grid-header-row" style={{ width: totalWidth }}>
              {shown.map((column, columnIndex) => {
                const sortable = column.def.sort !== undefined && onSortChange !== undefined;
                const sorted = column.def.sort !== undefined && sort.column === column.def.sort;
                const headerText = column.def.header(timeZone);
                return (
                  <div
                    key={column.id}
                    role="columnheader"
                    aria-colindex={columnIndex + 1}
                    aria-sort={sorted ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}
                    // Named by its text only (not by the resize handle inside it).
                    aria-label={column.id === 'row' || column.id === 'marks' ? column.def.label : headerText}
                    className={`cu-grid-hcell cu-col-${column.id}${column.def.align === undefined ? '' : ` is-${column.def.align}`}${sorted ? ' is-sorted' : ''}`}
                    style={{ width: column.width }}
                  >
                    {sortable ? (
                      <button
                        type="button"
                        className="cu-grid-sort"
                        title={`Sort by ${column.def.label.toLowerCase()}`}
                        onClick={() => {
                          const by = column.def.sort;
                          if (by === undefined) return;
                          onSortChange({ column: by, direction: sorted && sort.direction === 'asc' ? 'desc' : 'asc' });
                        }}
                      >
                        <span className="cu-grid-htext">{headerText}</span>
                        {sorted ? <Icon name={sort.direction === 'asc' ? 'up' : 'down'} size={12} /> : null}
                      </button>
                    ) : (
                      <span className="cu-grid-htext" title={column.def.label}>
                        {headerText}
                      </span>
                    )}
                    <div
                      role="separator"
                      aria-orientation="vertical"
                      aria-label={`Resize ${column.def.label} column`}
                      aria-valuenow={column.width}
                      aria-valuemin={column.def.minWidth}
                      aria-valuemax={2000}
                      tabIndex={0}
                      className="cu-grid-resize"
                      onKeyDown={(event) => {
                        if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
                        event.preventDefault();
                        commitWidth(column.id, column.width + (event.key === 'ArrowLeft' ? -16 : 16));
                      }}
                      onPointerDown={(event) => onResizeDown(event, column.id, column.width, column.def.minWidth)}
                      onPointerMove={onResizeMove}
                      onPointerUp={onResizeUp}
                      onPointerCancel={() => {
                        resizeRef.current = null;
                        setLiveWidth(null);
                      }}
                      onDoubleClick={() => commitWidth(column.id, column.def.defaultWidth)}
                    />
                  </div>
                );
              })}
            </div>
          </div>
          <div className="cu-grid-window" role="rowgroup" style={{ top: headerHeight, height: viewportHeight }}>
            {rows}
            {view !== null && total === 0 ? <div className="cu-grid-empty">No events match this filter.</div> : null}
            {view === null ? <div className="cu-grid-empty">Loading…</div> : null}
          </div>
        </div>
      </div>

      <div className="cu-grid-status" aria-label="Grid status">
        <span className="cu-stat">
          Total <TotalRows source={source} />
        </span>
        <span className="cu-stat">
          Visible <strong data-stat="visible">{view === null ? '…' : formatCount(total)}</strong>
        </span>
        <span className="cu-stat">
          Selected <strong data-stat="selected">{formatCount(selection.length)}</strong>
        </span>
        <span className="cu-stat cu-stat-verified">
          <Icon name="check" size={12} /> Verified <strong data-stat="verified">{counts === null ? '…' : formatCount(counts.verified)}</strong>
        </span>
        <span className={`cu-stat cu-stat-failed${counts !== null && counts.failed > 0 ? ' is-alarm' : ''}`}>
          <Icon name="alert" size={12} /> Failed <strong data-stat="failed">{counts === null ? '…' : formatCount(counts.failed)}</strong>
        </span>
        {counts !== null && counts.pending > 0 ? (
          <span className="cu-stat cu-stat-pending">
            <Icon name="clock" size={12} /> Pending <strong data-stat="pending">{formatCount(counts.pending)}</strong>
          </span>
        ) : null}
        {rangeNotice === null ? null : <span className="cu-stat cu-stat-notice">{rangeNotice}</span>}
        {rowsError === null || rowsError.cache !== cache ? null : (
          <span className="cu-stat cu-stat-error" role="alert">
            <Icon name="alert" size={12} /> Could not load rows: {rowsError.message}
            <button type="button" className="cu-link-button" onClick={() => setReloadToken((t) => t + 1)}>
              Retry
            </button>
          </span>
        )}
        <span className="cu-spacer" />
        {mapping.scaled ? (
          <span className="cu-stat cu-stat-muted" title="More rows than the browser can scroll: the scrollbar is scaled">
            Scaled scroll
          </span>
        ) : null}
        <span className="cu-stat cu-stat-muted" data-stat="position">
          {total === 0 ? 'No rows' : `Row ${formatCount(topRow)} of ${formatCount(total)}`}
        </span>
      </div>
    </div>
  );
}

/**
 * The number of rows loaded so far. It follows the source's state on its own, so the pushes that arrive while
 * bundles load re-render this count, not the grid.
 */
function TotalRows({ source }: { source: TViewerDataSource }): ReactElement {
  const state = useSourceState(source);
  return <strong data-stat="total">{state === null ? '…' : formatCount(state.rows)}</strong>;
}
