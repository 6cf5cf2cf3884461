/**
 * The options of `createCustody`, their defaults, and the one function that checks them.
 */
import { SERVER_ORGANIZATION_ID_PATTERN } from '@custody/schema';
import type { TActionsSpec, TDefinedActions } from '@custody/schema';

import { CustodyClientError } from './custody-client-error';

/** What the queue does with a new event when it already holds `queue.maxEvents`. */
export type TQueuePolicy = 'block' | 'reject' | 'drop-oldest';

/** The `fetch` the SDK calls (the global one by default). */
export type TFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Why `onError` was called; today only the final failure of one event. */
export interface TErrorReport {
  /** The event as it was queued (normalized, with its idempotency key), if it got that far. */
  readonly event: unknown;
}

/** Options of `createCustody`. Only `url` and `apiKey` are required. */
export interface TCustodyOptions<TActions extends TDefinedActions<TActionsSpec> | undefined = undefined> {
  /**
   * The server's base URL, such as `https://audit.example.com` (the SDK calls `<url>/trpc`). Must be
   * `http:` or `https:`.
   */
  readonly url: string;
  /** An API key with the `events:write` scope (and `events:read` for queries through `api`). */
  readonly apiKey: string;
  /** The organization `emit` writes to when the call names none. Default: none (each call must name one). */
  readonly organizationId?: string;
  /**
   * Your actions, from `defineActions` of `@custody/schema`. `emit` then accepts only these actions with
   * their typed metadata, and checks the registry locally before queueing. Default: any valid event.
   */
  readonly actions?: TActions;
  /**
   * The `fetch` to use (proxies, instrumentation, tests). Default: `globalThis.fetch`. One that ignores `init.signal`
   * still cannot hold the client past `timeoutMs` or `close({ timeoutMs })`: the client stops waiting for it.
   */
  readonly fetch?: TFetch;
  readonly batch?: {
    /** Events per request; a full batch is sent at once. Default is 100; 1..1000 (the server's limit). */
    readonly maxEvents?: number;
    /** How long the first queued event waits for others before its batch is sent, in ms. Default is 200. */
    readonly maxDelayMs?: number;
    /**
     * Largest request body, in bytes of JSON. Default is 4 MiB (the server accepts 8 MiB by default); at
     * least 65,536. A server answering 413 anyway makes the SDK split the batch and resend the halves.
     */
    readonly maxBytes?: number;
  };
  readonly retry?: {
    /** Attempts per request, the first included. Default is 8; `Infinity` retries until `close()` gives up. */
    readonly maxAttempts?: number;
    /** The backoff base, in ms: attempt n waits a random time in [0, min(maxDelayMs, base·2^(n−1))]. Default is 250. */
    readonly baseDelayMs?: number;
    /** The longest wait between two attempts, in ms (also caps a server's `retryAfterMs`). Default is 30,000. */
    readonly maxDelayMs?: number;
  };
  readonly queue?: {
    /** Most events held at once (waiting and in flight). Default is 10,000. */
    readonly maxEvents?: number;
    /** What a new event does when the queue is full. Default is `'block'`. */
    readonly policy?: TQueuePolicy;
    /** Policy `block`: how long `emit` waits for space before rejecting with `QUEUE_FULL`, in ms. Default is 30,000. */
    readonly blockTimeoutMs?: number;
  };
  /** Time allowed for one HTTP request before it is aborted and retried, in ms. Default is 10,000. */
  readonly timeoutMs?: number;
  /**
   * Called once for every event that will not be delivered (whatever the code), after its promise
   * rejected. For fire-and-forget callers it is the only place failures show up. Exceptions it throws
   * are ignored, and so is the rejection of a promise it returns (an async handler). Default: none.
   */
  readonly onError?: (error: CustodyClientError, report: TErrorReport) => void;
}

/** Every option with its default applied. */
export interface TResolvedCustodyOptions {
  readonly trpcUrl: string;
  readonly apiKey: string;
  readonly organizationId: string | undefined;
  readonly actions: TDefinedActions<TActionsSpec> | undefined;
  readonly fetch: TFetch | undefined;
  readonly batch: { readonly maxEvents: number; readonly maxDelayMs: number; readonly maxBytes: number };
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly queue: { readonly maxEvents: number; readonly policy: TQueuePolicy; readonly blockTimeoutMs: number };
  readonly timeoutMs: number;
  readonly onError: ((error: CustodyClientError, report: TErrorReport) => void) | undefined;
}

/** The defaults of every optional setting. */
export const CUSTODY_CLIENT_DEFAULTS = Object.freeze({
  batch: Object.freeze({ maxEvents: 100, maxDelayMs: 200, maxBytes: 4 * 1024 * 1024 }),
  retry: Object.freeze({ maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 30_000 }),
  queue: Object.freeze({ maxEvents: 10_000, policy: 'block' satisfies TQueuePolicy, blockTimeoutMs: 30_000 }),
  timeoutMs: 10_000,
});

/** The server's batch limit (`MAX_BATCH_EVENTS` of `@custody/core`). */
export const MAX_BATCH_EVENTS = 1_000;

/** Smallest `batch.maxBytes`: one event of the largest size the schema allows always fits. */
export const MIN_BATCH_BYTES = 65_536;

