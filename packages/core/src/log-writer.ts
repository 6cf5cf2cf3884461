/**
 * The log writer: the commit half of ingest, with group commit.
 *
 * An event is acknowledged only after the transaction holding its canonical bytes, its leaf, the
 * tree's new stored hashes and the log's new size has committed. Requests that arrive while a
 * transaction runs wait in a queue and are committed together in the next one, so many concurrent
 * single-event calls cost one transaction (and one fsync) between them.
 *
 * A process killed at any moment therefore loses nothing it acknowledged, and the log it leaves is
 * consistent: the size row, the leaves and the stored hashes move together.
 *
 * A group commit that fails is tried again one request at a time, so a request the database refuses
 * (or one for an organization that is gone) fails alone and never takes other callers' events with it.
 *
 * `LogWriter` runs on whatever connection it is given: in the server's main thread (Postgres, and
 * SQLite in memory), or in a worker thread of its own on SQLite files (`LogWriterThread`), where the
 * inserts and the commit's fsync no longer stall the thread that parses and validates requests.
 */
import { createHash } from 'node:crypto';

import type { Kysely, Transaction } from 'kysely';

import { isStorageFull } from '@custody/db';
import type { CustodyDialect, Database, TNewEventRow, TSearchDocument } from '@custody/db';
import { MerkleAppender, readFrontierAsync } from '@custody/ledger';
import type { StoredHash } from '@custody/ledger';
import { canonicalEventText, fillLoggedEvent, generateSalt, generateUuidV7, ipSortKey, loggedEventTemplate, searchTextOf } from '@custody/schema';
import type { TEventInput, TLoggedEventTemplate, TValidationIssue } from '@custody/schema';

import { DbHashReader } from './db-hash-reader';
import { AppError } from './errors';
import { nodeHasher } from './node-crypto';

/** What happened to one submitted event. */
export type TIngestResult =
  | {
      readonly status: 'accepted';
      readonly id: string;
      readonly seq: number;
      /** True when an earlier event with the same idempotency key and body is returned instead. */
      readonly replayed: boolean;
    }
  | {
      readonly status: 'rejected';
      readonly code: 'VALIDATION_FAILED' | 'IDEMPOTENCY_CONFLICT';
      readonly message: string;
      readonly issues: readonly TValidationIssue[];
    };

/** What each commit reports to `onCommitted` listeners (metrics). */
export interface TCommitInfo {
  /** Events submitted in the transaction (accepted, replayed or conflicting). */
  events: number;
  /** Events the transaction appended to logs: accepted and not replayed. */
  appended: number;
  organizations: readonly string[];
  durationMs: number;
}

/**
 * A validated event waiting to be committed, with everything its input fixes already computed
 * (`prepareEvent`, in the thread that parses requests): the commit only adds `seq`, `id`,
 * `received_at` and `salt`, hashes, and inserts. Plain data, so it crosses to the writer thread as is.
 */
export interface TPreparedEvent {
  /** Index in the caller's batch. */
  readonly position: number;
  readonly idempotencyKey: string | null;
  /** Hex SHA-256 of the canonical normalized input, when it has an idempotency key. */
  readonly requestHash: string | null;
  /** The canonical logged event without its server fields. */
  readonly template: TLoggedEventTemplate;
  readonly action: string;
  readonly actorType: string;
  readonly actorId: string;
  readonly actorName: string | null;
  /** `occurred_at` in Unix milliseconds. */
  readonly occurredAt: number;
  readonly ip: string;
  readonly ipKey: string;
  readonly targets: readonly { readonly type: string; readonly id: string }[];
  /** Metadata values as stored for the key = value filter (strings as is, others as JSON). */
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
  /** The full-text document (`searchTextOf`). */
  readonly searchText: string;
}

