import type { CreateTableBuilder, Expression, Insertable, Kysely, RawBuilder, SqlBool, Transaction } from 'kysely';

import type { Database } from '../schema';

/** A database handle or an open transaction. */
export type TExecutor = Kysely<Database> | Transaction<Database>;

/** The rollup tables `addCounts` maintains (their counter column is `n`). */
export type TCountTable = 'event_counts_hourly' | 'actor_counts' | 'event_counts_daily';

/**
 * Events with `seq` in `[from, to)`: a full-text match restricted to them reads only the part of each
 * word's list of documents that covers them (the newest events, for the first page newest first).
 */
export interface TSeqWindow {
  readonly from: number;
  readonly to: number;
}

/** One event's full-text document. */
export interface TSearchDocument {
  seq: number;
  /** Normalized text: lowercase words separated by single spaces (see `normalizeSearchText`). */
  text: string;
}

/** One event's statistics columns: `[rowid, organization_id, occurred_at, action, actor_type, actor_id, seq, ip_key]`. */
export type TFacetRow = [number, string, number, string, string, string, number, string];

/**
 * Direct reads, outside kysely, for a columnar copy of every event's statistics columns kept in a query
 * thread's memory (`EventFacets` in `@custody/core`): statistics over a million full-text matches then
 * look each match up in arrays instead of in the events table.
 */
export interface TFacetReads {
  /** Up to `limit` events with a rowid above `after`, in rowid order (events are append-only). */
  rowsAfter(after: number, limit: number): TFacetRow[];
  /**
   * Sets in `bits` (bit `r & 31` of `bits[r >>> 5]`, which must hold `upTo`) every full-text index entry (an
   * events rowid, of any organization) holding all of `words` (`searchTerms`) in `(after, upTo]`; returns
   * how many, and where they lie. With `after` above 0 the index seeks to the entries after it. Rowids above 2^32 - 1 do not
   * fit: `rowsAfter` tells (the copy then stops).
   */
  searchEntryBits(words: readonly string[], bits: Uint32Array, after: number, upTo: number): TEntryBits;
  /**
   * Sets in `bits` (as `searchEntryBits`) every events rowid in `(0, upTo]` that `query` answers: `query(after,
   * to)` is a compiled SELECT of one column, the rowids of events in `(after, to]`. Returns how many, and where
   * they lie. Each range is one statement whose answer is read as one blob, however many rows (statistics
   * over a filter the copy does not hold: the matches are read once, then counted from the copy).
   */
  rowidBits(query: (after: number, to: number) => TCompiledStatement, bits: Uint32Array, upTo: number): TEntryBits;
  /**
   * Sets in `bits` (as `searchEntryBits`) the rowids in `(after, upTo]` of `organizationId`'s events whose root
   * metadata `key` is `value` (as `event_metadata` holds it), each event of the range checked: for a short
   * range (the events committed since a bitmap's mark). Returns how many, and where they lie.
   */
  metadataEntryBits(organizationId: string, key: string, value: string, bits: Uint32Array, after: number, upTo: number): TEntryBits;
  /**
   * Sets in `bits` the `seq` (not the rowid: `bits` must hold the organization's highest seq) of every one of
   * `organizationId`'s events whose root metadata `key` is `value`, from the `(organization, key, value, seq)`
   * index alone, about 0.1 µs an event: the copy maps them to rowids (`TFacetRow` holds each event's seq).
   * With `seqs` (`[from, to)`), only the seqs in that range: a common value read in parts, between calls.
   */
  metadataSeqBits(organizationId: string, key: string, value: string, bits: Uint32Array, seqs?: readonly [number, number]): TEntryBits;
  /**
   * How many of `organizationId`'s events at the positions `seqs` hold each root metadata pair (`event_metadata`'s
   * key and value), each event found by its primary key: a sample, from which the copy guesses the common values.
   */
  metadataSample(organizationId: string, seqs: readonly number[]): TMetadataCount[];
  /** The highest events rowid (0 for none): where the snapshot of the connection's read transaction ends. */
  lastRowid(): number;
  /** The ids of the events at `rowids`, in that order (`null` where there is none): a saved copy tells its database by them. */
  eventIds?(rowids: readonly number[]): (string | null)[];
}

/** A root metadata pair and how many events of a sample hold it (`TFacetReads.metadataSample`). */
export interface TMetadataCount {
  readonly key: string;
  readonly value: string;
  readonly count: number;
}

