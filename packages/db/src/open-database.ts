import type { Kysely } from 'kysely';

import type { CustodyDialect } from './dialect/custody-dialect';
import { openPostgres } from './dialect/postgres';
import { openSqlite } from './dialect/sqlite';
import type { Database } from './schema';

/** An open database: the kysely handle, its dialect answers, and a way to close it. */
export interface CustodyDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: CustodyDialect;
  /**
   * How to open a second connection to this database for a writer thread, or `null`. Set for SQLite
   * files: better-sqlite3 runs inserts and the commit's fsync synchronously, so ingest commits in a
   * worker thread on its own connection and the main thread keeps serving requests. `null` for
   * Postgres (its I/O already happens outside the process) and for SQLite in memory (not shareable).
   */
  readonly writerThreadOptions: TOpenDatabaseOptions | null;
  /**
   * How to open a connection for one long sequential read (an export's million-row scan), or `null` to
   * use `db`. SQLite files: read-only, with an 8 MiB page cache, so the scan neither evicts the 64 MiB
   * cache that answers queries nor keeps 64 MiB of its own. `null` for Postgres (the scan runs on the
   * server) and SQLite in memory.
   */
  readonly scanReaderOptions: TOpenDatabaseOptions | null;
  /**
   * How to open a connection for a query thread (`events.list`, `events.stats`, `events.get`), or `null`
   * to query on `db`. Set for SQLite files: better-sqlite3 runs a query synchronously, so a statistics
   * query over millions of events on the main thread would hold every other request, ingest included,
   * for its duration. Read-only, with its own 64 MiB page cache. `null` for Postgres (queries already run
   * outside the process) and SQLite in memory.
   */
  readonly readerThreadOptions: TOpenDatabaseOptions | null;
  /** Closes every connection; later calls return the first one's promise. */
  close(): Promise<void>;
}

export interface TOpenDatabaseOptions {
  /**
   * `postgres://…` / `postgresql://…` for Postgres; `sqlite:<path>`, a plain file path or `:memory:`
   * for SQLite.
   */
  url: string;
  /** Postgres pool size per process. Default is 10. */
  maxConnections?: number;
  /** SQLite `synchronous` pragma. Default is `'FULL'`. */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** SQLite: who checkpoints the write-ahead log (`TSqliteOptions.walCheckpoints`). Default is `'auto'`. */
  sqliteWalCheckpoints?: 'auto' | 'background';
  /** SQLite: open read-only. Default is `false`. */
  sqliteReadonly?: boolean;
  /** SQLite: page cache in MiB. Default is 64. */
  sqliteCacheMiB?: number;
}

/** Which engine a database URL names, and its location. Throws on an unsupported scheme. */
export function parseDatabaseUrl(url: string): { kind: 'postgres'; connectionString: string } | { kind: 'sqlite'; filename: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', connectionString: url };
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename.length === 0) throw new Error('sqlite: URL has no file name (use sqlite:./data/custody.db or sqlite::memory:)');
    return { kind: 'sqlite', filename };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`unsupported database URL scheme in "${url.replace(/\/\/[^@/]*@/, '//***@')}": use postgres:// or sqlite:`);
  }
  if (url.length === 0) throw new Error('database URL is empty');
  return { kind: 'sqlite', filename: url };
}

/** Opens SQLite or Postgres according to `url`. Does not migrate (see `migrateToLatest`). */
export async function openDatabase(options: TOpenDatabaseOptions): Promise<CustodyDatabase> {
  const target = parseDatabaseUrl(options.url);
  const opened: { db: Kysely<Database>; dialect: CustodyDialect; close?: () => Promise<void> } =
    target.kind === 'postgres'
      ? await openPostgres({ connectionString: target.connectionString, maxConnections: options.maxConnections })
      : openSqlite({
          filename: target.filename,
          synchronous: options.sqliteSynchronous,
          walCheckpoints: options.sqliteWalCheckpoints,
          readonly: options.sqliteReadonly,
          cacheMiB: options.sqliteCacheMiB,
        });
  const shareable = target.kind === 'sqlite' && target.filename !== ':memory:';
  let closing: Promise<void> | null = null;
  return {
    db: opened.db,
    dialect: opened.dialect,
    // The writer appends to the write-ahead log; a thread of its own copies it back (see TSqliteOptions).
    writerThreadOptions: shareable
      ? { url: options.url, sqliteWalCheckpoints: 'background', ...(options.sqliteSynchronous === undefined ? {} : { sqliteSynchronous: options.sqliteSynchronous }) }
      : null,
    scanReaderOptions: shareable ? { url: options.url, sqliteReadonly: true, sqliteCacheMiB: 8 } : null,
    readerThreadOptions: shareable ? { url: options.url, sqliteReadonly: true } : null,
    // Once: a second close (an owner closing what it was given, then the giver) waits for the first.
    close: () => (closing ??= opened.close === undefined ? opened.db.destroy() : opened.close()),
  };
}
