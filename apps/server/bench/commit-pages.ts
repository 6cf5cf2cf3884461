/**
 * What one group commit writes, by B-tree: the pages the product's own `LogWriter` puts in SQLite's
 * write-ahead log per commit, counted from the log file and attributed with the `dbstat` table.
 *
 * Every page a commit dirties is written twice (appended to the write-ahead log by the commit, then
 * copied into the database file by a checkpoint), so pages per commit is what ingest's I/O cost is
 * made of. Pages that did not exist before the measured commits (B-tree splits, the file's growth)
 * are counted as "new pages".
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';

import { LogWriter, prepareEvent } from '@custody/core';
import { migrateToLatest, openDatabase } from '@custody/db';
import { validateEvent } from '@custody/schema';

import { workloadEvent } from './workload';

/** Pages per commit, by B-tree name, for commits of `group` events into a log of `logSize` events. */
export interface TCommitPages {
  readonly group: number;
  readonly logSize: number;
  readonly pagesPerCommit: number;
  readonly byTree: readonly { readonly name: string; readonly pages: number }[];
}

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/**
 * Fills a fresh database to `logSize` events (commits of 1,000, each checkpointed), then makes
 * `commits` commits of `group` events with no checkpoint between them and reads the log they wrote.
 */
export async function measureCommitPages(logSize: number, group: number, commits = 20): Promise<TCommitPages> {
  const dir = await mkdtemp(join(tmpdir(), 'custody-bench-pages-'));
  const file = join(dir, 'pages.db');
  const d = await openDatabase({ url: file });
  try {
    await migrateToLatest(d.db, d.dialect);
    await d.db.insertInto('organizations').values({ id: 'bench', name: 'bench', created_at: 0, action_registry: null }).execute();
    await d.db.insertInto('logs').values({ organization_id: 'bench', origin: 'b/bench', size: 0, updated_at: 0 }).execute();
    const writer = new LogWriter(d.db, d.dialect);
    let next = 0;
    const append = async (count: number) => {
      const events = [];
      for (let position = 0; position < count; position++, next++) {
        const v = validateEvent(workloadEvent(next));
        if (!v.ok) throw new Error(`workload event ${next} is invalid: ${JSON.stringify(v.issues)}`);
        events.push(prepareEvent(v.event, position));
      }
      await writer.append('bench', events);
    };
    // SQLite's own checkpoints would restart the log mid-measurement: this bench checkpoints itself.
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(d.db);
    const checkpoint = () => sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(d.db);
    while (next < logSize) {
      await append(Math.min(1_000, logSize - next));
      await checkpoint();
    }
    const owners = new Map<number, string>();
    const pages = await sql<{ name: string; pageno: number }>`SELECT name, pageno FROM dbstat`.execute(d.db);
    for (const row of pages.rows) owners.set(row.pageno, row.name);
    await checkpoint();
    for (let c = 0; c < commits; c++) await append(group);
    await writer.close();

    const wal = await readFile(`${file}-wal`);
    const pageSize = wal.readUInt32BE(8);
    const counts = new Map<string, number>();
    let frames = 0;
    for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.length; at += FRAME_HEADER_BYTES + pageSize) {
      // A frame belongs to the current log only if it carries the header's salts.
      if (wal.compare(wal, 16, 24, at + 8, at + 16) !== 0) break;
      frames++;
      const name = owners.get(wal.readUInt32BE(at)) ?? 'new pages';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return {
      group,
      logSize,
      pagesPerCommit: frames / commits,
      byTree: [...counts].map(([name, k]) => ({ name, pages: k / commits })).sort((a, b) => b.pages - a.pages),
    };
  } finally {
    await d.close();
    await rm(dir, { recursive: true, force: true });
  }
}
