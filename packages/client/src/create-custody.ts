/**
 * `createCustody`: the SDK's entry point.
 */
import type { TActionsSpec, TDefinedActions } from '@custody/schema';

import { CustodyClient } from './custody-client';
import { resolveCustodyOptions } from './custody-options';
import type { TCustodyOptions } from './custody-options';

/**
 * Creates a client that sends audit events to a Custody server: validated locally, batched per
 * organization, retried with backoff and idempotency keys, held in a bounded queue. Throws
 * `CustodyClientError` (`INVALID_OPTIONS`) for invalid options; never does I/O until the first `emit`.
 *
 * Pass `actions` (from `defineActions`) to type `emit` and check the registry locally, or only type
 * it with `createCustody<typeof actions>(…)`. Call `close()` on shutdown: queued events are sent first.
 *
 * ```ts
 * const custody = createCustody({ url: 'https://audit.example.com', apiKey: env.CUSTODY_API_KEY, organizationId: 'acme' });
 * const { id, seq } = await custody.emit({
 *   action: 'user.signed_in',
 *   occurred_at: new Date(),
 *   actor: { id: 'u_1', type: 'user' },
 *   context: { location: '203.0.113.7' },
 * });
 * await custody.close();
 * ```
 */
export function createCustody<const TActions extends TDefinedActions<TActionsSpec> | undefined = undefined>(
  options: TCustodyOptions<TActions>,
): CustodyClient<TActions> {
  return new CustodyClient<TActions>(resolveCustodyOptions(options));
}
