/**
 * Ingest: validate → canonicalize → append → commit.
 *
 * `Ingestor` is the front half: it validates each submitted event against the schema and the
 * organization's action registry and hashes idempotent requests, in the thread that parses HTTP
 * requests. The commit half (`TLogCommitter`: group commit, the Merkle tree, the inserts) runs in the
 * same thread (`LogWriter`) or in a worker thread with its own connection (`LogWriterThread`).
 */
import type { Kysely } from 'kysely';

import type { Database } from '@custody/db';
import { compileActionRegistry, validateEvent } from '@custody/schema';
import type { ActionRegistry } from '@custody/schema';

import { AppError, isAppError } from './errors';
import { prepareEvent } from './log-writer';
import type { TCommitInfo, TIngestResult, TLogCommitter, TLogWriterOptions, TPreparedEvent } from './log-writer';

export { prepareEvent } from './log-writer';
export type { TCommitInfo, TIngestResult, TLogCommitter, TPreparedEvent } from './log-writer';

/** Maximum events per `ingest` call (one request). */
export const MAX_BATCH_EVENTS = 1_000;

export interface TIngestOptions extends TLogWriterOptions {
  /** How long an organization's registry is cached. Default is 5 s. */
  registryCacheMs?: number;
  /**
   * Commit in a worker thread with its own connection, where the database allows it (a SQLite file):
   * the inserts and each commit's fsync then run beside request parsing and validation instead of
   * between them. Default is `true`.
   */
  writerThread?: boolean;
}

/** The ingest service. One per process; `committer` owns the group-commit queue. */
export class Ingestor {
  readonly #db: Kysely<Database>;
  readonly #committer: TLogCommitter;
  #storageFullAt: number | null = null;
  readonly #registryCacheMs: number;
  readonly #registries = new Map<string, { registry: ActionRegistry | undefined; at: number }>();
  readonly #appendListeners = new Set<(organizationId: string, size: number) => void>();
  readonly #commitListeners = new Set<(info: TCommitInfo) => void>();
  #closed = false;

  constructor(db: Kysely<Database>, committer: TLogCommitter, options: Pick<TIngestOptions, 'registryCacheMs'> = {}) {
    this.#db = db;
    this.#committer = committer;
    this.#registryCacheMs = options.registryCacheMs ?? 5_000;
    committer.onCommitted((info, sizes) => {
      for (const listener of this.#commitListeners) listener(info);
      for (const [organizationId, size] of sizes) for (const listener of this.#appendListeners) listener(organizationId, size);
    });
  }

  /** Subscribes to commits: `listener(organizationId, newSize)` after each commit. Returns an unsubscribe. */
  onAppend(listener: (organizationId: string, size: number) => void): () => void {
    this.#appendListeners.add(listener);
    return () => this.#appendListeners.delete(listener);
  }

  /** Subscribes to commit statistics. Returns an unsubscribe. */
  onCommitted(listener: (info: TCommitInfo) => void): () => void {
    this.#commitListeners.add(listener);
    return () => this.#commitListeners.delete(listener);
  }

  /** Forgets the cached registry of an organization (after it changes). */
  invalidateRegistry(organizationId: string): void {
    this.#registries.delete(organizationId);
  }

  /**
   * Validates and commits `inputs` to the organization's log. Returns one result per input, in order:
   * good events are committed even when others in the batch are rejected. Rejects the whole call only
   * when nothing could be committed (NOT_FOUND organization, UNAVAILABLE database or shutdown); no
   * event of such a call was acknowledged, so the caller may retry it. `system`: Custody's own events
   * (e.g. `custody.export.completed`), which the organization's action registry does not govern.
   */
  async ingest(organizationId: string, inputs: readonly unknown[], options: { system?: boolean } = {}): Promise<TIngestResult[]> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the server is shutting down');
    if (inputs.length > MAX_BATCH_EVENTS) {
      throw new AppError('PAYLOAD_TOO_LARGE', `a batch holds at most ${MAX_BATCH_EVENTS} events, got ${inputs.length}`);
    }
    // Custody's own events (exports) are not subject to the organization's registry, but an unknown
    // organization is still NOT_FOUND.
    const found = await this.#registryOf(organizationId);
    const registry = options.system === true ? undefined : found;
    const results: TIngestResult[] = new Array<TIngestResult>(inputs.length);
    const prepared: TPreparedEvent[] = [];
    inputs.forEach((raw, position) => {
      const result = validateEvent(raw, registry === undefined ? {} : { registry });
      if (!result.ok) {
        results[position] = {
          status: 'rejected',
          code: 'VALIDATION_FAILED',
          message: result.issues.map((i) => i.message).join('; '),
          issues: result.issues,
        };
        return;
      }
      prepared.push(prepareEvent(result.event, position));
    });
    if (prepared.length > 0) {
      let committed: Map<number, TIngestResult>;
      try {
        committed = await this.#committer.append(organizationId, prepared);
      } catch (error) {
        if (isAppError(error) && error.details?.storageFull === true) this.#storageFullAt = Date.now();
        throw error;
      }
      this.#storageFullAt = null;
      for (const [position, result] of committed) results[position] = result;
    }
    return results;
  }

  /**
   * When (`Date.now()`) a commit last failed for lack of room in the database (`details.storageFull`), or `null`
   * when none did since the last commit that succeeded (`/readyz`).
   */
  storageFullAt(): number | null {
    return this.#storageFullAt;
  }

  /** How long, in ms, the oldest write not yet answered has waited for the database (`TLogCommitter.oldestWaitMs`). */
  oldestWriteWaitMs(): number {
    return this.#committer.oldestWaitMs();
  }

  /** Waits until every queued request is committed or failed, then refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#committer.close();
  }

  async #registryOf(organizationId: string): Promise<ActionRegistry | undefined> {
    const now = Date.now();
    const cached = this.#registries.get(organizationId);
    if (cached !== undefined && now - cached.at < this.#registryCacheMs) return cached.registry;
    const row = await this.#db.selectFrom('organizations').select('action_registry').where('id', '=', organizationId).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" not found`);
    let registry: ActionRegistry | undefined;
    if (row.action_registry !== null) {
      const compiled = compileActionRegistry(JSON.parse(row.action_registry));
      if (!compiled.ok) throw new AppError('INTERNAL', `stored action registry of "${organizationId}" is invalid`);
      registry = compiled.registry;
    }
    this.#registries.set(organizationId, { registry, at: now });
    return registry;
  }
}
