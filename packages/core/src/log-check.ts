/**
 * `checkStoredLogs`: does a database (a backup, say) still hold every organization's log as its latest
 * signed checkpoint describes it?
 *
 * For each organization: the latest checkpoint's note must open with one of the keys the database
 * publishes (`signing_keys`) for the log's origin, name the root stored beside it, and the root
 * recomputed from the stored tree hashes at its size (RFC 9162 §2.1.1, through `DbHashReader`) must be
 * that root. A log that outgrew its latest checkpoint is checked up to the checkpoint: the events after
 * it are not signed for yet. The event bodies are not hashed here (`custody export` and the viewer check
 * those against their leaves); this is the fast check that a copy is whole.
 */
import type { Kysely } from 'kysely';

import type { Database } from '@custody/db';
import { bytesEqual, encodeHex, isVerificationError, openCheckpoint, readRootAsync } from '@custody/ledger';

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

/** Checks every organization's log in `db` against its latest signed checkpoint (see the module comment). */
export async function checkStoredLogs(db: Kysely<Database>): Promise<TStoredLogCheck[]> {
  const vkeys = (await db.selectFrom('signing_keys').select('vkey').execute()).map((k) => k.vkey);
  const logs = await db.selectFrom('logs').select(['organization_id', 'origin', 'size']).orderBy('organization_id').execute();
  const checks: TStoredLogCheck[] = [];
  for (const log of logs) {
    const latest = await db
      .selectFrom('checkpoints')
      .select(['size', 'root', 'note'])
      .where('organization_id', '=', log.organization_id)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    const base = { organizationId: log.organization_id, size: log.size };
    if (latest === undefined) {
      checks.push({ ...base, checkpointSize: null, root: null, problem: null });
      continue;
    }
    let problem: string | null = null;
    let root: Uint8Array | null = null;
    try {
      if (latest.size > log.size) throw new Error(`the log holds ${log.size} events, fewer than its checkpoint's ${latest.size}`);
      const opened = openCheckpoint(latest.note, vkeys, { origin: log.origin, sha256: nodeSha256, ed25519: nodeEd25519 });
      if (opened.size !== BigInt(latest.size) || !bytesEqual(opened.root, latest.root)) throw new Error(`the checkpoint note does not match its stored size and root`);
      root = await readRootAsync(new DbHashReader(db, log.organization_id), BigInt(latest.size), { hasher: nodeHasher });
      if (!bytesEqual(root, opened.root)) throw new Error(`the stored tree hashes give root ${encodeHex(root)} at size ${latest.size}, not the signed ${encodeHex(opened.root)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problem = isVerificationError(error) ? `the checkpoint does not verify: ${message}` : message;
    }
    checks.push({ ...base, checkpointSize: latest.size, root: root === null ? null : encodeHex(root), problem });
  }
  return checks;
}
