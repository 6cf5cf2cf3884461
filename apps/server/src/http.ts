/**
 * The HTTP surface, on fastify:
 * 1. `/trpc/*`: the tRPC API (`@custody/api`), batching allowed.
 * 2. `POST /audit_logs/events`: WorkOS-compatible ingest.
 * 3. Plain-text log endpoints: `/v1/organizations/:id/checkpoint`, `/.well-known/custody/keys`.
 * 4. Ops: `/healthz`, `/readyz`, `/metrics`.
 * 5. The web console (static files) at `/`.
 *
 * Errors never carry stack traces; 5xx bodies carry a request id to find the log line.
 */
import { createReadStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

import fastifyStatic from '@fastify/static';
import { fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

import { appRouter, bearerToken, createContextInner } from '@custody/api';
import { AppError, RateLimiter, appErrorOf, authorize, isAppError } from '@custody/core';
import type { Custody, TPrincipal, TScope } from '@custody/core';

import { answerClientError } from './client-error';
import { createMetrics } from './metrics';
import { duplicateMemberRefusal, readBodiesAsUtf8, readFormBodies } from './request-body';
import { registerIngestLane } from './trpc-ingest-lane';
import type { TLaneFallback } from './trpc-ingest-lane';

export interface THttpOptions {
  custody: Custody;
  logger: Logger;
  bodyLimit: number;
  /** Requests per second per API key; 0 disables. */
  rateLimit: number;
  /** Directory of the built console, or null to serve none. Default: `@custody/console`'s `dist/`. */
  consoleDir?: string | null;
  /**
   * Most time a client may take to send a whole request, headers and body, before it is answered 408 and
   * its connection closed. Default is {@link REQUEST_TIMEOUT_MS}. Node checks every `checkIntervalMs`
   * (default 30 s), so a request is cut between the two.
   */
  requestTimeoutMs?: number;
  checkIntervalMs?: number;
}

/**
 * Default limit for sending a whole request: an 8 MiB body (the default body limit) at about 600 kbit/s.
 * Without one, a client sending a byte now and then holds its connection and its buffered body for ever.
 */
export const REQUEST_TIMEOUT_MS = 120_000;

export interface THttpServer {
  app: FastifyInstance;
  /** Flips `/readyz` to 503 (at shutdown). */
  setReady(ready: boolean): void;
}

/** Where the console's built files are, if built. */
export function findConsoleDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@custody/console/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : null;
  } catch {
    return null;
  }
}

/** The longest tRPC path (`/trpc/<path>`): the procedures of one batch, comma-separated. */
export const MAX_TRPC_PATH_LENGTH = 5_000;

const PROCEDURE_PATHS: ReadonlySet<string> = new Set(Object.keys(appRouter._def.procedures));

/**
 * A request's `route` label for the latency histogram: the route's pattern, and for tRPC the procedure's path
 * when it is one of the router's, `(batch)` for several, `(unknown)` otherwise. A label never takes a
 * caller's text, so callers cannot grow the metrics without bound.
 */
function routeLabel(req: FastifyRequest): string {
  const route = req.routeOptions.url ?? 'unmatched';
  if (!route.startsWith('/trpc/')) return route;
  const path = req.url.slice('/trpc/'.length).split('?')[0] ?? '';
  if (PROCEDURE_PATHS.has(path)) return `/trpc/${path}`;
  return path.includes(',') || path.toUpperCase().includes('%2C') ? '/trpc/(batch)' : '/trpc/(unknown)';
}

/** Routes that answer while the server shuts down (the rest answer 503). */
const OPS_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** How long `/readyz` waits for the database before answering 503. */
const READY_PROBE_TIMEOUT_MS = 2_000;
/**
 * How long a write may have waited for the database before `/readyz` answers 503: a lock another process holds
 * (SQLite's write lock, a Postgres row lock) or a database that stopped answering stalls writes while reads go on.
 */
