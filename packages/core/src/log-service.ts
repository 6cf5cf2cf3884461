/**
 * Reading the verifiable log: checkpoints, inclusion and consistency proofs, and the exact leaf bytes.
 * Every proof is planned by the ledger, read from the database in one query per table, and
 * assembled; sizes always come from signed checkpoints (verifiable-log.md §8 item 1).
 */
import type { Kysely } from 'kysely';

import type { Database, TCheckpointRow } from '@custody/db';
import { encodeBase64, proveConsistencyAsync, proveInclusionAsync } from '@custody/ledger';

import type { Checkpointer } from './checkpointer';
import { DbHashReader } from './db-hash-reader';
import { AppError } from './errors';
import { nodeHasher } from './node-crypto';

/** A signed checkpoint as the API returns it. */
export interface TCheckpoint {
  organizationId: string;
  size: number;
  /** Base64 root hash. */
  root: string;
  /** The verbatim C2SP signed note. */
  note: string;
  /** Base64 SHA-256 of the note body (what the next checkpoint's `prev` line names). */
  bodyHash: string;
  /** Base64 `bodyHash` of the previous checkpoint, or null for the first. */
  prevBodyHash: string | null;
  keyId: string;
  createdAt: string;
}

export interface TInclusionProof {
  seq: number;
  size: number;
  /** Base64 SHA-256(0x00 ‖ leaf bytes). */
  leafHash: string;
  /** Base64 hashes, the leaf's sibling first (RFC 9162 §2.1.3.1). */
  proof: string[];
  /** The checkpoint of `size` the proof verifies against. */
  checkpoint: TCheckpoint;
}

export interface TConsistencyProof {
  from: number;
  to: number;
  /** Base64 hashes (RFC 9162 §2.1.4.1). */
  proof: string[];
}

export interface TLogEntry {
  seq: number;
  leafHash: string;
  /** Base64 of the exact canonical bytes, or null when retention removed the body. */
  bytes: string | null;
  /** The same bytes as text (they are UTF-8 JSON), or null. */
  text: string | null;
}

