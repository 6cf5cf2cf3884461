/**
 * `custody backup <file> [--full]`: a consistent copy of the SQLite database while the server runs
 * (`backupDatabase`), then every organization's log in the copy checked against its latest signed
 * checkpoint (`checkStoredLogs`). Exit 0 when the copy is made and every log checks out, 1 when the copy
 * failed or a log in it does not check out (the copy is kept, to be looked at), 2 for usage (Postgres, a
 * destination that exists, no database).
 *
 * `custody check [--full]`: the same check of the server's own database (SQLite or Postgres), read-only.
 *
 * With `--full`, each organization's statistics rollups are also recounted from its events: a count that
 * differs is that organization's problem (exit 1).
 */
import { resolve } from 'node:path';

import { checkStoredLogs } from '@custody/core';
import type { TStoredLogCheck } from '@custody/core';
import { BackupError, backupDatabase, openDatabase } from '@custody/db';

import type { TValues } from './cli-values';
import type { TConfig } from './env';
import { UsageError } from './verify-command';

export async function backupCommand(config: TConfig, file: string | undefined, values: TValues): Promise<number> {
  if (file === undefined) throw new UsageError('backup needs a destination file: custody backup backups/custody-2026-11-27.db');
  const destination = resolve(file);
  const json = values.json === true;
  const quiet = json || values.quiet === true;
  let announced = false;
  const started = Date.now();
  let result;
  try {
    result = await backupDatabase(config.databaseUrl, destination, {
      // The copy is one step after a first small one: said when it starts and when it ends.
      onProgress: ({ copiedPages, totalPages }) => {
        if (quiet) return;
        const pages = `${totalPages.toLocaleString('en-US')} pages`;
        if (copiedPages >= totalPages) process.stderr.write(`copied ${pages} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        else if (!announced) process.stderr.write(`copying ${pages} from one committed state...\n`);
        announced = true;
      },
    });
  } catch (error) {
    if (error instanceof BackupError && error.code !== 'FAILED') throw new UsageError(error.message);
    throw error;
  }
  const logs = await checkDatabase(destination, 'the copy', values);
  const ok = logs.every((l) => l.problem === null);
  if (json) {
    process.stdout.write(`${JSON.stringify({ file: result.destination, bytes: result.bytes, ok, logs })}\n`);
  } else {
    printChecks(logs);
    process.stdout.write(`${ok ? 'backed up' : 'copied, but not every log checks out:'} ${result.destination} (${result.bytes.toLocaleString('en-US')} bytes)\n`);
    process.stdout.write(`Keep the signing key (${config.signingKeyFile}) with your backups, apart and secret: the copy verifies without it, but a server restored without it refuses to start until the key is put back.\n`);
  }
  return ok ? 0 : 1;
}

export async function checkCommand(config: TConfig, values: TValues): Promise<number> {
  const logs = await checkDatabase(config.databaseUrl, 'the database', values);
  const ok = logs.every((l) => l.problem === null);
  if (values.json === true) process.stdout.write(`${JSON.stringify({ ok, logs })}\n`);
  else {
    printChecks(logs);
    process.stdout.write(ok ? 'every log checks out\n' : 'NOT every log checks out\n');
  }
  return ok ? 0 : 1;
}

/** `checkStoredLogs` on the database at `url`, opened read-only, with progress on stderr (unless --json or --quiet). */
async function checkDatabase(url: string, what: string, values: TValues): Promise<TStoredLogCheck[]> {
  const quiet = values.json === true || values.quiet === true;
  const full = values.full === true;
  if (!quiet) {
    const more = full ? ', from every event body and leaf, and its statistics rollups against its events' : '';
    process.stderr.write(`checking every log in ${what} against its latest signed checkpoint${more}\n`);
  }
  let last = 0;
  const database = await openDatabase({ url, sqliteReadonly: true, maxConnections: 2 });
  try {
    return await checkStoredLogs(database.db, {
      full,
      onProgress: (organizationId, checked, size) => {
        const now = Date.now();
        if (quiet || (now - last < 1_000 && checked < size)) return;
        last = now;
        process.stderr.write(`${organizationId}: ${checked.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} events\n`);
      },
      // One grouped statement per rollup table, with nothing to say until it ends: said before it starts.
      onRecount: (organizationId, size) => {
        if (quiet || size === 0) return;
        process.stderr.write(`${organizationId}: recounting the statistics rollups from ${size.toLocaleString('en-US')} events\n`);
      },
    });
  } finally {
    await database.close();
  }
}

function printChecks(logs: readonly TStoredLogCheck[]): void {
  for (const log of logs) {
    const state =
      log.problem !== null
        ? `DOES NOT CHECK OUT: ${log.problem}`
        : log.checkpointSize === null
          ? 'no signed checkpoint yet'
          : `checkpoint at ${log.checkpointSize.toLocaleString('en-US')} verified, root ${log.root ?? ''}`;
    process.stdout.write(`${log.organizationId}\t${log.size.toLocaleString('en-US')} events\t${state}\n`);
  }
}
