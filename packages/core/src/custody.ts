/**
 * The composition root of the domain: one `Custody` per process, built from an open database and
 * the signing key. `apps/server` creates it; tests create it on SQLite and Postgres.
 */
import { openDatabase } from '@custody/db';
import type { CustodyDatabase, TCompiledStatement, TOpenDatabaseOptions } from '@custody/db';

import { ApiKeys } from './api-keys';
import { Checkpointer } from './checkpointer';
import { ExportService } from './exports';
import type { TExportServiceOptions } from './exports';
import type { TCheckpointerOptions } from './checkpointer';
import { AppError } from './errors';
import { Ingestor } from './ingest';
import type { TIngestOptions } from './ingest';
import { LogWriter } from './log-writer';
import type { TLogCommitter } from './log-writer';
import { LogWriterThread } from './log-writer-thread';
import { LogService } from './log-service';
import { Organizations } from './organizations';
import type { TOrganization } from './organizations';
import { EventQueries } from './query';
import type { TEventReader } from './query';
import { EventQueryThreads } from './query-threads';
import { TimedEventQueries } from './timed-queries';
import type { TQueryThreadsLoad, TQueryThreadsOptions } from './query-threads';
import { SigningKeys } from './signing-keys';
import type { TSigningKey } from './signing-keys';

export interface TCustodyOptions {
  /** The log name: checkpoint origins are `<logName>/<organization id>`. */
  logName: string;
  signingKey: TSigningKey;
  ingest?: TIngestOptions;
  checkpoints?: TCheckpointerOptions;
  /** How long authentication results are cached (revocations apply within it). Default is 2,000 ms. */
  apiKeyCacheMs?: number;
  /** Export jobs: where files go and how long they are kept. Default: exports disabled. */
  exports?: TExportServiceOptions;
  /**
   * Where `events.list`, `events.get` and `events.stats` run: on reader threads where the database offers
   * them (`readerThreadOptions`: SQLite files), with these options; `false` runs them on the calling
   * thread, as on Postgres and SQLite in memory.
   */
  queryThreads?: TQueryThreadsOptions | false;
  /**
   * A query's time limit in ms: on SQLite files the whole call on the query threads (their `timeoutMs`,
   * default 30,000), on Postgres each of its statements (`TimedEventQueries`; 0 or absent for none).
   */
  queryTimeoutMs?: number;
  /**
   * How long a request waits for the database to answer where no limit of its own applies, in ms, before it is
   * answered UNAVAILABLE: an API key's lookup, a change other than ingest (`changeDeadlineMs`; ingest has
   * `ingest.commitTimeoutMs`), and, beyond `queryTimeoutMs`, a read procedure's whole answer (`readDeadlineMs`). A
   * database that stops answering without closing its connections answers no statement, not even with its own time
   * limit. 0 or absent: as long as it takes.
   */
  databaseTimeoutMs?: number;
}

/** Export scans on a connection of their own, where the database offers one (`scanReaderOptions`). */
function scanOpener(options: TOpenDatabaseOptions | null): (() => Promise<{ events: EventQueries; close(): Promise<void> }>) | null {
  if (options === null) return null;
  return async () => {
    const opened = await openDatabase(options);
    return { events: new EventQueries(opened.db, opened.dialect), close: () => opened.close() };
  };
}

export class Custody {
  readonly database: CustodyDatabase;
  readonly organizations: Organizations;
  readonly apiKeys: ApiKeys;
  readonly ingestor: Ingestor;
  readonly checkpointer: Checkpointer;
  readonly log: LogService;
  /** `list`, `get` and `stats`, on reader threads where the database offers them. */
  readonly events: TEventReader;
  readonly signingKeys: SigningKeys;
  readonly signingKey: TSigningKey;
  readonly #exports: ExportService | null;
  readonly logName: string;
  /**
   * How long the API waits for a read procedure's answer (authentication included) before answering UNAVAILABLE:
   * `queryTimeoutMs` + `databaseTimeoutMs`, or 0 (no limit) when either is 0.
   */
  readonly readDeadlineMs: number;
  /**
   * How long the API waits for a change other than ingest (an organization, an API key, an export, a checkpoint
   * signed on demand) before answering UNAVAILABLE with `details.applied: 'unknown'`: `databaseTimeoutMs`, 0 for no
   * limit.
   */
  readonly changeDeadlineMs: number;
  readonly #writerThread: LogWriterThread | null;
  readonly #queryThreads: EventQueryThreads | null;
  #started = false;

