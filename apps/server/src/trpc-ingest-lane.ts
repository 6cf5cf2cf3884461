/**
 * The ingest lane: `POST /trpc/events.create` and `POST /trpc/events.createBatch`, the two calls
 * applications make thousands of times a second, answered by the same tRPC procedures through
 * tRPC's server-side caller instead of its fetch adapter.
 *
 * The fetch adapter turns every Node request into a WHATWG `Request` (a web stream, an
 * `AbortSignal.any`) and the answer into a `Response`; on the ingest path that cost more CPU than
 * validating the event. Here the body fastify already parsed goes straight to `createCaller`, and
 * the answer is written in tRPC's own envelope: `{"result":{"data":…}}`, or `{"error":shape}` with
 * the shape from the router's error formatter (`getErrorShape`) and the status tRPC would send
 * (`getHTTPStatusCodeFromError`). A batch of exactly this one call (`?batch=1`, body `{"0":input}`,
 * as `httpBatchLink` sends it) is answered as a one-element array. Anything else under `/trpc/`
 * (other procedures, batches of several calls, GET) is routed to the tRPC plugin as before.
 *
 * `test/ingest-lane.test.ts` checks that both routes give byte-identical answers.
 */
import { getErrorShape, getTRPCErrorFromUnknown } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

import { appRouter, bearerToken, createCallerFactory, createContextInner } from '@custody/api';
import type { TContextDeps } from '@custody/api';
import { isAppError } from '@custody/core';

const createCaller = createCallerFactory(appRouter);

const PROCEDURES = {
  'events.create': (caller: ReturnType<typeof createCaller>, input: unknown) => caller.events.create(input as never),
  'events.createBatch': (caller: ReturnType<typeof createCaller>, input: unknown) => caller.events.createBatch(input as never),
} as const;

/** Registers the lane's two routes. `deps` are those the tRPC plugin's context gets. */
export function registerIngestLane(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, deps: Required<Pick<TContextDeps, 'custody'>> & Pick<TContextDeps, 'rateLimiter'>): void {
  for (const [path, call] of Object.entries(PROCEDURES)) {
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
        envelope = { result: { data: await call(createCaller(ctx), input) } };
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