/** A compiled statement: kysely's `CompiledQuery`, as far as running it on another connection needs it. */
export interface TCompiledStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** What `TFacetReads.searchEntryBits` set: how many entries, the lowest and the highest (both 0 for none). */
export interface TEntryBits {
  count: number;
  lowest: number;
  highest: number;
}

/**
 * Everything that differs between SQLite and Postgres, in one place (house style §8.3).
 * `core` calls these; it never asks which database it runs on.
 */
export interface CustodyDialect {
  /** For logs and metrics only; never branch on it. */
  readonly name: 'sqlite' | 'postgres';

  /**
   * `TFacetReads` where events have dense integer rowids that the full-text index shares (SQLite);
   * `undefined` on Postgres, whose statistics stay in SQL.
   */
  readonly facetReads?: TFacetReads;

  /**
   * Postgres: each later statement of `trx` may run at most `ms` before the server stops it (`SET LOCAL
   * statement_timeout`; the error is recognised by `isStatementTimeout`). `undefined` on SQLite, whose queries
   * run on threads the server can give up on instead.
   */
  readonly limitStatementTime?: (trx: Transaction<Database>, ms: number) => Promise<void>;

  /**
   * SQLite: runs `read` inside one read transaction on `db` (`BEGIN` … `COMMIT`), so that every statement
   * it makes, through `db` or the dialect's native reads (`facetReads`), sees one snapshot: in WAL mode
   * the first read takes it and keeps it until the end. A call whose answer comes from several statements
   * (statistics: buckets, then top actions, then top actors) then never mixes states, however many
   * commits land in between. Only for a connection nothing else uses meanwhile (a query thread's): the
   * transaction is the connection's, not kysely's. `undefined` on Postgres, whose query calls get the same
   * from a REPEATABLE READ transaction (`TimedEventQueries`).
   */
  readonly readSnapshot?: <T>(db: Kysely<Database>, read: () => Promise<T>) => Promise<T>;

  /**
   * Postgres: makes `signal`'s abort cancel the statement `trx` is running, with `pg_cancel_backend` sent
   * on a connection of a small pool of its own (the queries' pool may be full of stuck queries); the statement's
   * error is recognised by `isQueryCancelled`. Resolves with a function the caller must await before `trx`
   * ends: it detaches the signal and waits for a cancel already sent, so that a cancel can only reach
   * `trx`'s own connection (a backend waiting for its client's next command ignores one), never a query
   * that later borrows it from the pool. `undefined` on SQLite, whose query threads let a caller go without
   * waiting instead.
   */
  readonly cancelOnAbort?: (trx: Transaction<Database>, signal: AbortSignal) => Promise<() => Promise<void>>;

  /**
   * Whether several server processes may share the database. Default is `false` for SQLite (one
   * process owns the file), `true` for Postgres.
   */
  readonly supportsMultipleProcesses: boolean;

  /**
   * Whether `unindexed` and sort hints steer this engine's planner. SQLite's planner has no column
   * statistics unless ANALYZE ran, so queries pick between an ordered index scan and a filter-first
   * plan themselves; Postgres plans from its statistics and ignores the hints. Default `false`.
   */
  readonly plannerHints: boolean;

  /**
   * `expr` with index use disabled for it (SQLite: unary `+`), so the planner drives the query
   * from another index. Postgres: `expr` unchanged.
   */
  unindexed<T>(expr: Expression<T>): Expression<T>;

  /**
   * Bytes that hold UTF-8 text (an event's canonical body), read as a string: SQLite `CAST(… AS TEXT)`,
   * Postgres `convert_from(…, 'UTF8')`. Bulk reads (exports) use it because the drivers make a string
   * about three times faster than a Buffer (better-sqlite3: 1.8 µs against 5.4 µs per 540-byte body), and
   * the caller needs the text anyway. Only for bytes known to be valid UTF-8: the conversion is lossless
   * exactly then, so `Buffer.from(text, 'utf8')` gives back the stored bytes.
   */
  utf8Text(expr: Expression<Uint8Array | null>): RawBuilder<string>;

  /**
   * An aggregate: the hex of `expr` over the group's rows, concatenated in `orderBy` order (SQLite
   * `group_concat(hex(…), '' ORDER BY …)`, upper case; Postgres `string_agg(encode(…, 'hex'), '' ORDER BY …)`,
   * lower case). Exports read a page of 32-byte leaf hashes as one string this way: better-sqlite3 makes a Buffer
   * per row at about 2 µs, the whole page costs less than one of them.
   */
  concatHex(expr: Expression<Uint8Array>, orderBy: Expression<number>): RawBuilder<string | null>;

