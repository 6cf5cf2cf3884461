/**
 * `EventFacets`: every event's statistics columns (organization, `occurred_at`, action, actor) as arrays
 * indexed by the event's rowid, in a query thread's memory (SQLite; `CustodyDialect.facetReads`).
 *
 * Statistics over a full-text search read the events it matches: four aggregations (time range, buckets,
 * top actions, top actors) each looking every match up in the events table, about 1.8 µs a match, so a
 * word in a fifth of 10,000,000 events took 14 s. Here the matches' rowids come from the full-text index
 * in one read (about 0.1 µs each) and each is looked up in these arrays (nanoseconds).
 *
 * Events are append-only (no update path; rows are never deleted), so the copy only grows: it is
 * filled in the background when the thread starts (`warm`, in slices, so calls are served between them)
 * and brought up to date before each use (`catchUp`). Memory: 16 bytes an event, plus one entry per
 * distinct organization, action and actor.
 */
import type { TFacetReads } from '@custody/db';

import { AppError } from './errors';
import type { TEventStats } from './query';

/** Rows read per slice while warming: about 15 ms of the thread, so that calls wait little behind a slice. */
const SLICE = 10_000;

/** Distinct values, numbered from 1 (0: no event at that rowid). */
class Dictionary {
  readonly values: string[] = [''];
  readonly #codes = new Map<string, number>();

  code(value: string): number {
    let code = this.#codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.#codes.set(value, code);
    }
    return code;
  }

  find(value: string): number | undefined {
    return this.#codes.get(value);
  }
}

/** What `EventFacets.stats` filters on: a full-text search and the filter parts the arrays hold. */
export interface TFacetFilter {
  words: readonly string[];
  actions?: readonly string[];
  actorId?: string;
  actorType?: string;
  /** Inclusive, in ms. */
  after?: number;
  /** Exclusive, in ms. */
  before?: number;
}

export class EventFacets {
  readonly #reads: TFacetReads;
  #time = new Float64Array(1024);
  #org = new Uint16Array(1024);
  #action = new Uint16Array(1024);
  #actor = new Uint32Array(1024);
  /** The highest rowid copied. */
  #last = 0;
  #warm = false;
  /** Set when a read failed (a database error, more values than the arrays can number): SQL answers from then on. */
  #broken = false;
  readonly #orgs = new Dictionary();
  readonly #actions = new Dictionary();
  /** `actor_type \0 actor_id`. */
  readonly #actors = new Dictionary();

  constructor(reads: TFacetReads) {
    this.#reads = reads;
  }

  /** True once the first full copy is made: until then `stats` is not offered and SQL answers. */
  get ready(): boolean {
    return this.#warm && !this.#broken;
  }

  /** Events copied (the highest rowid), for tests and logs. */
  get size(): number {
    return this.#last;
  }

