/**
 * `LogWriterThread`: the commit half of ingest in a worker thread with its own database connection.
 *
 * On SQLite, better-sqlite3 runs every insert and each commit's fsync synchronously: in the thread that
 * also parses and validates HTTP requests, the two take turns. Here they overlap: the main thread
 * validates and canonicalizes (`Ingestor`, `prepareEvent`), then posts the prepared events (plain
 * data) to the writer thread, which runs the same `LogWriter` (group commit, Merkle tree, inserts) and answers once the
 * transaction has committed. An event is still acknowledged only after its commit.
 *
 * On the same thread, between its commits, it also makes the main thread's frequent writes: it signs
 * checkpoints (`checkpoint`) and runs its small writes (`execute`: API keys' last use, exports' progress). A write begun on the main thread's
 * connection waited for the writer's commit synchronously, holding every request up (tens of milliseconds,
 * every second for checkpoints, under batch ingest).
 *
 * If the thread stops unexpectedly, every request it held is rejected with UNAVAILABLE (retryable; with
 * idempotency keys a retry never duplicates) and the next request starts a new thread, which re-reads
 * each log's committed size and frontier.
 */
import type { Worker } from 'node:worker_threads';

import type { TCheckpointRow, TCompiledStatement, TOpenDatabaseOptions } from '@custody/db';

import { AppError, isAppError } from './errors';
import type { TAppErrorCode, TAppErrorDetails } from './errors';
import { unconfirmedError } from './log-writer';
import type { TCommitInfo, TIngestResult, TLogCommitter, TLogWriterOptions, TPreparedEvent } from './log-writer';
import { START_FAILED_GRACE_MS, startWorkerScript } from './worker-script';

/**
 * Main thread → writer thread. An append's events travel as the JSON text of `TPreparedEvent[]` (plain data:
 * strings, numbers, null and arrays, which JSON carries exactly): a string crosses to the thread as one
 * copy, and parsing it there costs the writer, the serial part of ingest, about 3 µs an event against 8 to
 * deserialize the same objects from a structured clone (measured with 500-event batches).
 */
export type TWriterRequest =
  | { readonly type: 'append'; readonly id: number; readonly organizationId: string; readonly events: string }
  | { readonly type: 'checkpoint'; readonly id: number; readonly organizationId: string }
  | { readonly type: 'execute'; readonly id: number; readonly sql: string; readonly parameters: readonly unknown[] }
  | { readonly type: 'close' };

/** Writer thread → main thread. */
export type TWriterMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'start-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly results: readonly (readonly [number, TIngestResult])[] }
  | { readonly type: 'checkpointed'; readonly id: number; readonly row: TCheckpointRow; readonly signed: boolean }
  | { readonly type: 'executed'; readonly id: number }
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly code: TAppErrorCode;
      readonly message: string;
      readonly details?: TAppErrorDetails;
      readonly cause?: string;
    }
  | { readonly type: 'committed'; readonly info: TCommitInfo; readonly sizes: readonly (readonly [string, number])[] }
  | { readonly type: 'closed' };

/** What the writer thread is started with (`workerData`). */
export interface TWriterThreadData {
  readonly database: TOpenDatabaseOptions;
  readonly writer: TLogWriterOptions;
  /** The checkpoint signing key (`TSigningKey.skey`), for `checkpoint`; none: the thread signs nothing. */
  readonly signingKey?: string;
}

/** Runs a write statement elsewhere (`LogWriterThread.execute`); `null`: the caller runs it on its own connection. */
export type TWriteElsewhere = (query: TCompiledStatement) => Promise<void> | null;

/**
 * Runs `query` through `elsewhere` when given (and it takes it), else on the query's own connection; should the
 * other connection fail it (its thread restarting), here: a small write is never lost to where it ran.
 */
export async function writeWhereFree(query: { compile(): TCompiledStatement; execute(): Promise<unknown> }, elsewhere: TWriteElsewhere | undefined): Promise<void> {
  const sent = elsewhere?.(query.compile());
  if (sent === undefined || sent === null) await query.execute();
  else await sent.catch(() => query.execute());
}

