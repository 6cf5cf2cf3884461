import type { Kysely } from 'kysely';

import type { CustodyDialect } from './dialect/custody-dialect';
import { openPostgres } from './dialect/postgres';
import { openSqlite } from './dialect/sqlite';
import type { Database } from './schema';

/** An open database: the kysely handle, its dialect answers, and a way to close it. */
export interface CustodyDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: CustodyDialect;
  /** Closes every connection. */
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
  const opened =
    target.kind === 'postgres'
      ? await openPostgres({ connectionString: target.connectionString, maxConnections: options.maxConnections })
      : openSqlite({ filename: target.filename, synchronous: options.sqliteSynchronous });
  return {
    db: opened.db,
    dialect: opened.dialect,
    close: () => opened.db.destroy(),
  };
}
