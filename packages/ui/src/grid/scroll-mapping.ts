/**
 * Scaled scrolling: the math that lets the grid address more rows than the browser can scroll.
 *
 * Browsers cap an element's height (Chrome near 33.5M px, some engines near 16.7M; viewer.md §6.1), so
 * 2,000,000 rows × 24 px = 48M px cannot be laid out. The grid therefore keeps two coordinates:
 * - **virtual** offset: where the viewport's top would be if every row were laid out (`0 … contentHeight − viewport`);
 * - **scroll** offset: the real `scrollTop` of a spacer at most `maxScrollHeight` tall.
 *
 * When the content fits, they are equal. When it does not, the spacer is `maxScrollHeight` tall and the
 * two map linearly (`scroll / maxScroll = virtual / maxVirtual`), so the scrollbar thumb spans the whole
 * view: dragging it to the bottom reaches the last row. Wheel and keyboard moves are applied in virtual
 * pixels (one wheel notch moves the same distance at any size) and written back through `toScroll`.
 * Rows are drawn in a viewport-sized window at `rowTop(index) = index·rowHeight − virtualTop`, so no
 * position ever exceeds a few thousand pixels, whatever the row count.
 */

/** Default cap for the spacer: well under every engine's limit (~16.7M, ~33.5M px). */
export const DEFAULT_MAX_SCROLL_HEIGHT = 15_000_000;

/** The inputs of the mapping. `viewportHeight` is the rows' visible height (below the header). */
export interface TScrollGeometry {
  readonly total: number;
  readonly rowHeight: number;
  readonly viewportHeight: number;
  /** Default `DEFAULT_MAX_SCROLL_HEIGHT`. */
  readonly maxScrollHeight?: number;
}

/** The rows to draw: `first … last` inclusive (empty when `last < first`). */
export interface TRowRange {
  readonly first: number;
  readonly last: number;
}

/** A mapping between real scroll offsets and virtual offsets for one geometry. */
export interface TScrollMapping {
  /** `total × rowHeight`. */
  readonly contentHeight: number;
  /** The spacer's height: `min(contentHeight, maxScrollHeight)`, at least the viewport. */
  readonly scrollHeight: number;
  /** Whether the content exceeds the cap (and scroll ≠ virtual). */
  readonly scaled: boolean;
  readonly maxScrollTop: number;
  readonly maxVirtualTop: number;
  /** Virtual offset for a real `scrollTop` (clamped). */
  toVirtual(scrollTop: number): number;
  /** Real `scrollTop` for a virtual offset (clamped). */
  toScroll(virtualTop: number): number;
  /** Clamps a virtual offset to `0 … maxVirtualTop`. */
  clampVirtual(virtualTop: number): number;
  /** Rows intersecting the viewport at `virtualTop`, widened by `overscan` rows on each side. */
  visibleRows(virtualTop: number, overscan?: number): TRowRange;
  /** Top of row `index` relative to the viewport's top. */
  rowTop(index: number, virtualTop: number): number;
  /** How many whole rows fit in the viewport (at least 1): the page size of PageUp/PageDown. */
  readonly pageRows: number;
  /**
   * The virtual offset that shows row `index`: `nearest` moves as little as possible (no move if it is
   * fully visible), `start`/`center`/`end` place it there.
   */
  virtualTopFor(index: number, align: 'nearest' | 'start' | 'center' | 'end', currentVirtualTop: number): number;
}

/**
 * Builds the mapping for a geometry. Requires `rowHeight > 0`; negative inputs are treated as 0.
 *
 * ```ts
 * const m = createScrollMapping({ total: 2_000_000, rowHeight: 24, viewportHeight: 600 });
 * m.scaled;                                        // true (48M px > 15M px)
 * m.visibleRows(m.toVirtual(m.maxScrollTop)).last; // 1_999_999
 * ```
 */
export function createScrollMapping(geometry: TScrollGeometry): TScrollMapping {
  const total = Math.max(0, Math.floor(geometry.total));
  const rowHeight = geometry.rowHeight;
  const viewportHeight = Math.max(0, geometry.viewportHeight);
  // At least twice the viewport, so a scaled view always has a scrollbar to drag.
  const cap = Math.max(2 * viewportHeight, geometry.maxScrollHeight ?? DEFAULT_MAX_SCROLL_HEIGHT);
  const contentHeight = total * rowHeight;
  const scaled = contentHeight > cap;
  const scrollHeight = Math.max(viewportHeight, scaled ? cap : contentHeight);
  const maxScrollTop = Math.max(0, scrollHeight - viewportHeight);
  const maxVirtualTop = Math.max(0, contentHeight - viewportHeight);
  const clampVirtual = (v: number): number => Math.min(maxVirtualTop, Math.max(0, Number.isFinite(v) ? v : 0));
  const clampScroll = (s: number): number => Math.min(maxScrollTop, Math.max(0, Number.isFinite(s) ? s : 0));
  const pageRows = Math.max(1, Math.floor(viewportHeight / rowHeight));

  return {
    contentHeight,
    scrollHeight,
    scaled,
    maxScrollTop,
    maxVirtualTop,
    pageRows,
    clampVirtual,
    toVirtual(scrollTop) {
      const s = clampScroll(scrollTop);
      if (!scaled) return clampVirtual(s);
      return maxScrollTop === 0 ? 0 : clampVirtual((s / maxScrollTop) * maxVirtualTop);
    },
    toScroll(virtualTop) {
      const v = clampVirtual(virtualTop);
      if (!scaled) return v;
      return maxVirtualTop === 0 ? 0 : clampScroll((v / maxVirtualTop) * maxScrollTop);
    },
    visibleRows(virtualTop, overscan = 0) {
      if (total === 0) return { first: 0, last: -1 };
      const v = clampVirtual(virtualTop);
      const first = Math.floor(v / rowHeight);
      // A row is visible if any part of it is above the viewport's bottom edge.
      const last = Math.ceil((v + viewportHeight) / rowHeight) - 1;
      return { first: Math.max(0, first - overscan), last: Math.min(total - 1, Math.max(first, last) + overscan) };
    },
    rowTop(index, virtualTop) {
      return index * rowHeight - virtualTop;
    },
    virtualTopFor(index, align, currentVirtualTop) {
      const top = Math.min(Math.max(0, index), Math.max(0, total - 1)) * rowHeight;
      switch (align) {
        case 'start':
          return clampVirtual(top);
        case 'end':
          return clampVirtual(top + rowHeight - viewportHeight);
        case 'center':
          return clampVirtual(top + rowHeight / 2 - viewportHeight / 2);
        case 'nearest': {
          if (top < currentVirtualTop) return clampVirtual(top);
          if (top + rowHeight > currentVirtualTop + viewportHeight) return clampVirtual(top + rowHeight - viewportHeight);
          return clampVirtual(currentVirtualTop);
        }
      }
    },
  };
}
