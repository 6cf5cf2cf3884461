/**
 * Test helpers for every package that touches the database (house style §8.11): suites loop over
 * `DIALECTS` and get a fresh, migrated database per suite.
 *
 * ```ts
 * for (const dialect of DIALECTS) {
 *   describe(`${dialect}: ingest`, () => {
 *     let t: TTestDatabase;
 *     beforeAll(async () => { t = await createTestDatabase(dialect); });
 *     afterAll(() => t.destroy());
 *   });
 * }
 * ```
 */
import { randomBytes } from 'node:crypto';

import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { migrateToLatest } from '../migrate';
import { openDatabase } from '../open-database';
import type { CustodyDatabase } from '../open-database';
import type { Database } from '../schema';
import { testEnv } from './env';

export { searchTextBefore0009 } from './previous-search-rules';

export type TDialectName = 'sqlite' | 'postgres';

function pickDialects(): TDialectName[] {
  if (testEnv.dialects !== undefined && testEnv.dialects.trim() !== '') {
    const names = testEnv.dialects.split(',').map((s) => s.trim());
    for (const n of names) {
      if (n !== 'sqlite' && n !== 'postgres') throw new Error(`DIALECTS: unknown dialect "${n}" (use sqlite,postgres)`);
    }
    return names as TDialectName[];
  }
  return testEnv.databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(testEnv.databaseUrl) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** The dialects this test run covers. */
export const DIALECTS: readonly TDialectName[] = pickDialects();

/** A fresh, migrated database that `destroy()` removes. */
export interface TTestDatabase extends CustodyDatabase {
  /** The URL the database opens with (for a server process under test). */
  readonly url: string;
  readonly dialectName: TDialectName;
  /** Closes connections and drops the database (Postgres) . */
  destroy(): Promise<void>;
}

/** The `DATABASE_URL` of the Postgres server the tests use, for a test that must run statements of its own as its superuser. */
export function adminUrl(): string {
  const url = testEnv.databaseUrl;
  if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('the postgres test leg needs DATABASE_URL=postgres://user@host:port/database');
  }
  return url;
}

/**
 * Creates a fresh database: SQLite in memory (or in `file` when given: needed when another process
 * opens it too), or a new `custody_test_*` database on the Postgres server of `DATABASE_URL` (in `tablespace`
 * when given: a test's own, on a small volume).
 */
export async function createTestDatabase(dialect: TDialectName, options: { file?: string; tablespace?: string } = {}): Promise<TTestDatabase> {
  if (dialect === 'sqlite') {
    const url = options.file ?? ':memory:';
    const opened = await openDatabase({ url });
    await migrateToLatest(opened.db, opened.dialect);
    return { ...opened, url, dialectName: dialect, destroy: () => opened.close() };
  }
  const name = `custody_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ url: adminUrl(), maxConnections: 1 });
  try {
    const { tablespace } = options;
    if (tablespace !== undefined && !/^[a-z_][a-z0-9_]*$/.test(tablespace)) throw new Error(`not a plain tablespace name: ${tablespace}`);
    await sql.raw(`CREATE DATABASE ${name}${tablespace === undefined ? '' : ` TABLESPACE ${tablespace}`}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const parsed = new URL(adminUrl());
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const opened = await openDatabase({ url, maxConnections: 5 });
  await migrateToLatest(opened.db, opened.dialect);
  return {
    ...opened,
    url,
    dialectName: dialect,
    async destroy() {
      await opened.close();
      const adminAgain = await openDatabase({ url: adminUrl(), maxConnections: 1 });
      try {
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(adminAgain.db);
      } finally {
        await adminAgain.close();
      }
    },
  };
}

/**
 * Postgres: how many statements of `db`'s database (other than this one) are waiting for a lock. Tests
 * hold a lock to keep a query running, then see whether the server stopped it (`pg_stat_activity`).
 */
export async function countLockWaits(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Postgres: runs `hold` while another connection of `db` holds the events table (ACCESS EXCLUSIVE), so that
 * every query of it waits; the lock is released when `hold` settles.
 */
export async function withEventsLocked<T>(db: Kysely<Database>, hold: () => Promise<T>): Promise<T> {
  const holder = await db.startTransaction().execute();
  try {
    await sql`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`.execute(holder);
    return await hold();
  } finally {
    await holder.rollback().execute();
  }
}

/**
 * SQLite: runs `whileHeld` while another connection to the database `file` (a CLI, say) holds its write lock, and
 * lets the lock go when it returns or throws. What it returns is awaited under the lock: a promise that waits for the
 * lock must come back wrapped (`{ pending }`).
 */
export async function withWriteLockHeld<T>(file: string, whileHeld: () => Promise<T>): Promise<T> {
  const other = await openDatabase({ url: file });
  try {
    return await other.db.connection().execute(async (connection) => {
      await sql`BEGIN IMMEDIATE`.execute(connection);
      try {
        return await whileHeld();
      } finally {
        await sql`COMMIT`.execute(connection);
      }
    });
  } finally {
    await other.close();
  }
}
