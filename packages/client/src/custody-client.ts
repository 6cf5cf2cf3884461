/**
 * `CustodyClient`: the pipeline behind `emit`.
 *
 * 1. PREPARE: give the event an idempotency key if it has none, validate it with `@custody/schema`
 *    (and the action registry, if given). A bad event rejects at once and never enters the queue.
 * 2. ADMIT: the queue holds at most `queue.maxEvents` events (waiting + in flight); a full queue applies
 *    the policy (`block`, `reject` or `drop-oldest`).
 * 3. BATCH: one FIFO per organization; a batch leaves when it is full (`batch.maxEvents` or
 *    `batch.maxBytes`), `batch.maxDelayMs` after its oldest event was queued, or at once during
 *    `flush()` and `close()`. One request per organization is in flight at a time, so an organization's
 *    events reach the log in the order they were emitted.
 * 4. DELIVER: `events.createBatch`, retried with exponential backoff and full jitter on network errors,
 *    timeouts, 408, 429 and 5xx. Each event carries its idempotency key, so a retry after an ambiguous
 *    failure returns the original `{ id, seq }` (`replayed: true`) instead of logging it twice.
 * 5. SETTLE: each event's promise resolves with its `{ id, seq }` or rejects with a `CustodyClientError`;
 *    an answer that cannot be true (`checkBatchAnswer`: not one result per event, two events at one
 *    `seq`, …) acknowledges nothing and settles the whole batch with `UNEXPECTED_RESPONSE`. Every
 *    rejection is also reported to `onError`, and the promise is pre-handled so a caller who does not
 *    await never sees an unhandled rejection.
 */
import { createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';

import type { AppRouter } from '@custody/api';
import { SERVER_ORGANIZATION_ID_PATTERN, generateUuidV7, validateEvent } from '@custody/schema';
import type { TActionsSpec, TDefinedActions, TEventInput, TValidationIssue } from '@custody/schema';

import { CustodyClientError } from './custody-client-error';
import type { TCustodyClientErrorCode } from './custody-client-error';
import type { TCloseOptions, TCustodyEvent, TCustodyStats, TEmitOptions, TEmitResult } from './custody-event';
import type { TResolvedCustodyOptions } from './custody-options';
import { computeBackoffDelay } from './internal/backoff';
import { checkBatchAnswer } from './internal/check-batch-answer';
import type { TBatchResult } from './internal/check-batch-answer';
import { classifyFailure } from './internal/classify-failure';
import type { TFatalFailure, TRetryableFailure } from './internal/classify-failure';
import { EventQueue } from './internal/event-queue';
import { createTransportFetch } from './internal/http-response-error';
import { sleep } from './internal/sleep';

/** The typed tRPC client of the whole Custody API (`AppRouter`). */
export type TCustodyApi = TRPCClient<AppRouter>;

/** Bytes kept free in every request for the envelope around the events (`{"organizationId":…,"events":[…]}`). */
const ENVELOPE_BYTES = 1024;

type TEntryState = 'blocked' | 'waiting' | 'in-flight' | 'settled';

interface TEntry {
  readonly organizationId: string;
  /** The normalized event, with its idempotency key: exactly what is sent, on every attempt. */
  readonly event: TEventInput;
  readonly idempotencyKey: string;
  readonly bytes: number;
  queuedAt: number;
  state: TEntryState;
  /** The block-policy timer while `state` is `blocked`. */
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly resolve: (result: TEmitResult) => void;
  readonly reject: (error: CustodyClientError) => void;
  /** Resolves when the entry settles, whatever the outcome (for `flush`). */
  readonly settled: Promise<void>;
  readonly markSettled: () => void;
}

type TBatchOutcome =
  | { readonly ok: true; readonly settled: readonly (readonly [entry: TEntry, result: TBatchResult])[] }
  | { readonly ok: false; readonly failure: TFatalFailure }
  | { readonly ok: false; readonly exhausted: TRetryableFailure; readonly attempts: number }
  | { readonly ok: false; readonly closed: true };

const encoder = new TextEncoder();
const noop = (): void => undefined;

/**
 * The client `createCustody` returns. `TActions` is the `defineActions` result the client was typed
 * with (or `undefined` for any valid event). Create it with `createCustody`, not `new`. `emit`,
 * `flush`, `close` and `stats` are bound: `process.once('SIGTERM', custody.close)` works.
 */
export class CustodyClient<TActions extends TDefinedActions<TActionsSpec> | undefined = undefined> {
  /**
   * The typed tRPC client of the whole API, for everything besides sending events:
   * `await custody.api.events.list.query({ organizationId: 'acme', limit: 50 })`. Calls are batched
   * by `httpBatchLink`, are not retried, and throw `TRPCClientError` (see `error.data.appError.code`).
   */
  readonly api: TCustodyApi;

  readonly #options: TResolvedCustodyOptions;
  readonly #ingest: TCustodyApi;
  readonly #queue = new EventQueue<TEntry>();
  readonly #blocked: TEntry[] = [];
  readonly #unsettled = new Set<TEntry>();
  readonly #sending = new Set<string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #shutdown = new AbortController();
  #inFlight = 0;
  #flushing = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Close's earliest deadline, when one was given. */
  #giveUp: { readonly at: number; readonly timer: ReturnType<typeof setTimeout> } | undefined;
  /** Close has settled every event. */
  #shutDown = false;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #retries = 0;

  /** Use `createCustody`, which checks the options. */
  constructor(options: TResolvedCustodyOptions) {
    this.#options = options;
    const headers = { authorization: `Bearer ${options.apiKey}` };
    this.api = createTRPCClient<AppRouter>({
      // Batches stay within what the server reads: its path holds every call's name (5,000 characters at
      // most), and a GET's URL carries every call's input.
      links: [httpBatchLink({ url: options.trpcUrl, headers, maxItems: 50, maxURLLength: 4000, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) })],
    });
    // Ingest gets its own non-batching link: one request per batch of events, each with its own timeout,
    // and a fetch that keeps the HTTP status of non-JSON answers (proxies) for the retry decision.
    this.#ingest = createTRPCClient<AppRouter>({
      links: [httpLink({ url: options.trpcUrl, headers, fetch: createTransportFetch(options.fetch) })],
    });
  }

  /**
   * Queues one event and resolves with its `{ id, seq }` once the server has committed it.
   *
   * - The event is validated locally first (`validateEvent` of `@custody/schema`, plus the registry of
   *   `actions` if the client has one): a bad event rejects at once with `VALIDATION_FAILED` and
   *   `issues` naming each field, and never enters the queue.
   * - An event without `idempotency_key` gets `custody-<uuidv7>`; the key makes retries safe.
   * - Rejects with a `CustodyClientError`: `VALIDATION_FAILED` and `IDEMPOTENCY_CONFLICT` (this event
   *   only), `QUEUE_FULL`, `CLOSED`, `UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_REQUEST`,
   *   `PAYLOAD_TOO_LARGE`, `RETRIES_EXHAUSTED` or `UNEXPECTED_RESPONSE`. Every rejection is also passed
   *   to `onError`, and not awaiting the promise never causes an unhandled rejection.
   *
   * Awaiting each `emit` in a loop sends one event per batch delay: emit many, then await them together
   * (or call `flush()`).
   */
  readonly emit = (event: TCustodyEvent<TActions>, options: TEmitOptions = {}): Promise<TEmitResult> => {
    const promise = new Promise<TEmitResult>((resolve, reject) => this.#emit(event, options, resolve, reject));
    promise.catch(noop);
    return promise;
  };

  /**
   * Sends everything queued so far at once (without waiting for `batch.maxDelayMs`) and resolves when
   * each of those events was acknowledged or has failed. Never rejects: failures settle their own
   * `emit` promises and reach `onError`. Events emitted during the flush are sent at once too.
   */
  readonly flush = async (): Promise<void> => {
    const waits = [...this.#unsettled].map((entry) => entry.settled);
    if (waits.length === 0) return;
    this.#flushing += 1;
    try {
      for (const organizationId of this.#queue.organizations()) this.#pump(organizationId);
      await Promise.all(waits);
    } finally {
      this.#flushing -= 1;
    }
  };

  /**
   * Stops accepting events (`emit` rejects with `CLOSED` from now on), flushes, and resolves when every
   * earlier event was acknowledged or has failed: call it on shutdown. With `timeoutMs`, gives up at the
   * deadline (see `TCloseOptions`). Calling it again returns the same promise, and a deadline given then applies
   * too when it is earlier (a shutdown handler's `close({ timeoutMs })` after a `close()`). Never rejects.
   */
  readonly close = (options: TCloseOptions = {}): Promise<void> => {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#shutdownGracefully();
    }
    // A deadline counts from this call, whichever call gives it; the earliest of them is kept.
    if (options.timeoutMs !== undefined && options.timeoutMs !== Infinity) this.#giveUpWithin(options.timeoutMs);
    return this.#closing;
  };

  /** A snapshot of the queue and the delivery counters. */
  readonly stats = (): TCustodyStats => ({
    queued: this.#queue.size,
    blocked: this.#blocked.length,
    inFlight: this.#inFlight,
    sent: this.#sent,
    failed: this.#failed,
    dropped: this.#dropped,
    retries: this.#retries,
    closed: this.#closed,
  });

  // -------------------------------------------------------------------------------------------------
  // 1. Prepare and admit
  // -------------------------------------------------------------------------------------------------

  #emit(event: unknown, options: TEmitOptions, resolve: (result: TEmitResult) => void, reject: (error: CustodyClientError) => void): void {
    const organizationId = options.organizationId ?? this.#options.organizationId;
    // A refused event is identified as far as it can be: its own idempotency key, and the organization asked for.
    const given = ownIdempotencyKey(event);
    const refuse = (code: 'CLOSED' | 'VALIDATION_FAILED', message: string, issues?: readonly TValidationIssue[]): void => {
      const error = new CustodyClientError(code, message, {
        ...(issues === undefined ? {} : { issues }),
        ...(given === undefined ? {} : { idempotencyKey: given }),
        ...(typeof organizationId === 'string' ? { organizationId } : {}),
      });
      this.#failed += 1;
      reject(error);
      this.#report(error, event);
    };
    if (this.#closed) {
      refuse('CLOSED', 'the client is closed: emit was called after close(); the event was not sent and is not in the log');
      return;
    }
    if (organizationId === undefined || typeof organizationId !== 'string' || !SERVER_ORGANIZATION_ID_PATTERN.test(organizationId)) {
      const issue: TValidationIssue =
        organizationId === undefined
          ? { path: 'organizationId', code: 'required', message: 'organizationId: is required (pass it to emit or to createCustody)' }
          : {
              path: 'organizationId',
              code: 'invalid_format',
              message: `organizationId: ${JSON.stringify(organizationId)} is not a valid organization id (${SERVER_ORGANIZATION_ID_PATTERN.source})`,
            };
      refuse('VALIDATION_FAILED', issue.message, [issue]);
      return;
    }
    const prepared = this.#prepare(event);
    if (!prepared.ok) {
      refuse('VALIDATION_FAILED', prepared.issues.map((issue) => issue.message).join('; '), prepared.issues);
      return;
    }
    let markSettled = noop;
    const settled = new Promise<void>((done) => (markSettled = done));
    const entry: TEntry = {
      organizationId,
      event: prepared.event,
      idempotencyKey: prepared.idempotencyKey,
      bytes: prepared.bytes,
      queuedAt: Date.now(),
      state: 'blocked',
      timer: undefined,
      resolve,
      reject,
      settled,
      markSettled,
    };
    this.#unsettled.add(entry);
    this.#admit(entry);
  }

  #prepare(event: unknown): { ok: true; event: TEventInput; idempotencyKey: string; bytes: number } | { ok: false; issues: readonly TValidationIssue[] } {
    let input = event;
    try {
      if (isPlainObject(input) && input.idempotency_key === undefined) {
        input = { ...input, idempotency_key: `custody-${generateUuidV7()}` };
      }
    } catch {
      // A hostile proxy or a throwing getter: validateEvent reports it on the original value.
      input = event;
    }
    const registry = this.#options.actions?.actionRegistry;
    const result = validateEvent(input, registry === undefined ? {} : { registry });
    if (!result.ok) return { ok: false, issues: result.issues };
    const idempotencyKey = result.event.idempotency_key;
    if (idempotencyKey === undefined) {
      // Only reachable for inputs the schema accepted without being plain objects, which it never does.
      return { ok: false, issues: [{ path: 'idempotency_key', code: 'required', message: 'idempotency_key: is required' }] };
    }
    return { ok: true, event: result.event, idempotencyKey, bytes: encoder.encode(JSON.stringify(result.event)).length + 1 };
  }

  get #held(): number {
    return this.#queue.size + this.#inFlight;
  }

  #admit(entry: TEntry): void {
    const { maxEvents, policy, blockTimeoutMs } = this.#options.queue;
    if (this.#held < maxEvents && this.#blocked.length === 0) {
      this.#enqueue(entry);
      return;
    }
    const full = `the queue holds ${maxEvents} events (queue.maxEvents)`;
    switch (policy) {
      case 'reject':
        this.#settleError(entry, 'QUEUE_FULL', `${full}; the event was refused (policy "reject")`);
        return;
      case 'drop-oldest': {
        const victim = this.#queue.shiftOldest();
        if (victim === undefined) {
          // Every held event is in flight and may already be committed: none can be dropped.
          this.#settleError(entry, 'QUEUE_FULL', `${full}, all in flight; the event was refused (policy "drop-oldest")`);
          return;
        }
        this.#enqueue(entry);
        this.#dropped += 1;
        this.#settleError(victim, 'QUEUE_FULL', `${full}; this event, the oldest waiting, was dropped and is lost (policy "drop-oldest")`);
        return;
      }
      case 'block':
        if (this.#blocked.length >= maxEvents) {
          this.#settleError(entry, 'QUEUE_FULL', `${full} and ${this.#blocked.length} emits already wait for space; the event was refused (policy "block")`);
          return;
        }
        this.#blocked.push(entry);
        if (blockTimeoutMs !== Infinity) {
          entry.timer = setTimeout(() => {
            const index = this.#blocked.indexOf(entry);
            if (index >= 0) this.#blocked.splice(index, 1);
            this.#settleError(entry, 'QUEUE_FULL', `${full}; no space within ${blockTimeoutMs} ms (policy "block", queue.blockTimeoutMs)`);
          }, blockTimeoutMs);
        }
        return;
    }
  }

  #enqueue(entry: TEntry): void {
    entry.state = 'waiting';
    entry.queuedAt = Date.now();
    this.#queue.push(entry);
    this.#pump(entry.organizationId);
  }

  /** Moves blocked emits into the queue while there is space, first come first served. */
  #admitBlocked(): void {
    while (this.#blocked.length > 0 && this.#held < this.#options.queue.maxEvents) {
      const entry = this.#blocked.shift();
      if (entry === undefined) return;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      this.#enqueue(entry);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 2. Batch
  // -------------------------------------------------------------------------------------------------

  /** Sends the organization's next batch if it is due, or arms the timer that will. */
  #pump(organizationId: string): void {
    if (this.#sending.has(organizationId)) return;
    const waiting = this.#queue.countOf(organizationId);
    const oldest = this.#queue.oldestQueuedAt(organizationId);
    const existing = this.#timers.get(organizationId);
    if (waiting === 0 || oldest === undefined) {
      if (existing !== undefined) clearTimeout(existing);
      this.#timers.delete(organizationId);
      return;
    }
    const { maxEvents, maxDelayMs, maxBytes } = this.#options.batch;
    const dueIn = oldest + maxDelayMs - Date.now();
    const due =
      waiting >= maxEvents || this.#queue.bytesOf(organizationId) >= maxBytes - ENVELOPE_BYTES || dueIn <= 0 || this.#flushing > 0 || this.#closed;
    if (due) {
      if (existing !== undefined) clearTimeout(existing);
      this.#timers.delete(organizationId);
      this.#send(organizationId);
    } else if (existing === undefined) {
      // Fires no later than the oldest event's deadline; `#pump` re-arms it if more time is left.
      this.#timers.set(
        organizationId,
        setTimeout(() => {
          this.#timers.delete(organizationId);
          this.#pump(organizationId);
        }, dueIn),
      );
    }
  }

  #send(organizationId: string): void {
    const { maxEvents, maxBytes } = this.#options.batch;
    const batch = this.#queue.take(organizationId, maxEvents, maxBytes - ENVELOPE_BYTES);
    if (batch.length === 0) return;
    for (const entry of batch) entry.state = 'in-flight';
    this.#inFlight += batch.length;
    this.#sending.add(organizationId);
    void this.#deliver(organizationId, batch)
      .catch((error: unknown) => {
        // #deliver does not throw; if a bug makes it, no event may stay unsettled.
        for (const entry of batch) this.#settleError(entry, 'UNEXPECTED_RESPONSE', 'delivery failed unexpectedly', { cause: error });
      })
      .finally(() => {
        this.#sending.delete(organizationId);
        this.#pump(organizationId);
      });
  }

  // -------------------------------------------------------------------------------------------------
  // 3. Deliver
  // -------------------------------------------------------------------------------------------------

  async #deliver(organizationId: string, batch: readonly TEntry[]): Promise<void> {
    const outcome = await this.#request(organizationId, batch);
    if (outcome.ok) {
      this.#settleResults(outcome.settled);
      return;
    }
    if ('closed' in outcome) {
      for (const entry of batch) {
        this.#settleError(entry, 'CLOSED', 'close() gave up before the server confirmed this event; it may or may not be in the log');
      }
      return;
    }
    if ('exhausted' in outcome) {
      const last = outcome.exhausted;
      for (const entry of batch) {
        this.#settleError(entry, 'RETRIES_EXHAUSTED', `no attempt succeeded (${outcome.attempts} attempts); the last one: ${last.message}`, last);
      }
      return;
    }
    const failure = outcome.failure;
    if (failure.code === 'PAYLOAD_TOO_LARGE' && batch.length > 1) {
      // The server's body limit is lower than batch.maxBytes: halve until each request fits.
      const half = Math.ceil(batch.length / 2);
      await this.#deliver(organizationId, batch.slice(0, half));
      await this.#deliver(organizationId, batch.slice(half));
      return;
    }
    for (const entry of batch) this.#settleError(entry, failure.code, failure.message, failure);
  }

  /** One batch, with retries. Never throws. */
  async #request(organizationId: string, batch: readonly TEntry[]): Promise<TBatchOutcome> {
    const input = { organizationId, events: batch.map((entry) => entry.event) };
    const { retry, timeoutMs } = this.#options;
    const shutdown = this.#shutdown.signal;
    for (let attempt = 1; ; attempt++) {
      if (shutdown.aborted) return { ok: false, closed: true };
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      const onShutdown = (): void => controller.abort();
      shutdown.addEventListener('abort', onShutdown, { once: true });
      let failure: TRetryableFailure;
      try {
        // Raced with the signal itself: a custom `fetch` that ignores it must not hold the timeout or close().
        const call = this.#ingest.events.createBatch.mutate(input, { signal: controller.signal });
        call.catch(noop);
        const response: unknown = await Promise.race([call, whenAborted(controller.signal)]);
        // Nothing is acknowledged on an answer that cannot be true (a broken or hostile server, another
        // service): its events' fates are unknown. Final, like any other answer that is not the API's.
        const checked = checkBatchAnswer(response, batch);
        if (!checked.ok) {
          const message =
            `events.createBatch answered what cannot be a true answer: ${checked.problem}. No event of the batch is acknowledged; ` +
            'each may or may not be in the log (emit it again with idempotency_key set to the error\'s idempotencyKey to find out)';
          return { ok: false, failure: { kind: 'fatal', code: 'UNEXPECTED_RESPONSE', httpStatus: 200, serverCode: undefined, message, cause: response } };
        }
        return { ok: true, settled: checked.settled };
      } catch (error) {
        if (shutdown.aborted) return { ok: false, closed: true };
        if (timedOut) {
          // The server may have committed the batch: the retry carries the same idempotency keys.
          failure = { kind: 'retryable', retryAfterMs: undefined, httpStatus: undefined, serverCode: undefined, message: `no answer within ${timeoutMs} ms (timeoutMs)`, cause: error };
        } else {
          const classified = classifyFailure(error);
          if (classified.kind === 'fatal') return { ok: false, failure: classified };
          failure = classified;
        }
      } finally {
        clearTimeout(timer);
        shutdown.removeEventListener('abort', onShutdown);
      }
      if (attempt >= retry.maxAttempts) return { ok: false, exhausted: failure, attempts: attempt };
      this.#retries += 1;
      await sleep(computeBackoffDelay(attempt, retry, failure.retryAfterMs), shutdown);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 4. Settle
  // -------------------------------------------------------------------------------------------------

  /** Settles each event of a batch with its result, as `checkBatchAnswer` paired and checked them. */
  #settleResults(settled: readonly (readonly [entry: TEntry, result: TBatchResult])[]): void {
    for (const [entry, result] of settled) {
      if (result.status === 'accepted') {
        this.#settleOk(entry, { id: result.id, seq: result.seq, replayed: result.replayed, idempotencyKey: entry.idempotencyKey, organizationId: entry.organizationId });
      } else {
        this.#settleError(entry, result.code, result.message, { issues: result.issues, httpStatus: 200, serverCode: result.code });
      }
    }
  }

  #settleOk(entry: TEntry, result: TEmitResult): void {
    if (!this.#leave(entry)) return;
    this.#sent += 1;
    entry.resolve(result);
    entry.markSettled();
    this.#admitBlocked();
  }

  #settleError(
    entry: TEntry,
    code: TCustodyClientErrorCode,
    message: string,
    extra: { issues?: readonly TValidationIssue[]; httpStatus?: number | undefined; serverCode?: string | undefined; cause?: unknown } = {},
  ): void {
    if (!this.#leave(entry)) return;
    const error = new CustodyClientError(code, message, {
      ...(extra.cause === undefined ? {} : { cause: extra.cause }),
      ...(extra.issues === undefined ? {} : { issues: extra.issues }),
      ...(extra.httpStatus === undefined ? {} : { httpStatus: extra.httpStatus }),
      ...(extra.serverCode === undefined ? {} : { serverCode: extra.serverCode }),
      idempotencyKey: entry.idempotencyKey,
      organizationId: entry.organizationId,
    });
    this.#failed += 1;
    entry.reject(error);
    entry.markSettled();
    this.#report(error, entry.event);
    this.#admitBlocked();
  }

  /** Takes a settling entry out of the counters; false if it had already settled. */
  #leave(entry: TEntry): boolean {
    if (entry.state === 'settled') return false;
    if (entry.state === 'in-flight') this.#inFlight -= 1;
    clearTimeout(entry.timer);
    entry.state = 'settled';
    this.#unsettled.delete(entry);
    return true;
  }

  #report(error: CustodyClientError, event: unknown): void {
    const onError = this.#options.onError;
    if (onError === undefined) return;
    // After the rejection, outside the caller's stack; a throwing handler must not break delivery.
    queueMicrotask(() => {
      try {
        // An async handler's failure is ignored too: a `=> void` type admits one, and its rejection would be unhandled.
        const returned: unknown = onError(error, { event });
        if (isThenable(returned)) Promise.resolve(returned).catch(noop);
      } catch {
        // ignored, as documented
      }
    });
  }

  // -------------------------------------------------------------------------------------------------
  // 5. Close
  // -------------------------------------------------------------------------------------------------

  async #shutdownGracefully(): Promise<void> {
    await this.flush();
    this.#shutDown = true;
    clearTimeout(this.#giveUp?.timer);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Close's deadline: `#abort` in `ms`, unless the shutdown ends first or an earlier deadline was given. */
  #giveUpWithin(ms: number): void {
    if (this.#shutDown) return;
    const at = performance.now() + Math.max(0, ms);
    if (this.#giveUp !== undefined && this.#giveUp.at <= at) return;
    clearTimeout(this.#giveUp?.timer);
    this.#giveUp = { at, timer: setTimeout(() => this.#abort(), Math.max(0, ms)) };
  }

  /** Close's deadline passed: abort requests and settle every event still held with CLOSED. */
  #abort(): void {
    this.#shutdown.abort();
    const message = 'close() gave up before this event was sent; it is not in the log';
    for (const entry of this.#blocked.splice(0)) this.#settleError(entry, 'CLOSED', message);
    for (const entry of this.#queue.drain()) this.#settleError(entry, 'CLOSED', message);
    // Requests in flight see the aborted signal and settle their events with CLOSED themselves.
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Rejects once the signal aborts (never settles otherwise); the caller reads why from its own flags. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const aborted = () => reject(new Error('the request was aborted (timeoutMs or close)', { cause: signal.reason }));
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
  });
}

/** The event's own idempotency key, when it has a usable one. */
function ownIdempotencyKey(event: unknown): string | undefined {
  try {
    const key = isPlainObject(event) ? event.idempotency_key : undefined;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined; // a throwing getter
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