/** A checkpoint the thread signed or found (`signed`: this request signed it). */
export interface TThreadCheckpoint {
  readonly row: TCheckpointRow;
  readonly signed: boolean;
}

interface TPending {
  readonly resolve: (answer: Map<number, TIngestResult> | TThreadCheckpoint | undefined) => void;
  readonly reject: (error: unknown) => void;
  /** `performance.now()` when it was sent. */
  readonly since: number;
  /** An append under a commit deadline: answered by this side if the thread has not answered past it. */
  readonly timed: boolean;
}

/**
 * How long past its commit deadline an append waits for the thread's own answer before this side answers it.
 * The thread answers its late requests itself (`LogWriter`'s deadline: the queued ones were not stored); this
 * side answers only when the thread cannot, its event loop held by a synchronous call into SQLite that does not
 * return (a disk or network file system that stopped answering).
 */
const THREAD_ANSWER_GRACE_MS = 2_000;

export class LogWriterThread implements TLogCommitter {
  readonly #data: TWriterThreadData;
  readonly #listeners = new Set<(info: TCommitInfo, sizes: ReadonlyMap<string, number>) => void>();
  readonly #pending = new Map<number, TPending>();
  #worker: Worker | null = null;
  #ready: Promise<Worker> | null = null;
  #nextId = 0;
  #closed = false;
  /** `TLogWriterOptions.commitTimeoutMs`, 0 for none. */
  readonly #commitTimeoutMs: number;
  /** Answers appends the thread has not answered by their deadline and grace (with a commit deadline only). */
  #deadlines: ReturnType<typeof setInterval> | undefined;

  constructor(database: TOpenDatabaseOptions, writer: TLogWriterOptions = {}, signingKey?: string) {
    this.#data = { database, writer, ...(signingKey === undefined ? {} : { signingKey }) };
    this.#commitTimeoutMs = writer.commitTimeoutMs ?? 0;
  }

