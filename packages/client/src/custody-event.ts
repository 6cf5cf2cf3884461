/**
 * The types `emit` speaks: what it accepts (any valid event, or only your declared actions), its
 * per-call options, what it resolves with, and the client's counters.
 */
import type { TActionEventInput, TActionsSpec, TDefinedActions, TEventInputDraft } from '@custody/schema';

/**
 * The event `emit` accepts. Without `actions`, any event of the Custody format (`TEventInputDraft`:
 * `occurred_at` may be a `Date`, defaults optional). With `actions` from `defineActions`, a union
 * discriminated by `action` holding only the declared actions, with typed metadata, target types,
 * version and required fields (`TActionEventInput`).
 *
 * ```ts
 * const actions = defineActions({ 'user.signed_in': { metadata: { method: { type: 'string', enum: ['password', 'sso'] } } } });
 * type AppEvent = TCustodyEvent<typeof actions>; // { action: 'user.signed_in'; metadata: { method: 'password' | 'sso' }; … }
 * ```
 */
export type TCustodyEvent<TActions extends TDefinedActions<TActionsSpec> | undefined> = [TActions] extends [TDefinedActions<TActionsSpec>]
  ? TActionEventInput<TActions>
  : TEventInputDraft;

/** Per-call options of `emit`. */
export interface TEmitOptions {
  /** The organization to write to. Default: the client's `organizationId` (one of the two is required). */
  readonly organizationId?: string;
}

/** What `emit` resolves with once the server has committed the event. */
export interface TEmitResult {
  /** The event's id in the log (a UUIDv7). */
  readonly id: string;
  /** The event's position in the organization's log (0-based). */
  readonly seq: number;
  /**
   * True when the server had already committed this event (same idempotency key, same body) and
   * returned the original `id` and `seq`: a retry after a lost response, or your own resend.
   */
  readonly replayed: boolean;
  /** The event's idempotency key: yours, or the one the client generated (`custody-<uuidv7>`). */
  readonly idempotencyKey: string;
  readonly organizationId: string;
}

/** A snapshot of the client's counters (`stats()`). */
export interface TCustodyStats {
  /** Events accepted into the queue and waiting to be sent. */
  readonly queued: number;
  /** `emit` calls waiting for space in a full queue (policy `block`). */
  readonly blocked: number;
  /** Events in a request being sent, or waiting to be retried. */
  readonly inFlight: number;
  /** Events the server acknowledged (including replays), since the client was created. */
  readonly sent: number;
  /** `emit` calls that ended with an error (every code, `dropped` included), since the client was created. */
  readonly failed: number;
  /** Of `failed`, the events dropped by the `drop-oldest` policy: they are lost. */
  readonly dropped: number;
  /** Request attempts that failed and were retried. */
  readonly retries: number;
  /** True once `close()` was called. */
  readonly closed: boolean;
}

/** Options of `close`. */
export interface TCloseOptions {
  /**
   * How long to wait for queued and in-flight events, in ms. When it expires, requests in flight are
   * aborted and every unconfirmed event rejects with `CLOSED` (it may or may not be in the log).
   * Default is `Infinity`: wait until each event is acknowledged or has failed (bounded by the retry
   * options).
   */
  readonly timeoutMs?: number;
}
