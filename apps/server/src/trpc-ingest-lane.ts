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
 * answered as a one-element array. Anything else under `/trpc/`
 * (other procedures, batches of several calls, GET) is routed to the tRPC plugin as before.
 *
 * `test/ingest-lane.test.ts` checks that both routes give byte-identical answers.
 */
import { getErrorShape, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';

import {
  appRouter, authenticate, bearerToken, createContextInner, createEvent, createEventsBatch, procedureError,
  ZCreateEventRequestSchema, ZCreateEventResponseSchema, ZCreateEventsBatchRequestSchema, ZCreateEventsBatchResponseSchema,
} from '@custody/api';
import type { TAuthedContext, TContext, TContextDeps } from '@custody/api';
import { isAppError } from '@custody/core';

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

/** Registers the lane's two routes. `deps` are those the tRPC plugin's context gets. */
export function registerIngestLane(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, deps: Required<Pick<TContextDeps, 'custody'>> & Pick<TContextDeps, 'rateLimiter'>): void {
  for (const [path, procedure] of Object.entries(PROCEDURES)) {
    app.post(`/trpc/${path}`, async (req: FastifyRequest<{ Querystring: { batch?: string } }>, reply: FastifyReply) => {
      const batched = req.query.batch === '1';
      let input: unknown = req.body ?? undefined;
      if (batched) {
        // httpBatchLink: {"0": input} for one call.
        input = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>)['0'] : undefined;
      }
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
}
