/**
 * Turns anything a call can throw into what the console shows: a sentence, the closed error code and HTTP
 * status when the server sent them, and per-path validation issues.
 */
import { TRPCClientError } from '@trpc/client';

import type { AppRouter } from '@custody/api';

import { RequestTimeoutError } from './api-client';

/** One validation problem reported by the server (`data.appError.details.issues`). */
export interface TIssue {
  path: string;
  code: string;
  message: string;
}

/** A displayable error. */
export interface TDescribedError {
  /** One sentence for humans. */
  message: string;
  /**
   * The server's closed code (`UNAUTHORIZED`, `BAD_REQUEST`, …), `NETWORK` when the server was not reached, or
   * `TIMEOUT` when it did not answer in time (`RequestTimeoutError`).
   */
  code: string | null;
  httpStatus: number | null;
  /** Validation issues with their paths, when the server listed them. */
  issues: TIssue[];
  /**
   * Whether the same call can succeed if simply made again: not for a refusal of the request itself (a 4xx
   * such as BAD_REQUEST, FORBIDDEN or NOT_FOUND), which needs other input; yes for a server that could not be
   * reached, timed out, failed (5xx) or asked to slow down (429).
   */
  retryable: boolean;
}

/** Options of `describeError`. */
export interface TDescribeOptions {
  /**
   * What the screen calls the fields the server names, by issue path without indexes (`filter.ip` →
   * `IP address or CIDR block`): a message starting with the field's API name (`ip: invalid IP address …`)
   * starts with the label instead.
   */
  labels?: Readonly<Record<string, string>>;
}

function isIssue(value: unknown): value is TIssue {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.path === 'string' && typeof v.code === 'string' && typeof v.message === 'string';
}

const HINTS: Record<string, string> = {
  UNAUTHORIZED: 'This API key is not valid: it may have been revoked, or mistyped.',
  FORBIDDEN: 'This API key is not allowed to do that.',
  TOO_MANY_REQUESTS: 'Too many requests with this API key; wait a moment and retry.',
  SERVICE_UNAVAILABLE: 'The server is unavailable (shutting down, or its database is unreachable).',
};

/** Describes an error thrown by a tRPC call (or anything else). */
export function describeError(error: unknown, options: TDescribeOptions = {}): TDescribedError {
  if (error instanceof TRPCClientError) {
    const e = error as TRPCClientError<AppRouter>;
    const data = e.data;
    if (data === undefined || data === null) {
      if (e.cause instanceof RequestTimeoutError) return describeTimeout(e.cause);
      return { message: 'Cannot reach the Custody server. Check that it is running, then retry.', code: 'NETWORK', httpStatus: null, issues: [], retryable: true };
    }
    const code = data.appError?.code ?? data.code;
    const rawIssues = data.appError?.details?.issues;
    const issues = Array.isArray(rawIssues) ? rawIssues.filter(isIssue) : [];
    const zodFields = data.zodError?.fieldErrors ?? {};
    for (const [path, messages] of Object.entries(zodFields)) {
      for (const message of (messages as string[] | undefined) ?? []) issues.push({ path, code: 'invalid_input', message });
    }
    const hint = HINTS[code];
    const message = hint !== undefined && (code === 'UNAUTHORIZED' || e.message === '') ? hint : capitalize(labelled(e.message, issues, options.labels));
    const status = data.httpStatus;
    const retryable = !(status >= 400 && status < 500) || status === 408 || status === 429;
    return { message, code, httpStatus: status, issues, retryable };
  }
  if (error instanceof RequestTimeoutError) return describeTimeout(error);
  if (error instanceof Error) return { message: capitalize(error.message), code: null, httpStatus: null, issues: [], retryable: true };
  return { message: 'Unexpected error.', code: null, httpStatus: null, issues: [], retryable: true };
}

/**
 * Replaces the API's field name at the start of `message` with the screen's label for the field: a check's
 * message names the issue path after its first segment (`ip: …`, `actions[1]: …`), the input schema's names the
 * whole path after `invalid input: ` (`invalid input: dat.field: Too big: …`).
 */
function labelled(message: string, issues: TIssue[], labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return message;
  for (const issue of issues) {
    const label = labels[issue.path.replace(/\[\d+\]/g, '')];
    if (label === undefined) continue;
    const dot = issue.path.indexOf('.');
    const field = dot === -1 ? issue.path : issue.path.slice(dot + 1);
    for (const named of [`invalid input: ${issue.path}: `, `${field}: `]) {
      if (message.startsWith(named)) return `${label}: ${message.slice(named.length)}`;
    }
  }
  return message;
}

function describeTimeout(error: RequestTimeoutError): TDescribedError {
  const seconds = Math.round(error.timeoutMs / 100) / 10;
  const message = error.mutation
    ? `The server is not responding (no answer within ${seconds} s). The change may or may not have been made: reload to check before trying again.`
    : `The server is not responding (no answer within ${seconds} s). It may be overloaded or stopped; retry in a moment.`;
  return { message, code: 'TIMEOUT', httpStatus: null, issues: [], retryable: true };
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]?.toUpperCase() + text.slice(1);
}
