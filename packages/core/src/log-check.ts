/**
 * `checkStoredLogs`: does a database (a backup, say) still hold every organization's log as its latest
 * signed checkpoint describes it?
 *
 * For each organization: the latest checkpoint's note must open with one of the keys the database
 * publishes (`signing_keys`) for the log's origin, name the root stored beside it, and the root
 * recomputed from the stored tree hashes at its size (RFC 9162 §2.1.1, through `DbHashReader`) must be
 * that root. A log that outgrew its latest checkpoint is checked up to the checkpoint: the events after
 * it are not signed for yet.
 *
 * By default only the subtree hashes that root is made of are read: the fast check that a copy is whole.
 * `full` reads the whole log instead: every leaf in order, each event body hashed to its leaf (RFC 9162
 * §2.1.1; a body removed by a retention purge is allowed, its leaf still counts), the tree rebuilt from the
 * leaves and every stored hash compared with the rebuilt one, up to the checkpoint's root. A damaged hash
 * deep in the tree, which the fast check cannot see but which would give wrong inclusion proofs, is found.
 *
 * `full` also finds rows of an organization that has no `logs` row (its own check, `checkOrphans`), and recounts
 * the statistics rollups (`event_counts_hourly`, `event_counts_daily`, `actor_counts`)
 * from the event rows, grouped in SQL, and compares them with the stored counts: `events.stats` answers from
 * those, so a wrong count is a wrong statistic shown. Ingest adds every committed event to them (Custody's own
 * audit events too) in its commit transaction, bucketed by `occurred_at` rounded down (`Math.floor`, so before
 * 1970 too), and nothing else changes them: the recount covers every committed event, not only those the
 * checkpoint signs, and reads the counts and the events in one read transaction (SQLite: one snapshot;
 * Postgres: REPEATABLE READ), so commits meanwhile never show as a difference. A body removed by a retention
 * purge takes its event out of the recount but not necessarily out of the counts: where the log holds fewer
 * event rows than its size, a stored count may exceed the recount (in all by at most the events purged), but
 * never fall short of it.
 */
import { sql } from 'kysely';
import type { Kysely, SelectQueryBuilder } from 'kysely';

import type { Database } from '@custody/db';
import { MerkleAppender, bytesEqual, encodeHex, isVerificationError, openCheckpoint, readRootAsync } from '@custody/ledger';
import type { StoredHash } from '@custody/ledger';

import { DbHashReader } from './db-hash-reader';
import { nodeEd25519, nodeHasher, nodeSha256 } from './node-crypto';
import { bucketStart } from './query';

/** One organization's log, as `checkStoredLogs` found it. */
export interface TStoredLogCheck {
  readonly organizationId: string;
  /** Events in the log. */
  readonly size: number;
  /** The size the latest signed checkpoint covers, or null when none was signed yet. */
  readonly checkpointSize: number | null;
  /** Hex root of that checkpoint, as recomputed from the stored hashes. */
  readonly root: string | null;
  /** What is wrong, or null when the log checks out. */
  readonly problem: string | null;
}

export interface TStoredLogCheckOptions {
  /**
   * Read the whole log: every body, leaf and stored hash, and recount the rollups (see the module comment).
   * Default is `false`. On a SQLite file a server writes to, give `db` a read-only connection: on a writable
   * one the recount's transaction begins IMMEDIATE (the dialect's rule), which holds the writers meanwhile.
   */
  full?: boolean;
  /** With `full`: called as leaves are checked, with the organization, leaves checked and the size checked to. */
  onProgress?: (organizationId: string, checked: number, size: number) => void;
  /** With `full`: called before an organization's rollups are recounted from its events, with the log's size. */
  onRecount?: (organizationId: string, size: number) => void;
}

/** Leaves read per statement by the full check. */
const FULL_CHECK_PAGE = 5_000;

