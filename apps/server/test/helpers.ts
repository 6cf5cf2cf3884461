import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTRPCClient, httpBatchLink } from '@trpc/client';
import pino from 'pino';

import type { AppRouter } from '@custody/api';
import { createTestDatabase } from '@custody/db/testing';
import type { TDialectName, TTestDatabase } from '@custody/db/testing';

import { boot } from '../src/boot';
import { loadConfig } from '../src/env';
import { createHttpServer } from '../src/http';
import type { THttpServer } from '../src/http';
import type { TBooted } from '../src/boot';

export interface TTestServer {
  url: string;
  booted: TBooted;
  http: THttpServer;
  db: TTestDatabase;
  adminKey: string;
  dataDir: string;
  client(apiKey: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  close(): Promise<void>;
}

/** Boots the real server on port 0 over a fresh database of `dialect`. */
export async function startTestServer(
  dialect: TDialectName,
  env: Record<string, string> = {},
  options: {
    consoleDir?: string;
    databaseUrl?: (url: string) => string;
    logger?: pino.Logger;
    requestTimeoutMs?: number;
    checkIntervalMs?: number;
    dataDir?: string;
    tablespace?: string;
  } = {},
): Promise<TTestServer> {
  // `dataDir`: a directory the test provides (on a small file system, say); removed by `close` all the same.
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'custody-test-')));
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // `tablespace`: Postgres keeps the test's database there (a small volume the test controls).
  const db = await createTestDatabase(dialect, dialect === 'sqlite' ? { file: join(dataDir, 'custody.db') } : options.tablespace === undefined ? {} : { tablespace: options.tablespace });
  await db.close();
  // `databaseUrl`: the server reaches the test database another way (through a proxy that a test controls).
  const url = options.databaseUrl?.(db.url) ?? db.url;
  const config = loadConfig({ CUSTODY_DATA_DIR: dataDir, DATABASE_URL: url, CUSTODY_CHECKPOINT_INTERVAL_MS: '100', ...env });
  const booted = await boot(config);
  await booted.custody.start();
  const { secret: adminKey } = await booted.custody.apiKeys.create({ name: 'test admin', organizationId: null, scopes: ['admin'] });
  const http = await createHttpServer({
    custody: booted.custody,
    logger: options.logger ?? pino({ level: 'silent' }),
    bodyLimit: config.CUSTODY_BODY_LIMIT,
    rateLimit: config.CUSTODY_RATE_LIMIT,
    consoleDir: options.consoleDir ?? null,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.checkIntervalMs === undefined ? {} : { checkIntervalMs: options.checkIntervalMs }),
  });
  const address = await http.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    booted,
    http,
    db,
    adminKey,
    dataDir,
    client: (apiKey) =>
      createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${address}/trpc`, headers: { authorization: `Bearer ${apiKey}` } })] }),
    async close() {
      await http.app.close();
      await booted.custody.close();
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const EVENT = {
  action: 'user.signed_in',
  occurred_at: '2026-03-01T10:00:00Z',
  actor: { id: 'u_1', type: 'user', name: 'Alice' },
  targets: [{ id: 'acct_1', type: 'account' }],
  context: { location: '203.0.113.7', user_agent: 'curl/8' },
  metadata: { method: 'password' },
};
