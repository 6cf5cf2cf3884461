/**
 * 1. INIT: `initTRPC` is called once, here (house style §8.5).
 * 2. ERRORS: one formatter. `AppError` codes from `@custody/core` map to tRPC codes (and so HTTP
 *    statuses) in `errorMapping`; `data.appError` carries the closed code and safe details; zod input
 *    errors add `data.zodError` for BAD_REQUEST only; stacks never leave the server.
 * 3. PROCEDURES: `publicProcedure` and `authedProcedure` are the only bases. Authed procedures
 *    authenticate the bearer key, apply its rate limit and expose `ctx.principal`.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { z, ZodError } from 'zod';

import { APP_ERROR_STATUS, AppError, appErrorOf, isAppError, withinDeadline } from '@custody/core';
import type { TAppErrorCode, TAppErrorDetails, TPrincipal } from '@custody/core';
import { MAX_ISSUES } from '@custody/schema';

import type { TContext } from './context';

/** The tRPC code of each domain error code. */
export const errorMapping: Record<TAppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  GONE: 'NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'GATEWAY_TIMEOUT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** The domain code for errors tRPC raised itself (unparsable body, unknown procedure, …). */
function fromTrpcCode(code: TRPC_ERROR_CODE_KEY): TAppErrorCode {
  for (const [app, trpc] of Object.entries(errorMapping)) if (trpc === code) return app as TAppErrorCode;
  return code === 'PARSE_ERROR' || code === 'METHOD_NOT_SUPPORTED' || code === 'UNSUPPORTED_MEDIA_TYPE' ? 'BAD_REQUEST' : 'INTERNAL';
}

/** What clients find in `error.data.appError`: always present, one of the closed codes. */
export interface TAppErrorData {
  code: TAppErrorCode;
  details?: TAppErrorDetails;
}

/** `events[2].actor` from a zod path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out;
}

/** Longest issue message an error answer repeats (an unknown-keys message lists every key it was sent). */
const MAX_ISSUE_MESSAGE_LENGTH = 500;

/**
 * `error`'s first {@link MAX_ISSUES} issues, each message cut at {@link MAX_ISSUE_MESSAGE_LENGTH}: an answer no
 * larger than a few hundred kilobytes whatever the input (a body of 600,000 unknown keys drew a 23 MB answer).
 */
function boundedZodError(error: ZodError): ZodError {
  const cut = (m: string) => (m.length <= MAX_ISSUE_MESSAGE_LENGTH ? m : `${m.slice(0, MAX_ISSUE_MESSAGE_LENGTH)}… (${m.length - MAX_ISSUE_MESSAGE_LENGTH} more characters)`);
  if (error.issues.length <= MAX_ISSUES && error.issues.every((i) => i.message.length <= MAX_ISSUE_MESSAGE_LENGTH)) return error;
  return new ZodError(error.issues.slice(0, MAX_ISSUES).map((i) => ({ ...i, message: cut(i.message), ...('keys' in i ? { keys: i.keys.slice(0, MAX_ISSUES) } : {}) })));
}

/** What a procedure declares of itself. */
export interface TProcedureMeta {
  /** The procedure keeps a deadline of its own (ingest's commit deadline), so `changeDeadline` leaves it be. */
  ownDeadline?: true;
}

const t = initTRPC.context<TContext>().meta<TProcedureMeta>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = error.code === 'BAD_REQUEST' && cause instanceof ZodError ? boundedZodError(cause) : null;
    const appError: TAppErrorData = isAppError(cause)
      ? { code: cause.code, ...(cause.details === undefined ? {} : { details: cause.details }) }
      : zodError !== null
        ? { code: 'BAD_REQUEST', details: { issues: zodError.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) } }
        : { code: fromTrpcCode(error.code) };
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // An internal error's message may describe server internals: clients get a generic one.
      // A zod error's message is its JSON issue list: give a readable one instead.
      message: internal
        ? 'internal server error'
        : zodError !== null
          ? `invalid input: ${zodError.issues.slice(0, 5).map((i) => `${formatPath(i.path) || '(input)'}: ${i.message}`).join('; ')}`
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appError,
        zodError: zodError === null ? null : z.flattenError(zodError),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The error a procedure's failure `error` (as tRPC made it from what was thrown) becomes: a domain error the tRPC
 * error of its code, anything else unchanged; internal and unexpected errors are logged.
 */
export function procedureError(error: TRPCError, ctx: TContext, path: string): TRPCError {
  // A lost or unreachable database is UNAVAILABLE (retry), wherever it surfaced: authentication, a lookup, a query.
  const cause = appErrorOf(error.cause) ?? error.cause;
  if (isAppError(cause)) {
    if (cause.code === 'INTERNAL') ctx.logger?.error({ err: cause, path, requestId: ctx.requestId }, 'internal error');
    // A failure the caller is told to retry (the database refused or was unreachable): what happened
    // underneath is for the operator, never for the answer.
    else if (cause.status >= 500 && cause.cause !== undefined) ctx.logger?.error({ err: cause.cause, path, requestId: ctx.requestId }, cause.message);
    return new TRPCError({ code: errorMapping[cause.code], message: cause.message, cause });
  }
  if (error.code === 'INTERNAL_SERVER_ERROR') ctx.logger?.error({ err: cause ?? error, path, requestId: ctx.requestId }, 'unexpected error');
  return error;
}

/** Turns domain errors into tRPC errors with the right code, and logs unexpected ones. */
const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const error = procedureError(result.error, ctx, path);
    if (error !== result.error) throw error;
  }
  return result;
});

/**
 * A read procedure (a query) answers within `Custody.readDeadlineMs`, authentication included, or is answered
 * UNAVAILABLE (retry): its own time limit (`CUSTODY_QUERY_TIMEOUT_MS`) is kept by the database, which cannot keep it
 * when it stopped answering. A read abandoned so changes nothing; mutations have `changeDeadline`.
 */
const readDeadline = t.middleware(async ({ ctx, type, next }) => {
  if (type !== 'query') return next();
  return withinDeadline(next(), ctx.custody.readDeadlineMs, 'this read');
});

export const publicProcedure = t.procedure.use(mapErrors).use(readDeadline);

/** The caller of an authed procedure: its bearer key authenticated, its rate limit applied (TOO_MANY_REQUESTS past it). */
export async function authenticate(ctx: TContext): Promise<TPrincipal> {
  const principal = await ctx.custody.apiKeys.authenticate(ctx.apiKey);
  const waitMs = ctx.rateLimiter?.take(principal.keyId) ?? 0;
  if (waitMs > 0) {
    throw new AppError('TOO_MANY_REQUESTS', `rate limit exceeded for this API key; retry in ${waitMs} ms`, { details: { retryAfterMs: waitMs } });
  }
  return principal;
}

/** What an authed procedure's resolver gets as `ctx`. */
export type TAuthedContext = TContext & { principal: TPrincipal };

/**
 * A change (a mutation) other than those with a deadline of their own answers within `Custody.changeDeadlineMs` of
 * its caller's authentication, or is answered UNAVAILABLE with `details.applied: 'unknown'`: the database may still
 * make the change (a statement held by a network that stopped answering, delivered later), so the caller looks before
 * repeating it.
 */
const changeDeadline = t.middleware(async ({ ctx, type, meta, next }) => {
  if (type !== 'mutation' || meta?.ownDeadline === true) return next();
  return withinDeadline(next(), ctx.custody.changeDeadlineMs, 'this change', 'change');
});

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => next({ ctx: { ...ctx, principal: await authenticate(ctx) } })).use(changeDeadline);

export { APP_ERROR_STATUS };
