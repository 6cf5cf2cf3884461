/**
 * `TimeHistogram`: counts of times (ms) per bucket `floor(t / width) * width` (the bucket that starts at or before
 * `t`, before 1970 too, as `events.stats`' SQL computes it), in one pass, for a width chosen only once every time
 * is seen (from their range, as `events.stats` chooses it).
 *
 * The counts are kept per cell of a resolution that divides every width the range seen so far could still
 * lead to (`resolutionFor`): starting at the narrowest width and coarsening as the range grows, so a cell
 * array stays small (about 120 cells below a day; a cell a day above) whatever the number of times. Cells
 * merge exactly (`floor(floor(t / r) / k) = floor(t / (r k))`). Times arriving in order land in the cell of
 * the previous one without a division.
 */

/** Above this many cells the counts go to a map (a requested width far narrower than the range). */
const MAX_CELLS = 1 << 22;

/**
 * What a histogram has counted, to go on counting later (`TimeHistogram.state`, `TimeHistogram.restore`):
 * its resolution, the cell of `cells[0]`, the counts, and the range it has chosen its resolution from.
 */
export interface THistogramState {
  readonly resolution: number;
  readonly first: number;
  readonly cells: Float64Array;
  readonly lo: number;
  readonly hi: number;
}

export class TimeHistogram {
  readonly #widths: readonly number[];
  readonly #choose: ((lo: number, hi: number) => number) | null;
  /** The resolution (ms) of a cell. */
  #resolution: number;
  /** Counts by cell, cell `i` being `floor(t / resolution) = first + i`; `null` once in `#map`. */
  #cells: Float64Array | null = new Float64Array(256);
  #first = 0;
  #map: Map<number, number> | null = null;
  /** No time added yet (`#first` not placed). */
  #unused = true;
  #lo = Infinity;
  #hi = -Infinity;
  /** The times of the last cell written (`[from, to)`), and its index in `#cells`. */
  #from = Infinity;
  #to = -Infinity;
  #at = 0;

  /**
   * `width`: the width, when known in advance; otherwise `widths` (ascending) are those `choose(lo, hi)`
   * may pick from the times' range `[lo, hi)`, the narrower the smaller the range.
   */
  constructor(width: number | { widths: readonly number[]; choose: (lo: number, hi: number) => number }) {
    if (typeof width === 'number') {
      this.#widths = [width];
      this.#choose = null;
      this.#resolution = width;
    } else {
      this.#widths = width.widths;
      this.#choose = width.choose;
      this.#resolution = width.widths[0] ?? 1;
    }
  }

