/**
 * SQLite through better-sqlite3: the embedded default. One process owns the database file; kysely's
 * SQLite driver runs every query on one connection, so transactions are serialized.
 *
 * Durability: WAL with `synchronous = FULL` by default, so a committed (acknowledged) event survives a
 * killed process and a power loss. `NORMAL` survives a killed process only.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import Database from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, Driver, Expression, RawBuilder, SqlBool, SqliteDialectConfig } from 'kysely';

import type { Database as TDatabase } from '../schema';
import type { CustodyDialect, TEntryBits, TFacetRow, TMetadataCount } from './custody-dialect';
import { fts5Text } from './fts5-text';

export interface TSqliteOptions {
  /** A file path, or `:memory:`. */
  filename: string;
  /** `synchronous` pragma. Default is `'FULL'`. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Open read-only (for tools). Default is `false`. */
  readonly?: boolean;
  /** Page cache size in MiB. Default is 64. */
  cacheMiB?: number;
  /**
   * Who copies the write-ahead log back into the database file. `'auto'` (default): SQLite, inside the
   * commit that crosses 1,000 pages. `'background'`: a thread of its own, every 100 ms, so commits on
   * this connection only append to the log (the ingest writer); this connection still checkpoints
   * itself past 64 MiB, should the thread fall behind.
   */
  walCheckpoints?: 'auto' | 'background';
}

/** A background thread that checkpoints a WAL database (`walCheckpoints: 'background'`). */
interface TCheckpointThread {
  stop(): Promise<void>;
}

/**
 * Starts a thread with its own connection that runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`: PASSIVE never blocks writers or readers; it copies what it can and the next writer
 * restarts the log once everything was copied. Plain JavaScript (eval), so it needs no loader.
 *
 * Every 20 ms: each checkpoint ends with an fsync of the database file, and a commit's fsync of the
 * log waits behind it on the same disk, so the checkpoints are kept small. At 100 ms, single-event
 * ingest on a log of 235,000 events stalled every request in flight for 20-50 ms three or four times
 * a second (p99 32 ms); at 20 ms its p99 was 20-22 ms, with the same throughput for batches.
 */