const POLICIES: readonly TQueuePolicy[] = ['block', 'reject', 'drop-oldest'];

/**
 * Applies the defaults and checks every option. Throws `CustodyClientError` with code `INVALID_OPTIONS`
 * naming the option and the rule: a programming error, found when the client is created.
 */
export function resolveCustodyOptions(options: TCustodyOptions<TDefinedActions<TActionsSpec> | undefined>): TResolvedCustodyOptions {
  const fail = (name: string, rule: string, value: unknown): never => {
    throw new CustodyClientError('INVALID_OPTIONS', `${name} ${rule}, got ${describe(value)}`);
  };
  let parsed: URL | undefined;
  try {
    parsed = new URL(options.url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    fail('url', 'must be an http: or https: URL', options.url);
  }
  // fetch refuses a URL with credentials, and `/trpc` is appended to the path: a query or fragment would end up before it.
  if (parsed !== undefined && (parsed.username !== '' || parsed.password !== '')) fail('url', 'must not hold credentials (the API key is sent as a bearer token)', '(a URL with credentials)');
  if (parsed !== undefined && (parsed.search !== '' || parsed.hash !== '' || options.url.includes('?') || options.url.includes('#'))) {
    fail('url', 'must be the server\'s base URL, without a query or fragment', options.url);
  }
  if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) fail('apiKey', 'must be a non-empty string', options.apiKey);
  if (options.organizationId !== undefined && !SERVER_ORGANIZATION_ID_PATTERN.test(options.organizationId)) {
    fail('organizationId', `must be a valid organization id (${SERVER_ORGANIZATION_ID_PATTERN.source})`, options.organizationId);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') fail('fetch', 'must be a function', options.fetch);
  if (options.onError !== undefined && typeof options.onError !== 'function') fail('onError', 'must be a function', options.onError);

  const defaults = CUSTODY_CLIENT_DEFAULTS;
  const batch = {
    maxEvents: options.batch?.maxEvents ?? defaults.batch.maxEvents,
    maxDelayMs: options.batch?.maxDelayMs ?? defaults.batch.maxDelayMs,
    maxBytes: options.batch?.maxBytes ?? defaults.batch.maxBytes,
  };
  checkInteger('batch.maxEvents', batch.maxEvents, 1, MAX_BATCH_EVENTS, fail);
  checkDelay('batch.maxDelayMs', batch.maxDelayMs, false, fail);
  checkInteger('batch.maxBytes', batch.maxBytes, MIN_BATCH_BYTES, Number.MAX_SAFE_INTEGER, fail);

  const retry = {
    maxAttempts: options.retry?.maxAttempts ?? defaults.retry.maxAttempts,
    baseDelayMs: options.retry?.baseDelayMs ?? defaults.retry.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? defaults.retry.maxDelayMs,
  };
  if (retry.maxAttempts !== Infinity) checkInteger('retry.maxAttempts', retry.maxAttempts, 1, Number.MAX_SAFE_INTEGER, fail);
  checkDelay('retry.baseDelayMs', retry.baseDelayMs, false, fail);
  checkDelay('retry.maxDelayMs', retry.maxDelayMs, false, fail);
  if (retry.maxDelayMs < retry.baseDelayMs) fail('retry.maxDelayMs', `must be at least retry.baseDelayMs (${retry.baseDelayMs})`, retry.maxDelayMs);

  const queue = {
    maxEvents: options.queue?.maxEvents ?? defaults.queue.maxEvents,
    policy: options.queue?.policy ?? defaults.queue.policy,
    blockTimeoutMs: options.queue?.blockTimeoutMs ?? defaults.queue.blockTimeoutMs,
  };
  checkInteger('queue.maxEvents', queue.maxEvents, 1, Number.MAX_SAFE_INTEGER, fail);
  if (!POLICIES.includes(queue.policy)) fail('queue.policy', `must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}`, queue.policy);
  checkDelay('queue.blockTimeoutMs', queue.blockTimeoutMs, true, fail);

  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  checkDelay('timeoutMs', timeoutMs, false, fail);
  if (timeoutMs === 0) fail('timeoutMs', 'must be positive', timeoutMs);

  return {
    trpcUrl: `${options.url.replace(/\/+$/, '')}/trpc`,
    apiKey: options.apiKey,
    organizationId: options.organizationId,
    actions: options.actions,
    fetch: options.fetch,
    batch,
    retry,
    queue,
    timeoutMs,
    onError: options.onError,
  };
}

type TFail = (name: string, rule: string, value: unknown) => never;

function checkInteger(name: string, value: unknown, min: number, max: number, fail: TFail): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, max === Number.MAX_SAFE_INTEGER ? `must be an integer ≥ ${min}` : `must be an integer in ${min}..${max}`, value);
  }
}

// Timer delays: finite, non-negative and within what setTimeout can wait (2^31 − 1 ms).
function checkDelay(name: string, value: unknown, allowInfinity: boolean, fail: TFail): void {
  if (allowInfinity && value === Infinity) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2_147_483_647) {
    fail(name, 'must be a number of milliseconds in 0..2147483647', value);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return value === null ? 'null' : 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  return typeof value;
}
