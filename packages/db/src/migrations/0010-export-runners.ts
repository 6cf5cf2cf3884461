/**
 * 0010: which process runs an export job, and when it last said it still does.
 *
 * Several server processes (and `custody export`, which runs its job in the CLI's own process) share one database.
 * Until 0010 every process starting marked every `queued` or `running` job failed ("interrupted"), including jobs
 * another live process was running: a second server starting, or a restart of one of them, failed the others' exports
 * while they went on writing them. Now the process running a job records itself (`runner`: host, process id and a
 * random part) and refreshes `heartbeat_at` while it works; only a job whose heartbeat has stopped is marked failed,
 * by whichever process notices first. Jobs from before 0010 have no heartbeat and count as stopped.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A column already there is kept: run again, this migration changes nothing (as the others).
  const exportsTable = (await db.introspection.getTables()).find((t) => t.name === 'exports');
  const has = new Set(exportsTable?.columns.map((c) => c.name));
  if (!has.has('runner')) await db.schema.alterTable('exports').addColumn('runner', 'text').execute();
  if (!has.has('heartbeat_at')) await db.schema.alterTable('exports').addColumn('heartbeat_at', 'bigint').execute();
}
