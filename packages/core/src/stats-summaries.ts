/**
 * `StatsSummaries`: the statistics of the whole log for common searches and metadata values, kept with the
 * rowid they count up to, in memory shared by every query thread of the process (part of `EventFacets`).
 *
 * A search or metadata value matching millions of events is read from its bitmap (`SearchBitmaps`), but each
 * statistics call over it still counts every match: three columns read at each of 2,000,000 scattered rowids
 * (25-40 ms at 10M events on the slower VMs), a word in every event 10,000,000 of them (250 ms). The counts of
 * such a filter over the whole log (no time bounds, nothing else) are kept here once made: how many, the first
 * and last time, the time histogram's cells, every action's and every actor's count. A later call over the
 * same filter counts only the matches past the summary's mark and adds them, and stores the result again.
 *
 * A summary is keyed by the organization and the filter (`summaryKey`), holds counts by the statistics
 * copy's dictionary codes (stable for the life of the process), and is only ever replaced whole. Every slot
 * is guarded by its lock, held for the copy in or out (a few hundred KB at most). The least recently used
 * slot makes way. A thread stopped while holding a slot's lock leaves that slot empty (`releaseLocks`).
 */
import { lock, releaseLock, tryLock, unlock, GrowableSharedArrayBuffer } from './shared-memory';
import type { TGrowableSharedArrayBuffer } from './shared-memory';
import type { THistogramState } from './time-histogram';

/** Int32 fields of a slot in the header. */
const LOCK = 0;
const USED = 1;
const KEY_LENGTH = 2;
const STRIDE = 4;
/** Longest key kept (UTF-8 bytes). */
const KEY_BYTES = 1_024;
/** Float64 fields before the arrays of a payload. */
const FIELDS = 11;
/** How long a thread waits for another holding a slot (copying a few hundred KB in or out). */
const SLOT_WAIT_MS = 200;

/** Default number of summaries kept. */
export const STATS_SUMMARY_SLOTS = 32;
/** Most bytes a summary takes: 8 bytes a histogram cell, an action and an actor (about a million actors). */
export const STATS_SUMMARY_BYTES = 8 * 2 ** 20;

/** The shared memory of the summaries: made once (`createStatsSummaryMemory`), given to every query thread. */
export interface TStatsSummaryMemory {
  /** Per slot: lock, last use, key length; then the use counter and the claim lock. */
  readonly header: SharedArrayBuffer;
  /** Each slot's key, UTF-8, `KEY_BYTES` apiece. */
  readonly keys: SharedArrayBuffer;
  /** Each slot's summary (float64s: `FIELDS` numbers, then the histogram's cells, the actions' and actors' counts). */
  readonly payloads: readonly TGrowableSharedArrayBuffer[];
}

export function createStatsSummaryMemory(slots = STATS_SUMMARY_SLOTS, maxBytes = STATS_SUMMARY_BYTES): TStatsSummaryMemory {
  return {
    header: new SharedArrayBuffer(4 * (slots * STRIDE + 2)),
    keys: new SharedArrayBuffer(KEY_BYTES * slots),
    payloads: Array.from({ length: slots }, () => new GrowableSharedArrayBuffer(0, { maxByteLength: maxBytes })),
  };
}

/** How many summaries `memory` holds, and the bytes their slots take (for `/metrics`). */
export function statsSummaryUsage(memory: TStatsSummaryMemory): { summaries: number; bytes: number } {
  const header = new Int32Array(memory.header);
  let summaries = 0;
  let bytes = 0;
  memory.payloads.forEach((payload, slot) => {
    if (Atomics.load(header, slot * STRIDE + KEY_LENGTH) > 0) summaries++;
    bytes += payload.byteLength;
  });
  return { summaries, bytes };
}