function startCheckpointThread(filename: string, intervalMs = 20): TCheckpointThread {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.filename);
    db.pragma('busy_timeout = 5000');
    const tick = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
    const timer = setInterval(tick, workerData.intervalMs);
    parentPort.on('message', () => { clearInterval(timer); tick(); db.close(); parentPort.close(); });
  `;
  const worker = new Worker(code, { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), filename, intervalMs } });
  // The checkpoints are an optimization: if the thread dies, the writer's own limit still applies.
  worker.on('error', () => undefined);
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.ref(); // until it has closed its connection
        worker.postMessage('stop');
      }),
  };
}

/**
 * kysely's SQLite dialect, telling kysely's migrator the truth that SQLite's DDL is transactional. The
 * migrator then runs all pending migrations and their records in `kysely_migration` in one transaction, as
 * on Postgres: a process stopped at any moment leaves either none of them or all of them, never a
 * migration committed but unrecorded (which the next start would run again, on tables it had made).
 */
class TransactionalDdlSqliteDialect extends SqliteDialect {
  readonly #native: Database.Database;
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig, native: Database.Database) {
    super(config);
    this.#config = config;
    this.#native = native;
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    return new EndedTransactionSqliteDriver(this.#config, this.#native);
  }
}

/**
 * SQLite ends a transaction itself on some errors (SQLITE_FULL: the disk or `max_page_count` is full; SQLITE_IOERR,
 * SQLITE_NOMEM): kysely's ROLLBACK then fails with "cannot rollback - no transaction is active", and that error
 * replaced the one that ended the transaction. A disk that filled up was logged as a failed rollback. No ROLLBACK is
 * sent when the connection is in no transaction, so the error that ended it is the one thrown.
 */
class EndedTransactionSqliteDriver extends SqliteDriver {
  readonly #native: Database.Database;

  constructor(config: SqliteDialectConfig, native: Database.Database) {
    super(config);
    this.#native = native;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#native.inTransaction) return;
    await super.rollbackTransaction(connection);
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Opens a SQLite database with the pragmas Custody relies on. */
export function openSqlite(options: TSqliteOptions): { db: Kysely<TDatabase>; dialect: CustodyDialect; close(): Promise<void> } {
  const native = new Database(options.filename, { readonly: options.readonly ?? false });
  if (options.filename !== ':memory:' && !options.readonly) native.pragma('journal_mode = WAL');
  native.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  native.pragma('foreign_keys = ON');
  native.pragma('busy_timeout = 5000');
  native.pragma(`cache_size = ${-1024 * Math.max(1, Math.round(options.cacheMiB ?? 64))}`); // in KiB when negative
  native.pragma('temp_store = MEMORY');
  native.defaultSafeIntegers(false);

  let checkpoints: TCheckpointThread | null = null;
  if (options.walCheckpoints === 'background' && options.filename !== ':memory:' && options.readonly !== true) {
    native.pragma('wal_autocheckpoint = 16384'); // 64 MiB of 4 KiB pages: only if the thread falls behind
    native.pragma('journal_size_limit = 67108864');
    checkpoints = startCheckpointThread(options.filename);
  }

  const db = new Kysely<TDatabase>({ dialect: new TransactionalDdlSqliteDialect({ database: withStatementCache(native, options.readonly !== true) }, native) });
  return {
    db,
    dialect: createSqliteDialect(native),
    close: async () => {
      await db.destroy();
      await checkpoints?.stop();
    },
  };
}

/**
 * kysely prepares every query it runs; better-sqlite3 statements are reusable, and preparing costs
 * tens of microseconds: keep the most recent ones by SQL text. Safe because kysely runs one query at a
 * time on this connection and never iterates a statement while running another.
 */
function withStatementCache(native: Database.Database, writable: boolean, max = 1024): { close(): void; prepare(sql: string): Database.Statement } {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => native.close(),
    prepare(text) {
      // Transactions take the write lock when they begin: a transaction that reads and then writes
      // while another connection (the ingest writer thread, a CLI) commits would otherwise fail at
      // once with SQLITE_BUSY_SNAPSHOT instead of waiting for busy_timeout.
      const sql = writable && /^begin$/i.test(text) ? 'begin immediate' : text;
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = native.prepare(sql);
        if (cache.size >= max) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * The words of the full-text index that start with a prefix, in order, or `null` when there are more than
 * `MAX_PREFIX_TERMS` (or they could not be read).
 */
export type TPrefixTerms = (prefix: string) => readonly string[] | null;

/** A prefix with at most this many words in the index is searched as those words (`ftsQuery`). */
const MAX_PREFIX_TERMS = 64;

/** The FTS5 entries (rowids of events, of every organization) holding every term of `words` (`searchTerms`). */
function searchEntries(words: readonly string[], prefixTerms: TPrefixTerms): RawBuilder<unknown> {
  return sql`SELECT rowid FROM events_fts WHERE events_fts MATCH ${ftsQuery(words, prefixTerms)}`;
}

/**
 * The FTS5 query for `words`: every word quoted, so user input never reaches FTS5's query syntax. A prefix
 * term (`word*`) becomes the index's words with that prefix, ORed (`prefixTerms`), when there are few: FTS5
 * then walks their lists lazily, newest first for a page, where a prefix query (`"word"*`, kept for a prefix
 * of many words) first builds the whole list of its entries (2M entries at 10M events: 7-8 ms against
 * 240-260 for the first 50,000). The same events either way, up to words first indexed between the two reads.
 */
export function ftsQuery(words: readonly string[], prefixTerms: TPrefixTerms): string {
  const quoted = (w: string) => `"${w.replaceAll('"', '""')}"`;
  return words
    .map(fts5Text)
    .map((w) => {
      if (!w.endsWith('*')) return quoted(w);
      const prefix = w.slice(0, -1);
      const terms = prefixTerms(prefix);
      if (terms === null || terms.length === 0) return `${quoted(prefix)}*`;
      return terms.length === 1 ? quoted(terms[0] ?? prefix) : `(${terms.map(quoted).join(' OR ')})`;
    })
    .join(' AND ');
}

/**
 * The least string above every string that starts with `prefix`, in code point order (SQLite compares
 * UTF-8 bytes, which sort the same), or `null` for a prefix ending in the last code point.
 */
export function prefixEnd(prefix: string): string | null {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return null;
  // The code point after a surrogate's range: lone surrogates are not text.
  const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1;
  return chars.join('') + String.fromCodePoint(next);
}