  /** Counts time `t`. */
  add(t: number): void {
    if (t >= this.#from && t < this.#to) {
      const cells = this.#cells;
      if (cells !== null) {
        cells[this.#at] = (cells[this.#at] ?? 0) + 1;
        return;
      }
    }
    this.#addSlow(t);
  }

  /**
   * A copy of what it has counted, for `restore` to go on from; `null` when its counts are in a map (a requested
   * width far narrower than the range) or nothing was counted.
   */
  state(): THistogramState | null {
    if (this.#map !== null || this.#unused || this.#cells === null) return null;
    return { resolution: this.#resolution, first: this.#first, cells: this.#cells.slice(), lo: this.#lo, hi: this.#hi };
  }

  /**
   * A histogram made as the constructor's, holding the counts of `state` (from one made with the same `width`):
   * the times added to it since, and those added to the result, are counted as if added to one histogram.
   */
  static restore(width: number | { widths: readonly number[]; choose: (lo: number, hi: number) => number }, state: THistogramState): TimeHistogram {
    const histogram = new TimeHistogram(width);
    histogram.#resolution = state.resolution;
    histogram.#first = state.first;
    histogram.#cells = state.cells.slice();
    histogram.#lo = state.lo;
    histogram.#hi = state.hi;
    histogram.#unused = false;
    return histogram;
  }

  /** The counts per bucket of `width` (one `add` the histogram could choose, or the given width), in time order. */
  buckets(width: number): { start: number; count: number }[] {
    const factor = width / this.#resolution;
    if (!Number.isInteger(factor)) throw new Error(`bucket width ${width} is not a multiple of the histogram's resolution ${this.#resolution}`);
    const counts = new Map<number, number>();
    this.#forEachCell((cell, count) => {
      const bucket = Math.floor(cell / factor);
      counts.set(bucket, (counts.get(bucket) ?? 0) + count);
    });
    return [...counts].sort((a, b) => a[0] - b[0]).map(([bucket, count]) => ({ start: bucket * width, count }));
  }

  #addSlow(t: number): void {
    if (t < this.#lo) this.#lo = t;
    if (t > this.#hi) this.#hi = t;
    if (this.#choose !== null) {
      const resolution = resolutionFor(this.#widths, this.#choose(this.#lo, this.#hi + 1));
      if (resolution !== this.#resolution) this.#coarsen(resolution);
    }
    // Exact: |t| < 2^53, so t / resolution is within less than 1 / resolution of its value, never past an integer.
    const cell = Math.floor(t / this.#resolution);
    if (this.#map !== null) {
      this.#map.set(cell, (this.#map.get(cell) ?? 0) + 1);
      return;
    }
    let cells = this.#cells ?? new Float64Array(0);
    if (this.#unused) {
      this.#unused = false;
      this.#first = cell - 16;
    }
    if (cell < this.#first || cell >= this.#first + cells.length) {
      const first = Math.min(this.#first, cell);
      const end = Math.max(this.#first + cells.length, cell + 1);
      if (end - first > MAX_CELLS) {
        const map = this.#toMap();
        map.set(cell, (map.get(cell) ?? 0) + 1);
        return;
      }
      // Room for twice the span, on the side the times went (they mostly keep going that way).
      const grown = new Float64Array(Math.min(MAX_CELLS, Math.max(256, (end - first) * 2)));
      const origin = cell < this.#first ? end - grown.length : first;
      grown.set(cells, this.#first - origin);
      this.#first = origin;
      this.#cells = grown;
      cells = grown;
    }
    this.#at = cell - this.#first;
    cells[this.#at] = (cells[this.#at] ?? 0) + 1;
    // The times of the same cell are [cell r, (cell + 1) r), before 1970 too.
    this.#from = cell * this.#resolution;
    this.#to = this.#from + this.#resolution;
  }

  /** Merges the cells into those of `resolution`, a multiple of the current one. */
  #coarsen(resolution: number): void {
    const factor = resolution / this.#resolution;
    const merged = new Map<number, number>();
    this.#forEachCell((cell, count) => {
      const into = Math.floor(cell / factor);
      merged.set(into, (merged.get(into) ?? 0) + count);
    });
    this.#resolution = resolution;
    this.#from = Infinity;
    this.#to = -Infinity;
    if (this.#map !== null) {
      this.#map = merged;
      return;
    }
    if (merged.size === 0) return;
    let first = Infinity;
    let end = -Infinity;
    for (const cell of merged.keys()) {
      first = Math.min(first, cell);
      end = Math.max(end, cell + 1);
    }
    const cells = new Float64Array(Math.max(256, (end - first) * 2));
    for (const [cell, count] of merged) cells[cell - first] = count;
    this.#first = first;
    this.#cells = cells;
  }

  #toMap(): Map<number, number> {
    const map = new Map<number, number>();
    this.#forEachCell((cell, count) => map.set(cell, count));
    this.#map = map;
    this.#cells = null;
    this.#from = Infinity;
    this.#to = -Infinity;
    return map;
  }

  #forEachCell(visit: (cell: number, count: number) => void): void {
    if (this.#map !== null) {
      for (const [cell, count] of this.#map) visit(cell, count);
      return;
    }
    if (this.#unused) return;
    (this.#cells ?? new Float64Array(0)).forEach((count, i) => {
      if (count > 0) visit(this.#first + i, count);
    });
  }
}

/**
 * The resolution for times whose range calls for `width`: the greatest common divisor of `width` and every
 * wider width in `widths` (ascending), since the range can only grow: 1 hour for an hour when every wider
 * width is a multiple of it; a day for a week when 30 days may follow.
 */
export function resolutionFor(widths: readonly number[], width: number): number {
  let resolution = width;
  for (const w of widths) if (w > width) resolution = gcd(resolution, w);
  return resolution;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