/** The statistics of a filter's matches up to rowid `mark`: counts by the statistics copy's codes. */
export interface TStatsSummary {
  readonly mark: number;
  readonly n: number;
  /** The matches' least and greatest `occurred_at`. */
  readonly lo: number;
  readonly hi: number;
  readonly histogram: THistogramState;
  readonly actionCounts: Float64Array;
  readonly actorCounts: Float64Array;
}

/**
 * The key of the summary of `organizationId`'s events matching the filter described by `filter` (a search or
 * metadata key), its histogram made for buckets of the widths `widths` (`TBucketChoice`).
 */
export function summaryKey(organizationId: string, filter: string, widths: readonly number[]): string {
  return JSON.stringify([organizationId, filter, widths]);
}

export class StatsSummaries {
  readonly #memory: TStatsSummaryMemory;
  readonly #header: Int32Array;
  readonly #keys: Uint8Array;
  readonly #slots: number;
  readonly #tag: number;
  readonly #room: () => number;

  /** `tag`: this thread's lock value (`threadTag`); `room`: the bytes a summary may still grow its slot by (default: no limit). */
  constructor(memory: TStatsSummaryMemory, tag: number, room: () => number = () => Number.POSITIVE_INFINITY) {
    this.#memory = memory;
    this.#room = room;
    this.#header = new Int32Array(memory.header);
    this.#keys = new Uint8Array(memory.keys);
    this.#slots = memory.payloads.length;
    this.#tag = tag;
  }