/**
 * `TPrefixTerms` over `native`'s index, through an `fts5vocab` table in the connection's temp schema (made
 * here, before any transaction; it reads `events_fts` only when queried). Reading a word there walks its
 * list to count it (`firefox`, 2M entries: about 30 ms at 10M events), at most `MAX_PREFIX_TERMS` + 1 words.
 */
export function createPrefixTerms(native: Database.Database): TPrefixTerms {
  const open = (): Database.Statement | null => {
    try {
      native.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.custody_search_terms USING fts5vocab(main, 'events_fts', 'row')");
      return native.prepare('SELECT term FROM temp.custody_search_terms WHERE term >= ? AND term < ? LIMIT ?').pluck();
    } catch {
      return null;
    }
  };
  let statement = open();
  return (prefix) => {
    statement ??= open();
    const end = prefixEnd(prefix);
    if (statement === null || end === null) return null;
    try {
      const terms = statement.all(prefix, end, MAX_PREFIX_TERMS + 1) as string[];
      return terms.length > MAX_PREFIX_TERMS ? null : terms;
    } catch {
      // FTS5's own prefix query answers the same.
      return null;
    }
  };
}

/** Rowids read in one `group_concat` at most: 33M entries make about 300 MB of text. */
const SEARCH_ENTRIES_AT_ONCE = 2 ** 25;

/**
 * Sets the bits of the numbers of `text` (`1,22,333` in ASCII: `group_concat` of rowids) in `(after, upTo]`,
 * in one pass without an array of them, adding them to `set`.
 */
function setDecimalList(text: Uint8Array | null, bits: Uint32Array, after: number, upTo: number, set: TEntryBits): void {
  if (text === null || text.length === 0) return;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 44 : (text[i] ?? 44);
    if (c !== 44) {
      value = value * 10 + (c - 48);
      continue;
    }
    if (value > after && value <= upTo) {
      bits[value >>> 5] = (bits[value >>> 5] ?? 0) | (1 << (value & 31));
      if (set.count === 0 || value < set.lowest) set.lowest = value;
      if (value > set.highest) set.highest = value;
      set.count++;
    }
    value = 0;
  }
}

/** `CustodyDialect.rowidsIn`: the list as one JSON parameter, read by `json_each`. */
function rowidsIn(rowids: readonly number[]): Expression<SqlBool> {
  return sql<SqlBool>`events.rowid IN (SELECT value FROM json_each(${JSON.stringify(rowids)}))`;
}

/** better-sqlite3 binds Buffers, not plain Uint8Arrays: wrap without copying. */
function bindable(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value ?? null;
}

/**
 * SQLite's answers to the dialect questions. `native` is the connection kysely uses: statements run
 * on it directly join the transaction kysely holds open (one connection, serialized).
 */
