/**
 * `EventQueryThreads`: `events.list`, `events.get` and `events.stats` on reader threads, each with its own
 * read-only connection (SQLite files; see `CustodyDatabase.readerThreadOptions`).
 *
 * better-sqlite3 runs a statement synchronously on the thread that calls it. On the main thread, a
 * statistics query over millions of events held every other request (ingest's parsing, health checks,
 * the console) for its whole duration. Here the main thread posts the call and waits; each reader
 * thread runs the same `EventQueries` on one call at a time, and calls beyond the threads wait in a
 * bounded queue, first come first served.
 *
 * A call that runs past `timeoutMs` fails with TIMEOUT, and one whose caller went away (`signal`, which
 * the API aborts when the HTTP request closes) with CANCELLED, both at once: a waiting call leaves the
 * queue; for a running one the thread is told to stop (a flag in shared memory, read before each of the
 * call's statements) and takes the next call once its current statement returns, keeping its connection
 * and its in-memory statistics copy. better-sqlite3 cannot interrupt a statement: a thread still busy
 * `abandonGraceMs` later leaves the pool (another is started if calls wait) and exits once its statement
 * returns; it is never terminated inside one (`#stop`).
 *
 * Reads see every event acknowledged before they start: each statement reads the write-ahead log as of
 * its start, as the main thread's connection does, and ingest acknowledges only after `COMMIT`.
 */
import type { Worker } from 'node:worker_threads';

import type { TOpenDatabaseOptions } from '@custody/db';

import { AppError } from './errors';
import { createFacetMemory, facetCopyOverLimit, facetMemoryBytes, mebibytes, releaseFacetLock } from './event-facets';
import { searchBitmapUsage } from './search-bitmaps';
import { statsSummaryUsage } from './stats-summaries';
import type { TFacetMemory } from './event-facets';
import type { TAppErrorCode, TAppErrorDetails } from './errors';
import type {
  TEventFilter, TEventPage, TEventQueriesOptions, TEventReader, TEventRecord, TEventStats, TListOptions, TQueryControl, TStatsOptions,
} from './query';
import { queryCancelled, queryTimeout } from './query';
import { START_FAILED_GRACE_MS, startWorkerScript } from './worker-script';

/** One call, as posted to a reader thread. */
export type TQueryCall =
  | { readonly method: 'list'; readonly args: readonly [string, TEventFilter, TListOptions] }
  | { readonly method: 'get'; readonly args: readonly [string, string] }
  | { readonly method: 'stats'; readonly args: readonly [string, TEventFilter, TStatsOptions] };

/** Main thread → reader thread: a call. */
export interface TQueryRequest {
  readonly id: number;
  readonly call: TQueryCall;
}

/** Main thread → reader thread: a call, or `stop`: leave the pool once free (the current statement returned). */
export type TQueryThreadMessage = TQueryRequest | { readonly type: 'stop' };

/** Reader thread → main thread. */
export type TQueryMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'start-failed'; readonly message: string }
  /** The thread's statistics copy is complete (`EventQueries.warmFacets`). */
  | { readonly type: 'warm' }
  /** The statistics copy could not be made (`EventQueries.warmFacets` failed): statistics stay in SQL. */
  | { readonly type: 'copy-unavailable'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly code: TAppErrorCode; readonly message: string; readonly details?: TAppErrorDetails };

/** What a reader thread is started with (`workerData`). */
export interface TQueryThreadData {
  readonly database: TOpenDatabaseOptions;
  readonly queries: TEventQueriesOptions;
  /** The statistics copy every thread shares (`EventFacets`). */
  readonly facets: TFacetMemory;
  /** One Int32: set to 1 by the pool when the call the thread runs was given up on; reset before each call. */
  readonly cancel: SharedArrayBuffer;
}

/** `EventQueryThreads.load`. */
export interface TQueryThreadsLoad {
  threads: number;
  running: number;
  queued: number;
  /** Threads whose statistics copy is complete (and warmed up): a statistics call before then completes it when nearly complete (`EventFacets.catchUp`), else SQL answers. */
  warm: number;
  /** Searches whose matches the threads keep as bitmaps (`SearchBitmaps`), and the bytes those take. */
  searchBitmaps: number;
  searchBitmapBytes: number;
  /** Whole-log statistics of searches and metadata values the threads keep (`StatsSummaries`), and the bytes those take. */
  statsSummaries: number;
  statsSummaryBytes: number;
  /** The shared memory of statistics (copy, bitmaps, summaries: `facetMemoryBytes`), its limit, and whether the copy was given up for it. */
  statsMemoryBytes: number;
  statsMemoryLimitBytes: number;
  statsCopyOverLimit: boolean;
}