  /** The column type for bytes: `blob` on SQLite, `bytea` on Postgres. */
  readonly binaryType: 'blob' | 'bytea';

  /**
   * Serializes appends to one organization's log for the rest of the transaction `trx`, across
   * processes. Postgres locks the `logs` row (`SELECT … FOR UPDATE`); SQLite already serializes
   * writers. Requires the `logs` row to exist.
   */
  lockLog(trx: Transaction<Database>, organizationId: string): Promise<void>;

  /**
   * Serializes transactions that take the lock `name` for the rest of `trx`, across processes, where no row
   * exists yet to lock (the first API key of an empty database). Postgres takes a transaction-level advisory
   * lock (`pg_advisory_xact_lock(hashtext(name))`); SQLite already serializes writers.
   */
  lockNamed(trx: Transaction<Database>, name: string): Promise<void>;

  /**
   * Inserts `rows` (all with the same columns) into `table` within `trx`, as fast as the engine allows:
   * cached prepared statements on SQLite, multi-row statements on Postgres. The ingest hot path.
   */
  insertRows<T extends keyof Database>(trx: TExecutor, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void>;

  /**
   * Adds counts to a rollup table within `trx`: each row's key (`keyColumns`) is inserted with its `n`,
   * or its `n` is added to the stored count (`n = n + excluded.n`). The ingest hot path: cached
   * prepared statements on SQLite, multi-row upserts on Postgres.
   */
  addCounts<T extends TCountTable>(trx: TExecutor, table: T, keyColumns: readonly (keyof Database[T] & string)[], rows: readonly Insertable<Database[T]>[]): Promise<void>;

  /**
   * Finishes a CREATE TABLE for a table whose rows are only ever looked up by primary key ranges:
   * SQLite stores it clustered on the key (`WITHOUT ROWID`), saving one b-tree per insert.
   */
  clusteredTable<TB extends string, C extends string>(builder: CreateTableBuilder<TB, C>): CreateTableBuilder<TB, C>;

  /** Indexes freshly inserted events for full-text search, in the same transaction. */
  indexSearchText(trx: TExecutor, organizationId: string, documents: readonly TSearchDocument[]): Promise<void>;

  /**
   * Removes events from the full-text index (for the retention purge to come; no product path calls it yet).
   * The query threads' statistics copy and search bitmaps (`EventFacets` in `@custody/core`) assume entries
   * are never removed: a purge must make them start over.
   */
  removeSearchText(trx: TExecutor, organizationId: string, seqs: readonly number[]): Promise<void>;

  /**
   * A predicate over the `events` table (unaliased) that is true when the event's text contains
   * every term of `words` (from `searchTerms`, non-empty): each a whole word, or a word starting with
   * the term's text when it ends in `*`. `known`: index entries (from `searchEntries`) already read,
   * holding every match the predicate can meet (the caller's window ensures it): checked as a list
   * instead of reading the index again, which for a prefix term reads every matching word's list in full.
   */
  matchesSearch(organizationId: string, words: readonly string[], window?: TSeqWindow, known?: readonly number[]): Expression<SqlBool>;

  /**
   * A query of the full-text index's entries matching every term of `words`, one column and one row
   * each, read straight from the index: to count them with a `LIMIT` (an estimate of a search's size
   * that stops early), or to read the newest of them (`ORDER BY 1 DESC LIMIT n`) for `matchesSearch`'s
   * `known`. On SQLite it also holds other organizations' events (one index for all), so a count is an
   * upper bound; on Postgres it is exact.
   */
  searchEntries(organizationId: string, words: readonly string[]): RawBuilder<unknown>;

  /**
   * A predicate over the `events` table (unaliased): the event's rowid is one of `rowids` (one bound parameter
   * however many). Where events have rowids (SQLite): a statistics query whose matches were listed first looks
   * those events up alone.
   */
  readonly rowidsIn?: (rowids: readonly number[]) => Expression<SqlBool>;

  /**
   * The `seq` of the organization's first event at or after the full-text index entry `entry` (an
   * entry of `searchEntries`; entries follow each organization's seqs in order), as one row `{ seq }`,
   * or no row.
   */
  searchEntrySeq(organizationId: string, entry: number): RawBuilder<{ seq: number | bigint }>;

  /** Creates the dialect's full-text index objects (migration 0001). */
  createSearchIndex(db: Kysely<unknown>): Promise<void>;

  /** Creates triggers that reject the given operations on `table` (migrations). */
  createRejectTrigger(db: Kysely<unknown>, table: string, operations: readonly ('UPDATE' | 'DELETE')[]): Promise<void>;
}
