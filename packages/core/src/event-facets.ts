/**
 * `EventFacets`: every event's statistics columns (organization, `occurred_at`, action, actor, seq, IPv4) as records
 * indexed by the event's rowid, in memory shared by every query thread of the process (SQLite;
 * `CustodyDialect.facetReads`).
 *
 * Statistics over a full-text search read the events it matches: four aggregations (time range, buckets,
 * top actions, top actors) each looking every match up in the events table, about 1.8 µs a match, so a
 * word in a fifth of 10,000,000 events took 14 s. Here the matches' rowids come from the full-text index
 * in one read (about 0.1 µs each), straight into a bitmap, and each is looked up in the records
 * (nanoseconds) in one pass. A search matching a large part of the log keeps that bitmap (`SearchBitmaps`),
 * so later statistics over it skip the read. Every other filter is counted here too: a metadata value's
 * events are read by seq from its index and mapped to rowids through the records' seqs (kept as a bitmap
 * when common, as a search is), targets and narrow or IPv6 blocks are found by one statement returning rowids,
 * a few actions' or an actor's events are read from their lists (`SharedPostings`), and with none of those
 * every record is checked.
 *
 * Events are append-only (no update path; rows are never deleted), so the copy only grows: it is filled
 * in the background after start (`warm`, a slice at a time, the threads taking turns) and brought up to
 * date before each use (`catchUp`). One thread at a time appends, under a lock in the shared header; it
 * publishes the dictionaries' sizes and then the last rowid copied, and readers read up to that rowid
 * without the lock. Memory: 24 bytes an event for the whole process and about 8 more for the lists, plus the
 * distinct organizations, actions and actors (UTF-8, shared; each thread also keeps them as strings).
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

import type { TCompiledStatement, TEntryBits, TFacetReads } from '@custody/db';

import { AppError } from './errors';
import type { TEventStats } from './query';
import { BROAD_SEARCH_MATCHES, SEARCH_BITMAP_SLOTS, SearchBitmaps, bitmapWords, canKeep, commonWord, createSearchBitmapMemory, isBroad, searchKey } from './search-bitmaps';
import { GrowableSharedArrayBuffer, lock, releaseLock, tryLock, unlock } from './shared-memory';
import { SharedPostings, createPostingsMemory } from './shared-postings';
import { StatsSummaries, createStatsSummaryMemory, summaryKey } from './stats-summaries';
import type { TStatsSummary, TStatsSummaryMemory } from './stats-summaries';
import type { TListCursor, TPostingsMemory } from './shared-postings';
import type { TGrowableSharedArrayBuffer } from './shared-memory';
import { TimeHistogram } from './time-histogram';
import type { TSearchBitmap, TSearchBitmapMemory } from './search-bitmaps';

/** Rows read per slice while warming: about 15 ms of a thread, so that calls wait little behind a slice. */
const SLICE = 10_000;
/**
 * A statistics call completes a copy still being made only when at most this many events are missing from it
 * (about 1-2 s of copying); else SQL answers it while the warm-up goes on (`catchUp`).
 */
const COMPLETE_AT_ONCE = 500_000;
/** How long `catchUp` waits for another thread's append before leaving the statistics to SQL. */
const LOCK_WAIT_MS = 5_000;

/** Header slots (Int32). */
const LOCK = 0;
const LAST = 1;
const STATE = 2;
const COUNTS = 3; // organizations, actions, actors: 3, 4, 5
/**
 * Threads waiting in `catchUp` for the lock: warm-up slices give way to them. A thread is not stopped while
 * counted here (it waits at most LOCK_WAIT_MS, below the query pool's default grace of 10 s); were one stopped,
 * the warm-up would only wait for the next query to complete the copy.
 */
const WANTED = 6;
/** 0 until a thread takes on the common metadata values' bitmaps (`warmMetadata`): one thread a process does it. */
const METADATA_WARM = 7;
/** 0 until a thread tried to restore the copy from its snapshot file (`#restore`). */
const SNAPSHOT_TRIED = 8;
/** 1 while a thread writes the snapshot file (`saveSnapshot`). */
const SNAPSHOT_BUSY = 9;
/** The last rowid the snapshot file holds (restored or saved by this process), 0 for none. */
const SNAPSHOT_SAVED = 10;
/** 1 once the copy was given up because holding every event would pass its memory limit (`TFacetMemory.maxBytes`). */
const OVER_LIMIT = 11;
// STATE: 0 while the first copy is being made.
const STATE_WARM = 1;
const STATE_BROKEN = 2;

/**
 * Bitmap keys of metadata pairs start with a NUL, which no search word holds (`metadataKey`); the rest is the
 * JSON array of organization, key and value (a pair's events are its organization's alone).
 */
const METADATA_KEY = '\u0000metadata';

/** The sort key (`ipSortKey`) of an IPv4 address, or of its IPv4-mapped IPv6 form, begins with this. */
const IPV4_KEY = '00000000000000000000ffff';

/** The IPv4 address of the IP sort key `key` as the copy holds it (uint32), or 0 for an IPv6 one. */
function ipv4OfKey(key: string): number {
  return key.length === 32 && key.startsWith(IPV4_KEY) ? Number.parseInt(key.slice(IPV4_KEY.length), 16) : 0;
}

/**
 * The IPv4 addresses from the sort key `from` to `to` (`cidrSortKeyRange`) as the copy holds them (uint32), or
 * `null` where it cannot check them: an IPv6 range, or one holding 0.0.0.0, the copy's value for an event whose
 * address is IPv6 (0.0.0.0/8 is no client's address).
 */
export function facetIpv4Range(from: string, to: string): readonly [number, number] | null {
  const lo = ipv4OfKey(from);
  const hi = ipv4OfKey(to);
  return lo > 0 && hi >= lo ? [lo, hi] : null;
}

/** The bitmap key of `organizationId`'s events whose root metadata `name` is `value`. */
export function metadataKey(organizationId: string, name: string, value: string): string {
  return `${METADATA_KEY}${JSON.stringify([organizationId, name, value])}`;
}

/** Below this many rowids, a metadata pair's events are checked one by one rather than its list read. */
const METADATA_RANGE_BY_EVENTS = 65_536;
/** Events of an organization sampled to guess its common metadata values (`warmMetadata`). */
const METADATA_SAMPLE = 4_096;
/** Seqs of a metadata value's list read at once while warming (a fifth of them hold it: about 40 ms). */
const METADATA_WARM_SEQS = 1_048_576;

/** The first bytes of a snapshot's header (`saveSnapshot`): the format, bumped when the copy's layout changes. */
const SNAPSHOT_FORMAT = 'custody-statistics-copy-2';
/** A snapshot is written again once the copy has this many more events, or an eighth more (`saveSnapshot`). */
const SNAPSHOT_GROWTH = 100_000;
/** Events whose ids a snapshot records, to tell its database from another (`#identity`). */
const SNAPSHOT_IDS = 32;
/** Bytes written at once, and read at once (each part added to the checksum as it comes). */
const SNAPSHOT_WRITE = 2 ** 26;
const SNAPSHOT_READ = 2 ** 23;

/** Whether `value` (from a file) is an array of `length` safe integers, or with `nested`, of `length` arrays. */
function integers(value: unknown, length: number, nested = false): boolean {
  return value instanceof Array && value.length === length && value.every((item: unknown) => (nested ? item instanceof Array : Number.isSafeInteger(item)));
}

/** What a snapshot's checksum covers besides its buffers: every number of its header, so that none can be altered. */
function snapshotFields(meta: Omit<TSnapshotMeta, 'crc32'>): string {
  return JSON.stringify([meta.format, meta.last, meta.counts, meta.postings, meta.lengths, meta.ids]);
}

/** A snapshot file's header (JSON, after its length). */
interface TSnapshotMeta {
  readonly format: string;
  readonly last: number;
  readonly counts: readonly number[];
  readonly postings: readonly (readonly number[])[];
  readonly lengths: readonly number[];
  readonly ids: readonly (readonly [number, string])[];
  /**
   * CRC-32 (`zlib.crc32`) of `snapshotFields` and then the buffers: a cache file, checked against damage, not
   * against someone able to write it (who could rewrite any checksum or hash). A SHA-256 took 0.8 s of a 10M
   * restore on a CPU without SHA extensions, the CRC-32 0.1 s.
   */
  readonly crc32: number;
}

const MAX_RECORDS = 2 ** 28;
/** Most lists (distinct organization and action pairs, or actors) the copy keeps (`SharedPostings`). */
const MAX_LISTS = 2 ** 22;
/**
 * Reading a match from a list costs about this many times a scan's check of one rowid (setting its bit, then
 * walking the bitmap): lists are read when they hold fewer matches than that fraction of the rowids a scan would
 * check. Measured at 3M events: an eighth of them read from lists 13 ms, scanned 30-32.
 */