  /** The keys of the summaries kept now (for tests and logs). */
  get keys(): string[] {
    const out: string[] = [];
    for (let slot = 0; slot < this.#slots; slot++) {
      const length = Atomics.load(this.#header, slot * STRIDE + KEY_LENGTH);
      if (length > 0) out.push(Buffer.from(this.#keys.subarray(slot * KEY_BYTES, slot * KEY_BYTES + length)).toString('utf8'));
    }
    return out;
  }

  /** A copy of the summary kept under `key`, or `null` (none, or its slot stayed busy). */
  get(key: string): TStatsSummary | null {
    const bytes = Buffer.from(key, 'utf8');
    for (let slot = 0; slot < this.#slots; slot++) {
      if (!this.#holds(slot, bytes)) continue;
      if (!lock(this.#header, slot * STRIDE + LOCK, this.#tag, SLOT_WAIT_MS)) return null;
      try {
        if (!this.#holds(slot, bytes)) return null;
        Atomics.store(this.#header, slot * STRIDE + USED, Atomics.add(this.#header, this.#slots * STRIDE, 1) + 1);
        return read(this.#payload(slot));
      } finally {
        unlock(this.#header, slot * STRIDE + LOCK);
      }
    }
    return null;
  }

  /**
   * Keeps `summary` under `key`, replacing the one kept there if it counts no further, else in the least
   * recently used slot; false if it is too large, its key too long, no slot could be taken at once, or growing the
   * slot would take more than the memory left (`room`).
   */
  put(key: string, summary: TStatsSummary): boolean {
    const bytes = Buffer.from(key, 'utf8');
    const size = 8 * (FIELDS + summary.histogram.cells.length + summary.actionCounts.length + summary.actorCounts.length);
    const payload = this.#memory.payloads[0];
    if (bytes.length === 0 || bytes.length > KEY_BYTES || payload === undefined || size > payload.maxByteLength) return false;
    const claimLock = this.#slots * STRIDE + 1;
    if (!tryLock(this.#header, claimLock, this.#tag)) return false;
    let slot = -1;
    try {
      slot = this.#take(bytes, summary.mark);
    } finally {
      unlock(this.#header, claimLock);
    }
    if (slot < 0) return false;
    const at = slot * STRIDE;
    try {
      const buffer = this.#memory.payloads[slot];
      if (buffer === undefined || size - buffer.byteLength > this.#room()) return false;
      // No key while the payload is written: a thread stopped here leaves an empty slot.
      Atomics.store(this.#header, at + KEY_LENGTH, 0);
      if (buffer.byteLength < size) buffer.grow(size);
      write(new Float64Array(buffer, 0, size / 8), summary);
      this.#keys.set(bytes, slot * KEY_BYTES);
      Atomics.store(this.#header, at + USED, Atomics.add(this.#header, this.#slots * STRIDE, 1) + 1);
      Atomics.store(this.#header, at + KEY_LENGTH, bytes.length);
      return true;
    } finally {
      unlock(this.#header, at + LOCK);
    }
  }

  /** Empties the slots whose lock the stopped thread tagged `tag` held, and frees those locks and the claim lock. */
  static releaseLocks(memory: TStatsSummaryMemory, tag: number): void {
    const header = new Int32Array(memory.header);
    releaseLock(header, memory.payloads.length * STRIDE + 1, tag);
    for (let slot = 0; slot < memory.payloads.length; slot++) {
      // Stopped while writing or reading it: the slot is emptied before the lock is let go.
      if (Atomics.load(header, slot * STRIDE + LOCK) === tag) Atomics.store(header, slot * STRIDE + KEY_LENGTH, 0);
      releaseLock(header, slot * STRIDE + LOCK, tag);
    }
  }

  /** Whether `slot`'s key is `bytes` (read without its lock: confirm under it). */
  #holds(slot: number, bytes: Buffer): boolean {
    if (Atomics.load(this.#header, slot * STRIDE + KEY_LENGTH) !== bytes.length) return false;
    const start = slot * KEY_BYTES;
    return bytes.equals(this.#keys.subarray(start, start + bytes.length));
  }

  /**
   * Under the claim lock: the slot for `key`, locked, or -1. Its own slot if it has one (unless that counts
   * beyond `mark` already), else an empty one or the least recently used.
   */
  #take(bytes: Buffer, mark: number): number {
    for (let slot = 0; slot < this.#slots; slot++) {
      if (!this.#holds(slot, bytes)) continue;
      if (!tryLock(this.#header, slot * STRIDE + LOCK, this.#tag)) return -1;
      if (this.#holds(slot, bytes) && (this.#payload(slot)[0] ?? 0) <= mark) return slot;
      unlock(this.#header, slot * STRIDE + LOCK);
      return -1;
    }
    const order = Array.from({ length: this.#slots }, (_, slot) => slot).sort(
      (a, b) => Atomics.load(this.#header, a * STRIDE + USED) - Atomics.load(this.#header, b * STRIDE + USED),
    );
    for (const slot of order) if (tryLock(this.#header, slot * STRIDE + LOCK, this.#tag)) return slot;
    return -1;
  }

  #payload(slot: number): Float64Array {
    const buffer = this.#memory.payloads[slot];
    return buffer === undefined ? new Float64Array(0) : new Float64Array(buffer, 0, buffer.byteLength / 8);
  }
}

function write(to: Float64Array, s: TStatsSummary): void {
  const h = s.histogram;
  to.set([s.mark, s.n, s.lo, s.hi, h.resolution, h.first, h.lo, h.hi, h.cells.length, s.actionCounts.length, s.actorCounts.length]);
  let at = FIELDS;
  for (const part of [h.cells, s.actionCounts, s.actorCounts]) {
    to.set(part, at);
    at += part.length;
  }
}

function read(from: Float64Array): TStatsSummary {
  const field = (i: number) => from[i] ?? 0;
  const part = (at: number, length: number) => from.slice(at, at + length);
  const cells = field(8);
  const actions = field(9);
  const actors = field(10);
  return {
    mark: field(0),
    n: field(1),
    lo: field(2),
    hi: field(3),
    histogram: { resolution: field(4), first: field(5), lo: field(6), hi: field(7), cells: part(FIELDS, cells) },
    actionCounts: part(FIELDS + cells, actions),
    actorCounts: part(FIELDS + cells + actions, actors),
  };
}
