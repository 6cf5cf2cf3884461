/**
 * A small LRU cache of row pages for one view: the grid asks for rows by position, fetches whole pages
 * (`pageSize` rows from `page × pageSize`) and keeps the `maxPages` most recently used.
 */

/** An LRU page cache. `T` is the row type. */
export class RowPageCache<T> {
  readonly pageSize: number;
  readonly maxPages: number;
  /** Insertion order is recency order: the first key is the least recently used. */
  readonly #pages = new Map<number, readonly T[]>();
  readonly #pending = new Set<number>();

  /** Requires `pageSize ≥ 1` and `maxPages ≥ 1`. */
  constructor(pageSize: number, maxPages: number) {
    if (!(pageSize >= 1) || !(maxPages >= 1)) throw new RangeError('pageSize and maxPages must be at least 1');
    this.pageSize = Math.floor(pageSize);
    this.maxPages = Math.floor(maxPages);
  }

  /** The page holding position `index`. */
  pageOf(index: number): number {
    return Math.floor(index / this.pageSize);
  }

  /** The row at `index`, if its page is cached (marks the page recently used). */
  get(index: number): T | undefined {
    const page = this.pageOf(index);
    const rows = this.#pages.get(page);
    if (rows === undefined) return undefined;
    this.#pages.delete(page);
    this.#pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  /** Whether a page is cached. */
  has(page: number): boolean {
    return this.#pages.has(page);
  }

  /** Pages covering `first … last` that are neither cached nor being fetched, nearest to `first` first. */
  missingPages(first: number, last: number): number[] {
    if (last < first) return [];
    const out: number[] = [];
    for (let page = this.pageOf(Math.max(0, first)); page <= this.pageOf(last); page++) {
      if (!this.#pages.has(page) && !this.#pending.has(page)) out.push(page);
    }
    return out;
  }

  /** Marks a page as being fetched (so it is not requested twice). */
  markPending(page: number): void {
    this.#pending.add(page);
  }

  /** Stores a fetched page, evicting the least recently used pages beyond `maxPages`. */
  put(page: number, rows: readonly T[]): void {
    this.#pending.delete(page);
    this.#pages.delete(page);
    this.#pages.set(page, rows);
    while (this.#pages.size > this.maxPages) {
      const oldest = this.#pages.keys().next().value;
      if (oldest === undefined) break;
      this.#pages.delete(oldest);
    }
  }

  /** Forgets a failed fetch so it can be retried. */
  fail(page: number): void {
    this.#pending.delete(page);
  }

  /** Replaces cached rows for which `update` returns a new row (annotations changed them). */
  update(update: (row: T) => T | undefined): void {
    for (const [page, rows] of this.#pages) {
      let changed = false;
      const next = rows.map((row) => {
        const replacement = update(row);
        if (replacement === undefined) return row;
        changed = true;
        return replacement;
      });
      if (changed) this.#pages.set(page, next);
    }
  }

  /** Drops everything (a new view). */
  clear(): void {
    this.#pages.clear();
    this.#pending.clear();
  }

  /** Number of cached pages. */
  get size(): number {
    return this.#pages.size;
  }
}