const LIST_COST = 2;
/** Most memory a query thread's running counts of actions' actors take (`#tally`): 8 bytes an actor each. */
const TALLY_BYTES = 64 * 2 ** 20;
const GROW_RECORDS = 65_536;
/**
 * Bytes of shared memory counted for each event not yet copied when the copy checks its limit: 24 in the
 * columns, about 8 in the lists, and up to 4 in the bitmaps (32 slots of an eighth of a byte each).
 */
const PROJECTED_BYTES_AN_EVENT = 36;
/** Rowids per block of the time ranges (`TFacetMemory.blocks`): 128 uint32 words of a bitmap. */
const BLOCK_BITS = 12;
const BLOCK = 1 << BLOCK_BITS;

/** The shared memory of one statistics copy: made once (`createFacetMemory`) and given to every query thread. */
export interface TFacetMemory {
  readonly header: SharedArrayBuffer;
  /**
   * The records, a column each (a scan that checks one column reads only it): `occurred_at` (float64), actor
   * (uint32), organization and action (uint32: `organization | action << 16`) and seq (uint32: the event's
   * position in its organization's log; metadata sets are read by seq), IPv4 address (uint32; 0 for an IPv6 one,
   * see `facetIpv4Range`), by rowid: 24 bytes an event.
   */
  readonly times: TGrowableSharedArrayBuffer;
  readonly actors: TGrowableSharedArrayBuffer;
  readonly keys: TGrowableSharedArrayBuffer;
  readonly seqs: TGrowableSharedArrayBuffer;
  readonly ips: TGrowableSharedArrayBuffer;
  /**
   * The rowids of each organization and action's events (keyed by their `keys` value) and of each actor's (by
   * actor code), about 4 bytes an event each (`SharedPostings`).
   */
  readonly lists: { readonly actions: TPostingsMemory; readonly actors: TPostingsMemory };
  /** Per block of `BLOCK` rowids, the least and the greatest `occurred_at` (float64 pairs): time filters skip blocks. */
  readonly blocks: TGrowableSharedArrayBuffer;
  /** Organizations, actions, actors (`type \0 id`): UTF-8 bytes and each value's end offset, by code. */
  readonly dictionaries: readonly TDictionaryMemory[];
  /** The broad searches' bitmaps (`SearchBitmaps`). */
  readonly searches: TSearchBitmapMemory;
  /** The whole log's statistics of common searches and metadata values (`StatsSummaries`). */
  readonly summaries: TStatsSummaryMemory;
  /**
   * The most bytes all of the above may take (`facetMemoryBytes`): a copy that would pass it to hold every event
   * is given up (SQL answers statistics, `EventFacets.overLimit`), and no summary is kept past it.
   */
  readonly maxBytes: number;
}

interface TDictionaryMemory {
  readonly bytes: TGrowableSharedArrayBuffer;
  readonly ends: TGrowableSharedArrayBuffer;
}

/**
 * Memory for a statistics copy (virtual reservations; pages are used as the copy grows), with `searchSlots`
 * search bitmaps (default `SEARCH_BITMAP_SLOTS`), limited to `maxBytes` in all (default none).
 */
export function createFacetMemory(searchSlots = SEARCH_BITMAP_SLOTS, maxBytes = Number.POSITIVE_INFINITY): TFacetMemory {
  const dictionary = () => ({
    bytes: new GrowableSharedArrayBuffer(0, { maxByteLength: 2 ** 30 }),
    ends: new GrowableSharedArrayBuffer(4 * 1024, { maxByteLength: 4 * 2 ** 26 }),
  });
  return {
    header: new SharedArrayBuffer(64),
    times: new GrowableSharedArrayBuffer(0, { maxByteLength: 8 * MAX_RECORDS }),
    actors: new GrowableSharedArrayBuffer(0, { maxByteLength: 4 * MAX_RECORDS }),
    keys: new GrowableSharedArrayBuffer(0, { maxByteLength: 4 * MAX_RECORDS }),
    seqs: new GrowableSharedArrayBuffer(0, { maxByteLength: 4 * MAX_RECORDS }),
    ips: new GrowableSharedArrayBuffer(0, { maxByteLength: 4 * MAX_RECORDS }),
    lists: { actions: createPostingsMemory(MAX_LISTS, MAX_RECORDS), actors: createPostingsMemory(MAX_LISTS, MAX_RECORDS) },
    blocks: new GrowableSharedArrayBuffer(0, { maxByteLength: 16 * (MAX_RECORDS / BLOCK) }),
    dictionaries: [dictionary(), dictionary(), dictionary()],
    searches: createSearchBitmapMemory(MAX_RECORDS, searchSlots),
    summaries: createStatsSummaryMemory(),
    maxBytes,
  };
}

/** The copy's shared buffers a snapshot holds, in its order (not the search bitmaps or the summaries). */
function copyBuffers(memory: TFacetMemory): TGrowableSharedArrayBuffer[] {
  return [
    memory.times, memory.actors, memory.keys, memory.seqs, memory.ips, memory.blocks,
    ...memory.dictionaries.flatMap((dictionary) => [dictionary.bytes, dictionary.ends]),
    ...[memory.lists.actions, memory.lists.actors].flatMap((lists) => [lists.keys, lists.heads, lists.tails, lists.counts, lists.pool]),
  ];
}

/** The bytes `memory` takes now: the copy, the search bitmaps and the summaries (for `maxBytes` and `/metrics`). */
export function facetMemoryBytes(memory: TFacetMemory): number {
  return [...copyBuffers(memory), ...memory.searches.bitmaps, ...memory.summaries.payloads].reduce((sum, buffer) => sum + buffer.byteLength, 0);
}

/** `bytes` in MiB for messages: one decimal below 10 MiB (a limit of 100,000 bytes is 0.1 MiB, not 1). */
export function mebibytes(bytes: number): string {
  return (bytes / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: bytes < 10 * 2 ** 20 ? 1 : 0 });
}

/** Whether the copy in `memory` was given up for its memory limit (`TFacetMemory.maxBytes`). */
export function facetCopyOverLimit(memory: TFacetMemory): boolean {
  return Atomics.load(new Int32Array(memory.header), OVER_LIMIT) === 1;
}

/**
 * A thread's view of `LOCK` in `header` as held by the thread `threadTag(id)`: the pool releases the lock of a
 * thread it stopped, which can hold it no longer.
 */
export function threadTag(id: number): number {
  return id + 1;
}

/**
 * Releases the copy's locks the stopped thread `id` held (its unpublished append is simply overwritten, a
 * bitmap it was extending is extended again from the mark it last published).
 */
export function releaseFacetLock(memory: TFacetMemory, id: number): void {
  releaseLock(new Int32Array(memory.header), LOCK, threadTag(id));
  SearchBitmaps.releaseLocks(memory.searches, threadTag(id));
  StatsSummaries.releaseLocks(memory.summaries, threadTag(id));
}

/** Distinct values, numbered from 1 (0: no event at that rowid), stored in shared memory; this thread's strings mirror them. */
class SharedDictionary {
  readonly values: string[] = [''];
  readonly #codes = new Map<string, number>();
  readonly #header: Int32Array;
  readonly #slot: number;
  readonly #memory: TDictionaryMemory;
  readonly #ends: Uint32Array;

  constructor(header: Int32Array, slot: number, memory: TDictionaryMemory) {
    this.#header = header;
    this.#slot = slot;
    this.#memory = memory;
    this.#ends = new Uint32Array(memory.ends);
  }