export function toCheckpoint(row: TCheckpointRow): TCheckpoint {
  return {
    organizationId: row.organization_id,
    size: row.size,
    root: encodeBase64(row.root),
    note: row.note,
    bodyHash: encodeBase64(row.body_hash),
    prevBodyHash: row.prev_body_hash === null ? null : encodeBase64(row.prev_body_hash),
    keyId: row.key_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function requireNonNegative(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new AppError('BAD_REQUEST', `${what} must be a non-negative integer`);
}

export class LogService {
  readonly #db: Kysely<Database>;
  readonly #checkpointer: Checkpointer;

  constructor(db: Kysely<Database>, checkpointer: Checkpointer) {
    this.#db = db;
    this.#checkpointer = checkpointer;
  }

  /** The latest checkpoint (signing one first if the log grew and none covers it yet, when `fresh`). */
  async latestCheckpoint(organizationId: string, options: { fresh?: boolean } = {}): Promise<TCheckpoint> {
    await this.#requireOrganization(organizationId);
    const row = options.fresh === true ? await this.#checkpointer.checkpoint(organizationId) : await this.#checkpointer.latest(organizationId);
    return toCheckpoint(row);
  }

  /** The checkpoint signed at exactly `size`; NOT_FOUND if none was. */
  async checkpointAt(organizationId: string, size: number): Promise<TCheckpoint> {
    requireNonNegative(size, 'size');
    await this.#requireOrganization(organizationId);
    const row = await this.#db.selectFrom('checkpoints').selectAll().where('organization_id', '=', organizationId).where('size', '=', size).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `no checkpoint of size ${size} for organization "${organizationId}"`);
    return toCheckpoint(row);
  }

  /** Checkpoints in a size range, oldest first unless `order` is `desc` (at most `limit`, default 100). */
  async listCheckpoints(
    organizationId: string,
    range: { fromSize?: number; toSize?: number; limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<TCheckpoint[]> {
    await this.#requireOrganization(organizationId);
    let q = this.#db
      .selectFrom('checkpoints')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('size', range.order ?? 'asc')
      .limit(Math.min(range.limit ?? 100, 1000));
    if (range.fromSize !== undefined) q = q.where('size', '>=', range.fromSize);
    if (range.toSize !== undefined) q = q.where('size', '<=', range.toSize);
    return (await q.execute()).map(toCheckpoint);
  }

  /**
   * Inclusion proof of event `seq` against the checkpoint of `size` (default: the latest; if `seq` is
   * past it, a new checkpoint is signed first).
   */
  async inclusionProof(organizationId: string, seq: number, size?: number): Promise<TInclusionProof> {
    requireNonNegative(seq, 'seq');
    let checkpoint: TCheckpoint;
    if (size === undefined) {
      checkpoint = await this.latestCheckpoint(organizationId);
      if (seq >= checkpoint.size) checkpoint = await this.latestCheckpoint(organizationId, { fresh: true });
    } else {
      checkpoint = await this.checkpointAt(organizationId, size);
    }
    if (seq >= checkpoint.size) {
      throw new AppError('NOT_FOUND', `event ${seq} is not in the log of "${organizationId}" at size ${checkpoint.size}`);
    }
    const reader = new DbHashReader(this.#db, organizationId);
    const [leafHash] = await reader.readHashes([{ level: 0, index: BigInt(seq) }]);
    if (leafHash === undefined) throw new AppError('INTERNAL', `leaf ${seq} of "${organizationId}" is missing`);
    const proof = await proveInclusionAsync(reader, BigInt(seq), BigInt(checkpoint.size), { hasher: nodeHasher });
    return { seq, size: checkpoint.size, leafHash: encodeBase64(leafHash), proof: proof.map(encodeBase64), checkpoint };
  }

  /** Consistency proof between two sizes of the log (both at most its latest checkpoint's size). */
  async consistencyProof(organizationId: string, from: number, to: number): Promise<TConsistencyProof> {
    requireNonNegative(from, 'from');
    requireNonNegative(to, 'to');
    if (from > to) throw new AppError('BAD_REQUEST', `from (${from}) must not exceed to (${to})`);
    const latest = await this.latestCheckpoint(organizationId);
    if (to > latest.size) throw new AppError('NOT_FOUND', `size ${to} is past the latest checkpoint (${latest.size})`);
    if (from === 0 || from === to) return { from, to, proof: [] };
    const proof = await proveConsistencyAsync(new DbHashReader(this.#db, organizationId), BigInt(from), BigInt(to), { hasher: nodeHasher });
    return { from, to, proof: proof.map(encodeBase64) };
  }

  /** The exact canonical bytes of event `seq` and its leaf hash. */
  async entry(organizationId: string, seq: number): Promise<TLogEntry> {
    requireNonNegative(seq, 'seq');
    await this.#requireOrganization(organizationId);
    const leaf = await this.#db.selectFrom('leaves').select('leaf_hash').where('organization_id', '=', organizationId).where('seq', '=', seq).executeTakeFirst();
    if (leaf === undefined) throw new AppError('NOT_FOUND', `no event ${seq} in the log of "${organizationId}"`);
    const body = await this.#db.selectFrom('events').select('body').where('organization_id', '=', organizationId).where('seq', '=', seq).executeTakeFirst();
    return {
      seq,
      leafHash: encodeBase64(leaf.leaf_hash),
      bytes: body === undefined ? null : encodeBase64(body.body),
      text: body === undefined ? null : new TextDecoder().decode(body.body),
    };
  }

  async #requireOrganization(organizationId: string): Promise<void> {
    const row = await this.#db.selectFrom('logs').select('organization_id').where('organization_id', '=', organizationId).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" not found`);
  }
}
