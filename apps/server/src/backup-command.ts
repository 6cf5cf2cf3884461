/**
 * `custody backup <file>`: a consistent copy of the SQLite database while the server runs
 * (`backupDatabase`), then every organization's log in the copy checked against its latest signed
 * checkpoint (`checkStoredLogs`). Exit 0 when the copy is made and every log checks out, 1 when the copy
 * failed or a log in it does not check out (the copy is kept, to be looked at), 2 for usage (Postgres, a
 * destination that exists, no database).
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
  let reported = -1;
  let result;
  try {
    result = await backupDatabase(config.databaseUrl, destination, {
      onProgress: ({ copiedPages, totalPages }) => {
        const percent = totalPages === 0 ? 100 : Math.floor((copiedPages / totalPages) * 10) * 10;
        if (quiet || percent === reported) return;
        reported = percent;
        process.stderr.write(`copying: ${percent}% (${copiedPages.toLocaleString('en-US')} of ${totalPages.toLocaleString('en-US')} pages)\n`);
      },
    });
  } catch (error) {
    if (error instanceof BackupError && error.code !== 'FAILED') throw new UsageError(error.message);
    throw error;
  }
  if (!quiet) process.stderr.write('checking every log in the copy against its latest signed checkpoint\n');
  const copy = await openDatabase({ url: destination, sqliteReadonly: true });
  let logs: TStoredLogCheck[];
  try {
    logs = await checkStoredLogs(copy.db);
  } finally {
    await copy.close();
  }
  const failed = logs.filter((l) => l.problem !== null);
  if (json) {
    process.stdout.write(`${JSON.stringify({ file: result.destination, bytes: result.bytes, ok: failed.length === 0, logs })}\n`);
  } else {
    for (const log of logs) {
      const state =
        log.problem !== null
          ? `DOES NOT CHECK OUT: ${log.problem}`
          : log.checkpointSize === null
            ? 'no signed checkpoint yet'
            : `checkpoint at ${log.checkpointSize.toLocaleString('en-US')} verified, root ${log.root ?? ''}`;
      process.stdout.write(`${log.organizationId}\t${log.size.toLocaleString('en-US')} events\t${state}\n`);
    }
    process.stdout.write(`${failed.length === 0 ? 'backed up' : 'copied, but not every log checks out:'} ${result.destination} (${result.bytes.toLocaleString('en-US')} bytes)\n`);
    process.stdout.write(`Keep the signing key (${config.signingKeyFile}) with your backups, apart and secret: the copy verifies without it, but a server restored without it signs with a new key.\n`);
  }
  return failed.length === 0 ? 0 : 1;
}
