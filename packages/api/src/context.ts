/**
 * The request context, split as tRPC recommends: `createContextInner` holds everything a procedure
 * needs and is what tests build directly; adapters wrap it with `createContext`-style functions that
 * read the request (see `apps/server/src/http.ts`).
 */
import type { Custody, RateLimiter } from '@custody/core';

/** Logs with the request's id attached (pino in the server). */
export interface TRequestLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TContextDeps {
  custody: Custody;
  /** Per-key limiter; `take(keyId)` returns 0 or the milliseconds to wait. */
  rateLimiter?: RateLimiter;
  logger?: TRequestLogger;
}

export interface TContextInput extends TContextDeps {
  /** The bearer token of the request, if any. */
  apiKey?: string | undefined;
  /** Correlates logs and errors; echoed in `X-Request-Id`. */
  requestId?: string;
  /** The client's IP, recorded in audit events Custody writes on the caller's behalf (exports). */
  clientIp?: string | undefined;
}

export interface TContext {
  custody: Custody;
  rateLimiter: RateLimiter | undefined;
  logger: TRequestLogger | undefined;
  apiKey: string | undefined;
  requestId: string;
  clientIp: string | undefined;
}

let counter = 0;

/** Builds a context without any transport (tests, scripts). */
export function createContextInner(input: TContextInput): Promise<TContext> {
  return Promise.resolve({
    custody: input.custody,
    rateLimiter: input.rateLimiter,
    logger: input.logger,
    apiKey: input.apiKey,
    requestId: input.requestId ?? `req_${Date.now().toString(36)}_${(counter++).toString(36)}`,
    clientIp: input.clientIp,
  });
}

/** Extracts the key from an `Authorization: Bearer <key>` header value. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}
