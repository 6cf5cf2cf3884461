/**
 * `SearchBitmaps`: for the searches that match a large part of the log, which events they match, as one bit
 * per events rowid, in memory shared by every query thread of the process (part of `EventFacets`).
 *
 * Reading a search's matches out of the full-text index costs about 0.09 µs a match: statistics over a word
 * in every one of 10,000,000 events spent 0.9 s there before counting anything. A bitmap of the same
 * matches is read at a few nanoseconds a match. A search is kept by its words (`searchKey`: one word, or
 * several, whose matches are those holding all of them), and an organization's events with a root metadata
 * value the same way (`metadataKey`, read from the metadata index instead); a search of several words whose words each have a
 * bitmap is answered from their intersection, a 32-bit word at a time. A bitmap costs an eighth of a byte per
 * event (1.25 MB at 10,000,000), so only searches matching at least a sixteenth of the events get one
 * (`isBroad`), made from the entries just read for them, and at most `slots` are kept, the least recently
 * used making way. Each covers the rowids up to its own mark and is brought up to the statistics copy's
 * last rowid before use, from the index's entries past the mark (the index seeks to them).
 *
 * Events are append-only and no product path removes full-text entries (`CustodyDialect.removeSearchText`
 * is for a retention purge yet to come, which will have to drop these bitmaps, as it will the records).
 *
 * Sharing between threads, per slot: `LOCK` (the holder's tag) is held to write a slot (claim it for a
 * search, extend it); readers only count themselves in `READERS`, and read the bits up to the mark they saw,
 * which later extensions never change. A slot changes searches only with no reader counted: the claimer makes
 * `GEN` odd, then checks `READERS` is 0; a reader counts itself, then checks `GEN` is still what it matched.
 */
import type { TEntryBits } from '@custody/db';

import { AppError } from './errors';
import { GrowableSharedArrayBuffer, lock, releaseLock, tryLock, unlock } from './shared-memory';
import type { TGrowableSharedArrayBuffer } from './shared-memory';

/** Int32 fields of a slot in the header. */
const LOCK = 0;
const GEN = 1;
const READERS = 2;
const COVERED = 3;
const USED = 4;
const LENGTH = 5;
const STRIDE = 8;
/** Longest search key kept (UTF-8 bytes); a search with a longer one gets no bitmap. */
const TERM_BYTES = 512;
/** How long `store` waits for another thread claiming a slot (microseconds of work) before giving up. */
const CLAIM_WAIT_MS = 1_000;
/** Bitmaps grow 64 KiB at a time (524,288 rowids). */
const GROW_BYTES = 65_536;

/** Default least number of matches of a broad search (`isBroad`). */
export const BROAD_SEARCH_MATCHES = 65_536;

/** Default number of bitmaps kept (half of them at most for common metadata values made after start). */
export const SEARCH_BITMAP_SLOTS = 32;

/** The shared memory of the bitmaps: made once (`createSearchBitmapMemory`), given to every query thread. */
export interface TSearchBitmapMemory {
  /** Per slot: lock, generation, readers, covered rowid, last use, key length; then the use counter and the claim lock. */
  readonly header: SharedArrayBuffer;
  /** Each slot's search key (`searchKey`), UTF-8, `TERM_BYTES` apiece. */
  readonly terms: SharedArrayBuffer;
  /** Each slot's bits: bit `r & 31` of uint32 `r >>> 5` for rowid `r`. */
  readonly bitmaps: readonly TGrowableSharedArrayBuffer[];
}

/** Memory for `slots` bitmaps of up to `maxRowid` rowids each (virtual reservations; pages are used as they fill). */
export function createSearchBitmapMemory(maxRowid: number, slots = SEARCH_BITMAP_SLOTS): TSearchBitmapMemory {
  const maxByteLength = Math.ceil((maxRowid + 1) / 32) * 4;
  return {
    header: new SharedArrayBuffer(4 * (slots * STRIDE + 2)),
    terms: new SharedArrayBuffer(TERM_BYTES * slots),
    bitmaps: Array.from({ length: slots }, () => new GrowableSharedArrayBuffer(0, { maxByteLength })),
  };
}

/** How many searches have a bitmap in `memory`, and the bytes their bitmaps take (for `/metrics`). */
export function searchBitmapUsage(memory: TSearchBitmapMemory): { searches: number; bytes: number } {
  const header = new Int32Array(memory.header);
  let searches = 0;
  let bytes = 0;
  memory.bitmaps.forEach((bitmap, slot) => {
    if (Atomics.load(header, slot * STRIDE + LENGTH) > 0) searches++;
    bytes += bitmap.byteLength;
  });
  return { searches, bytes };
}

/**
 * Whether `matches` entries of a log whose last rowid is `last` make a search worth a bitmap: at least
 * `least` of them, and a sixteenth of the log (where a bitmap takes less memory than the list of rowids).
 */
export function isBroad(matches: number, last: number, least = BROAD_SEARCH_MATCHES): boolean {
  return matches >= least && matches * 16 >= last;
}