export interface TQueryThreadsOptions {
  /** Reader threads, started as calls arrive. Default is 2. */
  threads?: number;
  /** A call's time limit, from its arrival (queue included), in ms; 0 for none. Default is 30,000. */
  timeoutMs?: number;
  /** Calls that may wait for a thread; beyond it, UNAVAILABLE (retry). Default is 256. */
  maxQueued?: number;
  /** How long a thread may take to give up a call it was told to stop before it is stopped itself, in ms. Default is 10,000. */
  abandonGraceMs?: number;
  /**
   * Most bytes the threads' shared statistics memory may take (the copy, the search bitmaps, the summaries;
   * `TFacetMemory.maxBytes`): beyond it the copy is given up and statistics are answered in SQL. Default: no limit.
   */
  statsMemoryBytes?: number;
  /** Told once, in words, when the statistics copy could not be made or was given up (statistics then run in SQL). */
  onNotice?: (message: string) => void;
  /** Planner thresholds for the threads' `EventQueries` (tests). */
  queries?: TEventQueriesOptions;
}

interface TJob {
  readonly id: number;
  readonly call: TQueryCall;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  slot: TSlot | undefined;
}

interface TSlot {
  readonly worker: Worker;
  /** The call's stop flag (`TQueryThreadData.cancel`). */
  readonly cancel: Int32Array;
  ready: boolean;
  /** Its statistics copy is complete. */
  warm: boolean;
  /** The call it runs, answered or not. */
  job: TJob | undefined;
  /** Set while it finishes a call given up on: stops the thread if it takes longer than the grace. */
  grace: ReturnType<typeof setTimeout> | undefined;
}

export class EventQueryThreads implements TEventReader {
  readonly #data: Omit<TQueryThreadData, 'cancel'>;
  readonly #threads: number;
  readonly #timeoutMs: number;
  readonly #maxQueued: number;
  readonly #abandonGraceMs: number;
  readonly #slots: TSlot[] = [];
  readonly #queue: TJob[] = [];
  readonly #onNotice: ((message: string) => void) | undefined;
  #nextId = 0;
  #closed = false;
  /** The copy's loss was told (`onNotice`). */
  #noticed = false;

  constructor(database: TOpenDatabaseOptions, options: TQueryThreadsOptions = {}) {
    this.#data = { database, queries: options.queries ?? {}, facets: createFacetMemory(undefined, options.statsMemoryBytes) };
    this.#onNotice = options.onNotice;
    this.#threads = Math.max(1, Math.floor(options.threads ?? 2));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxQueued = options.maxQueued ?? 256;
    this.#abandonGraceMs = options.abandonGraceMs ?? 10_000;
  }

  list(organizationId: string, filter: TEventFilter, options: TListOptions & TQueryControl = {}): Promise<TEventPage> {
    const { signal, ...list } = options;
    return this.#call({ method: 'list', args: [organizationId, filter, list] }, signal) as Promise<TEventPage>;
  }

  get(organizationId: string, id: string, options: TQueryControl = {}): Promise<TEventRecord> {
    return this.#call({ method: 'get', args: [organizationId, id] }, options.signal) as Promise<TEventRecord>;
  }

  stats(organizationId: string, filter: TEventFilter, options: TStatsOptions & TQueryControl = {}): Promise<TEventStats> {
    const { signal, ...stats } = options;
    return this.#call({ method: 'stats', args: [organizationId, filter, stats] }, signal) as Promise<TEventStats>;
  }

