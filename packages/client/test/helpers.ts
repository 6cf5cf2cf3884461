/**
 * Test helpers: the real Custody server over real HTTP (the approach of `apps/server/test/helpers.ts`),
 * which can be stopped and restarted on the same port over the same database, plus a recording
 * `fetch` and an unreachable URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTRPCClient, httpLink } from '@trpc/client';
import pino from 'pino';

import type { AppRouter } from '@custody/api';
import { createTestDatabase } from '@custody/db/testing';
import type { TDialectName, TTestDatabase } from '@custody/db/testing';
import { boot, createHttpServer, loadConfig } from '@custody/server';
import type { TBooted, TConfig, THttpServer } from '@custody/server';

import type { TFetch } from '../src/custody-options';

export interface TTestServer {
  /** `http://127.0.0.1:<port>`; the same across restarts. */
  readonly url: string;
  readonly adminKey: string;
  /** A plain tRPC client (no SDK) to inspect the log. */
  client(apiKey: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  /** Stops the HTTP server and the domain services; the database stays. */
  stop(): Promise<void>;
  /** Starts again on the same port over the same database. */
  restart(): Promise<void>;
  /** Stops everything and removes the database. */
  close(): Promise<void>;
}

interface TRunning {
  booted: TBooted;
  http: THttpServer;
}

async function startProcess(config: TConfig, port: number): Promise<{ running: TRunning; url: string }> {
  const booted = await boot(config);
  await booted.custody.start();
  const http = await createHttpServer({
    custody: booted.custody,
    logger: pino({ level: 'silent' }),
    bodyLimit: config.CUSTODY_BODY_LIMIT,
    rateLimit: config.CUSTODY_RATE_LIMIT,
    consoleDir: null,
  });
  const url = await http.app.listen({ port, host: '127.0.0.1' });
  return { running: { booted, http }, url };
}

/**
 * Boots the real server on a free port over a fresh database of `dialect`. `env` overrides the
 * server's environment (default: no rate limit).
 */
export async function startTestServer(dialect: TDialectName, env: Record<string, string> = {}): Promise<TTestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'custody-client-test-'));
  const db: TTestDatabase = await createTestDatabase(dialect, dialect === 'sqlite' ? { file: join(dataDir, 'custody.db') } : {});
  await db.close();
  const config = loadConfig({
    CUSTODY_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    CUSTODY_CHECKPOINT_INTERVAL_MS: '100',
    CUSTODY_RATE_LIMIT: '0',
    ...env,
  });
  const first = await startProcess(config, 0);
  let running: TRunning | undefined = first.running;
  const url = first.url;
  const port = Number(new URL(url).port);
  const { secret: adminKey } = await first.running.booted.custody.apiKeys.create({ name: 'test admin', organizationId: null, scopes: ['admin'] });

  const stop = async (): Promise<void> => {
    if (running === undefined) return;
    const { http, booted } = running;
    running = undefined;
    await http.app.close();
    await booted.custody.close();
  };
  return {
    url,
    adminKey,
    client: (apiKey) => createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${apiKey}` } })] }),
    stop,
    async restart() {
      await stop();
      running = (await startProcess(config, port)).running;
    },
    async close() {
      await stop();
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates an organization and returns a key bound to it with `events:write` and `events:read`. */
export async function createOrganization(server: TTestServer, organizationId: string): Promise<string> {
  const admin = server.client(server.adminKey);
  await admin.organizations.create.mutate({ id: organizationId, name: organizationId });
  const { secret } = await admin.apiKeys.create.mutate({ name: `${organizationId} app`, organizationId, scopes: ['events:write', 'events:read'] });
  return secret;
}

/** The number of events in an organization's log (its tree size): what duplicates would inflate. */
export async function logSize(server: TTestServer, organizationId: string): Promise<number> {
  return (await server.client(server.adminKey).organizations.get.query({ organizationId })).size;
}

/** One request the recording fetch saw. */
export interface TRecordedRequest {
  /** The tRPC path, such as `events.createBatch`. */
  readonly path: string;
  /** The parsed JSON body, if any. */
  readonly body: unknown;
}

/** A `fetch` that records every request before passing it on to `inner` (default: the global fetch). */
export function recordingFetch(inner: TFetch = (input, init) => fetch(input, init)): { fetch: TFetch; requests: TRecordedRequest[]; batches(): { organizationId: string; events: unknown[] }[] } {
  const requests: TRecordedRequest[] = [];
  return {
    requests,
    fetch: (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const path = url.pathname.replace(/^.*\/trpc\//, '');
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
      requests.push({ path, body });
      return inner(input, init);
    },
    batches: () =>
      requests.filter((r) => r.path === 'events.createBatch').map((r) => r.body as { organizationId: string; events: unknown[] }),
  };
}

/** A URL on which nothing listens (a port that was free a moment ago). */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A valid event; `n` varies the actor so events differ. */
export function makeEvent(n: number, overrides: Record<string, unknown> = {}) {
  return {
    action: 'user.signed_in',
    occurred_at: '2026-03-01T10:00:00Z',
    actor: { id: `u_${n}`, type: 'user', name: 'Alice' },
    targets: [{ id: 'acct_1', type: 'account' }],
    context: { location: '203.0.113.7', user_agent: 'curl/8' },
    metadata: { method: 'password', n },
    ...overrides,
  };
}

/** Polls `condition` every 10 ms until it holds (or fails the test after `timeoutMs`). */
export async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