export const READY_WRITE_STALL_MS = 3_000;
/**
 * How long after a commit failed for lack of room `/readyz` answers 503 (unless a commit succeeded since): long enough
 * for a load balancer to send writes elsewhere, short enough that a server nobody writes to asks again soon.
 */
export const READY_STORAGE_FULL_MS = 30_000;
/** `/readyz`'s answer when the database refused its probe (the cause is logged). */
export const READY_PROBE_REFUSED = 'the database refused the probe; the server log says why';

/** Paths of the API and ops endpoints: a GET under them that no route answers is a 404, not the console's page. */
const API_PREFIXES = ['/trpc', '/v1', '/audit_logs', '/.well-known', '/healthz', '/readyz', '/metrics'];

/** WorkOS-style error body. */
function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, message, ...extra };
}

/** How much of a path a 404 repeats: enough to spot a typo, not a whole over-long URL sent back. */
const NOT_FOUND_PATH_CHARS = 200;
/** The web console's pages: its own scripts and styles (React sets style attributes), this server, no framing. */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');
/** Largest form body (`POST …/download`: one API key). */
const FORM_BODY_LIMIT = 4096;

/** The 404 message for `method` on `url`: its path (without the query), cut short past `NOT_FOUND_PATH_CHARS`. */
function noRoute(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  const shown = path.length > NOT_FOUND_PATH_CHARS ? `${path.slice(0, NOT_FOUND_PATH_CHARS)}… (${path.length} characters)` : path;
  return `no route ${method} ${shown}`;
}