export function createSqliteDialect(native: Database.Database): CustodyDialect {
  const statements = new Map<string, Database.Statement>();
  const prefixTerms = createPrefixTerms(native);
  /** rowids of the events the last insertRows('events') wrote, for their FTS entries. */
  const insertedRowids = new Map<string, number | bigint>();
  const prepare = (key: string, text: string): Database.Statement => {
    let statement = statements.get(key);
    if (statement === undefined) {
      statement = native.prepare(text);
      statements.set(key, statement);
    }
    return statement;
  };
  return {
    ...sqliteDialectBase,
    matchesSearch(organizationId, words, window, known) {
      if (known !== undefined) return rowidsIn(known);
      if (window === undefined) return sql<boolean>`events.rowid IN (${searchEntries(words, prefixTerms)})`;
      // The index is keyed by the events' rowids: the window's rowid range (from the (organization, seq)
      // key, which holds them) lets FTS5 seek into each word's list instead of reading all of it.
      const inWindow = sql`FROM events WHERE organization_id = ${organizationId} AND seq >= ${window.from} AND seq < ${window.to}`;
      return sql<boolean>`events.rowid IN (${searchEntries(words, prefixTerms)}
        AND rowid >= (SELECT min(rowid) ${inWindow}) AND rowid <= (SELECT max(rowid) ${inWindow}))`;
    },
    rowidsIn,
    searchEntries(_organizationId, words) {
      return searchEntries(words, prefixTerms);
    },
    facetReads: {
      rowsAfter(after, limit) {
        const statement = prepare(
          'facet-rows',
          'SELECT rowid, organization_id, occurred_at, action, actor_type, actor_id, seq, ip_key FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?',
        );
        return statement.raw().all(after, limit) as TFacetRow[];
      },
      searchEntryBits(words, bits, after, upTo) {
        // One string of decimal rowids, as bytes (a blob: no JavaScript string made of it), parsed here: 2M
        // entries in 140 ms, against 190 as text and more as a row each. Bounds only past a mark or for a
        // part of a large log (a string stays far below SQLite's 1 GB limit): SQLite checks them on every
        // entry as well (2M entries: 180-210 ms against 130-140), and the parse skips those above `upTo`.
        const concat = 'SELECT CAST(group_concat(rowid) AS BLOB) FROM events_fts WHERE events_fts MATCH ?';
        const query = ftsQuery(words, prefixTerms);
        const set: TEntryBits = { count: 0, lowest: 0, highest: 0 };
        if (after === 0 && upTo <= SEARCH_ENTRIES_AT_ONCE) {
          setDecimalList(prepare('entry-list', concat).pluck().get(query) as Buffer | null, bits, after, upTo, set);
          return set;
        }
        for (let from = after; from < upTo; from += SEARCH_ENTRIES_AT_ONCE) {
          const to = Math.min(upTo, from + SEARCH_ENTRIES_AT_ONCE);
          setDecimalList(prepare('entry-range', `${concat} AND rowid > ? AND rowid <= ?`).pluck().get(query, from, to) as Buffer | null, bits, from, to, set);
        }
        return set;
      },
      metadataEntryBits(organizationId, key, value, bits, after, upTo) {
        const set: TEntryBits = { count: 0, lowest: 0, highest: 0 };
        // The organization left unindexed: the range's rowids drive, not the organization's events.
        const statement = prepare(
          'metadata-bits-range',
          `SELECT CAST(group_concat(e.rowid) AS BLOB) FROM events e WHERE e.rowid > ? AND e.rowid <= ? AND +e.organization_id = ?
             AND EXISTS (SELECT 1 FROM event_metadata m WHERE m.organization_id = e.organization_id AND m.seq = e.seq AND m.key = ? AND m.value = ?)`,
        );
        setDecimalList(statement.pluck().get(after, upTo, organizationId, key, value) as Buffer | null, bits, after, upTo, set);
        return set;
      },
      metadataSeqBits(organizationId, key, value, bits, seqs) {
        const set: TEntryBits = { count: 0, lowest: 0, highest: 0 };
        const concat = 'SELECT CAST(group_concat(seq) AS BLOB) FROM event_metadata WHERE organization_id = ? AND key = ? AND value = ?';
        // Seqs start at 0: set from -1.
        const text =
          seqs === undefined
            ? prepare('metadata-seq-bits', concat).pluck().get(organizationId, key, value)
            : prepare('metadata-seq-bits-range', `${concat} AND seq >= ? AND seq < ?`).pluck().get(organizationId, key, value, seqs[0], seqs[1]);
        setDecimalList(text as Buffer | null, bits, -1, bits.length * 32 - 1, set);
        return set;
      },
      metadataSample(organizationId, seqs) {
        const statement = prepare(
          'metadata-sample',
          `SELECT key, value, count(*) AS count FROM event_metadata
             WHERE organization_id = ? AND seq IN (SELECT value FROM json_each(?)) GROUP BY key, value`,
        );
        return statement.all(organizationId, JSON.stringify(seqs)) as TMetadataCount[];
      },
      lastRowid() {
        return Number(prepare('last-rowid', 'SELECT coalesce(max(rowid), 0) FROM events').pluck().get());
      },
      eventIds(rowids) {
        const rows = prepare('event-ids', 'SELECT rowid, id FROM events WHERE rowid IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(rowids)) as [number, string][];
        const byRowid = new Map(rows);
        return rowids.map((rowid) => byRowid.get(rowid) ?? null);
      },
      rowidBits(query, bits, upTo) {
        const set: TEntryBits = { count: 0, lowest: 0, highest: 0 };
        for (let from = 0; from < upTo; from += SEARCH_ENTRIES_AT_ONCE) {
          const to = Math.min(upTo, from + SEARCH_ENTRIES_AT_ONCE);
          const { sql: text, parameters } = query(from, to);
          // Not kept: a filter's shape (how many actions, which parts) makes its own text.
          const concat = native.prepare(`WITH matches(r) AS (${text}) SELECT CAST(group_concat(r) AS BLOB) FROM matches`).pluck();
          setDecimalList(concat.get(...parameters.map(bindable)) as Buffer | null, bits, from, to, set);
        }
        return set;
      },
    },
    indexSearchText(_trx, organizationId, documents) {
      // The FTS5 table is contentless and keyed by the events row's rowid: known from the insert when
      // the events were inserted by insertRows just before (the ingest path), else looked up.
      const direct = prepare('fts-direct', 'INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
      const lookup = prepare('fts', 'INSERT INTO events_fts (rowid, text) SELECT rowid, ? FROM events WHERE organization_id = ? AND seq = ?');
      for (const d of documents) {
        const rowid = insertedRowids.get(`${organizationId}\u0000${d.seq}`);
        const text = fts5Text(d.text);
        if (rowid === undefined) lookup.run(text, organizationId, d.seq);
        else direct.run(rowid, text);
      }
      insertedRowids.clear();
      return Promise.resolve();
    },
    addCounts(_trx, table, keyColumns, rows) {
      const first = rows[0];
      if (first === undefined) return Promise.resolve();
      const columns = Object.keys(first);
      // Table and column names come from our own typed code, never from input.
      const statement = prepare(
        `${table}+(${columns.join(',')})`,
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET n = n + excluded.n`,
      );
      for (const row of rows) statement.run(Object.values(row));
      return Promise.resolve();
    },
    insertRows: (_trx, table, rows) => {
    const first = rows[0];
    if (first === undefined) return Promise.resolve();
    const columns = Object.keys(first);
    const key = `${table}(${columns.join(',')})`;
    // Table and column names come from our own typed code, never from input.
    const statement = prepare(key, `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const values = new Array<unknown>(columns.length);
    const isEvents = table === 'events';
    if (isEvents) insertedRowids.clear();
    for (const row of rows) {
      const record = row as Record<string, unknown>;
      for (let i = 0; i < columns.length; i++) values[i] = bindable(record[columns[i] ?? '']);
      const info = statement.run(values);
      if (isEvents) insertedRowids.set(`${String(record.organization_id)}\u0000${String(record.seq)}`, info.lastInsertRowid);
    }
    return Promise.resolve();
    },
  };
}

const sqliteDialectBase: Omit<CustodyDialect, 'insertRows' | 'indexSearchText' | 'addCounts' | 'matchesSearch' | 'searchEntries'> = {
  name: 'sqlite',
  supportsMultipleProcesses: false,
  binaryType: 'blob',
  plannerHints: true,

  unindexed(expr) {
    return sql`+${expr}`;
  },

  utf8Text(expr) {
    return sql<string>`cast(${expr} as text)`;
  },

  concatHex(expr, orderBy) {
    return sql<string | null>`group_concat(hex(${expr}), '' order by ${orderBy})`;
  },

  clusteredTable(builder) {
    return builder.modifyEnd(sql`WITHOUT ROWID`);
  },

  async readSnapshot(db, read) {
    await sql`BEGIN`.execute(db);
    try {
      return await read();
    } finally {
      // A read-only transaction: COMMIT only ends it (and frees its snapshot for the checkpoints).
      await sql`COMMIT`.execute(db);
    }
  },

  async lockLog() {
    // One connection, serialized transactions: nothing else can write while this one runs.
  },

  async lockNamed() {
    // As lockLog: writers are serialized already.
  },

  async removeSearchText(trx, organizationId, seqs) {
    const chunk = 500;
    for (let i = 0; i < seqs.length; i += chunk) {
      const part = seqs.slice(i, i + chunk);
      await sql`
        DELETE FROM events_fts WHERE rowid IN (
          SELECT rowid FROM events WHERE organization_id = ${organizationId} AND seq IN (${sql.join(part)})
        )
      `.execute(trx);
    }
  },

  searchEntrySeq(organizationId, entry) {
    // Entries are the events' rowids, shared by all organizations: the first of this one's from there.
    return sql<{ seq: number | bigint }>`SELECT seq FROM events WHERE rowid >= ${entry} AND +organization_id = ${organizationId} ORDER BY rowid LIMIT 1`;
  },

  async createSearchIndex(db) {
    // detail=none: no positions, only which documents hold a word: all our queries are AND of words.
    await sql`CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0')`.execute(db);
  },

  async createRejectTrigger(db, table, operations) {
    for (const op of operations) {
      const name = `${table}_reject_${op.toLowerCase()}`;
      await sql
        .raw(
          `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'custody: ${table} is append-only: ${op} rejected'); END`,
        )
        .execute(db);
    }
  },
};