/** Whether a bitmap can be kept under `key` (its UTF-8 bytes fit a slot's). */
export function canKeep(key: string): boolean {
  const bytes = Buffer.byteLength(key, 'utf8');
  return bytes > 0 && bytes <= TERM_BYTES;
}

/** A bitmap held for reading (`SearchBitmaps.acquire`): its bits are valid for rowids up to `covered`. */
export interface TSearchBitmap {
  readonly slot: number;
  readonly bits: Uint32Array;
}

/** Sets in `bits` the matches of the bitmap key `key` in `(after, upTo]` (`TFacetReads.searchEntryBits` for a search). */
export type TSearchEntries = (key: string, bits: Uint32Array, after: number, upTo: number) => TEntryBits;

/** The key of a search of `words` (`searchTerms`, none holding a space): the same whatever their order. */
export function searchKey(words: readonly string[]): string {
  return [...new Set(words)].sort().join(' ');
}

export class SearchBitmaps {
  readonly #memory: TSearchBitmapMemory;
  readonly #header: Int32Array;
  readonly #terms: Uint8Array;
  readonly #slots: number;
  readonly #tag: number;
  readonly #entries: TSearchEntries;

  /** `tag`: this thread's lock value (`threadTag`); `entries`: how to read a search's matches. */
  constructor(memory: TSearchBitmapMemory, tag: number, entries: TSearchEntries) {
    this.#memory = memory;
    this.#header = new Int32Array(memory.header);
    this.#terms = new Uint8Array(memory.terms);
    this.#slots = memory.bitmaps.length;
    this.#tag = tag;
    this.#entries = entries;
  }

