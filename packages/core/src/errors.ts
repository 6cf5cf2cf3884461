/**
 * The domain's one error type (house style §8.6). `core` throws only `AppError`; the API's error
 * formatter maps each code to a tRPC code and an HTTP status, once.
 */
import { isDatabaseUnavailable } from '@custody/db';

/** Every code `core` can throw, with the HTTP status the API answers. */
export const APP_ERROR_STATUS = {
  /** Input that does not parse or breaks a rule. */
  BAD_REQUEST: 400,
  /** No or an unknown API key. */
  UNAUTHORIZED: 401,
  /** The key lacks the scope, or belongs to another organization. */
  FORBIDDEN: 403,
  /** The organization, event, checkpoint or key does not exist (or is not visible to the caller). */
  NOT_FOUND: 404,
  /** An idempotency key reused with a different body, or an existing id. */
  CONFLICT: 409,
  /** The event body was removed by retention; its leaf and proofs remain. */
  GONE: 410,
  /** Request body or batch over its limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** Per-key rate limit exceeded. */
  TOO_MANY_REQUESTS: 429,
  /** The caller went away before the answer (a query abandoned when its HTTP request closed). */
  CANCELLED: 499,
  /** Shutting down, or the database is unreachable. */
  UNAVAILABLE: 503,
  /** A query ran past the server's time limit (`CUSTODY_QUERY_TIMEOUT_MS`) and was stopped. */
  TIMEOUT: 504,
  /** A bug or an invariant violation; details are logged, never returned. */
  INTERNAL: 500,
} as const;

export type TAppErrorCode = keyof typeof APP_ERROR_STATUS;

/** Extra, client-safe facts about an error (field paths, limits, retry hints). */
export type TAppErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: TAppErrorCode;
  readonly details: TAppErrorDetails | undefined;

  constructor(code: TAppErrorCode, message: string, options: { cause?: unknown; details?: TAppErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status for this error. */
  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

/** True if `value` is an `AppError` (also across module copies). */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError || (value instanceof Error && value.name === 'AppError' && 'code' in value);
}

/**
 * `error` as the `AppError` a caller is answered with where a driver error can surface (the API's error mapping,
 * the plain-HTTP routes): an `AppError` as it is; a lost or unreachable database (`isDatabaseUnavailable`: refused,
 * reset, timed out, restarting) UNAVAILABLE, retryable, with the driver's error as its cause for the log; anything
 * else `undefined` (an unexpected error: INTERNAL, logged).
 */
export function appErrorOf(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) return new AppError('UNAVAILABLE', 'the database is unavailable; retry', { cause: error });
  return undefined;
}
