import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { Migrator } from 'kysely/migration';

import type { CustodyDialect } from './dialect/custody-dialect';
import * as m0001 from './migrations/0001-initial';
import * as m0002 from './migrations/0002-exports';
import * as m0003 from './migrations/0003-rollups';
import * as m0004 from './migrations/0004-daily-counts';
import * as m0005 from './migrations/0005-search-folds';
import * as m0006 from './migrations/0006-search-lexemes';
import * as m0007 from './migrations/0007-rollups-before-1970';
import * as m0008 from './migrations/0008-search-nfc';
import * as m0009 from './migrations/0009-search-marks';
import * as m0010 from './migrations/0010-export-runners';
import type { Database } from './schema';

/** Every migration, in order. Names are stable: they are recorded in `kysely_migration`. */
const MIGRATIONS: Record<string, (db: Kysely<unknown>, dialect: CustodyDialect) => Promise<void>> = {
  '0001-initial': m0001.up,
  '0002-exports': (db) => m0002.up(db),
  '0003-rollups': (db) => m0003.up(db),
  '0004-daily-counts': m0004.up,
  '0005-search-folds': (db) => m0005.up(db),
  '0006-search-lexemes': (db) => m0006.up(db),
  '0007-rollups-before-1970': (db) => m0007.up(db),
  '0008-search-nfc': (db) => m0008.up(db),
  '0009-search-marks': (db) => m0009.up(db),
  '0010-export-runners': (db) => m0010.up(db),
};

/** The outcome of `migrateToLatest`. */
export interface TMigrationResult {
  /** Migrations applied by this call, in order. */
  applied: string[];
}

/**
 * Applies every pending migration. Safe to call from several processes at once: kysely's migrator
 * takes a lock (an advisory lock on Postgres), and the pending migrations run in one transaction with
 * their records, so a start stopped midway, or one whose migration fails, leaves nothing behind: the
 * next start runs them all again.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: CustodyDialect,
  options: {
    /** Called as each pending migration starts (some count every stored event, and take minutes on a large log). */
    onMigration?: (name: string) => void;
  } = {},
): Promise<TMigrationResult> {
  // kysely runs the pending migrations and their records in one transaction (SQLite too: its dialect tells
  // kysely that its DDL is transactional), so a stopped start leaves none of them applied, or all.
  const migrations: Record<string, Migration> = {};
  for (const [name, up] of Object.entries(MIGRATIONS)) {
    migrations[name] = {
      up: (kdb: Kysely<unknown>) => {
        options.onMigration?.(name);
        return up(kdb, dialect);
      },
    };
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