export async function createHttpServer(options: THttpOptions): Promise<THttpServer> {
  const { custody, logger } = options;
  const rateLimiter = new RateLimiter(options.rateLimit);
  const metrics = createMetrics(custody);
  let ready = true;

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimit,
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    // Node's limit for the headers alone (60 s), which must not exceed the request's for the latter to apply.
    http: {
      headersTimeout: Math.min(60_000, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      ...(options.checkIntervalMs === undefined ? {} : { connectionsCheckingInterval: options.checkIntervalMs }),
    },
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : `req_${crypto.randomUUID()}`;
    },
    // tRPC's batches name every call in the path (`/trpc/log.entry,log.entry,…`): room for a few hundred calls.
    routerOptions: { maxParamLength: MAX_TRPC_PATH_LENGTH },
    // Every body is checked by a strict schema that refuses a `__proto__` or `constructor` member where it is
    // not allowed (an event's metadata key, an unknown field): refused in that event, with its field path,
    // not for the whole request. JSON.parse keeps such members as ordinary own properties.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Requests arriving while the server shuts down are answered below, in the API's own formats.
    return503OnClosing: false,
    // Requests Node's parser refuses (a control character in a header, headers too large, too slow), in them too.
    clientErrorHandler: answerClientError,
    // And those the router refuses: a path part over `maxParamLength` (a tRPC batch naming too many calls), or
    // a malformed %-escape. The path is not sent back: it may be thousands of characters.
    frameworkErrors: (error, req, reply) => {
      void refuseUrl(req, reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'too long' : 'bad escape');
    },
  });
  // JSON bodies of the plain-HTTP routes (`POST /audit_logs/events`, …): strict UTF-8, as tRPC's below. JSON only:
  // another type (fastify's default `text/plain` too) is a 415, not a body the route then finds of the wrong shape.
  app.removeAllContentTypeParsers();
  readBodiesAsUtf8(app, ['application/json'], true);

  /** tRPC's error envelope, for answers given before tRPC sees a request (as tRPC clients read them). */
  const trpcError = (
    req: FastifyRequest,
    status: number,
    trpcCode: string,
    rpcCode: number,
    message: string,
    appCode: string,
    path = req.url.slice('/trpc/'.length).split('?')[0] ?? '',
  ) => ({
    error: {
      message,
      code: rpcCode,
      data: { code: trpcCode, httpStatus: status, path, appError: { code: appCode }, zodError: null },
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    // Shutting down: new requests (on connections kept alive) are refused as retryable; the probes still answer.
    if (!ready && !OPS_ROUTES.has(req.url.split('?')[0] ?? '')) {
      const message = 'the server is shutting down; retry';
      void reply.status(503).header('retry-after', '1').header('connection', 'close');
      return reply.send(req.url.startsWith('/trpc/') ? trpcError(req, 503, 'SERVICE_UNAVAILABLE', -32603, message, 'UNAVAILABLE') : errorBody('UNAVAILABLE', message));
    }
    // tRPC speaks GET (queries) and POST (mutations, batches) only; on other methods it would answer 415
    // "Missing content-type header" (OPTIONS, DELETE) or a 405 that allows GET alone. No CORS is offered:
    // the console is served from the same origin, and API keys do not belong in other sites' pages.
    if (req.method !== 'GET' && req.method !== 'POST' && req.url.startsWith('/trpc/')) {
      const message = `${req.method} is not supported: tRPC takes GET for queries and POST for mutations`;
      return reply.status(405).header('allow', 'GET, POST').send(trpcError(req, 405, 'METHOD_NOT_SUPPORTED', -32005, message, 'BAD_REQUEST'));
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe({ method: req.method, route: routeLabel(req), status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) req.log.warn({ url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else req.log.debug({ url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    // The client went away while sending its body: its socket's ECONNRESET says nothing of the database.
    if (req.raw.readableAborted || req.raw.socket.destroyed) {
      req.log.info({ code: error.code, url: req.url }, 'the client closed the connection before its request was read');
      return reply.status(400).send(errorBody('BAD_REQUEST', 'the request was cut off before its body was read'));
    }
    // Ours, or a lost or unreachable database (UNAVAILABLE: retry).
    const appError = appErrorOf(error);
    if (appError !== undefined) {
      if (appError.status >= 500 && appError.cause !== undefined) req.log.error({ err: appError.cause }, appError.message);
      const retryAfterMs = appError.details?.retryAfterMs;
      if (typeof retryAfterMs === 'number') void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      return reply.status(appError.status).send(errorBody(appError.code, appError.message, appError.details ?? {}));
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err: error }, 'unhandled error');
      return reply.status(status).send(errorBody('INTERNAL', 'internal server error', { requestId: req.id }));
    }
    // fastify's own 4xx: body too large, bad JSON, wrong content type.
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    const sent = req.headers['content-type'];
    const message =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? `Unsupported Media Type: send the body as application/json (this request's Content-Type is ${sent === undefined ? 'missing' : JSON.stringify(sent.slice(0, 100))})`
        : error.message;
    if (req.url.startsWith('/trpc/')) {
      // Before tRPC saw the request: answer in tRPC's error envelope so tRPC clients can read it.
      const trpcCode = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      const rpc = status === 413 ? -32413 : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? -32700 : -32600;
      return reply.status(status).send(trpcError(req, status, trpcCode, rpc, message, code));
    }
    return reply.status(status).send(errorBody(code, message));
  });
  /**
   * A URL the router refuses (fastify's `frameworkErrors`): a part of its path over `maxParamLength` (a tRPC batch
   * naming too many calls), 414, or a malformed %-escape, 400. The path is not sent back: it may be thousands of
   * characters.
   */
  function refuseUrl(req: FastifyRequest, reply: FastifyReply, why: 'too long' | 'bad escape'): FastifyReply {
    const trpc = req.url.startsWith('/trpc/');
    const status = why === 'too long' ? 414 : 400;
    const message =
      why === 'bad escape'
        ? 'the URL is not valid: a %-escape in its path is malformed'
        : trpc
          ? `the path names calls beyond ${MAX_TRPC_PATH_LENGTH} characters: split the batch (the SDK and the console send at most 50 calls a batch)`
          : `a part of the path is over ${MAX_TRPC_PATH_LENGTH} characters`;
    return reply.status(status).send(trpc ? trpcError(req, status, 'BAD_REQUEST', -32600, message, 'BAD_REQUEST', '') : errorBody('BAD_REQUEST', message));
  }
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('NOT_FOUND', noRoute(req.method, req.url))));

  // 1. tRPC: the two ingest calls through the lighter lane (same procedures, same answers), the rest
  //    through the tRPC plugin.
  const trpcOptions: TLaneFallback = {
    router: appRouter,
    createContext: ({ req }: CreateFastifyContextOptions) =>
      createContextInner({ custody, rateLimiter, logger: req.log, apiKey: bearerToken(req.headers.authorization), requestId: req.id, clientIp: req.ip }),
    // Standard clients and proxies read Retry-After, not our JSON.
    responseMeta: ({ errors }) => {
      const limited = errors.find((e) => e.code === 'TOO_MANY_REQUESTS');
      const details = limited !== undefined && isAppError(limited.cause) ? limited.cause.details : undefined;
      const ms = typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
      return ms === undefined ? {} : { headers: { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) } };
    },
    onError: ({ error, path, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR' && !isAppError(error.cause)) req.log.error({ err: error.cause ?? error, path }, 'tRPC error');
    },
  };
  await registerIngestLane(app, { custody, rateLimiter }, trpcOptions);
  // tRPC's own fastify plugin reads bodies with Node's replacing UTF-8 decoder: the same handler, with strict
  // bodies (JSON and text, as the plugin took; other types are fastify's 415).
  await app.register((scope, _options, registered) => {
    scope.removeAllContentTypeParsers();
    readBodiesAsUtf8(scope, ['application/json', 'text/plain'], false);
    scope.all('/trpc/:path', async (req: FastifyRequest<{ Params: { path: string }; Querystring: { input?: unknown } }>, reply) => {
      // A query's input is JSON in the URL, which tRPC parses with JSON.parse: refused, as a body would be, when an
      // object names a member twice (a filter would otherwise run with whichever value was written last).
      const { input } = req.query;
      const duplicate = typeof input === 'string' ? duplicateMemberRefusal(input, 'input') : undefined;
      if (duplicate !== undefined) {
        return reply.status(400).send(trpcError(req, 400, 'BAD_REQUEST', -32600, duplicate, 'BAD_REQUEST'));
      }
      await fastifyRequestHandler({ ...trpcOptions, req, res: reply, path: req.params.path });
      return reply;
    });
    registered();
  });

  /** Authenticates a plain-HTTP request and applies the key's rate limit. */
  async function principalOf(req: FastifyRequest, scope: TScope, organizationId: string | null, key?: string): Promise<TPrincipal> {
    const principal = await authenticated(req, key);
    authorize(principal, scope, organizationId);
    return principal;
  }
  /** The caller's key (the bearer header's, or `key`), authenticated, with its rate limit applied (before the request's body is looked at). */
  async function authenticated(req: FastifyRequest, key = bearerToken(req.headers.authorization)): Promise<TPrincipal> {
    const principal = await custody.apiKeys.authenticate(key);
    const waitMs = rateLimiter.take(principal.keyId);
    if (waitMs > 0) throw new AppError('TOO_MANY_REQUESTS', `rate limit exceeded for this API key; retry in ${waitMs} ms`, { details: { retryAfterMs: waitMs } });
    return principal;
  }

  // 2. WorkOS-compatible ingest: POST /audit_logs/events { organization_id, event }, Idempotency-Key header.
  app.post('/audit_logs/events', async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await authenticated(req);
    const body = req.body as { organization_id?: unknown; event?: unknown } | null | undefined;
    if (body === null || typeof body !== 'object' || typeof body.organization_id !== 'string' || body.event === undefined) {
      return reply.status(400).send(errorBody('BAD_REQUEST', 'body must be {"organization_id": "...", "event": {...}}'));
    }
    const organizationId = body.organization_id;
    authorize(principal, 'events:write', organizationId);
    let event = body.event;
    const header = req.headers['idempotency-key'];
    // An empty header is a key that came out empty in the caller's code, not "no key": taken as none, a retry would
    // store the event twice.
    if (typeof header === 'string' && header.trim().length === 0) {
      return reply.status(400).send(errorBody('BAD_REQUEST', 'the Idempotency-Key header is empty: send a key, or leave the header out'));
    }
    if (typeof header === 'string' && event !== null && typeof event === 'object' && !Array.isArray(event)) {
      const given = (event as { idempotency_key?: unknown }).idempotency_key;
      if (given !== undefined && given !== header) {
        return reply.status(400).send(errorBody('BAD_REQUEST', 'the Idempotency-Key header and event.idempotency_key differ'));
      }
      event = { ...(event as Record<string, unknown>), idempotency_key: header };
    }
    const [result] = await custody.ingestor.ingest(organizationId, [event]);
    if (result === undefined) throw new AppError('INTERNAL', 'ingest returned no result');
    if (result.status === 'rejected') {
      const status = result.code === 'IDEMPOTENCY_CONFLICT' ? 409 : 400;
      return reply.status(status).send(
        errorBody(result.code, result.message, { errors: result.issues.map((i) => ({ field: i.path, code: i.code, message: i.message })) }),
      );
    }
    return reply.status(201).send({ success: true, id: result.id, seq: result.seq, replayed: result.replayed });
  });

  // 3. Plain-text log endpoints, for tools that speak C2SP notes rather than JSON.
  app.get('/v1/organizations/:organizationId/checkpoint', async (req: FastifyRequest<{ Params: { organizationId: string }; Querystring: { size?: string } }>, reply) => {
    const { organizationId } = req.params;
    await principalOf(req, 'events:read', organizationId);
    const sizeText = req.query.size;
    if (sizeText !== undefined && !/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new AppError('BAD_REQUEST', 'size must be a non-negative integer');
    const checkpoint = sizeText === undefined ? await custody.log.latestCheckpoint(organizationId) : await custody.log.checkpointAt(organizationId, Number(sizeText));
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(checkpoint.note);
  });
  // Exports: the finished file and the production report.
  const sendExportFile = async (reply: FastifyReply, organizationId: string, exportId: string) => {
    const file = await custody.exports.file(organizationId, exportId);
    return reply
      .type(file.contentType)
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('x-content-sha256', file.sha256)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(createReadStream(file.path));
  };
  app.get('/v1/organizations/:organizationId/exports/:exportId/download', async (req: FastifyRequest<{ Params: { organizationId: string; exportId: string } }>, reply) => {
    const { organizationId, exportId } = req.params;
    await principalOf(req, 'export', organizationId);
    return sendExportFile(reply, organizationId, exportId);
  });
  // The same file for a browser that saves it straight to disk: only a navigation (a form's POST) does that, and
  // a navigation cannot send an Authorization header, so the key comes as the form field `api_key`: in the body,
  // never in a URL that logs and histories keep. A bearer header is refused beside it (two keys, one request).
  await app.register((scope, _options, registered) => {
    scope.removeAllContentTypeParsers();
    readFormBodies(scope, ['api_key']);
    scope.post(
      '/v1/organizations/:organizationId/exports/:exportId/download',
      { bodyLimit: FORM_BODY_LIMIT },
      async (req: FastifyRequest<{ Params: { organizationId: string; exportId: string }; Body: Record<string, string> | undefined }>, reply) => {
        const { organizationId, exportId } = req.params;
        if (req.headers.authorization !== undefined) throw new AppError('BAD_REQUEST', 'send the API key either in the Authorization header (GET) or as the form field api_key (POST), not both');
        const key = req.body?.api_key;
        if (key === undefined || key === '') throw new AppError('UNAUTHORIZED', 'missing API key: post it as the form field api_key (application/x-www-form-urlencoded)');
        await principalOf(req, 'export', organizationId, key);
        return sendExportFile(reply, organizationId, exportId);
      },
    );
    registered();
  });
  app.get('/v1/organizations/:organizationId/exports/:exportId/report', async (req: FastifyRequest<{ Params: { organizationId: string; exportId: string } }>, reply) => {
    const { organizationId, exportId } = req.params;
    await principalOf(req, 'export', organizationId);
    const html = await custody.exports.report(organizationId, exportId);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .header('cache-control', 'no-store')
      .send(html);
  });

  app.get('/.well-known/custody/keys', async (_req, reply) => {
    const keys = await custody.signingKeys.list();
    return reply.type('text/plain; charset=utf-8').send(keys.map((k) => `${k.vkey}\n`).join(''));
  });
  app.get('/.well-known/custody/keys.json', async () => ({ logName: custody.logName, keys: await custody.signingKeys.list() }));

  // 4. Ops
  app.get('/healthz', () => ({ status: 'ok' }));
  // One database probe at a time, shared by the checks that arrive meanwhile: a database that stopped answering
  // (its network gone) would otherwise take one pooled connection per check.
  let probe: Promise<void> | null = null;
  const probeDatabase = () =>
    (probe ??= custody.database.db
      .selectFrom('logs')
      .select('organization_id')
      .limit(1)
      .execute()
      .then(() => undefined)
      .finally(() => (probe = null)));
  app.get('/readyz', async (req, reply) => {
    if (!ready) return reply.status(503).send({ status: 'shutting down' });
    const fullAt = custody.ingestor.storageFullAt();
    if (fullAt !== null && Date.now() - fullAt < READY_STORAGE_FULL_MS) {
      const error = `a commit ${Math.round((Date.now() - fullAt) / 1000)} s ago found the database full: free space on its disk (the next commit that succeeds turns this back to ready)`;
      return reply.status(503).send({ status: 'storage full', error });
    }
    const stalledMs = custody.ingestor.oldestWriteWaitMs();
    if (stalledMs > READY_WRITE_STALL_MS) {
      const error = `a write has waited ${(stalledMs / 1000).toFixed(1)} s for the database (a lock held elsewhere, or a database that stopped answering)`;
      return reply.status(503).send({ status: 'writes stalled', error });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = `no answer within ${READY_PROBE_TIMEOUT_MS / 1000} s`;
    try {
      await Promise.race([probeDatabase(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(silent)), READY_PROBE_TIMEOUT_MS)))]);
      return { status: 'ready', database: custody.database.dialect.name };
    } catch (error) {
      // The driver's error may name hosts and ports: it goes to the log, not into an unauthenticated answer.
      const message = error instanceof Error && error.message === silent ? silent : READY_PROBE_REFUSED;
      if (message !== silent) req.log.warn({ err: error }, 'readiness probe: the database refused it');
      return reply.status(503).send({ status: 'database unavailable', error: message });
    } finally {
      clearTimeout(timer);
    }
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  // 5. Console
  const consoleDir = options.consoleDir === undefined ? findConsoleDir() : options.consoleDir;
  if (consoleDir !== null) {
    await app.register(async (scope) => {
      // The console holds an API key in its tab: it runs only its own scripts, talks only to this server, and is
      // never framed. Reports opened from blob URLs inherit this policy, so no script of theirs runs either.
      scope.addHook('onSend', async (_req, reply) => {
        reply.header('content-security-policy', CONSOLE_CSP);
        reply.header('x-frame-options', 'DENY');
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'no-referrer');
      });
      await scope.register(fastifyStatic, { root: consoleDir, prefix: '/', index: ['index.html'], wildcard: false });
      scope.get('/*', (req, reply) => {
        const path = req.url.split('?')[0] ?? '';
        // The console's catch-all takes paths of any length: a tRPC batch naming too many calls is told so here.
        if (path.startsWith('/trpc/') && path.length - '/trpc/'.length > MAX_TRPC_PATH_LENGTH) return refuseUrl(req, reply, 'too long');
        if (API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
          return reply.status(404).send(errorBody('NOT_FOUND', noRoute('GET', path)));
        }
        return reply.sendFile('index.html');
      });
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Custody</title><h1>Custody</h1><p>The web console is not built. Run <code>npm run build</code> (or <code>npm start</code> from the repository root), then reload.</p>'),
    );
  }

  return { app: app as unknown as FastifyInstance, setReady: (value) => (ready = value) };
}

export { errorBody };
