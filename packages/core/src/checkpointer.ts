/**
 * Signs each organization's checkpoints: at most once a second while events arrive, and on demand.
 *
 * Invariants (C2SP tlog-checkpoint; verifiable-log.md §9 item 3):
 * - a checkpoint is signed only after a consistency proof from the previous checkpoint to it has
 *   been generated from the stored hashes and verified;
 * - each checkpoint names the SHA-256 of its predecessor's body (`prev` line): a hash chain;
 * - never two checkpoints of one size: `(organization_id, size)` is the primary key, and a signer that
 *   loses the race to another process reads the winner's row instead;
 * - the chain cannot fork: `(organization_id, prev_body_hash)` is unique.
 */
import type { Kysely, Transaction } from 'kysely';

import type { CustodyDialect, Database, TCheckpointRow } from '@custody/db';
import { isUniqueViolation } from '@custody/db';
import { checkpointBodyHash, proveConsistencyAsync, readRootAsync, signCheckpoint, verifyCheckpointConsistent } from '@custody/ledger';

import { DbHashReader } from './db-hash-reader';
import { AppError } from './errors';
import { nodeEd25519, nodeHasher, nodeSha256 } from './node-crypto';
import type { TSigningKey } from './signing-keys';

export interface TCheckpointerOptions {
  /** Minimum time between two checkpoints of one organization while events arrive. Default is 1,000 ms. */
  intervalMs?: number;
  /** Reports a failed background checkpoint (the next tick retries). */
  onError?: (error: unknown, organizationId: string) => void;
  /** Reports each signed checkpoint (metrics, logs). */
  onSigned?: (row: TCheckpointRow) => void;
  /**
   * Signs on another connection instead of a transaction on this one: the SQLite ingest writer thread's
   * (`LogWriterThread.checkpoint`), which holds the write lock between its commits, so that a signing never
   * waits for the lock in this thread. `signed`: that call signed the row (else it existed). `null`: sign here.
   */
  signElsewhere?: (organizationId: string) => Promise<{ row: TCheckpointRow; signed: boolean }> | null;
}

export class Checkpointer {
  readonly #db: Kysely<Database>;
  readonly #dialect: CustodyDialect;
  readonly #key: TSigningKey;
  readonly #options: TCheckpointerOptions;
  readonly #dirty = new Set<string>();
  readonly #inFlight = new Map<string, Promise<TCheckpointRow>>();
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;

  constructor(db: Kysely<Database>, dialect: CustodyDialect, key: TSigningKey, options: TCheckpointerOptions = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#key = key;
    this.#options = options;
  }

  /** Notes that an organization's log grew; the next tick signs a checkpoint for it. */
  markDirty(organizationId: string): void {
    this.#dirty.add(organizationId);
  }

  /** Starts the background loop, first marking every log with events past its last checkpoint. */
  async start(): Promise<void> {
    const behind = await this.#db
      .selectFrom('logs')
      .leftJoin(
        (eb) => eb.selectFrom('checkpoints').select(['organization_id', (e) => e.fn.max('size').as('max_size')]).groupBy('organization_id').as('c'),
        (join) => join.onRef('c.organization_id', '=', 'logs.organization_id'),
      )
      .select(['logs.organization_id', 'logs.size', 'c.max_size'])
      .execute();
    for (const row of behind) {
      if (row.max_size === null || Number(row.max_size) < row.size) this.#dirty.add(row.organization_id);
    }
    const intervalMs = this.#options.intervalMs ?? 1_000;
    this.#timer = setInterval(() => {
      if (this.#tick === null) this.#tick = this.#runTick().finally(() => (this.#tick = null));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the loop and signs a last checkpoint for every log that grew. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#tick !== null) await this.#tick;
    await this.#runTick();
  }

  async #runTick(): Promise<void> {
    const orgs = [...this.#dirty];
    this.#dirty.clear();
    for (const organizationId of orgs) {
      try {
        await this.checkpoint(organizationId);
      } catch (error) {
        this.#dirty.add(organizationId);
        this.#options.onError?.(error, organizationId);
      }
    }
  }

  /**
   * Signs a checkpoint for the log's committed size if none exists yet, and returns the latest
   * checkpoint. Concurrent calls for one organization share one signing.
   */
  checkpoint(organizationId: string): Promise<TCheckpointRow> {
    let running = this.#inFlight.get(organizationId);
    if (running === undefined) {
      const elsewhere = this.#options.signElsewhere?.(organizationId) ?? null;
      const signing =
        elsewhere === null
          ? this.#db
              .transaction()
              .execute((trx) => this.#sign(trx, organizationId))
              .catch(async (error: unknown) => {
                // Another process signed this size first: its checkpoint is the answer.
                if (isUniqueViolation(error)) return this.latest(organizationId);
                throw error;
              })
          : elsewhere.then(({ row, signed }) => {
              if (signed) this.#options.onSigned?.(row);
              return row;
            });
      running = signing.finally(() => this.#inFlight.delete(organizationId));
      this.#inFlight.set(organizationId, running);
    }
    return running;
  }

  /** The latest checkpoint of an organization, or NOT_FOUND if it has none. */
  async latest(organizationId: string, db: Kysely<Database> = this.#db): Promise<TCheckpointRow> {
    const row = await db.selectFrom('checkpoints').selectAll().where('organization_id', '=', organizationId).orderBy('size', 'desc').limit(1).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" has no checkpoint`);
    return row;
  }

  async #sign(trx: Transaction<Database>, organizationId: string): Promise<TCheckpointRow> {
    await this.#dialect.lockLog(trx, organizationId);
    const log = await trx.selectFrom('logs').select(['size', 'origin']).where('organization_id', '=', organizationId).executeTakeFirst();
    if (log === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" not found`);
    const previous = await trx
      .selectFrom('checkpoints')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (previous !== undefined && previous.size === log.size) return previous;
    if (previous !== undefined && previous.size > log.size) {
      throw new AppError('INTERNAL', `log of "${organizationId}" has size ${log.size} below its checkpoint of size ${previous.size}`);
    }

    const reader = new DbHashReader(trx, organizationId);
    const size = BigInt(log.size);
    const root = await readRootAsync(reader, size, { hasher: nodeHasher });
    if (previous !== undefined) {
      // Never sign a tree head that does not extend the previous one.
      // From size 0 there is nothing to prove (RFC 9162 §2.1.4): the empty proof and the empty root.
      const proof = previous.size === 0 ? [] : await proveConsistencyAsync(reader, BigInt(previous.size), size, { hasher: nodeHasher });
      try {
        verifyCheckpointConsistent({ size: BigInt(previous.size), root: previous.root }, { size, root }, proof, { hasher: nodeHasher });
      } catch (cause) {
        throw new AppError('INTERNAL', `refusing to sign: size ${size} of "${organizationId}" is not consistent with its checkpoint of size ${previous.size}`, { cause });
      }
    }
    const note = signCheckpoint(
      { origin: log.origin, size, root, ...(previous === undefined ? {} : { prev: previous.body_hash }) },
      this.#key.skey,
      { sha256: nodeSha256, ed25519: nodeEd25519 },
    );
    const row: TCheckpointRow = {
      organization_id: organizationId,
      size: log.size,
      root,
      note,
      body_hash: checkpointBodyHash(note, { sha256: nodeSha256 }),
      prev_body_hash: previous?.body_hash ?? null,
      key_id: this.#key.keyId,
      created_at: Date.now(),
    };
    await trx.insertInto('checkpoints').values(row).execute();
    this.#options.onSigned?.(row);
    return row;
  }
}
