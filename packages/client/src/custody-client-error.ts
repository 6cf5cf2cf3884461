/**
 * The SDK's one error type (house style §8.6): every promise `emit` returns settles with a result or
 * with a `CustodyClientError` whose `code` is one of a closed set.
 */
import type { TValidationIssue } from '@custody/schema';

/**
 * Every code a `CustodyClientError` can carry, with its meaning. A closed set: a new code is a
 * breaking change.
 */
export const CUSTODY_CLIENT_ERROR_CODES = {
  /** The event breaks the event format or the action registry: locally, or on the server (`issues`). */
  VALIDATION_FAILED: 'the event is invalid; see issues',
  /** The event's idempotency key was already used with a different event in this organization. */
  IDEMPOTENCY_CONFLICT: 'the idempotency key was used for a different event',
  /** The queue is full (policy `reject`), the event was dropped (`drop-oldest`) or waiting for space timed out (`block`). */
  QUEUE_FULL: 'the queue is full',
  /** The client is closing or closed, or `close()` gave up before the server confirmed the event. */
  CLOSED: 'the client is closed',
  /** The server refused the API key (HTTP 401). Never retried. */
  UNAUTHORIZED: 'the API key was refused',
  /** The API key may not write to this organization (HTTP 403). Never retried. */
  FORBIDDEN: 'the API key may not write to this organization',
  /** The organization does not exist (HTTP 404). Never retried. */
  NOT_FOUND: 'the organization does not exist',
  /** The server refused the request as a whole (HTTP 400). Never retried. */
  BAD_REQUEST: 'the server refused the request',
  /** One event alone is larger than the server's request body limit (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'the event is larger than the server accepts',
  /** Every attempt failed with a retryable error (network, timeout, 429, 5xx); `cause` holds the last one. */
  RETRIES_EXHAUSTED: 'the server could not be reached or stayed unavailable',
  /**
   * The server answered with something the SDK does not understand (another service, a proxy page), or a
   * batch answer that cannot be true (two events at one `seq`, …): the batch's events may or may not be logged.
   */
  UNEXPECTED_RESPONSE: 'the server answered unexpectedly',
  /** `createCustody` was given invalid options (thrown synchronously). */
  INVALID_OPTIONS: 'invalid options',
} as const;

/** The closed set of `CustodyClientError` codes. */
export type TCustodyClientErrorCode = keyof typeof CUSTODY_CLIENT_ERROR_CODES;

/** What a `CustodyClientError` may carry besides its code and message. */
export interface TCustodyClientErrorOptions {
  readonly cause?: unknown;
  /** Field-level problems (`VALIDATION_FAILED`, `IDEMPOTENCY_CONFLICT`). Default is `[]`. */
  readonly issues?: readonly TValidationIssue[];
  /** The HTTP status of the response that caused the error, when there was one. */
  readonly httpStatus?: number;
  /** The server's `data.appError.code` (`BAD_REQUEST`, `UNAVAILABLE`, …), when there was one. */
  readonly serverCode?: string;
  /** The idempotency key of the event this error settles (the client-generated one if the event had none). */
  readonly idempotencyKey?: string;
  /** The organization the event was for. */
  readonly organizationId?: string;
}

/**
 * The error of every failed `emit` (and of invalid `createCustody` options). Branch on `code`, never on
 * `message`; `issues` names each bad field with its path (`targets[0].type`).
 *
 * ```ts
 * try {
 *   await custody.emit(event);
 * } catch (error) {
 *   if (error instanceof CustodyClientError && error.code === 'VALIDATION_FAILED') console.warn(error.issues);
 * }
 * ```
 */
export class CustodyClientError extends Error {
  override readonly name = 'CustodyClientError';
  readonly code: TCustodyClientErrorCode;
  readonly issues: readonly TValidationIssue[];
  readonly httpStatus: number | undefined;
  readonly serverCode: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly organizationId: string | undefined;

  constructor(code: TCustodyClientErrorCode, message: string, options: TCustodyClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    this.httpStatus = options.httpStatus;
    this.serverCode = options.serverCode;
    this.idempotencyKey = options.idempotencyKey;
    this.organizationId = options.organizationId;
  }
}

/** True if `value` is a `CustodyClientError` (also across module copies). */
export function isCustodyClientError(value: unknown): value is CustodyClientError {
  return value instanceof CustodyClientError || (value instanceof Error && value.name === 'CustodyClientError' && 'code' in value);
}