  /** Brings this thread's strings up to the published count. */
  sync(): void {
    const count = Atomics.load(this.#header, this.#slot);
    if (this.values.length > count + 1) this.#truncate(count + 1); // an append that failed before publishing
    for (let code = this.values.length; code <= count; code++) {
      const from = this.#ends[code - 1] ?? 0;
      const value = Buffer.from(this.#memory.bytes, from, (this.#ends[code] ?? 0) - from).toString('utf8');
      this.values.push(value);
      this.#codes.set(value, code);
    }
  }

  find(value: string): number | undefined {
    return this.#codes.get(value);
  }

  /** The value's code, appending it if new (under the lock; published by `publish`). */
  code(value: string): number {
    const known = this.#codes.get(value);
    if (known !== undefined) return known;
    const code = this.values.length;
    if ((code + 1) * 4 > this.#memory.ends.maxByteLength) throw new AppError('INTERNAL', 'too many distinct values for the statistics copy');
    const encoded = Buffer.from(value, 'utf8');
    const from = this.#ends[code - 1] ?? 0;
    const bytes = this.#memory.bytes;
    if (from + encoded.length > bytes.byteLength) {
      if (from + encoded.length > bytes.maxByteLength) throw new AppError('INTERNAL', 'the statistics copy\'s dictionary is full');
      bytes.grow(Math.min(bytes.maxByteLength, Math.max(from + encoded.length, bytes.byteLength * 2, 65_536)));
    }
    if ((code + 1) * 4 > this.#memory.ends.byteLength) this.#memory.ends.grow(Math.min(this.#memory.ends.maxByteLength, this.#memory.ends.byteLength * 2));
    encoded.copy(Buffer.from(bytes, from, encoded.length));
    this.#ends[code] = from + encoded.length;
    this.values.push(value);
    this.#codes.set(value, code);
    return code;
  }

  publish(): void {
    Atomics.store(this.#header, this.#slot, this.values.length - 1);
  }

  #truncate(length: number): void {
    for (const value of this.values.splice(length)) this.#codes.delete(value);
  }
}

/** What `EventFacets.#count` counted: the matches, their time range and histogram, and their actions' and actors' counts by code. */
interface TCounts {
  readonly n: number;
  readonly lo: number;
  readonly hi: number;
  readonly histogram: TimeHistogram;
  readonly actionCounts: Float64Array;
  readonly actorCounts: Float64Array;
}

/** Lists of one kind to read (`SharedPostings` codes). */
interface TListed {
  readonly postings: SharedPostings;
  readonly lists: number[];
}

/** How `EventFacets.stats` chooses its buckets' width from the range `[lo, hi)`, and every width it may choose (ascending). */
export interface TBucketChoice {
  readonly widths: readonly number[];
  readonly choose: (lo: number, hi: number) => number;
}

/**
 * What `EventFacets.stats` filters on: the filter parts the records hold, and sets of rowids every match is in:
 * a full-text search's (`words`), each metadata pair's (`metadata`), and the events a statement answers
 * (`entries`, `TFacetReads.rowidBits`: the parts nothing here holds, targets or IPs); with none, every event.
 */
export interface TFacetFilter {
  words: readonly string[];
  /** Root metadata pairs (`event_metadata`'s key and value), each read as a set like a search's words. */
  metadata?: readonly (readonly [string, string])[];
  entries?: (after: number, to: number) => TCompiledStatement;
  actions?: readonly string[];
  actorId?: string;
  actorType?: string;
  /** The IPv4 addresses allowed, inclusive (`facetIpv4Range`). */
  ipv4?: readonly [number, number];
  /** Inclusive, in ms. */
  after?: number;
  /** Exclusive, in ms. */
  before?: number;
}

export class EventFacets {
  readonly #reads: TFacetReads;
  readonly #memory: TFacetMemory;
  readonly #header: Int32Array;
  readonly #orgs: SharedDictionary;
  readonly #actions: SharedDictionary;
  /** `actor_type \0 actor_id`. */
  readonly #actors: SharedDictionary;
  readonly #actionLists: SharedPostings;
  readonly #actorLists: SharedPostings;
  /** This thread's running counts of the actors of each action list (`#tally`), by list code. */
  readonly #tallies = new Map<number, { cursor: TListCursor; counts: Float64Array; n: number; last: number }>();
  readonly #tag = threadTag(threadId);
  readonly #searches: SearchBitmaps;
  readonly #summaries: StatsSummaries;
  readonly #broadSearchMatches: number | undefined;
  readonly #metadataRangeByEvents: number;
  readonly #snapshotFile: string | undefined;
  readonly #snapshotGrowth: number;
  readonly #slice: number;
  readonly #completeAtOnce: number;
  readonly #growRecords: number;

  /**
   * `memory`: shared with other threads' copies of the same database (default: this copy's own);
   * `broadSearchMatches`: see `isBroad`; `metadataRangeByEvents`: the longest range of rowids whose events are
   * checked one by one for a metadata pair (default 65,536; tests set 0 to read every pair's list).
   */
  constructor(
    reads: TFacetReads,
    memory: TFacetMemory = createFacetMemory(),
    options: {
      broadSearchMatches?: number;
      metadataRangeByEvents?: number;
      snapshotFile?: string;
      snapshotGrowth?: number;
      /** Rows copied at a time (default `SLICE`), `COMPLETE_AT_ONCE`, and `GROW_RECORDS` (a multiple of `BLOCK`) (tests). */
      slice?: number;
      completeAtOnce?: number;
      growRecords?: number;
    } = {},
  ) {
    this.#reads = reads;
    this.#growRecords = options.growRecords ?? GROW_RECORDS;
    if (this.#growRecords <= 0 || this.#growRecords % BLOCK !== 0) throw new Error(`growRecords must be a positive multiple of ${BLOCK}`);
    this.#slice = options.slice ?? SLICE;
    this.#completeAtOnce = options.completeAtOnce ?? COMPLETE_AT_ONCE;
    this.#snapshotFile = options.snapshotFile;
    this.#snapshotGrowth = options.snapshotGrowth ?? SNAPSHOT_GROWTH;
    this.#broadSearchMatches = options.broadSearchMatches;
    this.#metadataRangeByEvents = options.metadataRangeByEvents ?? METADATA_RANGE_BY_EVENTS;
    this.#memory = memory;
    this.#searches = new SearchBitmaps(memory.searches, this.#tag, (key, bits, after, upTo) => this.#keyEntries(key, bits, after, upTo));
    this.#summaries = new StatsSummaries(memory.summaries, this.#tag, () => memory.maxBytes - facetMemoryBytes(memory));
    this.#header = new Int32Array(memory.header);
    const [orgs, actions, actors] = memory.dictionaries;
    if (orgs === undefined || actions === undefined || actors === undefined) throw new Error('facet memory has three dictionaries');
    this.#orgs = new SharedDictionary(this.#header, COUNTS, orgs);
    this.#actions = new SharedDictionary(this.#header, COUNTS + 1, actions);
    this.#actors = new SharedDictionary(this.#header, COUNTS + 2, actors);
    this.#actionLists = new SharedPostings(memory.lists.actions);
    this.#actorLists = new SharedPostings(memory.lists.actors);
  }

  /** True once the first full copy is made (by any thread). */
  get ready(): boolean {
    return Atomics.load(this.#header, STATE) === STATE_WARM;
  }

  /** False once making or updating the copy failed: SQL answers from then on. */
  get usable(): boolean {
    return Atomics.load(this.#header, STATE) !== STATE_BROKEN;
  }

  /** True once the copy was given up because it would pass its memory limit (`TFacetMemory.maxBytes`). */
  get overLimit(): boolean {
    return facetCopyOverLimit(this.#memory);
  }

  /** Events copied (the highest rowid), for tests and logs. */
  get size(): number {
    return Atomics.load(this.#header, LAST) >>> 0;
  }

  /** False once the lists of rowids were given up (`SharedPostings.usable`): scans answer. For tests and logs. */
  get listsUsable(): boolean {
    return this.#actionLists.usable && this.#actorLists.usable;
  }

  /** The searches that have a bitmap (`searchKey`; shared by every thread), for tests and logs. */
  get bitmapSearches(): string[] {
    return this.#searches.keys;
  }

  /** The keys of the whole log's statistics kept (`StatsSummaries`, `summaryKey`), for tests and logs. */
  get summaries(): string[] {
    return this.#summaries.keys;
  }

  /**
   * Copies every event, a slice at a time, letting the thread serve calls between slices (other threads
   * warming the same memory take turns); through `reads` if given (a connection with a small page cache,
   * so the scan does not fill the queries' cache). Resolves when the copy is complete; a database error
   * ends it, for every thread (SQL answers).
   */
  async warm(reads: TFacetReads = this.#reads): Promise<void> {
    for (;;) {
      const state = Atomics.load(this.#header, STATE);
      if (state === STATE_WARM) return;
      if (state === STATE_BROKEN) {
        throw new AppError('INTERNAL', this.overLimit ? 'the statistics copy was given up: it would pass its memory limit' : 'the statistics copy could not be made');
      }
      // A query waiting to catch up goes first: a slice taken between its waits could keep it out for good.
      if (Atomics.load(this.#header, WANTED) === 0 && tryLock(this.#header, LOCK, this.#tag)) {
        let complete: boolean;
        try {
          complete = this.#append(reads, this.#slice) < this.#slice;
          if (complete) Atomics.store(this.#header, STATE, STATE_WARM);
        } catch (error) {
          Atomics.store(this.#header, STATE, STATE_BROKEN);
          throw error;
        } finally {
          unlock(this.#header, LOCK);
        }
        if (complete) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        // Another thread is appending: look again shortly rather than spin on the lock.
        await new Promise<void>((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /**
   * Runs this thread's counting over the whole copy a few times (the first organization's events of its first
   * action, read from its list, and all of them from a time on, scanned; the top actors alone and
   * everything), so that its first statistics calls run compiled code: a thread's first two scans of 10,000,000
   * events took 54-60 ms, the later ones 31-33. Nothing is kept.
   */
  warmCounting(buckets: TBucketChoice): void {
    this.#orgs.sync();
    this.#actions.sync();
    const [, organization] = this.#orgs.values;
    const [, action] = this.#actions.values;
    if (organization === undefined || action === undefined) return;
    for (let i = 0; i < 2; i++) {
      for (const filter of [{ words: [], actions: [action] }, { words: [], after: 0 }]) {
        this.stats(organization, filter, undefined, 10, buckets, 'topActors');
        this.stats(organization, filter, undefined, 10, buckets);
      }
    }
  }

  /**
   * About what share of the copy's events (of every organization: what a scan checks) are `organizationId`'s
   * with an IPv4 address in `[lo, hi]`, from `samples` rowids picked at random: whether a block is worth checking
   * in a scan rather than reading its matches from the IP index. 0 for an empty copy.
   */
  ipv4Share(organizationId: string, [lo, hi]: readonly [number, number], samples = 4_096): number {
    const last = Atomics.load(this.#header, LAST) >>> 0;
    this.#orgs.sync();
    const org = this.#orgs.find(organizationId);
    if (last === 0 || org === undefined) return 0;
    const { keys, ips } = this.#records();
    let hits = 0;
    for (let i = 0; i < samples; i++) {
      const rowid = 1 + Math.floor(Math.random() * last);
      const ip = ips[rowid] ?? 0;
      if (((keys[rowid] ?? 0) & 0xffff) === org && ip >= lo && ip <= hi) hits++;
    }
    return hits / samples;
  }

  /**
   * Once the copy is complete: makes the bitmaps of the root metadata values common enough to keep one (`isBroad`),
   * so that no statistics call after start reads such a value's whole list first (a value in a fifth of
   * 10,000,000 events: 340-410 ms). One thread of the process does it, the first to ask (the others return at
   * once). Which values are common is guessed from a sample of each organization's events (`METADATA_SAMPLE`,
   * only for organizations large enough to hold one); at most `pairs` are made (default half the bitmap slots,
   * so that searches keep the rest), the most common first, each read a range of seqs at a time with the
   * thread free for calls in between (`seqsAtOnce`, default 1,048,576). A guess the full read does not bear out
   * keeps no bitmap. With `buckets` (how statistics choose their buckets), each value's whole-log statistics are
   * counted from its bitmap and kept as well (`StatsSummaries`). Through `reads` if given (see `warm`); returns the
   * bitmap keys made (`metadataKey`).
   */
  async warmMetadata(reads: TFacetReads = this.#reads, options: { pairs?: number; seqsAtOnce?: number; buckets?: TBucketChoice } = {}): Promise<string[]> {
    const { pairs = Math.floor(this.#memory.searches.bitmaps.length / 2), seqsAtOnce = METADATA_WARM_SEQS, buckets } = options;
    if (!this.ready || Atomics.compareExchange(this.#header, METADATA_WARM, 0, 1) !== 0) return [];
    const yieldToCalls = () => new Promise<void>((resolve) => setImmediate(resolve));
    // Rowids up to `last` are in the copy and in every later snapshot, so in each list read below.
    const last = Math.min(Atomics.load(this.#header, LAST) >>> 0, reads.lastRowid());
    this.#orgs.sync();
    const { keys } = this.#records();
    const sizes = new Float64Array(this.#orgs.values.length);
    for (let rowid = 1; rowid <= last; rowid++) sizes[(keys[rowid] ?? 0) & 0xffff] = (sizes[(keys[rowid] ?? 0) & 0xffff] ?? 0) + 1;
    const candidates: { org: number; name: string; value: string; estimate: number }[] = [];
    sizes.forEach((size, org) => {
      if (org === 0 || !isBroad(size, last, this.#broadSearchMatches)) return;
      // An organization's events up to `last` are its seqs 0 to size - 1 (one writer, seqs in commit order).
      const sampled = new Set<number>();
      while (sampled.size < Math.min(size, METADATA_SAMPLE)) sampled.add(Math.floor(Math.random() * size));
      for (const { key, value, count } of reads.metadataSample(this.#orgs.values[org] ?? '', [...sampled])) {
        const estimate = (count / sampled.size) * size;
        // A little below the line as well: the full read decides.
        if (isBroad(estimate * 1.25, last, this.#broadSearchMatches)) candidates.push({ org, name: key, value, estimate });
      }
    });
    candidates.sort((a, b) => b.estimate - a.estimate);
    const made: string[] = [];
    for (const { org, name, value } of candidates) {
      if (made.length >= pairs) break;
      const organizationId = this.#orgs.values[org] ?? '';
      const key = metadataKey(organizationId, name, value);
      if (!canKeep(key) || this.#searches.keys.includes(key)) continue;
      const seqBits = new Uint32Array(bitmapWords(last));
      for (let from = 0; from < (sizes[org] ?? 0); from += seqsAtOnce) {
        reads.metadataSeqBits(organizationId, name, value, seqBits, [from, from + seqsAtOnce]);
        await yieldToCalls();
      }
      const bits = new Uint32Array(bitmapWords(last));
      if (isBroad(this.#seqsToRowids(org, seqBits, bits, 0, last).count, last, this.#broadSearchMatches) && this.#searches.store(key, bits, last)) {
        made.push(key);
        await yieldToCalls();
        if (buckets !== undefined) this.stats(organizationId, { words: [], metadata: [[name, value]] }, undefined, 10, buckets);
      }
      await yieldToCalls();
    }
    return made;
  }

  /**
   * Writes the copy to the snapshot file (`snapshotFile` option), so that the next start reads it back instead of
   * every event (`#restore`): the copy's shared buffers as they are, under its lock, after a header holding their
   * lengths, the copy's last rowid, the ids of `SNAPSHOT_IDS` of its events and a CRC-32 of the rest. Written to
   * a temporary file, synced, then renamed over the old one; readable by the owner alone (it holds actors, actions
   * and IP addresses). Once the copy is complete, and again whenever it has grown by `SNAPSHOT_GROWTH` events or an
   * eighth since the file's (`snapshotGrowth` option), by one thread at a time; false when it wrote nothing (no file
   * configured, not grown enough, another thread writing, the lock busy, lists given up, or an error).
   */
  saveSnapshot(reads: TFacetReads = this.#reads): boolean {
    const file = this.#snapshotFile;
    const grown = () => {
      const saved = Atomics.load(this.#header, SNAPSHOT_SAVED) >>> 0;
      const last = Atomics.load(this.#header, LAST) >>> 0;
      return last > 0 && (saved === 0 || last - saved >= Math.max(this.#snapshotGrowth, saved / 8));
    };
    if (file === undefined || !this.ready || !grown() || Atomics.compareExchange(this.#header, SNAPSHOT_BUSY, 0, 1) !== 0) return false;
    if (!lock(this.#header, LOCK, this.#tag, LOCK_WAIT_MS)) {
      Atomics.store(this.#header, SNAPSHOT_BUSY, 0);
      return false;
    }
    // One writer at a time (`SNAPSHOT_BUSY`; one server process a SQLite file): one temporary name, so that a
    // process stopped while writing leaves no file the next save does not replace.
    const temporary = `${file}.tmp`;
    try {
      const last = Atomics.load(this.#header, LAST) >>> 0;
      if (!grown() || !this.listsUsable) return false;
      const ids = this.#identity(reads, last);
      if (ids === null) return false;
      const buffers = copyBuffers(this.#memory);
      const fields = {
        format: SNAPSHOT_FORMAT,
        last,
        counts: [0, 1, 2].map((i) => Atomics.load(this.#header, COUNTS + i)),
        postings: [this.#memory.lists.actions, this.#memory.lists.actors].map((lists) => [...new Int32Array(lists.header)]),
        lengths: buffers.map((buffer) => buffer.byteLength),
        ids,
      };
      let checksum = crc32(snapshotFields(fields));
      for (const buffer of buffers) checksum = crc32(new Uint8Array(buffer, 0, buffer.byteLength), checksum);
      const meta: TSnapshotMeta = { ...fields, crc32: checksum };
      const text = Buffer.from(JSON.stringify(meta), 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      const fd = openSync(temporary, 'w', 0o600);
      try {
        const write = (bytes: Uint8Array) => {
          for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(SNAPSHOT_WRITE, bytes.length - at));
        };
        write(length);
        write(text);
        for (const buffer of buffers) write(new Uint8Array(buffer, 0, buffer.byteLength));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
      Atomics.store(this.#header, SNAPSHOT_SAVED, last);
      return true;
    } catch {
      rmSync(temporary, { force: true });
      return false;
    } finally {
      unlock(this.#header, LOCK);
      Atomics.store(this.#header, SNAPSHOT_BUSY, 0);
    }
  }

  /**
   * Under the lock, before the first append: fills the copy from the snapshot file if it is one of this database
   * (its format, its CRC-32, and the ids of its recorded events at their rowids, all at or below this connection's
   * last rowid: events are append-only, so the copy of rowids up to its last one is the same); the appends then go
   * on from its last rowid. Anything else (no file, another database, a truncated or altered file) leaves the copy
   * empty, to be made from the events. The file is read once, straight into the shared buffers, each part added to
   * the checksum as it comes; nothing is published (the counts, the lists' headers, the last rowid) before the
   * whole of it checks out, and the buffers are zeroed again if it does not. Whether it restored.
   */
  #restore(reads: TFacetReads): boolean {
    const file = this.#snapshotFile;
    if (file === undefined) return false;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return false;
    }
    /** The parts of the buffers this restore wrote, zeroed again unless it succeeds. */
    const written: Uint8Array[] = [];
    let restored = false;
    try {
      const size = fstatSync(fd).size;
      /** Reads exactly `into.length` bytes at `position` (false at the end of the file). */
      const readAt = (into: Uint8Array, position: number): boolean => {
        for (let at = 0; at < into.length; ) {
          const n = readSync(fd, into, at, into.length - at, position + at);
          if (n === 0) return false;
          at += n;
        }
        return true;
      };
      const head = Buffer.alloc(4);
      if (size < 4 || !readAt(head, 0)) return false;
      const length = head.readUInt32LE(0);
      if (length > Math.min(size - 4, 2 ** 20)) return false;
      const text = Buffer.alloc(length);
      if (!readAt(text, 4)) return false;
      const meta = JSON.parse(text.toString('utf8')) as TSnapshotMeta;
      const buffers = copyBuffers(this.#memory);
      const body = 4 + length;
      const events = reads.lastRowid();
      const plausible =
        meta.format === SNAPSHOT_FORMAT && Number.isSafeInteger(meta.crc32) && Number.isSafeInteger(meta.last) && meta.last > 0 && meta.last <= events &&
        integers(meta.counts, 3) && integers(meta.postings, 2, true) && meta.postings.every((header) => integers(header, 4)) &&
        integers(meta.lengths, buffers.length) && meta.lengths.every((bytes, i) => bytes >= 0 && bytes <= (buffers[i]?.maxByteLength ?? 0)) &&
        size - body === meta.lengths.reduce((sum, bytes) => sum + bytes, 0) &&
        JSON.stringify(this.#identity(reads, meta.last)) === JSON.stringify(meta.ids);
      if (!plausible) return false;
      // A copy that would pass its memory limit is not restored (the first append gives it up).
      if (size - body + (events - meta.last) * PROJECTED_BYTES_AN_EVENT > this.#memory.maxBytes) return false;
      // Read into the buffers (unpublished: no reader looks past the published counts), checked, then published.
      let checksum = crc32(snapshotFields(meta));
      let at = body;
      for (const [i, buffer] of buffers.entries()) {
        const bytes = meta.lengths[i] ?? 0;
        if (buffer.byteLength < bytes) buffer.grow(bytes);
        const into = new Uint8Array(buffer, 0, bytes);
        written.push(into);
        for (let from = 0; from < bytes; from += SNAPSHOT_READ) {
          const part = into.subarray(from, Math.min(bytes, from + SNAPSHOT_READ));
          if (!readAt(part, at + from)) return false;
          checksum = crc32(part, checksum);
        }
        at += bytes;
      }
      if (checksum !== meta.crc32) return false;
      restored = true;
      [this.#memory.lists.actions, this.#memory.lists.actors].forEach((lists, i) => new Int32Array(lists.header).set(meta.postings[i] ?? []));
      meta.counts.forEach((count, i) => Atomics.store(this.#header, COUNTS + i, count));
      Atomics.store(this.#header, LAST, meta.last);
      Atomics.store(this.#header, SNAPSHOT_SAVED, meta.last);
      return true;
    } catch {
      return false;
    } finally {
      closeSync(fd);
      if (!restored) for (const part of written) part.fill(0);
    }
  }

  /** The ids of `SNAPSHOT_IDS` events spread over rowids 1 to `last` (the first and the last among them); `null` if one is missing. */
  #identity(reads: TFacetReads, last: number): [number, string][] | null {
    if (reads.eventIds === undefined) return null;
    const rowids = [...new Set(Array.from({ length: SNAPSHOT_IDS }, (_, i) => 1 + Math.round((i * (last - 1)) / (SNAPSHOT_IDS - 1))))];
    const ids = reads.eventIds(rowids);
    const pairs: [number, string][] = [];
    for (const [i, rowid] of rowids.entries()) {
      const id = ids[i];
      if (id === null || id === undefined) return null;
      pairs.push([rowid, id]);
    }
    return pairs;
  }

  /**
   * Copies the events committed since the last append, all at once (and so completes a copy still being
   * made, unless more than `COMPLETE_AT_ONCE` events are missing from it: the warm-up goes on copying them in
   * slices, and the caller answers in SQL meanwhile); false if another thread held the copy too long, or it failed,
   * or a copy still being made was too far from complete.
   */
  catchUp(): boolean {
    Atomics.add(this.#header, WANTED, 1);
    let locked: boolean;
    try {
      locked = lock(this.#header, LOCK, this.#tag, LOCK_WAIT_MS);
    } finally {
      Atomics.sub(this.#header, WANTED, 1);
    }
    if (!locked) return false;
    try {
      while (this.#append(this.#reads, this.#slice) === this.#slice) {
        // A first start on a large log: completing the copy here took 24-30 s at 10,000,000 events, past the query
        // time limit. (The first append restores a snapshot if there is one: then only the events since are missing.)
        if (!this.ready && this.#reads.lastRowid() - (Atomics.load(this.#header, LAST) >>> 0) > this.#completeAtOnce) return false;
      }
      Atomics.compareExchange(this.#header, STATE, 0, STATE_WARM);
      return true;
    } catch {
      Atomics.store(this.#header, STATE, STATE_BROKEN);
      return false;
    } finally {
      unlock(this.#header, LOCK);
    }
  }

  /**
   * The columns as they are now, through views of fixed length: V8 reads through views that follow a
   * growable buffer's length about eight times slower (2M lookups: 58 ms against 7).
   */
  #records(): { times: Float64Array; actors: Uint32Array; keys: Uint32Array; seqs: Uint32Array; ips: Uint32Array; blocks: Float64Array } {
    const { times, actors, keys, seqs, ips, blocks } = this.#memory;
    const length = keys.byteLength / 4;
    return {
      times: new Float64Array(times, 0, length),
      actors: new Uint32Array(actors, 0, length),
      keys: new Uint32Array(keys, 0, length),
      seqs: new Uint32Array(seqs, 0, length),
      ips: new Uint32Array(ips, 0, length),
      blocks: new Float64Array(blocks, 0, blocks.byteLength / 8),
    };
  }

  /** Under the lock: appends up to `limit` events after the last one copied, then publishes them. */
  #append(reads: TFacetReads, limit: number): number {
    // The first append of the process starts from the snapshot, if there is a valid one of this database.
    if (Atomics.load(this.#header, LAST) === 0 && Atomics.compareExchange(this.#header, SNAPSHOT_TRIED, 0, 1) === 0) this.#restore(reads);
    this.#orgs.sync();
    this.#actions.sync();
    this.#actors.sync();
    this.#actionLists.sync();
    this.#actorLists.sync();
    const rows = reads.rowsAfter(Atomics.load(this.#header, LAST) >>> 0, limit);
    const lastRow = rows[rows.length - 1];
    if (lastRow === undefined) return 0;
    if (lastRow[0] >= MAX_RECORDS) throw new AppError('INTERNAL', `event rowids beyond ${MAX_RECORDS}: the statistics copy cannot hold them`);
    const memory = this.#memory;
    if ((lastRow[0] + 1) * 4 > memory.keys.byteLength) {
      this.#checkLimit(reads, Atomics.load(this.#header, LAST) >>> 0);
      const grown = Math.ceil((lastRow[0] + 1 + this.#growRecords) / this.#growRecords) * this.#growRecords; // a multiple of BLOCK
      for (const [column, bytes] of [[memory.times, 8], [memory.actors, 4], [memory.keys, 4], [memory.seqs, 4], [memory.ips, 4]] as const) {
        column.grow(Math.min(column.maxByteLength, grown * bytes));
      }
      memory.blocks.grow(Math.min(memory.blocks.maxByteLength, Math.ceil(grown / BLOCK) * 16));
    }
    const { times, actors, keys, seqs, ips, blocks } = this.#records();
    let previous = Atomics.load(this.#header, LAST) >>> 0;
    for (const [rowid, organization, occurredAt, action, actorType, actorId, seq, ipKey] of rows) {
      times[rowid] = occurredAt;
      seqs[rowid] = seq;
      ips[rowid] = ipv4OfKey(ipKey);
      // The block's time range: set by its first event copied (appends come in rowid order), widened by the rest.
      const block = rowid >>> BLOCK_BITS;
      if (previous === 0 || previous >>> BLOCK_BITS !== block) {
        blocks[block * 2] = occurredAt;
        blocks[block * 2 + 1] = occurredAt;
      } else {
        if (occurredAt < (blocks[block * 2] ?? 0)) blocks[block * 2] = occurredAt;
        if (occurredAt > (blocks[block * 2 + 1] ?? 0)) blocks[block * 2 + 1] = occurredAt;
      }
      previous = rowid;
      const actor = this.#actors.code(`${actorType}\u0000${actorId}`);
      actors[rowid] = actor;
      this.#actorLists.append(actor, rowid);
      // Organization in the low half, action in the high half: one read gets both.
      const key = (this.#orgs.code(organization) | (this.#actions.code(action) << 16)) >>> 0;
      keys[rowid] = key;
      this.#actionLists.append(key, rowid);
    }
    if (this.#orgs.values.length > 0xffff || this.#actions.values.length > 0xffff) {
      throw new AppError('INTERNAL', 'more than 65,535 organizations or actions: the statistics copy cannot number them');
    }
    // The dictionaries first: a reader that sees the new last rowid finds every code it holds.
    this.#orgs.publish();
    this.#actions.publish();
    this.#actors.publish();
    this.#actionLists.publish();
    this.#actorLists.publish();
    Atomics.store(this.#header, LAST, lastRow[0] | 0);
    return rows.length;
  }

  /**
   * Before the copy grows: gives it up (`OVER_LIMIT`, then `STATE_BROKEN` where the error is caught) when holding
   * every event the database has, from `copied` on, would pass the memory limit: the bytes taken now and
   * `PROJECTED_BYTES_AN_EVENT` for each event still to copy and for one more step of growth. Checked at each
   * growth (every `GROW_RECORDS` events), so the copy stays within the limit as the log grows (give or take the
   * lists' and dictionaries' own steps, a MiB or so).
   */
  #checkLimit(reads: TFacetReads, copied: number): void {
    if (this.#memory.maxBytes === Number.POSITIVE_INFINITY) return;
    const events = reads.lastRowid();
    const projected = facetMemoryBytes(this.#memory) + (Math.max(0, events - copied) + this.#growRecords) * PROJECTED_BYTES_AN_EVENT;
    if (projected <= this.#memory.maxBytes) return;
    Atomics.store(this.#header, OVER_LIMIT, 1);
    throw new AppError(
      'UNAVAILABLE',
      `the statistics copy would take about ${mebibytes(projected)} MiB to hold the log's ${events.toLocaleString('en-US')} events, over its limit of ${mebibytes(this.#memory.maxBytes)} MiB: statistics are answered in SQL`,
    );
  }

  /**
   * The statistics of `organizationId`'s events matching `filter`, exactly as `EventQueries`' SQL
   * computes them: buckets of `occurred_at / bucketMs` floored, ties in the top lists broken by
   * value in binary (code point) order. `bucketMs` is `buckets.choose(lo, hi)` over the range (the
   * filter's bounds, else the matches' first time and last time + 1) unless requested; `buckets.widths` lists
   * every width it may choose, ascending. `only: 'topActors'` counts the total and the top actors alone (the
   * buckets and top actions come back empty). A copy still being made is completed first, by this thread, when
   * nearly complete (`catchUp`: a statistics query in SQL would take longer and leave nothing behind); `null` when
   * it is far from complete (SQL answers while the warm-up goes on) or cannot be brought up to date.
   */
  stats(
    organizationId: string,
    filter: TFacetFilter,
    requestedBucket: number | undefined,
    top: number,
    buckets: TBucketChoice,
    only?: 'topActors',
  ): TEventStats | null {
    if (!this.usable || !this.catchUp()) return null;
    // Up to the last rowid of this call's snapshot: the copy holds every one (it was just brought up to date
    // through this connection), and maybe newer ones, copied by a thread reading a later snapshot, which must
    // neither be counted nor let a bitmap be marked as covering rowids whose entries this snapshot cannot see.
    const last = Math.min(Atomics.load(this.#header, LAST) >>> 0, this.#reads.lastRowid());
    /** The sets every match is in: kept bitmaps (held until the end) and sets just read. */
    const sets: Uint32Array[] = [];
    const held: TSearchBitmap[] = [];
    // The uint32 words that can hold matches: all of them, but only those from the first entry to the last
    // when a set was just read (one request id: one word, not 312,500 at 10M events).
    let words: [number, number] = [0, bitmapWords(last)];
    const read = (fill: (bits: Uint32Array) => TEntryBits, key?: string) => {
      const bits = new Uint32Array(bitmapWords(last));
      const entries = fill(bits);
      if (key !== undefined && isBroad(entries.count, last, this.#broadSearchMatches)) this.#searches.store(key, bits, last);
      sets.push(bits);
      words = entries.count === 0 ? [0, 0] : [Math.max(words[0], entries.lowest >>> 5), Math.min(words[1], (entries.highest >>> 5) + 1)];
    };
    const kept = (keys: readonly string[]) => {
      const bitmaps = this.#searches.acquire(keys, last, LOCK_WAIT_MS);
      if (bitmaps === null) return false;
      held.push(...bitmaps);
      sets.push(...bitmaps.map((b) => b.bits));
      return true;
    };
    // A search or one metadata value over the whole log: its statistics kept up to a mark (`#keepSummary`), if they are.
    const summarized = requestedBucket === undefined && only === undefined ? this.#summaryKey(organizationId, filter, buckets) : null;
    if (summarized !== null) {
      const summary = this.#summaries.get(summarized);
      if (summary !== null && summary.mark <= last) {
        try {
          return this.#fromSummary(organizationId, filter, summarized, summary, last, kept, sets, buckets, top);
        } finally {
          this.#searches.release(held);
        }
      }
    }
    try {
      // A search with a bitmap of its own, or whose words all have one, is read from them; any other from the
      // index's entries, which make its bitmap if they are many. A metadata pair likewise.
      if (filter.words.length > 0) {
        const key = searchKey(filter.words);
        if (!kept([key]) && !(filter.words.length > 1 && kept(filter.words))) read((bits) => this.#reads.searchEntryBits(filter.words, bits, 0, last), key);
      }
      for (const [name, value] of filter.metadata ?? []) {
        const key = metadataKey(organizationId, name, value);
        if (!kept([key])) read((bits) => this.#metadataEntries(organizationId, name, value, bits, 0, last), key);
      }
      const entries = filter.entries;
      if (entries !== undefined) read((bits) => this.#reads.rowidBits(entries, bits, last));
      // Only the top actors of some actions, nothing else checked: this thread's running counts of their actors.
      const tallied =
        sets.length === 0 && only === 'topActors' && filter.actions !== undefined && filter.actorId === undefined && filter.actorType === undefined
          && filter.after === undefined && filter.before === undefined && filter.ipv4 === undefined
          ? this.#tallyActors(organizationId, filter.actions, last)
          : null;
      // With no set yet, the events of a few actions or actors from their lists, where reading them beats a scan.
      let actionsListed = false;
      if (tallied === null && sets.length === 0 && (filter.actions !== undefined || filter.actorId !== undefined || filter.actorType !== undefined)) {
        this.#orgs.sync();
        this.#actions.sync();
        this.#actors.sync();
        const org = this.#orgs.find(organizationId);
        const bounds = filter.after !== undefined || filter.before !== undefined ? ([filter.after ?? -Infinity, filter.before ?? Infinity] as const) : null;
        const lists =
          org === undefined ? null : this.#listsToRead(org, this.#allowedActions(filter.actions), this.#allowedActors(filter.actorId, filter.actorType), bounds, last);
        actionsListed = lists?.postings === this.#actionLists;
        if (lists !== null) read((bits) => lists.postings.setBits(lists.lists, bits, last));
      }
      const width = requestedBucket ?? (filter.after !== undefined && filter.before !== undefined ? buckets.choose(filter.after, filter.before) : undefined);
      const histogram = new TimeHistogram(
        width ?? { widths: buckets.widths, choose: (lo, hi) => buckets.choose(filter.after ?? lo, filter.before ?? hi) },
      );
      const counts = this.#count(organizationId, filter, last, sets, words, histogram, only === undefined, actionsListed, tallied, null);
      if (summarized !== null) this.#keepSummary(summarized, counts, last);
      return this.#statsOf(counts, filter, width ?? buckets.choose, top, only === undefined);
    } finally {
      this.#searches.release(held);
    }
  }

  /**
   * The key of the summary (`StatsSummaries`) that can answer `filter` over `organizationId`'s events: a search
   * alone or one metadata value alone, over the whole log, with buckets chosen by `buckets`; `null` for any other filter.
   */
  #summaryKey(organizationId: string, filter: TFacetFilter, buckets: TBucketChoice): string | null {
    const { words, metadata = [] } = filter;
    const others = [filter.entries, filter.actions, filter.actorId, filter.actorType, filter.ipv4, filter.after, filter.before];
    if (others.some((part) => part !== undefined)) return null;
    const [pair, ...more] = metadata;
    if (words.length > 0 && pair === undefined) return summaryKey(organizationId, searchKey(words), buckets.widths);
    if (words.length === 0 && pair !== undefined && more.length === 0) return summaryKey(organizationId, metadataKey(organizationId, pair[0], pair[1]), buckets.widths);
    return null;
  }

  /**
   * Keeps `counts`, made up to `last`, as the summary `key` if they count enough matches to be worth it: as many
   * as a broad search holds (`isBroad`'s least), whatever the log's size, since a summary's memory does not grow
   * with the log (two words in 3 % of 10,000,000 events, neither with a bitmap, took about 100 ms a call).
   */
  #keepSummary(key: string, counts: TCounts, last: number): void {
    if (counts.n < (this.#broadSearchMatches ?? BROAD_SEARCH_MATCHES)) return;
    const histogram = counts.histogram.state();
    if (histogram === null) return;
    const { n, lo, hi, actionCounts, actorCounts } = counts;
    this.#summaries.put(key, { mark: last, n, lo, hi, histogram, actionCounts, actorCounts });
  }

  /**
   * The statistics of `filter` (see `#summaryKey`) from `summary`, the counts up to its mark, and the matches
   * past it up to `last`: from the filter's kept bitmaps (`kept` holds them in `sets`) if it has them, else read
   * from the index for that range alone. The result is kept as the summary from then on.
   */
  #fromSummary(
    organizationId: string,
    filter: TFacetFilter,
    key: string,
    summary: TStatsSummary,
    last: number,
    kept: (keys: readonly string[]) => boolean,
    sets: readonly Uint32Array[],
    width: TBucketChoice,
    top: number,
  ): TEventStats {
    const from = summary.mark;
    // Nothing committed since the mark (the usual repeated call): no bitmap to make or walk.
    const bits = new Uint32Array(from < last ? bitmapWords(last) : 0);
    if (from < last) {
      const [pair] = filter.metadata ?? [];
      const bitmaps =
        pair === undefined
          ? kept([searchKey(filter.words)]) || (filter.words.length > 1 && kept(filter.words))
          : kept([metadataKey(organizationId, pair[0], pair[1])]);
      if (bitmaps) {
        const [first, ...rest] = sets;
        if (first !== undefined) {
          for (let word = (from + 1) >>> 5; word < bitmapWords(last); word++) bits[word] = commonWord(first, rest, word, last);
          // Rowids up to the mark are in the summary already.
          const low = (from + 1) & 31;
          if (low !== 0) bits[(from + 1) >>> 5] = (bits[(from + 1) >>> 5] ?? 0) & ~((1 << low) - 1);
        }
      } else if (pair === undefined) {
        this.#reads.searchEntryBits(filter.words, bits, from, last);
      } else {
        this.#metadataEntries(organizationId, pair[0], pair[1], bits, from, last);
      }
    }
    const histogram = TimeHistogram.restore(width, summary.histogram);
    const words: [number, number] = from < last ? [(from + 1) >>> 5, bitmapWords(last)] : [0, 0];
    const counts = this.#count(organizationId, filter, last, [bits], words, histogram, true, false, null, summary);
    if (from < last) this.#keepSummary(key, counts, last);
    return this.#statsOf(counts, filter, width.choose, top, true);
  }

  /** Reads the matches of a kept bitmap's key: a metadata pair (`metadataKey`), or a search's words (`searchKey`). */
  #keyEntries(key: string, bits: Uint32Array, after: number, upTo: number): TEntryBits {
    if (key.startsWith(METADATA_KEY)) {
      const [organizationId = '', name = '', value = ''] = JSON.parse(key.slice(METADATA_KEY.length)) as string[];
      return this.#metadataEntries(organizationId, name, value, bits, after, upTo);
    }
    return this.#reads.searchEntryBits(key.split(' '), bits, after, upTo);
  }

  /**
   * Sets in `bits` the rowids in `(after, upTo]` of `organizationId`'s events whose metadata `name` is `value`.
   * A short range (events committed since a bitmap's mark): each of its events checked in SQL. Otherwise the
   * value's seqs from its index (about 0.1 µs each, where looking up each one's rowid cost 0.8), mapped to
   * rowids by walking the range's records.
   */
  #metadataEntries(organizationId: string, name: string, value: string, bits: Uint32Array, after: number, upTo: number): TEntryBits {
    if (upTo - after <= this.#metadataRangeByEvents) return this.#reads.metadataEntryBits(organizationId, name, value, bits, after, upTo);
    this.#orgs.sync();
    const org = this.#orgs.find(organizationId);
    // An organization's seqs are below its number of events, so below the last rowid.
    const seqBits = new Uint32Array(bitmapWords(upTo));
    if (org === undefined || this.#reads.metadataSeqBits(organizationId, name, value, seqBits).count === 0) return { count: 0, lowest: 0, highest: 0 };
    return this.#seqsToRowids(org, seqBits, bits, after, upTo);
  }

  /** Sets in `bits` the rowids in `(after, upTo]` of organization `org`'s events whose seq is set in `seqBits`. */
  #seqsToRowids(org: number, seqBits: Uint32Array, bits: Uint32Array, after: number, upTo: number): TEntryBits {
    const set: TEntryBits = { count: 0, lowest: 0, highest: 0 };
    const { keys, seqs } = this.#records();
    for (let rowid = after + 1; rowid <= upTo; rowid++) {
      if (((keys[rowid] ?? 0) & 0xffff) !== org) continue;
      const seq = seqs[rowid] ?? 0;
      if ((((seqBits[seq >>> 5] ?? 0) >>> (seq & 31)) & 1) === 0) continue;
      bits[rowid >>> 5] = (bits[rowid >>> 5] ?? 0) | (1 << (rowid & 31));
      if (set.count === 0) set.lowest = rowid;
      set.highest = rowid;
      set.count++;
    }
    return set;
  }

  /**
   * The counts of the matches, the rowids up to `last` every one of `bitmaps` holds in its uint32 words
   * `[words[0], words[1])` (with no bitmap, every rowid up to `last`: the records' own checks decide), added
   * to `seed`'s if given (a summary of earlier rowids). Their times go to `histogram`. `full`: everything, else
   * the total and the actors' counts alone; `actionsListed`: the bitmaps are the lists of the filter's actions
   * (every match is the organization's, of one of them); `tallied`: the matches' number and actors' counts,
   * already counted (`#tally`: top actors only).
   */
  #count(
    organizationId: string,
    filter: TFacetFilter,
    last: number,
    bitmaps: readonly Uint32Array[],
    words: readonly [number, number],
    histogram: TimeHistogram,
    full: boolean,
    actionsListed: boolean,
    tallied: { readonly n: number; readonly actorCounts: Float64Array } | null,
    seed: TStatsSummary | null,
  ): TCounts {
    this.#orgs.sync();
    this.#actions.sync();
    this.#actors.sync();
    const org = this.#orgs.find(organizationId);
    let n = seed?.n ?? 0;
    let lo = seed?.lo ?? Infinity;
    let hi = seed?.hi ?? -Infinity;
    // A seed's codes are those of a dictionary no larger than this thread's, synced after it was made.
    const actionCounts = new Float64Array(Math.max(this.#actions.values.length, seed?.actionCounts.length ?? 0));
    const actorCounts = tallied?.actorCounts ?? new Float64Array(Math.max(this.#actors.values.length, seed?.actorCounts.length ?? 0));
    // (Never into running counts: a seed comes with matches to count, `tallied` with none.)
    if (seed !== null && tallied === null) {
      actionCounts.set(seed.actionCounts);
      actorCounts.set(seed.actorCounts);
    }
    if (org !== undefined) {
      const { times, actors, keys, ips, blocks } = this.#records();
      const ipBounded = filter.ipv4 !== undefined;
      const [ipLo, ipHi] = filter.ipv4 ?? [0, 0];
      const actionOk = this.#allowedActions(filter.actions);
      const actorOk = this.#allowedActors(filter.actorId, filter.actorType);
      const after = filter.after ?? -Infinity;
      const before = filter.before ?? Infinity;
      const bounded = filter.after !== undefined || filter.before !== undefined;
      // Matches from actions' lists are this organization's events of those actions.
      const checkKey = full || !actionsListed;
      const checkTime = full || bounded;
      if (tallied !== null) {
        n = tallied.n;
      } else {
        // Read a 32-bit word at a time, a block of them at a time; newer events are not counted, as a statement
        // that started before their commit would not count them.
        const [first, ...rest] = bitmaps;
        for (let start = words[0]; start < words[1]; ) {
          const block = start >>> (BLOCK_BITS - 5);
          const end = Math.min(words[1], (block + 1) << (BLOCK_BITS - 5));
          // A time filter skips a block whose events all fall outside it (one day of 90: most blocks).
          const skip = bounded && ((blocks[block * 2 + 1] ?? 0) < after || (blocks[block * 2] ?? 0) >= before);
          // The rowids to check: with no bitmap every one in turn, else each bit set in all of them. (One loop,
          // with the check written once: a function called per rowid kept the counters out of registers, 30 %
          // slower over 10M events.)
          const all = first === undefined;
          const to = all ? Math.min(last, (end << 5) - 1) : 0;
          let word = skip ? end : start;
          let x = all || word >= end ? 0 : commonWord(first, rest, word, last);
          for (let rowid = all && !skip ? Math.max(1, start << 5) : 0; ; ) {
            if (all) {
              if (skip || rowid > to) break;
            } else {
              while (x === 0 && ++word < end) x = commonWord(first, rest, word, last);
              if (x === 0) break;
              const low = x & -x;
              x ^= low;
              rowid = (word << 5) + 31 - Math.clz32(low);
            }
            const current = rowid;
            rowid++;
            // Only the columns the checks and counts need: a third of the reads where the matches came from
            // their actions' lists and only their top actors are asked for.
            let action = 0;
            if (checkKey) {
              const key = keys[current] ?? 0;
              if ((key & 0xffff) !== org) continue;
              action = key >>> 16;
              if (actionOk !== null && actionOk[action] !== 1) continue;
            }
            let t = 0;
            if (checkTime) {
              t = times[current] ?? 0;
              if (t < after || t >= before) continue;
            }
            const actor = actors[current] ?? 0;
            if (actorOk !== null && actorOk[actor] !== 1) continue;
            if (ipBounded) {
              const ip = ips[current] ?? 0;
              if (ip < ipLo || ip > ipHi) continue;
            }
            n++;
            actorCounts[actor] = (actorCounts[actor] ?? 0) + 1;
            if (!full) continue;
            if (t < lo) lo = t;
            if (t > hi) hi = t;
            histogram.add(t);
            actionCounts[action] = (actionCounts[action] ?? 0) + 1;
          }
          start = end;
        }
      }
    }
    return { n, lo, hi, histogram, actionCounts, actorCounts };
  }

  /** The statistics `counts` make, their buckets those of `width` (see `stats`). */
  #statsOf(counts: TCounts, filter: TFacetFilter, width: number | ((lo: number, hi: number) => number), top: number, full: boolean): TEventStats {
    const { n, lo, hi, histogram, actionCounts, actorCounts } = counts;
    // Split at the first \0: types are [a-z][a-z0-9_]*, ids may hold anything.
    const actorParts = (code: number): [string, string] => {
      const value = this.#actors.values[code] ?? '';
      const cut = value.indexOf('\u0000');
      return [value.slice(0, cut), value.slice(cut + 1)];
    };
    const topActors = topCodes(actorCounts, top, actorParts).map(([code, count]) => {
      const [type, id] = actorParts(code);
      return { type, id, count };
    });
    if (!full) return { total: n, bucketMs: 0, buckets: [], topActions: [], topActors };
    const bucketMs = typeof width === 'number' ? width : width(filter.after ?? (n === 0 ? 0 : lo), filter.before ?? (n === 0 ? 0 : hi) + 1);
    if (n === 0) return { total: 0, bucketMs, buckets: [], topActions: [], topActors: [] };
    const buckets = histogram.buckets(bucketMs).map(({ start, count }) => ({ start: new Date(start).toISOString(), count }));
    const topActions = topCodes(actionCounts, top, (code) => [this.#actions.values[code] ?? '']).map(([code, count]) => ({
      action: this.#actions.values[code] ?? '',
      count,
    }));
    return { total: n, bucketMs, buckets, topActions, topActors };
  }

  /**
   * The number of `organizationId`'s events of `actions` up to `last` and their actors' counts, from this thread's
   * running counts of each action's actors (`#tally`): the top actors of actions over whole hours (the counts kept
   * at ingest answer the rest) cost a pass over the actors, not over the events. `null` where they cannot answer.
   */
  #tallyActors(organizationId: string, actions: readonly string[], last: number): { n: number; actorCounts: Float64Array } | null {
    this.#orgs.sync();
    this.#actions.sync();
    const org = this.#orgs.find(organizationId);
    const actionOk = this.#allowedActions(actions);
    if (org === undefined || actionOk === null) return null;
    return this.#tally(this.#listsOf(this.#actionLists, org, actionOk), last);
  }

  /**
   * The events of the action lists `lists` up to `last`, and their actors' counts, from this thread's running
   * counts of each list's actors (`#tallies`), each brought up to `last` from where its list was left. `null` where
   * they cannot answer: lists given up, an older snapshot than the counts', or counts that would take more than
   * `TALLY_BYTES` (the others are dropped first).
   */
  #tally(lists: readonly number[], last: number): { n: number; actorCounts: Float64Array } | null {
    if (!this.#actionLists.usable) {
      this.#tallies.clear();
      return null;
    }
    this.#actors.sync();
    const actorCount = this.#actors.values.length;
    if (lists.some((list) => (this.#tallies.get(list)?.last ?? 0) > last)) return null;
    if (lists.length * actorCount * 8 > TALLY_BYTES) return null;
    if ((this.#tallies.size + lists.length) * actorCount * 8 > TALLY_BYTES) this.#tallies.clear();
    const { actors } = this.#records();
    const actorCounts = new Float64Array(actorCount);
    let n = 0;
    for (const list of lists) {
      let tally = this.#tallies.get(list);
      if (tally === undefined) {
        tally = { cursor: this.#actionLists.cursor(list), counts: new Float64Array(actorCount), n: 0, last: 0 };
        this.#tallies.set(list, tally);
      } else if (tally.counts.length < actorCount) {
        // Actors seen since: the counts grow.
        const grown = new Float64Array(actorCount);
        grown.set(tally.counts);
        tally.counts = grown;
      }
      tally.n += this.#actionLists.countFrom(tally.cursor, last, actors, tally.counts);
      tally.last = last;
      n += tally.n;
      const counts = tally.counts;
      for (let actor = 0; actor < counts.length; actor++) actorCounts[actor] = (actorCounts[actor] ?? 0) + (counts[actor] ?? 0);
    }
    return { n, actorCounts };
  }

  /**
   * Makes this thread's running counts of the actors of every organization's every action (`#tally`), as far as
   * `TALLY_BYTES` allows, so that the first top actors of an action after start do not read its events (an eighth
   * of 10,000,000: about 40 ms). Returns how many actions' counts were made.
   */
  warmTallies(): number {
    if (!this.ready) return 0;
    this.#orgs.sync();
    this.#actions.sync();
    this.#actors.sync();
    this.#actionLists.sync();
    const last = Math.min(Atomics.load(this.#header, LAST) >>> 0, this.#reads.lastRowid());
    // Every action list, of every organization (codes in order of first appearance), as many as fit.
    const fit = Math.min(this.#actionLists.size, Math.floor(TALLY_BYTES / (8 * Math.max(1, this.#actors.values.length))));
    return this.#tally(Array.from({ length: fit }, (_, list) => list), last) === null ? 0 : fit;
  }

  /**
   * The lists to read for organization `org`'s events of the actions `actionOk` allows, or of the actors `actorOk`
   * allows (whichever hold fewer events), if reading them is cheaper than a scan of the rowids up to `last` (not
   * counting those of blocks the time range `bounds` skips); else `null`.
   */
  #listsToRead(
    org: number,
    actionOk: Uint8Array | null,
    actorOk: Uint8Array | null,
    bounds: readonly [number, number] | null,
    last: number,
  ): TListed | null {
    let best: TListed | null = null;
    let fewest = Infinity;
    for (const [postings, ok] of [[this.#actionLists, actionOk], [this.#actorLists, actorOk]] as const) {
      if (ok === null || !postings.usable) continue;
      const lists = this.#listsOf(postings, org, ok);
      const { counts } = postings.views();
      let events = 0;
      for (const list of lists) events += counts[list] ?? 0;
      if (events < fewest) {
        best = { postings, lists };
        fewest = events;
      }
    }
    if (best === null) return null;
    let scanned = last;
    if (bounds !== null) {
      const { blocks } = this.#records();
      scanned = 0;
      for (let block = 0; block <= last >>> BLOCK_BITS; block++) {
        if (!((blocks[block * 2 + 1] ?? 0) < bounds[0] || (blocks[block * 2] ?? 0) >= bounds[1])) scanned += BLOCK;
      }
    }
    return fewest * LIST_COST < scanned ? best : null;
  }

  /**
   * The codes of the lists in `postings` of the values `ok` allows (action codes: organization `org`'s lists of
   * those actions; actor codes: those actors' lists).
   */
  #listsOf(postings: SharedPostings, org: number, ok: Uint8Array): number[] {
    postings.sync();
    const byAction = postings === this.#actionLists;
    const lists: number[] = [];
    for (let code = 1; code < ok.length; code++) {
      const list = ok[code] === 1 ? postings.find(byAction ? (org | (code << 16)) >>> 0 : code) : undefined;
      if (list !== undefined) lists.push(list);
    }
    return lists;
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