  /** Threads started, calls running or waiting, and threads whose statistics copy is complete: for `/metrics` and tests. */
  get load(): TQueryThreadsLoad {
    const bitmaps = searchBitmapUsage(this.#data.facets.searches);
    const summaries = statsSummaryUsage(this.#data.facets.summaries);
    return {
      threads: this.#slots.length,
      running: this.#slots.filter((s) => s.job !== undefined).length,
      queued: this.#queue.length,
      warm: this.#slots.filter((s) => s.warm).length,
      searchBitmaps: bitmaps.searches,
      searchBitmapBytes: bitmaps.bytes,
      statsSummaries: summaries.summaries,
      statsSummaryBytes: summaries.bytes,
      statsMemoryBytes: facetMemoryBytes(this.#data.facets),
      statsMemoryLimitBytes: this.#data.facets.maxBytes,
      statsCopyOverLimit: facetCopyOverLimit(this.#data.facets),
    };
  }

  /**
   * Tells `onNotice`, once, that the statistics copy is lost: `message` from a thread whose warm-up failed, or,
   * when a call finds the copy given up for its memory limit (the log grew past it), what the limit is.
   */
  #notice(message?: string): void {
    if (this.#noticed || this.#closed) return;
    const facets = this.#data.facets;
    if (message === undefined) {
      if (!facetCopyOverLimit(facets)) return;
      message = `the statistics copy was given up: holding every event would pass its memory limit of ${mebibytes(facets.maxBytes)} MiB (${mebibytes(facetMemoryBytes(facets))} MiB taken): statistics are answered in SQL`;
    }
    this.#noticed = true;
    this.#onNotice?.(message);
  }

  /**
   * Starts every thread now rather than at the first calls, so that a database they cannot open fails at
   * boot and their statistics copies fill from the start. Resolves once they can take calls.
   */
  async start(): Promise<void> {
    const started = Array.from({ length: this.#threads - this.#slots.length }, () => this.#spawn());
    await Promise.all(
      started.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            slot.worker.on('message', (message: TQueryMessage) => {
              if (message.type === 'ready') resolve();
              if (message.type === 'start-failed') reject(new AppError('UNAVAILABLE', `the query threads could not open the database: ${message.message}`));
            });
            // The reason the thread gave (`start-failed`) wins if it arrives within the grace.
            slot.worker.once('exit', () => setTimeout(() => reject(new AppError('UNAVAILABLE', 'a query thread stopped while starting')), START_FAILED_GRACE_MS));
          }),
      ),
    );
  }

  /**
   * Fails waiting and running calls with UNAVAILABLE and stops every thread: each is told to stop (`#stop`) and
   * given `abandonGraceMs` to leave; one still inside a statement then is terminated, which takes effect only when
   * the statement returns (`worker.terminate()` resolves then: after 48 s for a statement of 48 s). Close does not
   * wait for that: it returns with such a thread still running, and a process ending then must not wait for it
   * either (`workerThreadsStillRunning`).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#slots.map((slot) => slot.worker);
    const stopping = new AppError('UNAVAILABLE', 'the server is shutting down');
    for (const job of [...this.#queue, ...this.#slots.flatMap((s) => (s.job === undefined ? [] : [s.job]))]) this.#settle(job, stopping);
    for (const slot of this.#slots) if (slot.grace !== undefined) clearTimeout(slot.grace);
    this.#slots.length = 0;
    await Promise.all(
      workers.map(async (worker) => {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        this.#stop(worker);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.#abandonGraceMs)))]);
        clearTimeout(timer);
        if (late) void worker.terminate().catch(() => undefined);
      }),
    );
  }

  /**
   * Tells a thread to leave once it is free, rather than terminating it: a thread inside a SQLite statement
   * cannot be stopped before the statement returns anyway (better-sqlite3 cannot interrupt one), and a thread
   * terminated meanwhile aborts the whole process if the statement then fails (better-sqlite3 throwing into
   * a stopping thread: "FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal", WiseLibs/better-sqlite3#842).
   */
  #stop(worker: Worker): void {
    worker.postMessage({ type: 'stop' } satisfies TQueryThreadMessage);
  }

  #call(call: TQueryCall, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.#closed) return Promise.reject(new AppError('UNAVAILABLE', 'the server is shutting down'));
    if (signal?.aborted === true) return Promise.reject(queryCancelled());
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(new AppError('UNAVAILABLE', `too many queries are waiting (${this.#maxQueued}); retry shortly`, { details: { retryAfterMs: 1000 } }));
    }
    return new Promise<unknown>((resolve, reject) => {
      const job: TJob = {
        id: this.#nextId++, call, resolve, reject, signal, timer: undefined, slot: undefined,
        onAbort: () => this.#settle(job, queryCancelled()),
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      if (this.#timeoutMs > 0) {
        job.timer = setTimeout(() => this.#settle(job, queryTimeout(this.#timeoutMs)), this.#timeoutMs);
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /**
   * Answers a call with `outcome` (an error, or `{ value }`). A thread still running it is told to stop,
   * and stays busy until it says it has (or is stopped after the grace).
   */
  #settle(job: TJob, outcome: AppError | { value: unknown }): void {
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.timer = undefined;
    job.signal?.removeEventListener('abort', job.onAbort);
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const slot = job.slot;
    job.slot = undefined;
    if (slot !== undefined && slot.job === job && slot.grace === undefined) {
      Atomics.store(slot.cancel, 0, 1);
      slot.grace = setTimeout(() => {
        if (slot.job === job) this.#retire(slot);
      }, this.#abandonGraceMs);
    }
    if (outcome instanceof AppError) job.reject(outcome);
    else job.resolve(outcome.value);
    this.#dispatch();
  }

  /** The thread is done with its call (answered, or given up on): it takes the next one. */
  #free(slot: TSlot): void {
    if (slot.grace !== undefined) clearTimeout(slot.grace);
    slot.grace = undefined;
    slot.job = undefined;
  }

  /** Hands waiting calls to idle threads, starting threads up to the limit. */
  #dispatch(): void {
    if (this.#closed) return;
    for (const slot of this.#slots) {
      const job = slot.ready && slot.job === undefined ? this.#queue.shift() : undefined;
      if (job === undefined) continue;
      slot.job = job;
      job.slot = slot;
      Atomics.store(slot.cancel, 0, 0);
      slot.worker.postMessage({ id: job.id, call: job.call } satisfies TQueryThreadMessage);
    }
    const starting = this.#slots.filter((s) => !s.ready).length;
    const wanted = Math.min(this.#queue.length - starting, this.#threads - this.#slots.length);
    for (let i = 0; i < wanted; i++) this.#spawn();
  }

  /** Stops a thread once its statement returns (`#stop`), forgets it now, and starts another if calls wait. */
  #retire(slot: TSlot): void {
    const at = this.#slots.indexOf(slot);
    if (at >= 0) this.#slots.splice(at, 1);
    slot.job = undefined;
    this.#stop(slot.worker);
    this.#dispatch();
  }

  #spawn(): TSlot {
    const cancel = new SharedArrayBuffer(4);
    const worker = startWorkerScript('query.worker', { ...this.#data, cancel } satisfies TQueryThreadData);
    const slot: TSlot = { worker, cancel: new Int32Array(cancel), ready: false, warm: false, job: undefined, grace: undefined };
    this.#slots.push(slot);
    let startError: string | undefined;
    let crash: string | undefined;
    worker.on('message', (message: TQueryMessage) => {
      switch (message.type) {
        case 'ready':
          slot.ready = true;
          this.#dispatch();
          break;
        case 'start-failed':
          startError = message.message;
          break;
        case 'warm':
          slot.warm = true;
          break;
        case 'copy-unavailable':
          this.#notice(message.message);
          break;
        case 'result':
        case 'failed': {
          this.#notice();
          const job = slot.job;
          if (job === undefined || job.id !== message.id) break;
          this.#free(slot);
          if (job.slot !== slot) {
            this.#dispatch(); // given up on: its caller was already answered
            break;
          }
          this.#settle(job, message.type === 'result' ? { value: message.value } : new AppError(message.code, message.message, message.details === undefined ? {} : { details: message.details }));
          break;
        }
      }
    });
    worker.on('error', (error) => {
      crash = error instanceof Error ? error.message : String(error);
    });
    const id = worker.threadId;
    worker.on('exit', (code) => {
      if (slot.grace !== undefined) clearTimeout(slot.grace);
      // Stopped while appending to the shared statistics copy: the others may append again.
      releaseFacetLock(this.#data.facets, id);
      const at = this.#slots.indexOf(slot);
      if (at < 0) return; // retired or closed on purpose
      this.#slots.splice(at, 1);
      if (!slot.ready) {
        // It could not start (the database cannot be opened): fail the waiting calls rather than retry forever.
        const error = new AppError('UNAVAILABLE', `the query threads could not open the database: ${startError ?? crash ?? `exit code ${code}`}`);
        for (const job of [...this.#queue]) this.#settle(job, error);
        return;
      }
      const job = slot.job;
      slot.job = undefined;
      if (job !== undefined && job.slot === slot) this.#settle(job, new AppError('UNAVAILABLE', `the query thread stopped (${crash ?? `exit code ${code}`}); retry`));
      else this.#dispatch();
    });
    return slot;
  }
}

