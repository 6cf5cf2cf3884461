/**
 * Opening everything a command needs: the database (migrated), the signing key and `Custody`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { Custody, loadOrCreateSigningKey, signingKeyFromText } from '@custody/core';
import type { TCheckpointerOptions, TIngestOptions, TSigningKey } from '@custody/core';
import { migrateToLatest, openDatabase, parseDatabaseUrl } from '@custody/db';

import type { TConfig } from './env';

export interface TBooted {
  custody: Custody;
  signingKey: TSigningKey;
  /** True when this start created the signing key. */
  createdSigningKey: boolean;
  /** Migrations applied by this start. */
  migrations: string[];
  /** A printable description of the database (no password). */
  databaseLabel: string;
}

/** Describes a database URL without its password. */
export function databaseLabel(url: string): string {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite') return `SQLite ${target.filename}`;
  return `Postgres ${target.connectionString.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}`;
}

/** Opens and migrates the database, loads (or creates) the signing key, and builds `Custody`. */
export async function boot(
  config: TConfig,
  options: {
    ingest?: TIngestOptions;
    checkpoints?: TCheckpointerOptions;
    createKey?: boolean;
    /** `false`: queries on the calling thread (one-shot commands). Default: `CUSTODY_QUERY_THREADS` threads. */
    queryThreads?: false;
    /** Told as each pending database migration starts. */
    onMigration?: (name: string) => void;
    /** Told once if the query threads' statistics copy cannot be made or is given up (statistics then run in SQL). */
    onQueryNotice?: (message: string) => void;
  } = {},
): Promise<TBooted> {
  const target = parseDatabaseUrl(config.databaseUrl);
  await mkdir(config.CUSTODY_DATA_DIR, { recursive: true, mode: 0o700 });
  let signingKey: TSigningKey;
  let createdSigningKey = false;
  if (config.CUSTODY_SIGNING_KEY !== undefined) {
    signingKey = signingKeyFromText(config.CUSTODY_SIGNING_KEY);
  } else {
    const loaded = await loadOrCreateSigningKey(config.signingKeyFile, config.CUSTODY_LOG_NAME);
    signingKey = loaded.key;
    createdSigningKey = loaded.created;
  }
  const database = await openDatabase({
    url: config.databaseUrl,
    maxConnections: config.CUSTODY_PG_POOL_SIZE,
    sqliteSynchronous: config.CUSTODY_SQLITE_SYNCHRONOUS,
  });
  let migrations: string[];
  try {
    migrations = (await migrateToLatest(database.db, database.dialect, { onMigration: options.onMigration })).applied;
  } catch (error) {
    await database.close();
    throw error;
  }
  const custody = new Custody(database, {
    logName: config.CUSTODY_LOG_NAME,
    signingKey,
    ingest: options.ingest,
    checkpoints: { intervalMs: config.CUSTODY_CHECKPOINT_INTERVAL_MS, ...options.checkpoints },
    queryThreads:
      options.queryThreads === false || config.CUSTODY_QUERY_THREADS === 0
        ? false
        : // The statistics copy is saved beside the signing key, and restored at the next start (SQLite files).
          {
            threads: config.CUSTODY_QUERY_THREADS,
            statsMemoryBytes: config.statsMemoryBytes,
            ...(options.onQueryNotice === undefined ? {} : { onNotice: options.onQueryNotice }),
            queries: { facetSnapshot: join(config.CUSTODY_DATA_DIR, 'statistics-copy.bin') },
          },
    queryTimeoutMs: config.CUSTODY_QUERY_TIMEOUT_MS,
    exports: { directory: config.exportDir, retentionMs: config.CUSTODY_EXPORT_RETENTION_HOURS * 3600 * 1000, toolVersion: 'custody-server 0.1.0' },
  });
  return { custody, signingKey, createdSigningKey, migrations, databaseLabel: target.kind === 'sqlite' ? `SQLite ${target.filename}` : databaseLabel(config.databaseUrl) };
}