/** Checks every organization's log in `db` against its latest signed checkpoint (see the module comment). */
export async function checkStoredLogs(db: Kysely<Database>, options: TStoredLogCheckOptions = {}): Promise<TStoredLogCheck[]> {
  const vkeys = (await db.selectFrom('signing_keys').select('vkey').execute()).map((k) => k.vkey);
  const logs = await db.selectFrom('logs').select(['organization_id', 'origin']).orderBy('organization_id').execute();
  const checks: TStoredLogCheck[] = [];
  for (const log of logs) {
    const latest = await db
      .selectFrom('checkpoints')
      .select(['size', 'root', 'note'])
      .where('organization_id', '=', log.organization_id)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    // The size after the checkpoint: on a live database both only grow, so a checkpoint signed meanwhile is
    // never larger than the size read.
    const { size } = await db.selectFrom('logs').select('size').where('organization_id', '=', log.organization_id).executeTakeFirstOrThrow();
    const base = { organizationId: log.organization_id, size };
    // Recounted after the leaves: a log that does not check out still gets its rollups looked at.
    const withRollups = async (problem: string | null): Promise<string | null> => {
      if (options.full !== true) return problem;
      const rollups = await checkRollups(db, log.organization_id, options.onRecount);
      return problem === null ? rollups : rollups === null ? problem : `${problem}; ${rollups}`;
    };
    if (latest === undefined) {
      checks.push({ ...base, checkpointSize: null, root: null, problem: await withRollups(null) });
      continue;
    }
    let problem: string | null = null;
    let root: Uint8Array | null = null;
    try {
      if (latest.size > size) throw new Error(`the log holds ${size} events, fewer than its checkpoint's ${latest.size}`);
      const opened = openCheckpoint(latest.note, vkeys, { origin: log.origin, sha256: nodeSha256, ed25519: nodeEd25519 });
      if (opened.size !== BigInt(latest.size) || !bytesEqual(opened.root, latest.root)) throw new Error(`the checkpoint note does not match its stored size and root`);
      root =
        options.full === true
          ? await rebuildRoot(db, log.organization_id, latest.size, options.onProgress)
          : await readRootAsync(new DbHashReader(db, log.organization_id), BigInt(latest.size), { hasher: nodeHasher });
      if (!bytesEqual(root, opened.root)) throw new Error(`the stored tree hashes give root ${encodeHex(root)} at size ${latest.size}, not the signed ${encodeHex(opened.root)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problem = isVerificationError(error) ? `the checkpoint does not verify: ${message}` : message;
    }
    checks.push({ ...base, checkpointSize: latest.size, root: root === null ? null : encodeHex(root), problem: await withRollups(problem) });
  }
  if (options.full === true) checks.push(...(await checkOrphans(db)));
  return checks;
}

/** The tables whose rows belong to one organization's log (`organization_id`), besides `logs`. */
const LOG_TABLES = [
  'leaves',
  'tree_hashes',
  'events',
  'event_targets',
  'event_metadata',
  'idempotency_keys',
  'checkpoints',
  'event_counts_hourly',
  'event_counts_daily',
  'actor_counts',
] as const;

/**
 * Rows of an organization that has no `logs` row: no log check reaches them (it goes by `logs`), yet `events.stats`
 * and `events.list` would show them if the row came back. Each such organization is a check of its own, size 0,
 * whose problem names the tables and their rows.
 */
async function checkOrphans(db: Kysely<Database>): Promise<TStoredLogCheck[]> {
  const found = new Map<string, string[]>();
  for (const table of LOG_TABLES) {
    const rows = await db
      .selectFrom(`${table} as t` as 'events as t')
      .select((eb) => ['t.organization_id', eb.fn.countAll<number>().as('rows')])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('logs').select('logs.organization_id').whereRef('logs.organization_id', '=', 't.organization_id'))))
      .groupBy('t.organization_id')
      .orderBy('t.organization_id')
      .execute();
    for (const row of rows) {
      const n = Number(row.rows);
      let list = found.get(row.organization_id);
      if (list === undefined) found.set(row.organization_id, (list = []));
      list.push(`${table} (${n} ${n === 1 ? 'row' : 'rows'})`);
    }
  }
  return [...found]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([organizationId, tables]) => ({
      organizationId,
      size: 0,
      checkpointSize: null,
      root: null,
      problem: `rows of an organization with no log (no row in logs): ${tables.join(', ')}`,
    }));
}

/**
 * The root at `size` rebuilt from the log's leaves, checking on the way that each event body hashes to its
 * leaf, that the leaves run 0, 1, 2, … without a gap, and that every hash the tree stores for those leaves is
 * the rebuilt one. Throws with the first difference.
 */
async function rebuildRoot(db: Kysely<Database>, organizationId: string, size: number, onProgress: TStoredLogCheckOptions['onProgress']): Promise<Uint8Array> {
  const appender = new MerkleAppender({ hasher: nodeHasher });
  for (let from = 0; from < size; from += FULL_CHECK_PAGE) {
    const to = Math.min(size, from + FULL_CHECK_PAGE);
    const rows = await db
      .selectFrom('leaves')
      .leftJoin('events', (join) => join.onRef('events.organization_id', '=', 'leaves.organization_id').onRef('events.seq', '=', 'leaves.seq'))
      .select(['leaves.seq as seq', 'leaves.leaf_hash as leaf', 'events.body as body'])
      .where('leaves.organization_id', '=', organizationId)
      .where('leaves.seq', '>=', from)
      .where('leaves.seq', '<', to)
      .orderBy('leaves.seq')
      .execute();
    const built: StoredHash[] = [];
    let expected = from;
    for (const row of rows) {
      if (row.seq !== expected) throw new Error(`leaf ${expected} is missing`);
      if (row.body !== null && !bytesEqual(nodeHasher.hashLeaf(row.body), row.leaf)) throw new Error(`event ${row.seq}'s body does not hash to its leaf`);
      for (const stored of appender.append(row.leaf)) if (stored.level > 0) built.push(stored);
      expected += 1;
    }
    if (expected !== to) throw new Error(`leaf ${expected} is missing`);
    await compareStoredHashes(db, organizationId, built);
    onProgress?.(organizationId, to, size);
  }
  return appender.root();
}

/** Compares hashes rebuilt for a run of leaves with the stored ones: per level, one range read. */
async function compareStoredHashes(db: Kysely<Database>, organizationId: string, built: readonly StoredHash[]): Promise<void> {
  const byLevel = new Map<number, StoredHash[]>();
  for (const node of built) {
    let list = byLevel.get(node.level);
    if (list === undefined) byLevel.set(node.level, (list = []));
    list.push(node);
  }
  for (const [level, nodes] of byLevel) {
    const first = Number(nodes[0]?.index ?? 0n);
    const last = Number(nodes[nodes.length - 1]?.index ?? 0n);
    const stored = await db
      .selectFrom('tree_hashes')
      .select(['idx', 'hash'])
      .where('organization_id', '=', organizationId)
      .where('level', '=', level)
      .where('idx', '>=', first)
      .where('idx', '<=', last)
      .orderBy('idx')
      .execute();
    const byIndex = new Map(stored.map((row) => [row.idx, row.hash]));
    for (const node of nodes) {
      const hash = byIndex.get(Number(node.index));
      if (hash === undefined) throw new Error(`the tree hash at level ${level}, index ${node.index} is missing`);
      if (!bytesEqual(hash, node.hash)) throw new Error(`the tree hash at level ${level}, index ${node.index} is not the one its leaves give`);
    }
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Differing counts a problem names, per rollup table; the rest are counted. */
const ROLLUP_EXAMPLES = 3;

/** A rollup table: its key, how to name one of its keys, and how its rows are counted from the events. */
interface TRollup {
  readonly table: TCountTable;
  /** The key's two columns, as `a` and `b`, with the count as `stored`. */
  readonly stored: (trx: Kysely<Database>, organizationId: string) => SelectQueryBuilder<Database, TCountTable, TCountRow>;
  /** The same rows counted from the events, with the count as `recounted`. */
  readonly recounted: (trx: Kysely<Database>, organizationId: string) => SelectQueryBuilder<Database, 'events', TCountRow>;
  readonly describe: (a: number | string, b: string) => string;
}

/** The rollup tables (`TCountTable` of `@custody/db`, which does not export it). */
type TCountTable = 'event_counts_hourly' | 'event_counts_daily' | 'actor_counts';

/** One row of a rollup or of its recount: one of them is 0. */
interface TCountRow {
  a: number | string;
  b: string;
  stored: number;
  recounted: number;
}

/** The counts per organization, bucket (hour or UTC day of `occurred_at`) and action. */
function bucketRollup(table: 'event_counts_hourly' | 'event_counts_daily', size: number, unit: 'hour' | 'day'): TRollup {
  return {
    table,
    stored: (trx, organizationId) =>
      trx
        .selectFrom(table as 'event_counts_hourly')
        .where('organization_id', '=', organizationId)
        // `hour` or `day`: the two tables differ in that column's name alone.
        .select([sql.ref<number>(unit).as('a'), 'action as b', 'n as stored', sql<number>`0`.as('recounted')]),
    recounted: (trx, organizationId) => {
      // Rounded down, as ingest buckets (`Math.floor`), so before 1970 too; one expression for SELECT and GROUP BY.
      const bucket = bucketStart(sql.ref('occurred_at'), size);
      return trx
        .selectFrom('events')
        .where('organization_id', '=', organizationId)
        .select((eb) => [bucket.as('a'), 'action as b', sql<number>`0`.as('stored'), eb.fn.countAll<number>().as('recounted')])
        .groupBy([bucket, 'action']);
    },
    describe: (a, b) => `${unit} ${describeTime(Number(a), size)} action ${JSON.stringify(b)}`,
  };
}

const ROLLUPS: readonly TRollup[] = [
  bucketRollup('event_counts_hourly', HOUR_MS, 'hour'),
  bucketRollup('event_counts_daily', DAY_MS, 'day'),
  {
    table: 'actor_counts',
    stored: (trx, organizationId) =>
      trx.selectFrom('actor_counts').where('organization_id', '=', organizationId).select(['actor_type as a', 'actor_id as b', 'n as stored', sql<number>`0`.as('recounted')]),
    recounted: (trx, organizationId) =>
      trx
        .selectFrom('events')
        .where('organization_id', '=', organizationId)
        .select((eb) => ['actor_type as a', 'actor_id as b', sql<number>`0`.as('stored'), eb.fn.countAll<number>().as('recounted')])
        .groupBy(['actor_type', 'actor_id']),
    describe: (a, b) => `actor type ${JSON.stringify(a)} id ${JSON.stringify(b)}`,
  },
];

/**
 * Compares an organization's rollups with its events (see the module comment), in one read transaction:
 * per table, one grouped statement returns the first keys whose counts differ and how many differ. Returns
 * the problem, or null when every count is the recount.
 */
async function checkRollups(db: Kysely<Database>, organizationId: string, onRecount: TStoredLogCheckOptions['onRecount']): Promise<string | null> {
  // The driver's `begin` on SQLite (a snapshot at the first read, in WAL mode); REPEATABLE READ on Postgres.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const { size } = await trx.selectFrom('logs').select('size').where('organization_id', '=', organizationId).executeTakeFirstOrThrow();
      onRecount?.(organizationId, size);
      const { rows } = await trx
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('rows'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirstOrThrow();
      // Events whose bodies a retention purge removed: counted, perhaps, but no longer recountable.
      const purged = Math.max(0, size - Number(rows));
      const problems: string[] = [];
      for (const rollup of ROLLUPS) {
        const differences = await trx
          .selectFrom(rollup.stored(trx, organizationId).unionAll(rollup.recounted(trx, organizationId)).as('c'))
          .select((eb) => [
            'c.a',
            'c.b',
            eb.fn.sum<number>('c.stored').as('stored'),
            eb.fn.sum<number>('c.recounted').as('recounted'),
            // Over the keys left after HAVING, before LIMIT: how many differ in all.
            eb.fn.countAll<number>().over().as('differing'),
          ])
          .groupBy(['c.a', 'c.b'])
          .having((eb) => eb(eb.fn.sum('c.stored'), purged === 0 ? '<>' : '<', eb.fn.sum('c.recounted')))
          .orderBy('c.a')
          .orderBy('c.b')
          .limit(ROLLUP_EXAMPLES)
          .execute();
        const first = differences[0];
        if (first !== undefined) {
          const differing = Number(first.differing);
          const examples = differences.map((d) => `${rollup.describe(d.a, d.b)}: stored ${Number(d.stored)}, recounted ${Number(d.recounted)}`);
          if (differing > examples.length) examples.push(`and ${differing - examples.length} more`);
          problems.push(`${rollup.table}: ${differing} ${differing === 1 ? 'count differs' : 'counts differ'} (${examples.join('; ')})`);
        } else if (purged > 0) {
          // Each stored count is at least its recount; in all they may exceed it by the purged events at most.
          const total = await trx
            .selectFrom(rollup.table as 'event_counts_hourly')
            .select((eb) => eb.fn.sum<number | null>('n').as('n'))
            .where('organization_id', '=', organizationId)
            .executeTakeFirst();
          const counted = Number(total?.n ?? 0);
          if (counted > size) problems.push(`${rollup.table}: counts ${counted} events in all, more than the log's ${size}`);
        }
      }
      return problems.length === 0 ? null : `the statistics rollups do not match the events: ${problems.join('; ')}`;
    });
}

/** A bucket's start as ISO 8601 (a day's as its date alone), or the number when no date can show it. */
function describeTime(ms: number, size: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms);
  const iso = new Date(ms).toISOString();
  return size === DAY_MS && ms % DAY_MS === 0 ? iso.slice(0, 10) : iso;
}
