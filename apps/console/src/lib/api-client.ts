/**
 * The console's one tRPC client. `AppRouter` comes from `@custody/api` as a type only, so no server code is
 * bundled (house style §8.2). Requests are batched; long batches are split so GET URLs stay short.
 * `events.stats` and `events.list` go alone: over a common word they can take seconds, in a batch one would
 * wait for the other, and a superseded one could not be stopped (a batch's request closes only once all its
 * calls are aborted; the server stops a query whose request closed).
 *
 * Every request has a deadline (`QUERY_TIMEOUT_MS`, `MUTATION_TIMEOUT_MS`): a server that accepts the connection
 * and never answers (stopped, deadlocked) would otherwise leave the console spinning for ever. The deadline
 * covers the whole exchange, body included; a call past it fails with a `RequestTimeoutError` as its `cause`.
 */
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';

import type { AppRouter, RouterInputs, RouterOutputs } from '@custody/api';

/** A typed client bound to one API key. */
export type TApiClient = TRPCClient<AppRouter>;

export type TOrganization = RouterOutputs['organizations']['list'][number];
export type TEventRecord = RouterOutputs['events']['list']['events'][number];
export type TEventStats = RouterOutputs['events']['stats'];
export type TEventFilter = NonNullable<RouterInputs['events']['list']['filter']>;
export type TApiKey = RouterOutputs['apiKeys']['list'][number];
export type TScope = TApiKey['scopes'][number];
export type TWhoami = RouterOutputs['auth']['whoami'];
export type TCheckpoint = RouterOutputs['log']['checkpoint'];
export type TInclusionProof = RouterOutputs['log']['inclusionProof'];
export type TConsistencyProof = RouterOutputs['log']['consistencyProof'];
export type TVerifierKeys = RouterOutputs['log']['keys'];

/** How long a query may go unanswered before the console says the server is not responding. */
export const QUERY_TIMEOUT_MS = 30_000;
/**
 * The same for a change (create, revoke, save). Longer than a query's: giving up on a change leaves the user
 * unsure whether it was made.
 */
export const MUTATION_TIMEOUT_MS = 60_000;

/**
 * Overrides of the deadlines, read at each request: tests shorten them (`window.custodyConsoleConfig =
 * { queryTimeoutMs: 1000 }`, before or after the console loads) rather than wait 30 seconds.
 */
export interface TConsoleConfig {
  queryTimeoutMs?: number;
  mutationTimeoutMs?: number;
}

declare global {
  interface Window {
    custodyConsoleConfig?: TConsoleConfig;
  }
}

/** A request that got no complete answer within its deadline. */
export class RequestTimeoutError extends Error {
  /** `mutation`: the request asked for a change (POST), which the server may still have made. */
  constructor(
    readonly timeoutMs: number,
    readonly mutation: boolean,
  ) {
    super(`The server did not answer within ${timeoutMs / 1000} s`);
    this.name = 'RequestTimeoutError';
  }
}

function deadlineOf(mutation: boolean): number {
  const config = typeof window === 'undefined' ? undefined : window.custodyConsoleConfig;
  const override = mutation ? config?.mutationTimeoutMs : config?.queryTimeoutMs;
  return typeof override === 'number' && override > 0 ? override : mutation ? MUTATION_TIMEOUT_MS : QUERY_TIMEOUT_MS;
}

/**
 * `fetch` with a deadline over the whole exchange: the body is read here, so a server that sends headers and
 * then stalls times out too. The caller's signal (a superseded query) still aborts at once.
 */
export async function fetchWithDeadline(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  // tRPC sends queries with GET and mutations with POST.
  const mutation = init.method?.toUpperCase() === 'POST';
  const timeoutMs = deadlineOf(mutation);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new RequestTimeoutError(timeoutMs, mutation)), timeoutMs);
  const signal = init.signal === undefined || init.signal === null ? deadline.signal : AbortSignal.any([init.signal, deadline.signal]);
  try {
    const response = await fetch(input, { ...init, signal });
    // Statuses without a body (204, 205, 304) cannot be rebuilt with one.
    const body = [204, 205, 304].includes(response.status) ? null : await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    if (deadline.signal.aborted && init.signal?.aborted !== true) throw new RequestTimeoutError(timeoutMs, mutation);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Every scope a key can hold, in the order the console shows them. */
export const SCOPES: readonly TScope[] = ['events:read', 'events:write', 'export', 'admin'];

/**
 * Creates a client that sends `Authorization: Bearer <apiKey>` to `/trpc` on the page's origin (the server
 * that serves the console, or Vite's proxy in development).
 */
export function createApiClient(apiKey: string): TApiClient {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.path === 'events.stats' || op.path === 'events.list',
        true: httpLink({ url: '/trpc', fetch: fetchWithDeadline, headers: () => ({ authorization: `Bearer ${apiKey}` }) }),
        false: httpBatchLink({
          url: '/trpc',
          fetch: fetchWithDeadline,
          maxURLLength: 4000,
          // The server reads a path of 5,000 characters at most: every call of a batch is named in it.
          maxItems: 50,
          headers: () => ({ authorization: `Bearer ${apiKey}` }),
        }),
      }),
    ],
  });
}

/** Checks a key against the server: resolves with the organizations it can see, rejects (UNAUTHORIZED) otherwise. */
export async function checkApiKey(apiKey: string): Promise<TOrganization[]> {
  return createApiClient(apiKey).organizations.list.query();
}
