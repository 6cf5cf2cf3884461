/**
 * The ingest lane: `POST /trpc/events.create` and `POST /trpc/events.createBatch`, the two calls
 * applications make thousands of times a second, answered by the same resolvers and middleware steps
 * as the tRPC procedures, without tRPC's fetch adapter or its procedure chain.
 *
 * The fetch adapter turns every Node request into a WHATWG `Request` (a web stream, an
 * `AbortSignal.any`) and the answer into a `Response`; on the ingest path that cost more CPU than
 * validating the event. tRPC's server-side caller, used here next, still merged its options and
 * context at each of the procedure's five steps (error mapping, authentication, input, output,
 * resolver) with object spreads: about 36 us of the main thread per single event, a sixth of it. The
 * lane now runs those steps itself, in the procedures' order and from the functions they use
 * (`authenticate`, the input and output schemas, the resolver, `procedureError`), and writes the
 * answer in tRPC's own envelope: `{"result":{"data":…}}`, or `{"error":shape}` with the shape from the
 * router's error formatter (`getErrorShape`) and the status tRPC would send (`getHTTPStatusCodeFromError`).
 * A batch of exactly this one call (`?batch=1`, body `{"0":input}`, as `httpBatchLink` sends it) is
 * answered as a one-element array. Every other request to these two paths (another content type, a body
 * that is not JSON, a streaming client's `trpc-accept: application/jsonl`, a batch body of another
 * shape) is handed to tRPC's own handler (`fastifyRequestHandler`, with the plugin's options), so it gets
 * exactly the plugin's answer; other procedures, batches of several calls and GETs reach the plugin's
 * route directly.
 *
 * Bodies are parsed here with `JSON.parse`, as tRPC parses them: a member named `__proto__` stays an
 * ordinary own member, which the event schema refuses for that event alone (fastify's own JSON parser
 * would refuse the whole request).
 *
 * `test/ingest-lane.test.ts` checks that both routes give byte-identical answers.
 */
import { getErrorShape, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import type { FastifyHandlerOptions } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';

import {
  appRouter, authenticate, bearerToken, createContextInner, createEvent, createEventsBatch, procedureError,
  ZCreateEventRequestSchema, ZCreateEventResponseSchema, ZCreateEventsBatchRequestSchema, ZCreateEventsBatchResponseSchema,
} from '@custody/api';
import type { AppRouter, TAuthedContext, TContext, TContextDeps } from '@custody/api';
import { isAppError } from '@custody/core';

import { readBodiesAsUtf8 } from './request-body';

/** A procedure of the lane: its input and output schemas and its resolver, as the router declares them. */
interface TLaneProcedure<I extends z.ZodType, O extends z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly resolve: (ctx: TAuthedContext, input: z.output<I>) => Promise<z.input<O>>;
}

function laneProcedure<I extends z.ZodType, O extends z.ZodType>(procedure: TLaneProcedure<I, O>): TLaneProcedure<I, O> {
  return procedure;
}

const PROCEDURES = {
  'events.create': laneProcedure({ input: ZCreateEventRequestSchema, output: ZCreateEventResponseSchema, resolve: createEvent }),
  'events.createBatch': laneProcedure({ input: ZCreateEventsBatchRequestSchema, output: ZCreateEventsBatchResponseSchema, resolve: createEventsBatch }),
} as const;

/**
 * Runs an authed procedure's steps as tRPC does (`packages/api/src/trpc.ts`): authentication and rate limit,
 * the input (a zod failure a BAD_REQUEST), the resolver, the output (a failure an INTERNAL_SERVER_ERROR), any
 * failure mapped by `procedureError`.
 */
async function run<I extends z.ZodType, O extends z.ZodType>(procedure: TLaneProcedure<I, O>, ctx: TContext, path: string, input: unknown): Promise<z.output<O>> {
  try {
    const principal = await authenticate(ctx);
    const parsed = procedure.input.safeParse(input);
    if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
    const result = await procedure.resolve({ ...ctx, principal }, parsed.data);
    const output = procedure.output.safeParse(result);
    if (!output.success) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Output validation failed', cause: output.error });
    return output.data;
  } catch (cause) {
    throw procedureError(getTRPCErrorFromUnknown(cause), ctx, path);
  }
}

/** What the lane hands to tRPC's handler when a request is not one it answers itself: the plugin's options. */
export type TLaneFallback = Omit<FastifyHandlerOptions<AppRouter, FastifyRequest, FastifyReply>, 'req' | 'res' | 'path'>;

/** `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/** The input of the lane's own shapes: a plain call's body, or a one-call batch's `{"0": input}`; `undefined` for anything else. */
function laneInput(body: string, batched: boolean): { input: unknown } | undefined {
  if (body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!batched) return { input: parsed };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  return keys.length === 1 && keys[0] === '0' ? { input: (parsed as Record<string, unknown>)['0'] } : undefined;
}

/**
 * Registers the lane's two routes, in a scope of their own whose bodies arrive as text. `deps` are those the
 * tRPC plugin's context gets; `fallback` the plugin's options, for the requests the lane leaves to tRPC.
 */
export async function registerIngestLane(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  deps: Required<Pick<TContextDeps, 'custody'>> & Pick<TContextDeps, 'rateLimiter'>,
  fallback: TLaneFallback,
): Promise<void> {
  // A plugin function (not async): fastify encapsulates the parsers below to these two routes.
  await app.register((scope, _options, registered) => {
    scope.removeAllContentTypeParsers();
    readBodiesAsUtf8(scope, ['*'], false);
    for (const [path, procedure] of Object.entries(PROCEDURES)) {
      scope.post(`/trpc/${path}`, async (req: FastifyRequest<{ Querystring: { batch?: string } }>, reply: FastifyReply) => {
        const batched = req.query.batch === '1';
        const body = typeof req.body === 'string' ? req.body : '';
        const own = isJson(req.headers['content-type']) && req.headers['trpc-accept'] === undefined ? laneInput(body, batched) : undefined;
        if (own === undefined) {
          await fastifyRequestHandler({ ...fallback, req, res: reply, path });
          return reply;
        }
        const { input } = own;
        const ctx = await createContextInner({ ...deps, logger: req.log, apiKey: bearerToken(req.headers.authorization), requestId: req.id, clientIp: req.ip });
        let status = 200;
        let envelope: unknown;
        try {
          envelope = { result: { data: await run(procedure as TLaneProcedure<z.ZodType, z.ZodType>, ctx, path, input) } };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          status = getHTTPStatusCodeFromError(error);
          if (error.code === 'INTERNAL_SERVER_ERROR' && !isAppError(error.cause)) req.log.error({ err: error.cause ?? error, path }, 'tRPC error');
          if (error.code === 'TOO_MANY_REQUESTS' && isAppError(error.cause) && typeof error.cause.details?.retryAfterMs === 'number') {
            void reply.header('retry-after', String(Math.max(1, Math.ceil(error.cause.details.retryAfterMs / 1000))));
          }
          envelope = { error: getErrorShape({ config: appRouter._def._config, error, type: 'mutation', path, input, ctx }) };
        }
        return reply.status(status).type('application/json').send(JSON.stringify(batched ? [envelope] : envelope));
      });
    }
    registered();
  });
}