/** Prepares an event `validateEvent` accepted for `LogWriter` (throws for any other object). */
export function prepareEvent(input: TEventInput, position: number): TPreparedEvent {
  return {
    position,
    idempotencyKey: input.idempotency_key ?? null,
    requestHash: input.idempotency_key === undefined ? null : sha256Hex(canonicalEventText(input)),
    template: loggedEventTemplate(input),
    action: input.action,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorName: input.actor.name ?? null,
    occurredAt: Date.parse(input.occurred_at),
    ip: input.context.location,
    ipKey: ipSortKey(input.context.location),
    targets: input.targets.map((t) => ({ type: t.type, id: t.id })),
    metadata: Object.entries(input.metadata ?? {}).map(([key, value]) => ({ key, value: metadataValueText(value) })),
    searchText: searchTextOf(input),
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The commit half of ingest, as `Ingestor` uses it: in this thread or in a worker thread. */
export interface TLogCommitter {
  /**
   * Commits `events` to the organization's log (in a group commit with other callers) and resolves with
   * each event's result by position, once the transaction has committed. Rejects with an `AppError`
   * (NOT_FOUND organization, UNAVAILABLE database) when nothing of the call was committed; another
   * caller's failing request in the same group commit never fails this one.
   */
  append(organizationId: string, events: readonly TPreparedEvent[]): Promise<Map<number, TIngestResult>>;
  /** Subscribes to commits: after each, its statistics and each touched log's new size. Returns an unsubscribe. */
  onCommitted(listener: (info: TCommitInfo, sizes: ReadonlyMap<string, number>) => void): () => void;
  /**
   * How long, in ms, the oldest request not yet answered has waited (0 when none): a commit held by a lock another
   * process keeps, or by a database that stopped answering, shows here before any deadline passes (`/readyz`).
   */
  oldestWaitMs(): number;
  /** Commits everything queued, then refuses new calls. */
  close(): Promise<void>;
}

export interface TLogWriterOptions {
  /** Most events committed in one transaction. Default is 5,000. */
  maxEventsPerCommit?: number;
  /**
   * How long, in ms, a request may wait for its commit before it is answered UNAVAILABLE; 0 (the default)
   * waits for as long as the database takes. A request still queued at its deadline is taken out of the
   * queue and never stored (`details.stored: false`, {@link notTakenError}); one whose transaction is under
   * way cannot be taken back, so its answer says that its events may be stored (`details.stored: 'unknown'`,
   * {@link unconfirmedError}), and a retry with the same idempotency keys answers with what was stored.
   * Without it, a database that stops answering without closing its connections (a frozen host, a network
   * that drops packets) held every ingest request until it came back.
   */
  commitTimeoutMs?: number;
}

/** The answer to a request whose commit deadline passed while it waited in the queue: nothing was stored. */
function notTakenError(timeoutMs: number): AppError {
  return new AppError('UNAVAILABLE', `the database did not take the events within the ingest time limit (${timeoutMs} ms); nothing was stored, retry`, {
    details: { stored: false },
  });
}

/** The answer to a request whose commit deadline passed while its transaction ran: its events may be stored. */
export function unconfirmedError(timeoutMs: number): AppError {
  return new AppError(
    'UNAVAILABLE',
    `the database has not confirmed the commit within the ingest time limit (${timeoutMs} ms); the events may have been stored: ` +
      'retry with the same idempotency keys, which answer with the stored events',
    { details: { stored: 'unknown' } },
  );
}

interface TPendingRequest {
  readonly organizationId: string;
  readonly events: readonly TPreparedEvent[];
  readonly resolve: (results: Map<number, TIngestResult>) => void;
  readonly reject: (error: unknown) => void;
  /** `performance.now()` when it was queued: its commit deadline runs from here. */
  readonly since: number;
}

interface TRowBatch {
  events: TNewEventRow[];
  leaves: { organization_id: string; seq: number; leaf_hash: Uint8Array }[];
  treeHashes: { organization_id: string; level: number; idx: number; hash: Uint8Array }[];
  targets: { organization_id: string; seq: number; position: number; type: string; id: string }[];
  metadata: { organization_id: string; seq: number; key: string; value: string }[];
  idempotency: { organization_id: string; key: string; seq: number; event_id: string; request_hash: string }[];
  search: TSearchDocument[];
  /** Counts to add to the rollups: `hour\u0000action` and `day\u0000action` → n, and JSON `[type, id]` → n. */
  hourly: Map<string, number>;
  daily: Map<string, number>;
  actors: Map<string, number>;
}

/** Ids per `IN (…)` lookup. */
const INSERT_CHUNK = 400;

function metadataValueText(value: string | number | boolean | null): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Group commit on one connection. Keeps a cache of each log's right edge (its frontier), checked
 * against the committed size inside every transaction, so that several processes can share one
 * Postgres database.
 */
export class LogWriter implements TLogCommitter {
  readonly #db: Kysely<Database>;
  readonly #dialect: CustodyDialect;
  readonly #maxEventsPerCommit: number;
  readonly #listeners = new Set<(info: TCommitInfo, sizes: ReadonlyMap<string, number>) => void>();
  readonly #queue: TPendingRequest[] = [];
  readonly #appenders = new Map<string, MerkleAppender>();
  readonly #commitTimeoutMs: number;
  /** The requests of the transaction under way not yet answered for being late. */
  readonly #inFlight = new Set<TPendingRequest>();
  /** When the oldest request of the transaction under way was queued; `undefined` between transactions. */
  #committingSince: number | undefined;
  /** Answers late requests while any is queued or in flight (with a commit deadline only). */
  #deadlines: ReturnType<typeof setInterval> | undefined;
  #draining: Promise<void> | null = null;
  #closed = false;

  constructor(db: Kysely<Database>, dialect: CustodyDialect, options: TLogWriterOptions = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#maxEventsPerCommit = options.maxEventsPerCommit ?? 5_000;
    this.#commitTimeoutMs = options.commitTimeoutMs ?? 0;
  }

  onCommitted(listener: (info: TCommitInfo, sizes: ReadonlyMap<string, number>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  append(organizationId: string, events: readonly TPreparedEvent[]): Promise<Map<number, TIngestResult>> {
    if (this.#closed) return Promise.reject(new AppError('UNAVAILABLE', 'the server is shutting down'));
    return new Promise<Map<number, TIngestResult>>((resolve, reject) => {
      this.#queue.push({ organizationId, events, resolve, reject, since: performance.now() });
      this.#watchDeadlines();
      this.#kick();
    });
  }

  oldestWaitMs(): number {
    const since = Math.min(this.#committingSince ?? Infinity, this.#queue[0]?.since ?? Infinity);
    return since === Infinity ? 0 : performance.now() - since;
  }

  #watchDeadlines(): void {
    if (this.#commitTimeoutMs === 0 || this.#deadlines !== undefined) return;
    // One timer for all requests rather than one each (the single-event path makes thousands a second): a
    // request is answered within a quarter of the limit (at most a second) after its deadline.
    this.#deadlines = setInterval(() => this.#answerLate(), Math.min(1_000, Math.max(5, this.#commitTimeoutMs / 4)));
    this.#deadlines.unref();
  }

  /** Answers the requests past their deadline: queued ones are taken out (never stored), in-flight ones told it is unknown. */
  #answerLate(): void {
    const late = performance.now() - this.#commitTimeoutMs;
    // The queue is in arrival order: the late requests are at its head.
    while (this.#queue.length > 0 && (this.#queue[0]?.since ?? Infinity) <= late) this.#queue.shift()?.reject(notTakenError(this.#commitTimeoutMs));
    for (const request of this.#inFlight) {
      if (request.since > late) continue;
      this.#inFlight.delete(request);
      request.reject(unconfirmedError(this.#commitTimeoutMs));
    }
    if (this.#queue.length === 0 && this.#inFlight.size === 0) {
      clearInterval(this.#deadlines);
      this.#deadlines = undefined;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#draining !== null) await this.#draining;
  }

  #kick(): void {
    if (this.#draining !== null) return;
    this.#draining = (async () => {
      try {
        while (this.#queue.length > 0) {
          // Let the event loop read the requests that arrived meanwhile, so they join this commit:
          // on SQLite a transaction runs without yielding to I/O, so without this each commit would
          // hold only what was queued before it began.
          await new Promise<void>((resolve) => setImmediate(resolve));
          const batch: TPendingRequest[] = [];
          let count = 0;
          while (this.#queue.length > 0) {
            const next = this.#queue[0];
            if (next === undefined || (count > 0 && count + next.events.length > this.#maxEventsPerCommit)) break;
            batch.push(next);
            count += next.events.length;
            this.#queue.shift();
          }
          if (this.#commitTimeoutMs > 0) for (const request of batch) this.#inFlight.add(request);
          this.#committingSince = batch[0]?.since;
          try {
            await this.#commit(batch);
          } finally {
            this.#inFlight.clear();
            this.#committingSince = undefined;
          }
        }
      } finally {
        this.#draining = null;
      }
    })();
  }

  async #commit(batch: readonly TPendingRequest[]): Promise<void> {
    const started = performance.now();
    const byOrg = new Map<string, TPendingRequest[]>();
    for (const request of batch) {
      let list = byOrg.get(request.organizationId);
      if (list === undefined) byOrg.set(request.organizationId, (list = []));
      list.push(request);
    }
    const outcome = new Map<TPendingRequest, Map<number, TIngestResult>>();
    const sizes = new Map<string, number>();
    try {
      await this.#db.transaction().execute(async (trx) => {
        const receivedAt = Date.now();
        for (const [organizationId, requests] of byOrg) {
          sizes.set(organizationId, await this.#appendForOrg(trx, organizationId, requests, receivedAt, outcome));
        }
      });
    } catch (error) {
      // Nothing of this batch was committed: the cached frontiers may be ahead of the database.
      for (const organizationId of byOrg.keys()) this.#appenders.delete(organizationId);
      if (batch.length > 1) {
        // The group commit holds several callers' requests: one of them may be what failed it (an
        // organization gone, a value the database refuses). Each is committed again on its own, so that
        // only the request at fault fails, and the others are answered as if they had come alone.
        for (const request of batch) await this.#commit([request]);
        return;
      }
      const wrapped =
        error instanceof AppError
          ? error
          : isStorageFull(error)
            ? new AppError('UNAVAILABLE', 'the database has no room left (its disk is full): nothing was stored; retry once space is freed', {
                cause: error,
                details: { storageFull: true },
              })
            : new AppError('UNAVAILABLE', 'the events could not be committed; nothing was stored, retry', { cause: error });
      for (const request of batch) request.reject(wrapped);
      return;
    }
    let events = 0;
    let appended = 0;
    for (const request of batch) {
      events += request.events.length;
      const results = outcome.get(request) ?? new Map<number, TIngestResult>();
      for (const result of results.values()) if (result.status === 'accepted' && !result.replayed) appended++;
      request.resolve(results);
    }
    const info: TCommitInfo = { events, appended, organizations: [...byOrg.keys()], durationMs: performance.now() - started };
    for (const listener of this.#listeners) listener(info, sizes);
  }

  async #appendForOrg(
    trx: Transaction<Database>,
    organizationId: string,
    requests: readonly TPendingRequest[],
    receivedAt: number,
    outcome: Map<TPendingRequest, Map<number, TIngestResult>>,
  ): Promise<number> {
    await this.#dialect.lockLog(trx, organizationId);
    const log = await trx.selectFrom('logs').select(['size']).where('organization_id', '=', organizationId).executeTakeFirst();
    if (log === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" not found`);

    let appender = this.#appenders.get(organizationId);
    if (appender === undefined || appender.size !== BigInt(log.size)) {
      const frontier = await readFrontierAsync(new DbHashReader(trx, organizationId), BigInt(log.size));
      appender = MerkleAppender.restore(BigInt(log.size), frontier, { hasher: nodeHasher });
      this.#appenders.set(organizationId, appender);
    }

    // Idempotency: keys already committed, then keys repeated within this batch.
    const keys = new Set<string>();
    for (const r of requests) for (const e of r.events) if (e.idempotencyKey !== null) keys.add(e.idempotencyKey);
    const known = new Map<string, { seq: number; event_id: string; request_hash: string }>();
    const keyList = [...keys];
    for (let i = 0; i < keyList.length; i += INSERT_CHUNK) {
      const rows = await trx
        .selectFrom('idempotency_keys')
        .select(['key', 'seq', 'event_id', 'request_hash'])
        .where('organization_id', '=', organizationId)
        .where('key', 'in', keyList.slice(i, i + INSERT_CHUNK))
        .execute();
      for (const r of rows) known.set(r.key, r);
    }

    const rows: TRowBatch = { events: [], leaves: [], treeHashes: [], targets: [], metadata: [], idempotency: [], search: [], hourly: new Map(), daily: new Map(), actors: new Map() };
    let seq = log.size;
    for (const request of requests) {
      const results = new Map<number, TIngestResult>();
      outcome.set(request, results);
      for (const prepared of request.events) {
        const key = prepared.idempotencyKey;
        if (key !== null) {
          const previous = known.get(key);
          if (previous !== undefined) {
            results.set(
              prepared.position,
              previous.request_hash === prepared.requestHash
                ? { status: 'accepted', id: previous.event_id, seq: previous.seq, replayed: true }
                : {
                    status: 'rejected',
                    code: 'IDEMPOTENCY_CONFLICT',
                    message: `idempotency key "${key}" was already used with a different event (seq ${previous.seq})`,
                    issues: [{ path: 'idempotency_key', code: 'not_allowed', message: `idempotency_key: "${key}" was already used with a different event` }],
                  },
            );
            continue;
          }
        }
        const id = generateUuidV7(receivedAt);
        const { bytes } = fillLoggedEvent(prepared.template, { organizationId, seq, id, receivedAt, salt: generateSalt() });
        const leafHash = nodeHasher.hashLeaf(bytes);
        this.#collect(rows, organizationId, seq, id, receivedAt, prepared, bytes, appender.append(leafHash));
        if (key !== null && prepared.requestHash !== null) {
          rows.idempotency.push({ organization_id: organizationId, key, seq, event_id: id, request_hash: prepared.requestHash });
          known.set(key, { seq, event_id: id, request_hash: prepared.requestHash });
        }
        results.set(prepared.position, { status: 'accepted', id, seq, replayed: false });
        seq += 1;
      }
    }
    if (seq === log.size) return seq;

    await this.#insertRows(trx, rows, organizationId);
    await trx.updateTable('logs').set({ size: seq, updated_at: receivedAt }).where('organization_id', '=', organizationId).execute();
    return seq;
  }

  #collect(rows: TRowBatch, organizationId: string, seq: number, id: string, receivedAt: number, event: TPreparedEvent, bytes: Uint8Array, stored: readonly StoredHash[]): void {
    rows.events.push({
      organization_id: organizationId,
      seq,
      id,
      action: event.action,
      actor_type: event.actorType,
      actor_id: event.actorId,
      actor_name: event.actorName,
      occurred_at: event.occurredAt,
      received_at: receivedAt,
      ip: event.ip,
      ip_key: event.ipKey,
      body: bytes,
    });
    for (const s of stored) {
      if (s.level === 0) rows.leaves.push({ organization_id: organizationId, seq: Number(s.index), leaf_hash: s.hash });
      else rows.treeHashes.push({ organization_id: organizationId, level: s.level, idx: Number(s.index), hash: s.hash });
    }
    event.targets.forEach((t, position) => rows.targets.push({ organization_id: organizationId, seq, position, type: t.type, id: t.id }));
    for (const m of event.metadata) rows.metadata.push({ organization_id: organizationId, seq, key: m.key, value: m.value });
    rows.search.push({ seq, text: event.searchText });
    increment(rows.hourly, `${Math.floor(event.occurredAt / HOUR_MS) * HOUR_MS}\u0000${event.action}`);
    increment(rows.daily, `${Math.floor(event.occurredAt / DAY_MS) * DAY_MS}\u0000${event.action}`);
    increment(rows.actors, JSON.stringify([event.actorType, event.actorId]));
  }

  async #insertRows(trx: Kysely<Database>, rows: TRowBatch, organizationId: string): Promise<void> {
    const d = this.#dialect;
    await d.insertRows(trx, 'events', rows.events);
    await d.insertRows(trx, 'leaves', rows.leaves);
    await d.insertRows(trx, 'tree_hashes', rows.treeHashes);
    await d.insertRows(trx, 'event_targets', rows.targets);
    await d.insertRows(trx, 'event_metadata', rows.metadata);
    await d.insertRows(trx, 'idempotency_keys', rows.idempotency);
    await d.indexSearchText(trx, organizationId, rows.search);
    await this.#addCounts(trx, organizationId, rows);
  }

  /** Adds this batch's counts to the rollups. */
  async #addCounts(trx: Kysely<Database>, organizationId: string, rows: TRowBatch): Promise<void> {
    const d = this.#dialect;
    const byTime = (counts: Map<string, number>) =>
      [...counts].map(([key, n]) => {
        const [time = '0', action = ''] = key.split('\u0000');
        return { time: Number(time), action, n };
      });
    const hourly = byTime(rows.hourly).map(({ time, action, n }) => ({ organization_id: organizationId, hour: time, action, n }));
    await d.addCounts(trx, 'event_counts_hourly', ['organization_id', 'hour', 'action'], hourly);
    const daily = byTime(rows.daily).map(({ time, action, n }) => ({ organization_id: organizationId, day: time, action, n }));
    await d.addCounts(trx, 'event_counts_daily', ['organization_id', 'day', 'action'], daily);
    const actors = [...rows.actors].map(([key, n]) => {
      const [type, id] = JSON.parse(key) as [string, string];
      return { organization_id: organizationId, actor_type: type, actor_id: id, n };
    });
    await d.addCounts(trx, 'actor_counts', ['organization_id', 'actor_type', 'actor_id'], actors);
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