  constructor(database: CustodyDatabase, options: TCustodyOptions) {
    const { db, dialect } = database;
    this.database = database;
    this.logName = options.logName;
    this.signingKey = options.signingKey;
    this.organizations = new Organizations(db, options.logName);
    const ingest = options.ingest ?? {};
    const writer = {
      ...(ingest.maxEventsPerCommit === undefined ? {} : { maxEventsPerCommit: ingest.maxEventsPerCommit }),
      ...(ingest.commitTimeoutMs === undefined ? {} : { commitTimeoutMs: ingest.commitTimeoutMs }),
    };
    this.#writerThread =
      ingest.writerThread !== false && database.writerThreadOptions !== null ? new LogWriterThread(database.writerThreadOptions, writer, options.signingKey.skey) : null;
    const writerThread = this.#writerThread;
    // With a writer thread, it makes the frequent writes too (between its commits): here they would wait for its lock.
    const writeElsewhere = writerThread === null ? {} : { writeElsewhere: (query: TCompiledStatement) => writerThread.execute(query) };
    const databaseTimeoutMs = options.databaseTimeoutMs ?? 0;
    const queryTimeoutMs = options.queryTimeoutMs ?? 0;
    this.readDeadlineMs = databaseTimeoutMs > 0 && queryTimeoutMs > 0 ? queryTimeoutMs + databaseTimeoutMs : 0;
    this.changeDeadlineMs = databaseTimeoutMs;
    this.apiKeys = new ApiKeys(db, { cacheMs: options.apiKeyCacheMs, lookupTimeoutMs: databaseTimeoutMs, ...writeElsewhere });
    const committer: TLogCommitter = this.#writerThread ?? new LogWriter(db, dialect, writer);
    this.ingestor = new Ingestor(db, committer, ingest);
    this.checkpointer = new Checkpointer(db, dialect, options.signingKey, {
      ...options.checkpoints,
      ...(writerThread === null ? {} : { signElsewhere: (organizationId: string) => writerThread.checkpoint(organizationId) }),
    });
    this.log = new LogService(db, this.checkpointer);
    const queries = new EventQueries(db, dialect);
    this.#queryThreads =
      options.queryThreads !== false && database.readerThreadOptions !== null
        ? new EventQueryThreads(database.readerThreadOptions, { ...(options.queryTimeoutMs === undefined ? {} : { timeoutMs: options.queryTimeoutMs }), ...options.queryThreads })
        : null;
    const timeoutMs = options.queryTimeoutMs ?? 0;
    this.events =
      this.#queryThreads ?? (dialect.limitStatementTime !== undefined ? new TimedEventQueries(db, dialect, timeoutMs) : queries);
    this.signingKeys = new SigningKeys(db);
    this.ingestor.onAppend((organizationId) => this.checkpointer.markDirty(organizationId));
    this.#exports =
      options.exports === undefined
        ? null
        : new ExportService(
            {
              db, organizations: this.organizations, events: queries, openScan: scanOpener(database.scanReaderOptions),
              log: this.log, ingestor: this.ingestor, signingKey: options.signingKey, signingKeys: this.signingKeys, ...writeElsewhere,
            },
            options.exports,
          );
  }

  /** The query threads' load (`EventQueryThreads.load`), or `null` where queries run on the calling thread. */
  get queryLoad(): TQueryThreadsLoad | null {
    return this.#queryThreads?.load ?? null;
  }

  /** Export jobs; UNAVAILABLE when this Custody was built without an export directory. */
  get exports(): ExportService {
    if (this.#exports === null) throw new AppError('UNAVAILABLE', 'exports are not configured on this server');
    return this.#exports;
  }

  /** Publishes the signing key and starts signing checkpoints. Call once, after migrating. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.signingKeys.activate(this.signingKey);
    await this.#writerThread?.start();
    await this.#queryThreads?.start();
    await this.checkpointer.start();
    await this.#exports?.start();
  }

  /** Creates an organization and signs its first checkpoint (size 0). */
  async createOrganization(input: { id?: string; name: string }): Promise<TOrganization> {
    // Signed by a command that never started this Custody (`custody orgs create`): its key must be published
    // first, or the checkpoint names a key no verifier of this database knows.
    if (!this.#started) await this.signingKeys.activate(this.signingKey);
    const org = await this.organizations.create(input);
    await this.checkpointer.checkpoint(org.id);
    return org;
  }

  /** Replaces an organization's action registry. */
  async setActionRegistry(organizationId: string, registry: unknown): Promise<void> {
    await this.organizations.setActionRegistry(organizationId, registry);
    this.ingestor.invalidateRegistry(organizationId);
  }

  /**
   * Graceful shutdown: refuses new events, commits every queued one, signs a last checkpoint for each
   * log that grew, and closes the database.
   */
  async close(): Promise<void> {
    await this.#exports?.close();
    await this.ingestor.close();
    if (this.#started) await this.checkpointer.stop();
    await this.#queryThreads?.close();
    await this.database.close();
  }
}

export { AppError };
