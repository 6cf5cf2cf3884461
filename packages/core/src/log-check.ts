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
 */
import type { Kysely } from 'kysely';

import type { Database } from '@custody/db';
import { MerkleAppender, bytesEqual, encodeHex, isVerificationError, openCheckpoint, readRootAsync } from '@custody/ledger';
import type { StoredHash } from '@custody/ledger';

import { DbHashReader } from './db-hash-reader';
import { nodeEd25519, nodeHasher, nodeSha256 } from './node-crypto';

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
  /** Read the whole log: every body, leaf and stored hash (see the module comment). Default is `false`. */
  full?: boolean;
  /** With `full`: called as leaves are checked, with the organization, leaves checked and the size checked to. */
  onProgress?: (organizationId: string, checked: number, size: number) => void;
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
    if (latest === undefined) {
      checks.push({ ...base, checkpointSize: null, root: null, problem: null });
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
    checks.push({ ...base, checkpointSize: latest.size, root: root === null ? null : encodeHex(root), problem });
  }
  return checks;
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
