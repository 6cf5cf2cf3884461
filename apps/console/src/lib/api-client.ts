/**
 * The console's one tRPC client. `AppRouter` comes from `@custody/api` as a type only, so no server code is
 * bundled (house style §8.2). Requests are batched; long batches are split so GET URLs stay short.
 * `events.stats` goes alone: over a common word it can take seconds, and in a batch the event list would wait
 * for it, and a superseded one could not be stopped (a batch's request closes only once all its calls are
 * aborted; the server stops a query whose request closed).
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
export type TCheckpoint = RouterOutputs['log']['checkpoint'];
export type TInclusionProof = RouterOutputs['log']['inclusionProof'];
export type TConsistencyProof = RouterOutputs['log']['consistencyProof'];
export type TVerifierKeys = RouterOutputs['log']['keys'];

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
        condition: (op) => op.path === 'events.stats',
        true: httpLink({ url: '/trpc', headers: () => ({ authorization: `Bearer ${apiKey}` }) }),
        false: httpBatchLink({
          url: '/trpc',
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
