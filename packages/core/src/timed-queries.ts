/**
 * `TimedEventQueries`: `events.list`, `events.get` and `events.stats` on Postgres with a time limit, the
 * counterpart of the SQLite query threads' (`EventQueryThreads`): each call runs in a read transaction
 * whose statements may each run at most `timeoutMs` (`CustodyDialect.limitStatementTime`), so a runaway
 * query gives its pooled connection back (ingest shares the pool) instead of holding it. A statement
 * stopped so fails the call with TIMEOUT.
 */
import type { Kysely } from 'kysely';

import { isStatementTimeout } from '@custody/db';
import type { CustodyDialect, Database } from '@custody/db';

import { EventQueries, queryTimeout } from './query';
import type { TEventFilter, TEventPage, TEventQueriesOptions, TEventReader, TEventRecord, TEventStats, TListOptions, TQueryControl, TStatsOptions } from './query';

export class TimedEventQueries implements TEventReader {
  readonly #db: Kysely<Database>;
  readonly #dialect: CustodyDialect;
  readonly #timeoutMs: number;
  readonly #options: TEventQueriesOptions;

  /** `dialect.limitStatementTime` must exist (Postgres). */
  constructor(db: Kysely<Database>, dialect: CustodyDialect, timeoutMs: number, options: TEventQueriesOptions = {}) {
    if (dialect.limitStatementTime === undefined) throw new Error(`the ${dialect.name} dialect cannot limit statement time`);
    this.#db = db;
    this.#dialect = dialect;
    this.#timeoutMs = timeoutMs;
    this.#options = options;
  }

  list(organizationId: string, filter: TEventFilter, options: TListOptions & TQueryControl = {}): Promise<TEventPage> {
    const { signal: _signal, ...list } = options;
    return this.#run((queries) => queries.list(organizationId, filter, list));
  }

  get(organizationId: string, id: string, _options: TQueryControl = {}): Promise<TEventRecord> {
    return this.#run((queries) => queries.get(organizationId, id));
  }

  stats(organizationId: string, filter: TEventFilter, options: TStatsOptions & TQueryControl = {}): Promise<TEventStats> {
    const { signal: _signal, ...stats } = options;
    return this.#run((queries) => queries.stats(organizationId, filter, stats));
  }

  async #run<T>(call: (queries: EventQueries) => Promise<T>): Promise<T> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        await this.#dialect.limitStatementTime?.(trx, this.#timeoutMs);
        return call(new EventQueries(trx, this.#dialect, this.#options));
      });
    } catch (error) {
      if (isStatementTimeout(error)) {
        throw queryTimeout(this.#timeoutMs, error);
      }
      throw error;
    }
  }
}
