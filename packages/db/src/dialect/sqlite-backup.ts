/**
 * A consistent copy of a SQLite database while the server keeps writing to it (`custody backup`).
 *
 * SQLite's online backup copies the database from a read transaction of its own. It is made in one step
 * (every page): between steps SQLite would start the copy over whenever another connection wrote, and the
 * server commits and checkpoints many times a second, so a copy in steps of a few MiB never finished on a
 * database of a few hundred MiB under ingest. Within the step the read transaction holds one committed
 * state while writers go on (WAL). The copy is written beside the destination (`<destination>.partial`,
 * created readable by its owner alone, as the data directory is), checked (`PRAGMA quick_check`, the
 * database's structure), switched to a rollback journal (so no `-wal` or `-shm` file is left beside it),
 * and only then renamed into place: a destination that exists is a complete, structurally sound database.
 *
 * Postgres has its own tools (`pg_dump`); `backupDatabase` refuses a Postgres URL with a clear error.
 */
import { rename, rm, stat, writeFile } from 'node:fs/promises';

import Database from 'better-sqlite3';

import { parseDatabaseUrl } from '../open-database';

/** How far a backup is: pages copied of the database's pages at the last step. */
export interface TBackupProgress {
  readonly copiedPages: number;
  readonly totalPages: number;
}

export interface TBackupResult {
  readonly destination: string;
  readonly bytes: number;
  readonly pages: number;
}

/**
 * Why a backup was not made (nothing is left at the destination): `UNSUPPORTED` (Postgres, or a database in
 * memory), `EXISTS` (the destination), `MISSING` (the source), `FAILED` (copying, or the copy's check).
 */
export type TBackupErrorCode = 'UNSUPPORTED' | 'EXISTS' | 'MISSING' | 'FAILED';

export class BackupError extends Error {
  override readonly name = 'BackupError';
  readonly code: TBackupErrorCode;

  constructor(code: TBackupErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Pages copied per step: all of them (better-sqlite3 takes at most 2^31 - 1), so that writers never restart the copy. */
const PAGES_PER_STEP = 0x7fff_ffff;

/**
 * Copies the SQLite database `url` names to `destination` (a new file: an existing one is an error)
 * and checks the copy. `onProgress` is called after every step.
 */
export async function backupDatabase(url: string, destination: string, options: { onProgress?: (progress: TBackupProgress) => void } = {}): Promise<TBackupResult> {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'postgres') throw new BackupError('UNSUPPORTED', 'custody backup copies a SQLite database; for Postgres use pg_dump (see docs/operations.md, Backups)');
  if (target.filename === ':memory:') throw new BackupError('UNSUPPORTED', 'the database is in memory: there is no file to back up');
  if (await exists(destination)) throw new BackupError('EXISTS', `${destination} already exists; choose a new file name`);
  if (!(await exists(target.filename))) throw new BackupError('MISSING', `no database at ${target.filename} (is CUSTODY_DATA_DIR or DATABASE_URL right?)`);

  const partial = `${destination}.partial`;
  await removeCopy(partial);
  // Created here, private: SQLite writes the copy into it and keeps its mode.
  await writeFile(partial, new Uint8Array(0), { mode: 0o600 });
  // Not read-only: a read-only connection cannot open a WAL database whose shared-memory file is missing.
  const source = new Database(target.filename, { fileMustExist: true });
  try {
    const { totalPages } = await source.backup(partial, {
      progress: ({ totalPages: total, remainingPages }) => {
        options.onProgress?.({ copiedPages: total - remainingPages, totalPages: total });
        return PAGES_PER_STEP;
      },
    });
    options.onProgress?.({ copiedPages: totalPages, totalPages });
    const problems = checkAndSettle(partial);
    if (problems.length > 0) throw new BackupError('FAILED', `the copy failed its structural check: ${problems.slice(0, 5).join('; ')}`);
    await rename(partial, destination);
    return { destination, bytes: (await stat(destination)).size, pages: totalPages };
  } catch (error) {
    await removeCopy(partial);
    if (error instanceof BackupError) throw error;
    throw new BackupError('FAILED', `the backup failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    source.close();
  }
}

/**
 * `PRAGMA quick_check` of a database file: its problems, none when sound. A sound copy is then switched to a
 * rollback journal: a file on its own, whatever journal the source used (a server opening it sets WAL again).
 */
function checkAndSettle(filename: string): string[] {
  const db = new Database(filename, { fileMustExist: true });
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((text) => text !== 'ok');
    if (problems.length === 0) db.pragma('journal_mode = DELETE');
    return problems;
  } finally {
    db.close();
  }
}

/** A copy and the files SQLite may have left beside it. */
async function removeCopy(filename: string): Promise<void> {
  await Promise.all(['', '-journal', '-wal', '-shm'].map((suffix) => rm(`${filename}${suffix}`, { force: true })));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