  /**
   * Copies every event, a slice at a time, letting the thread serve calls between slices; through `reads`
   * if given (a connection with a small page cache, so the scan does not fill the queries' cache). Resolves
   * when caught up; a database error ends it (the copy stays unused and SQL answers).
   */
  async warm(reads: TFacetReads = this.#reads): Promise<void> {
    try {
      while (this.#read(SLICE, reads) === SLICE) await new Promise<void>((resolve) => setImmediate(resolve));
      this.#warm = true;
    } catch (error) {
      this.#broken = true;
      throw error;
    }
  }

  /** Copies the events committed since the last read; false (and the copy unused from then on) if that failed. */
  catchUp(): boolean {
    try {
      while (this.#read(SLICE) === SLICE);
      return true;
    } catch {
      this.#broken = true;
      return false;
    }
  }

  #read(limit: number, reads: TFacetReads = this.#reads): number {
    const rows = reads.rowsAfter(this.#last, limit);
    const lastRow = rows[rows.length - 1];
    if (lastRow === undefined) return 0;
    if (lastRow[0] > 0xffffffff) throw new AppError('INTERNAL', 'event rowids beyond 2^32: the statistics copy cannot index them');
    this.#ensure(lastRow[0] + 1);
    for (const [rowid, organization, occurredAt, action, actorType, actorId] of rows) {
      this.#org[rowid] = this.#orgs.code(organization);
      this.#time[rowid] = occurredAt;
      this.#action[rowid] = this.#actions.code(action);
      this.#actor[rowid] = this.#actors.code(`${actorType}\u0000${actorId}`);
    }
    if (this.#orgs.values.length > 0xffff || this.#actions.values.length > 0xffff) {
      throw new AppError('INTERNAL', 'more than 65,535 organizations or actions: the statistics copy cannot number them');
    }
    this.#last = lastRow[0];
    return rows.length;
  }

  #ensure(length: number): void {
    if (length <= this.#time.length) return;
    // A quarter more than needed: the arrays are most of the copy's memory, and copying is cheap.
    const capacity = Math.max(length, Math.ceil(this.#time.length * 1.25));
    const grow = <T extends Float64Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.#time = grow(this.#time, (n) => new Float64Array(n));
    this.#org = grow(this.#org, (n) => new Uint16Array(n));
    this.#action = grow(this.#action, (n) => new Uint16Array(n));
    this.#actor = grow(this.#actor, (n) => new Uint32Array(n));
  }

  /**
   * The statistics of `organizationId`'s events matching `filter`, exactly as `EventQueries`' SQL
   * computes them: buckets of `occurred_at / bucketMs` truncated, ties in the top lists broken by
   * value in binary (code point) order. `bucketMs` is chosen from the matches' time range by `chooseBucket`
   * unless given. `null` before the first full copy.
   */
  stats(
    organizationId: string,
    filter: TFacetFilter,
    requestedBucket: number | undefined,
    top: number,
    chooseBucket: (lo: number, hi: number) => number,
  ): TEventStats | null {
    if (!this.ready || !this.catchUp()) return null;
    const entries = this.#reads.searchEntryList(filter.words);
    const org = this.#orgs.find(organizationId);
    const matches = new Uint32Array(entries.length);
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    const actionCounts = new Float64Array(this.#actions.values.length);
    const actorCounts = new Float64Array(this.#actors.values.length);
    if (org !== undefined) {
      const actionOk = this.#allowedActions(filter.actions);
      const actorOk = this.#allowedActors(filter.actorId, filter.actorType);
      const after = filter.after ?? -Infinity;
      const before = filter.before ?? Infinity;
      const times = this.#time;
      const orgs = this.#org;
      const actions = this.#action;
      const actors = this.#actor;
      const last = this.#last;
      for (const rowid of entries) {
        // An entry newer than the copy belongs to an event committed after catchUp: not counted, as a
        // statement that started before its commit would not count it.
        if (rowid > last || orgs[rowid] !== org) continue;
        const t = times[rowid] ?? 0;
        if (t < after || t >= before) continue;
        const action = actions[rowid] ?? 0;
        const actor = actors[rowid] ?? 0;
        if ((actionOk !== null && actionOk[action] !== 1) || (actorOk !== null && actorOk[actor] !== 1)) continue;
        matches[n++] = rowid;
        if (t < lo) lo = t;
        if (t > hi) hi = t;
        actionCounts[action] = (actionCounts[action] ?? 0) + 1;
        actorCounts[actor] = (actorCounts[actor] ?? 0) + 1;
      }
    }
    const rangeLo = filter.after ?? (n === 0 ? 0 : lo);
    const rangeHi = filter.before ?? (n === 0 ? 0 : hi) + 1;
    const bucketMs = requestedBucket ?? chooseBucket(rangeLo, rangeHi);
    if (n === 0) return { total: 0, bucketMs, buckets: [], topActions: [], topActors: [] };
    const buckets = countBuckets(this.#time, matches.subarray(0, n), lo, hi, bucketMs);
    const topActions = topCodes(actionCounts, top, (code) => [this.#actions.values[code] ?? '']).map(([code, count]) => ({
      action: this.#actions.values[code] ?? '',
      count,
    }));
    const actorParts = (code: number) => (this.#actors.values[code] ?? '').split('\u0000') as [string, string];
    const topActors = topCodes(actorCounts, top, actorParts).map(([code, count]) => {
      const [type, id] = actorParts(code);
      return { type, id, count };
    });
    return { total: n, bucketMs, buckets, topActions, topActors };
  }

  /** 1 for each action code `actions` allows (exact, or a `prefix.*` of whole segments), or `null` for all. */
  #allowedActions(actions: readonly string[] | undefined): Uint8Array | null {
    if (actions === undefined || actions.length === 0) return null;
    const exact = new Set(actions.filter((a) => !a.endsWith('.*')));
    const prefixes = actions.filter((a) => a.endsWith('.*')).map((a) => a.slice(0, -1));
    const ok = new Uint8Array(this.#actions.values.length);
    this.#actions.values.forEach((value, code) => {
      if (code > 0 && (exact.has(value) || prefixes.some((p) => value.startsWith(p)))) ok[code] = 1;
    });
    return ok;
  }

  /** 1 for each actor code with that id and type, or `null` for all. */
  #allowedActors(actorId: string | undefined, actorType: string | undefined): Uint8Array | null {
    if (actorId === undefined && actorType === undefined) return null;
    const ok = new Uint8Array(this.#actors.values.length);
    this.#actors.values.forEach((value, code) => {
      if (code === 0) return;
      const cut = value.indexOf('\u0000');
      if ((actorType === undefined || value.slice(0, cut) === actorType) && (actorId === undefined || value.slice(cut + 1) === actorId)) ok[code] = 1;
    });
    return ok;
  }
}

/** Matches per bucket (`trunc(occurred_at / bucketMs) * bucketMs`, as SQL's integer division), in time order. */
function countBuckets(times: Float64Array, matches: Uint32Array, lo: number, hi: number, bucketMs: number): TEventStats['buckets'] {
  const first = Math.trunc(lo / bucketMs);
  const span = Math.trunc(hi / bucketMs) - first + 1;
  const counts = new Map<number, number>();
  if (span <= 1 << 22) {
    // Dense: one counter per bucket between the first and last match (at most 4M, 32 MiB).
    const dense = new Float64Array(span);
    for (const rowid of matches) {
      const at = Math.trunc((times[rowid] ?? 0) / bucketMs) - first;
      dense[at] = (dense[at] ?? 0) + 1;
    }
    dense.forEach((count, at) => {
      if (count > 0) counts.set((first + at) * bucketMs, count);
    });
  } else {
    for (const rowid of matches) {
      const start = Math.trunc((times[rowid] ?? 0) / bucketMs) * bucketMs;
      counts.set(start, (counts.get(start) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start: new Date(start).toISOString(), count }));
}

/** The `top` codes with the highest counts, ties broken by their values (`keys`) in binary order. */
function topCodes(counts: Float64Array, top: number, keys: (code: number) => readonly string[]): [number, number][] {
  const present: [number, number][] = [];
  counts.forEach((count, code) => {
    if (count > 0) present.push([code, count]);
  });
  present.sort((a, b) => {
    if (a[1] !== b[1]) return b[1] - a[1];
    const ka = keys(a[0]);
    const kb = keys(b[0]);
    for (let i = 0; i < ka.length; i++) {
      const c = compareBinary(ka[i] ?? '', kb[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
  return present.slice(0, top);
}

/** SQLite's BINARY collation over UTF-8, which orders by code point (UTF-16 code units differ above U+D7FF). */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true) return cb.done === true ? 0 : -1;
    if (cb.done === true) return 1;
    const pa = ca.value.codePointAt(0) ?? 0;
    const pb = cb.value.codePointAt(0) ?? 0;
    if (pa !== pb) return pa - pb;
  }
}
