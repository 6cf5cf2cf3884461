/**
 * `TimedEventQueries`: `events.list`, `events.get` and `events.stats` on Postgres with a time limit, the
 * counterpart of the SQLite query threads' (`EventQueryThreads`): each call runs in a read transaction
 * whose statements may each run at most `timeoutMs` (`CustodyDialect.limitStatementTime`), so a runaway
 * query gives its pooled connection back (ingest shares the pool) instead of holding it. A statement
 * stopped so fails the call with TIMEOUT. Each call reads one snapshot (REPEATABLE READ, READ ONLY). A call
 * whose `signal` aborts (the API passes its HTTP request's, aborted when the client goes away) has its
 * running statement cancelled at once (`CustodyDialect.cancelOnAbort`) and fails with CANCELLED: nobody is
 * left to read its answer.
 */
import type { Kysely } from 'kysely';

import { isQueryCancelled, isStatementTimeout } from '@custody/db';
import type { CustodyDialect, Database } from '@custody/db';

import { EventQueries, queryCancelled, queryTimeout } from './query';
import type { TEventFilter, TEventPage, TEventQueriesOptions, TEventReader, TEventRecord, TEventStats, TListOptions, TQueryControl, TStatsOptions } from './query';

export class TimedEventQueries implements TEventReader {
  readonly #db: Kysely<Database>;
  readonly #dialect: CustodyDialect;
  readonly #timeoutMs: number;
  readonly #options: TEventQueriesOptions;

  /** `dialect.limitStatementTime` must exist (Postgres). `timeoutMs` 0: no time limit (cancelling still applies). */
  constructor(db: Kysely<Database>, dialect: CustodyDialect, timeoutMs: number, options: TEventQueriesOptions = {}) {
    if (dialect.limitStatementTime === undefined) throw new Error(`the ${dialect.name} dialect cannot limit statement time`);
    this.#db = db;
    this.#dialect = dialect;
    this.#timeoutMs = timeoutMs;
    this.#options = options;
  }

  list(organizationId: string, filter: TEventFilter, options: TListOptions & TQueryControl = {}): Promise<TEventPage> {
    const { signal, ...list } = options;
    return this.#run((queries) => queries.list(organizationId, filter, list), signal);
  }

  get(organizationId: string, id: string, options: TQueryControl = {}): Promise<TEventRecord> {
    return this.#run((queries) => queries.get(organizationId, id), options.signal);
  }

  stats(organizationId: string, filter: TEventFilter, options: TStatsOptions & TQueryControl = {}): Promise<TEventStats> {
    const { signal, ...stats } = options;
    return this.#run((queries) => queries.stats(organizationId, filter, stats), signal);
  }

  async #run<T>(call: (queries: EventQueries) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted === true) throw queryCancelled();
    try {
      // REPEATABLE READ: every statement of the call reads the snapshot its first one took, so an answer made
      // of several statements (statistics) never mixes states. A read-only one never fails to serialize.
      return await this.#db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
        if (this.#timeoutMs > 0) await this.#dialect.limitStatementTime?.(trx, this.#timeoutMs);
        const detach = signal === undefined ? undefined : await this.#dialect.cancelOnAbort?.(trx, signal);
        try {
          return await call(new EventQueries(trx, this.#dialect, this.#options));
        } finally {
          await detach?.();
        }
      });
    } catch (error) {
      if (isStatementTimeout(error)) throw queryTimeout(this.#timeoutMs, error);
      // Cancelled, or failed after its caller left (a cancel that reached the transaction's end).
      if (isQueryCancelled(error) || isAborted(signal)) throw queryCancelled(error);
      throw error;
    }
  }
}

/** Read through a call: TypeScript would keep `signal.aborted` narrowed to the value checked before the awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