  /** The keys of the searches that have a bitmap now (for tests and logs). */
  get keys(): string[] {
    const out: string[] = [];
    for (let slot = 0; slot < this.#slots; slot++) {
      const length = Atomics.load(this.#header, slot * STRIDE + LENGTH);
      if (length > 0) out.push(Buffer.from(this.#terms.subarray(slot * TERM_BYTES, slot * TERM_BYTES + length)).toString('utf8'));
    }
    return out;
  }

  /**
   * The bitmaps of the searches `keys` (`searchKey`), each brought up to `last` first (waiting up to
   * `waitMs` for a thread writing it), held for reading until `release`; `null` (nothing held) if one of
   * them has no bitmap or could not be brought up to date.
   */
  acquire(keys: readonly string[], last: number, waitMs: number): TSearchBitmap[] | null {
    const held: TSearchBitmap[] = [];
    for (const key of keys) {
      const found = this.#find(key);
      const slot = found === null ? -1 : this.#hold(found.slot, found.gen);
      if (slot < 0 || !this.#cover(slot, key, last, waitMs)) {
        if (slot >= 0) Atomics.sub(this.#header, slot * STRIDE + READERS, 1);
        this.release(held);
        return null;
      }
      Atomics.store(this.#header, slot * STRIDE + USED, Atomics.add(this.#header, this.#slots * STRIDE, 1) + 1);
      const buffer = this.#memory.bitmaps[slot];
      if (buffer === undefined) throw new Error('search bitmap slot out of range');
      held.push({ slot, bits: new Uint32Array(buffer, 0, Math.min(buffer.byteLength / 4, bitmapWords(last))) });
    }
    return held;
  }

  release(held: readonly TSearchBitmap[]): void {
    for (const { slot } of held) Atomics.sub(this.#header, slot * STRIDE + READERS, 1);
  }

  /**
   * Keeps `bits`, the matches of the search `key` up to `last` (already read), as its bitmap, in the least
   * recently used slot; false if every slot is busy or the search already has one. Threads that read the same
   * search at once claim one slot between them (under the claim lock), not one each.
   */
  store(key: string, bits: Uint32Array, last: number): boolean {
    const claimLock = this.#slots * STRIDE + 1;
    if (!lock(this.#header, claimLock, this.#tag, CLAIM_WAIT_MS)) return false;
    let slot: number;
    try {
      slot = this.#find(key) === null ? this.#claim(key) : -1;
    } finally {
      unlock(this.#header, claimLock);
    }
    if (slot < 0) return false;
    try {
      this.#view(slot, last).set(bits.subarray(0, bitmapWords(last)));
      Atomics.store(this.#header, slot * STRIDE + COVERED, last);
      return true;
    } finally {
      this.#unlock(slot);
    }
  }

  /**
   * Releases the slot locks and the claim lock of the stopped thread whose tag is `tag`. Were it counted as a
   * reader (stopped while extending a bitmap it held: a thread is only stopped when stuck in a statement), that
   * count stays, and the slot keeps its search until the process restarts: one slot fewer to make way, nothing
   * wrong read.
   */
  static releaseLocks(memory: TSearchBitmapMemory, tag: number): void {
    const header = new Int32Array(memory.header);
    releaseLock(header, memory.bitmaps.length * STRIDE + 1, tag);
    for (let slot = 0; slot < memory.bitmaps.length; slot++) {
      const at = slot * STRIDE;
      // A claim it left half made (generation odd): no search, nothing covered.
      if (releaseLock(header, at + LOCK, tag) && (Atomics.load(header, at + GEN) & 1) === 1) {
        Atomics.store(header, at + LENGTH, 0);
        Atomics.add(header, at + GEN, 1);
      }
    }
  }

  /** The slot holding `key` and its generation then, or `null`. */
  #find(key: string): { slot: number; gen: number } | null {
    const bytes = Buffer.from(key, 'utf8');
    for (let slot = 0; slot < this.#slots; slot++) {
      const at = slot * STRIDE;
      const gen = Atomics.load(this.#header, at + GEN);
      if ((gen & 1) === 1 || Atomics.load(this.#header, at + LENGTH) !== bytes.length) continue;
      const start = slot * TERM_BYTES;
      if (bytes.equals(this.#terms.subarray(start, start + bytes.length)) && Atomics.load(this.#header, at + GEN) === gen) return { slot, gen };
    }
    return null;
  }

  /** Counts this thread as a reader of `slot` if it still holds generation `gen`: the slot, or -1. */
  #hold(slot: number, gen: number): number {
    const at = slot * STRIDE;
    Atomics.add(this.#header, at + READERS, 1);
    if (Atomics.load(this.#header, at + GEN) === gen) return slot;
    Atomics.sub(this.#header, at + READERS, 1);
    return -1;
  }

  /** Brings a held slot up to `last` (under its lock); false if the lock stayed busy. */
  #cover(slot: number, key: string, last: number, waitMs: number): boolean {
    const at = slot * STRIDE;
    if (Atomics.load(this.#header, at + COVERED) >= last) return true;
    if (!lock(this.#header, at + LOCK, this.#tag, waitMs)) return false;
    try {
      const from = Atomics.load(this.#header, at + COVERED);
      if (from < last) {
        this.#entries(key, this.#view(slot, last), from, last);
        Atomics.store(this.#header, at + COVERED, last);
      }
      return true;
    } finally {
      this.#unlock(slot);
    }
  }

  /**
   * Takes a slot for `key` (an empty one, else the least recently used with no reader), left locked with
   * nothing covered; -1 if none could be taken.
   */
  #claim(key: string): number {
    if (!canKeep(key)) return -1;
    const bytes = Buffer.from(key, 'utf8');
    const order = Array.from({ length: this.#slots }, (_, slot) => slot).sort(
      (a, b) => Atomics.load(this.#header, a * STRIDE + USED) - Atomics.load(this.#header, b * STRIDE + USED),
    );
    for (const slot of order) {
      const at = slot * STRIDE;
      if (!tryLock(this.#header, at + LOCK, this.#tag)) continue;
      const gen = Atomics.load(this.#header, at + GEN);
      if (Atomics.load(this.#header, at + READERS) !== 0) {
        this.#unlock(slot);
        continue;
      }
      // Odd: readers matching the old key from now on miss; one counted before this is seen below.
      Atomics.store(this.#header, at + GEN, gen + 1);
      if (Atomics.load(this.#header, at + READERS) !== 0) {
        Atomics.store(this.#header, at + GEN, gen + 2);
        this.#unlock(slot);
        continue;
      }
      const buffer = this.#memory.bitmaps[slot];
      if (buffer === undefined) throw new Error('search bitmap slot out of range');
      new Uint32Array(buffer, 0, buffer.byteLength / 4).fill(0);
      this.#terms.set(bytes, slot * TERM_BYTES);
      Atomics.store(this.#header, at + COVERED, 0);
      Atomics.store(this.#header, at + LENGTH, bytes.length);
      Atomics.store(this.#header, at + USED, Atomics.add(this.#header, this.#slots * STRIDE, 1) + 1);
      Atomics.store(this.#header, at + GEN, gen + 2);
      return slot;
    }
    return -1;
  }

  /** Under the slot's lock: the slot's bits, grown to hold rowid `last`. */
  #view(slot: number, last: number): Uint32Array {
    const buffer = this.#memory.bitmaps[slot];
    if (buffer === undefined) throw new Error('search bitmap slot out of range');
    const needed = bitmapWords(last) * 4;
    if (needed > buffer.maxByteLength) throw new AppError('INTERNAL', `rowid ${last} is beyond the search bitmaps' reach`);
    if (needed > buffer.byteLength) buffer.grow(Math.min(buffer.maxByteLength, Math.ceil(needed / GROW_BYTES) * GROW_BYTES));
    return new Uint32Array(buffer, 0, buffer.byteLength / 4);
  }

  #unlock(slot: number): void {
    unlock(this.#header, slot * STRIDE + LOCK);
  }
}

/** The uint32 words a bitmap of the rowids up to `last` takes. */
export function bitmapWords(last: number): number {
  return Math.ceil((last + 1) / 32);
}

/**
 * Uint32 word `index` of the intersection of `first` and `rest`, without the bits of rowids above `last`
 * (newer events, not to be counted): bit `b` stands for rowid `index * 32 + b`.
 */
export function commonWord(first: Uint32Array, rest: readonly Uint32Array[], index: number, last: number): number {
  let x = (first[index] ?? 0) | 0;
  for (const other of rest) x &= other[index] ?? 0;
  if (index === last >>> 5 && (last & 31) !== 31) x &= (1 << ((last & 31) + 1)) - 1;
  return x;
}