  onCommitted(listener: (info: TCommitInfo, sizes: ReadonlyMap<string, number>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts the thread now rather than at the first event (so a broken database fails at boot). */
  async start(): Promise<void> {
    await this.#thread();
  }

  append(organizationId: string, events: readonly TPreparedEvent[]): Promise<Map<number, TIngestResult>> {
    if (this.#closed) return Promise.reject(new AppError('UNAVAILABLE', 'the server is shutting down'));
    const text = JSON.stringify(events);
    const timed = this.#commitTimeoutMs > 0;
    if (timed) this.#watchDeadlines();
    return this.#request<Map<number, TIngestResult>>((id) => ({ type: 'append', id, organizationId, events: text }), timed);
  }

  /** Of every request to the thread: appends, checkpoints and statements wait for the same connection. */
  oldestWaitMs(): number {
    // A Map iterates in insertion order: its first entry is the oldest still pending.
    const oldest = this.#pending.values().next().value;
    return oldest === undefined ? 0 : performance.now() - oldest.since;
  }

  #watchDeadlines(): void {
    if (this.#deadlines !== undefined) return;
    this.#deadlines = setInterval(() => this.#answerLate(), 1_000);
    this.#deadlines.unref();
  }

  #answerLate(): void {
    const late = performance.now() - this.#commitTimeoutMs - THREAD_ANSWER_GRACE_MS;
    let waiting = false;
    for (const [id, pending] of this.#pending) {
      if (!pending.timed) continue;
      if (pending.since > late) {
        waiting = true;
        continue;
      }
      this.#pending.delete(id);
      pending.reject(unconfirmedError(this.#commitTimeoutMs));
    }
    if (!waiting) {
      clearInterval(this.#deadlines);
      this.#deadlines = undefined;
    }
  }

  /**
   * Signs a checkpoint of the log's committed size on the thread (as `Checkpointer.checkpoint` does), between
   * its commits; `null` once the thread is closed (the caller signs on its own connection: nothing else writes).
   */
  checkpoint(organizationId: string): Promise<TThreadCheckpoint> | null {
    if (this.#data.signingKey === undefined) return null;
    return this.#ask<TThreadCheckpoint>((id) => ({ type: 'checkpoint', id, organizationId }));
  }

  /**
   * Runs one write statement (compiled by kysely; its parameters plain data) on the thread, between its commits:
   * the main thread's frequent small writes (an API key's last use, an export's progress). `null` once the
   * thread is closed (as `checkpoint`).
   */
  execute(query: TCompiledStatement): Promise<void> | null {
    return this.#ask<undefined>((id) => ({ type: 'execute', id, sql: query.sql, parameters: query.parameters }));
  }

  /** The request `id` answered, no longer pending. */
  #take(id: number): TPending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  /** Sends the thread a request other than an append, answered by its id; `null` once the thread is closed. */
  #ask<T extends TThreadCheckpoint | undefined>(request: (id: number) => TWriterRequest): Promise<T> | null {
    return this.#closed ? null : this.#request<T>(request);
  }

  /**
   * Sends `request`, answered by its id: at once to a thread already started, so that a `close()` made after it
   * cannot overtake it (the thread answers it before closing); else once the thread is started.
   */
  #request<T>(request: (id: number) => TWriterRequest, timed = false): Promise<T> {
    const post = (worker: Worker) => {
      const id = this.#nextId++;
      return new Promise<T>((resolve, reject) => {
        this.#pending.set(id, { resolve: resolve as TPending['resolve'], reject, since: performance.now(), timed });
        worker.postMessage(request(id));
      });
    };
    return this.#worker !== null ? post(this.#worker) : this.#thread().then(post);
  }

  /** Lets the thread commit everything it holds, then stops it. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (worker === null) return;
    const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies TWriterRequest);
    await stopped;
  }

  /**
   * Stops the thread at once, as a crash would: requests it held are rejected with UNAVAILABLE (their
   * transaction either committed whole or not at all) and the next `append` starts a new thread. For
   * tests and for an operator's last resort; `close()` is the orderly way.
   */
  async terminate(): Promise<void> {
    await this.#worker?.terminate();
  }

  #thread(): Promise<Worker> {
    if (this.#ready !== null) return this.#ready;
    const worker = startWorkerScript('log-writer.worker', this.#data);
    this.#worker = worker;
    this.#ready = new Promise<Worker>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: TWriterMessage) => {
        switch (message.type) {
          case 'ready':
            started = true;
            resolve(worker);
            break;
          case 'start-failed':
            reject(new AppError('UNAVAILABLE', `the ingest writer could not open the database: ${message.message}`));
            break;
          case 'result':
            this.#take(message.id)?.resolve(new Map(message.results));
            break;
          case 'checkpointed':
            this.#take(message.id)?.resolve({ row: message.row, signed: message.signed });
            break;
          case 'executed':
            this.#take(message.id)?.resolve(undefined);
            break;
          case 'failed':
            this.#take(message.id)?.reject(
              new AppError(message.code, message.message, {
                ...(message.details === undefined ? {} : { details: message.details }),
                ...(message.cause === undefined ? {} : { cause: new Error(message.cause) }),
              }),
            );
            break;
          case 'committed': {
            const sizes = new Map(message.sizes);
            for (const listener of this.#listeners) listener(message.info, sizes);
            break;
          }
          case 'closed':
            break;
        }
      });
      const stopped = (reason: string, cause?: unknown) => {
        if (this.#worker === worker) {
          this.#worker = null;
          this.#ready = null;
        }
        const error = new AppError('UNAVAILABLE', `the ingest writer thread stopped (${reason}); events not acknowledged were not committed, retry`, { cause });
        // Before it started, the reason the thread gave (`start-failed`) wins if it arrives within the grace.
        if (!started) setTimeout(() => reject(error), START_FAILED_GRACE_MS);
        for (const [id, pending] of this.#pending) {
          this.#pending.delete(id);
          pending.reject(error);
        }
      };
      worker.on('error', (error) => stopped(isAppError(error) ? error.message : error instanceof Error ? error.message : String(error), error));
      worker.on('exit', (code) => stopped(`exit code ${code}`));
    });
    // A failed start must not stick: the next request tries again.
    this.#ready.catch(() => {
      if (this.#worker === worker) {
        this.#worker = null;
        this.#ready = null;
      }
      void worker.terminate();
    });
    return this.#ready;
  }
}
