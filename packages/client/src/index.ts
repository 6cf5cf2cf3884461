/**
 * `@custody/client`: the typed SDK applications use to send audit events to a Custody server.
 *
 * `createCustody` returns a `CustodyClient`: `emit` (validated, batched, retried, idempotent),
 * `flush`, `close`, `stats`, and `api`, the typed tRPC client of the whole API. Failures are
 * `CustodyClientError`s with closed codes. The API router is imported with `import type` only: no
 * server code is bundled.
 */
export { createCustody } from './create-custody';
export { CustodyClient } from './custody-client';
export type { TCustodyApi } from './custody-client';
export { CUSTODY_CLIENT_ERROR_CODES, CustodyClientError, isCustodyClientError } from './custody-client-error';
export type { TCustodyClientErrorCode, TCustodyClientErrorOptions } from './custody-client-error';
export { CUSTODY_CLIENT_DEFAULTS, MAX_BATCH_EVENTS, MIN_BATCH_BYTES } from './custody-options';
export type { TCustodyOptions, TErrorReport, TFetch, TQueuePolicy } from './custody-options';
export type { TCloseOptions, TCustodyEvent, TCustodyStats, TEmitOptions, TEmitResult } from './custody-event';
