/**
 * Decides what a failed request means: retry it (the events may or may not be committed, and their
 * idempotency keys make a retry safe) or settle its events with a final error.
 */
import { TRPCClientError } from '@trpc/client';

import type { TCustodyClientErrorCode } from '../custody-client-error';
import { HttpResponseError } from './http-response-error';

/** A failure worth another attempt: network, 408, 429 or 5xx. */
export interface TRetryableFailure {
  readonly kind: 'retryable';
  /** The server's wait hint (`data.appError.details.retryAfterMs`, or `Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined;
  readonly httpStatus: number | undefined;
  readonly serverCode: string | undefined;
  readonly message: string;
  readonly cause: unknown;
}

/** A failure that another attempt would repeat: settle the events with `code`. */
export interface TFatalFailure {
  readonly kind: 'fatal';
  readonly code: TCustodyClientErrorCode;
  readonly httpStatus: number | undefined;
  readonly serverCode: string | undefined;
  readonly message: string;
  readonly cause: unknown;
}

export type TFailure = TRetryableFailure | TFatalFailure;

/** Statuses whose tRPC error (with `data`) maps to a final code. */
const FATAL_STATUS: Readonly<Record<number, TCustodyClientErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'IDEMPOTENCY_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
};

/**
 * Classifies what a tRPC call threw. Without any HTTP status (connection refused or reset, DNS, a
 * `fetch` that threw) the request may or may not have reached the server: retryable. 408, 429 and 5xx
 * are retryable whoever sent them. Other statuses are final; they name a Custody code only when the
 * body was the server's tRPC error (a proxy's 404 page is `UNEXPECTED_RESPONSE`, not `NOT_FOUND`),
 * except 413, which any hop may send for a body that is too large.
 */
export function classifyFailure(error: unknown): TFailure {
  const trpc = error instanceof TRPCClientError ? (error as TRPCClientError<never>) : undefined;
  const cause: unknown = trpc?.cause ?? error;
  const data = record(trpc?.data);
  const appError = record(data?.appError);
  const serverCode = typeof appError?.code === 'string' ? appError.code : undefined;
  const details = record(appError?.details);
  const hinted = details?.retryAfterMs;

  let httpStatus: number | undefined;
  let retryAfterMs = typeof hinted === 'number' && Number.isFinite(hinted) && hinted >= 0 ? hinted : undefined;
  if (typeof data?.httpStatus === 'number') {
    httpStatus = data.httpStatus;
  } else if (cause instanceof HttpResponseError) {
    httpStatus = cause.status;
    retryAfterMs ??= cause.retryAfterMs;
  } else {
    const response = record(record(trpc?.meta)?.response);
    if (typeof response?.status === 'number') httpStatus = response.status;
  }
  // Without `data` the body was not a tRPC error (a proxy, fastify's own 413): its message says nothing useful.
  const message = data === undefined && httpStatus !== undefined ? describeStatus(httpStatus) : messageOf(trpc ?? error);

  if (httpStatus === undefined) {
    return { kind: 'retryable', retryAfterMs, httpStatus, serverCode, message: `request failed: ${messageOf(cause)}`, cause: error };
  }
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) {
    return { kind: 'retryable', retryAfterMs, httpStatus, serverCode, message: data === undefined ? message : `HTTP ${httpStatus}: ${message}`, cause: error };
  }
  const known = FATAL_STATUS[httpStatus];
  if (known !== undefined && (data !== undefined || httpStatus === 413)) {
    return { kind: 'fatal', code: known, httpStatus, serverCode, message, cause: error };
  }
  return {
    kind: 'fatal',
    code: 'UNEXPECTED_RESPONSE',
    httpStatus,
    serverCode,
    message: `${message}, which is not an answer of the Custody API (is the URL right?)`,
    cause: error,
  };
}

function describeStatus(status: number): string {
  if (status === 413) return 'HTTP 413: the request body is larger than the server accepts';
  return `HTTP ${status}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) {
    const inner = value.cause instanceof Error && value.cause.message !== value.message ? ` (${value.cause.message})` : '';
    return `${value.message}${inner}`;
  }
  return String(value);
}
