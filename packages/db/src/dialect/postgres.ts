/**
 * PostgreSQL through `pg` (an optional peer dependency, loaded only here and only when a
 * `postgres://` URL is configured). Several stateless server processes may share one database:
 * appends to an organization's log serialize on its `logs` row.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type pgModule from 'pg';

import type { Database } from '../schema';
import type { CustodyDialect } from './custody-dialect';

/** The `event_search` rows of an organization holding every term of `words` (`searchTerms`). */
function searchEntries(organizationId: string, words: readonly string[]): RawBuilder<unknown> {
  // The words are lexemes already (the rule normalized them): the query is tsquery's own text form, which
  // no text-search parser or dictionary reads (to_tsquery would parse each word again, and drop the ones
  // its parser does not take for words, such as `²`). Each word is a quoted lexeme, its quotes and
  // backslashes escaped, so user input never reaches tsquery's syntax; a prefix term (`word*`) is its
  // quoted lexeme with the prefix label `:*`.
  const lexeme = (w: string) => `'${w.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  const query = words.map((w) => (w.endsWith('*') ? `${lexeme(w.slice(0, -1))}:*` : lexeme(w))).join(' & ');
  return sql`SELECT seq FROM event_search WHERE organization_id = ${organizationId} AND search @@ ${query}::tsquery`;
}

export interface TPostgresOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string;
  /** Pool size per process. Default is 10. */
  maxConnections?: number;
  /**
   * Called when a pooled connection dies (the server restarted, a DBA or an idle-session timeout
   * terminated it), idle or in use. The statement it was running fails, and the pool replaces the
   * connection on next use; without a listener, pg would raise it as an uncaught error and crash the
   * process. Default: ignore (the failing statement reports it).
   */
  onConnectionError?: (error: Error) => void;
  /**
   * How long opening one connection (TCP, TLS, authentication) may take before it fails. Without a limit,
   * a host that drops packets, or a port that accepts and never answers, holds the caller until the
   * operating system gives up on TCP (minutes). Default is {@link POSTGRES_CONNECT_TIMEOUT_MS}. Waiting for
   * a free connection of the pool is not limited by it (statements have `statement_timeout`).
   */
  connectTimeoutMs?: number;
}

/** How long Postgres lets one of our sessions sit idle inside a transaction before ending it (see `openPostgres`). */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** Default limit on opening one Postgres connection: 10 s. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function parseSafeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${text} exceeds 2^53 - 1`);
  return n;
}

function parseNumeric(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) {
    throw new RangeError(`numeric ${text} does not fit a JavaScript number exactly`);
  }
  return n;
}

/** Opens a pool to Postgres. Throws a clear error if the `pg` package is not installed. */
export async function openPostgres(options: TPostgresOptions): Promise<{ db: Kysely<Database>; dialect: CustodyDialect; close(): Promise<void> }> {
  let pg: typeof pgModule;
  try {
    pg = (await import('pg')).default;
  } catch (cause) {
    throw new Error('DATABASE_URL names Postgres but the "pg" package is not installed (npm install pg)', { cause });
  }
  // pg-pool's own `connectionTimeoutMillis` would also limit the wait for a free pooled connection (a busy
  // pool would fail requests instead of queueing them): the limit is set on each connection instead.
  const connectTimeoutMs = options.connectTimeoutMs ?? POSTGRES_CONNECT_TIMEOUT_MS;
  // TCP keepalive after 10 s idle: a pooled connection whose peer vanished (a host or NAT gone) is found dead and
  // replaced, not handed out to hang.
  class TimedClient extends pg.Client {
    constructor(config?: pgModule.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    }
  }
  const pool = new pg.Pool({
    Client: TimedClient,
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    // Integers come back as numbers on both dialects; anything above 2^53 - 1 is an error, not a rounding.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === INT8_OID
          ? parseSafeInteger
          : oid === NUMERIC_OID
            ? parseNumeric
            : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // The pool listens to its idle connections only (pg-pool takes its listener off a connection it lends):
  // a connection dying while a transaction holds it would emit 'error' with no listener, an uncaught
  // exception that ends the process. Each connection gets a listener of its own for its whole life.
  const connectionError = (error: Error) => options.onConnectionError?.(error);
  pool.on('connect', (client) => {
    client.on('error', connectionError);
    // A transaction whose process stopped answering mid-way (its host or network gone) holds its locks, the `logs`
    // row of an organization's appends among them, until Postgres notices the connection is dead: hours of TCP.
    // Every process's ingest for that organization would wait behind it. Ours never wait on this side for long
    // inside a transaction, so Postgres ends such a session after 60 s. Set after connecting, not as a startup
    // parameter, which poolers such as PgBouncer refuse; queued before anything the pool's user sends.
    client.query(`SET idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_TIMEOUT_MS}`).catch(connectionError);
  });
  pool.on('error', connectionError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const cancels = new pg.Pool({
    connectionString: options.connectionString,
    max: CANCEL_CONNECTIONS,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    // Idle cancel connections never keep a process alive.
    allowExitOnIdle: true,
    application_name: CANCEL_APPLICATION_NAME,
  });
  // An idle cancel connection dying (the server restarting) is of no interest: the next cancel opens another.
  cancels.on('connect', (client) => client.on('error', () => undefined));
  cancels.on('error', () => undefined);
  return {
    db,
    dialect: { ...postgresDialect, cancelOnAbort: cancelOnOwnConnections(cancels) },
    close: async () => {
      await db.destroy();
      await cancels.end();
    },
  };
}

/** Connections a process keeps for cancels (`cancelOnAbort`): a burst of aborts queues on them. */
const CANCEL_CONNECTIONS = 2;
/** How the cancel connections name themselves in `pg_stat_activity`. */
export const CANCEL_APPLICATION_NAME = 'custody-cancel';

/**
 * `CustodyDialect.cancelOnAbort` for Postgres. The cancel is sent on a connection of `cancels`, a pool of its own
 * (at most `CANCEL_CONNECTIONS`, closed after 10 s idle), not one of the queries' pool: when every pooled
 * connection runs a query that is stuck (a lock), a cancel that waited for one of them would wait for as long
 * as they do. A burst of aborts (a console user typing a search, each keystroke closing the last request) reuses
 * those connections instead of opening one each; `pg_cancel_backend` answers at once, so the queue is short.
 */
function cancelOnOwnConnections(cancels: pgModule.Pool): NonNullable<CustodyDialect['cancelOnAbort']> {
  const sendCancel = (pid: number) => cancels.query('SELECT pg_cancel_backend($1)', [pid]);
  return async (trx, signal) => {
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
    const pid = rows[0]?.pid;
    if (pid === undefined) return () => Promise.resolve();
    let sent: Promise<unknown> = Promise.resolve();
    const cancel = () => {
      // A cancel that cannot be sent (the server gone) leaves the statement to its time limit.
      sent = sendCancel(pid).catch(() => undefined);
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    return async () => {
      signal.removeEventListener('abort', cancel);
      await sent;
    };
  };
}

/** Postgres's answers to the dialect questions. */
export const postgresDialect: CustodyDialect = {
  name: 'postgres',
  supportsMultipleProcesses: true,
  binaryType: 'bytea',

  async limitStatementTime(trx, ms) {
    // set_config(…, true) is SET LOCAL with a bound value: it ends with the transaction.
    await sql`SELECT set_config('statement_timeout', ${String(Math.max(1, Math.round(ms)))}, true)`.execute(trx);
  },
  plannerHints: false,

  unindexed(expr) {
    return expr;
  },

  utf8Text(expr) {
    return sql<string>`convert_from(${expr}, 'UTF8')`;
  },

  concatHex(expr, orderBy) {
    return sql<string | null>`string_agg(encode(${expr}, 'hex'), '' order by ${orderBy})`;
  },

  async insertRows(trx, table, rows) {
    // Postgres allows 65,535 parameters per statement.
    const first = rows[0];
    if (first === undefined) return;
    const perRow = Object.keys(first).length;
    const chunk = Math.max(1, Math.floor(60_000 / perRow));
    for (let i = 0; i < rows.length; i += chunk) {
      await trx.insertInto(table).values(rows.slice(i, i + chunk)).execute();
    }
  },

  async addCounts(trx, table, keyColumns, rows) {
    const chunk = 2_000;
    for (let i = 0; i < rows.length; i += chunk) {
      await sql`
        INSERT INTO ${sql.table(table)} (${sql.join(Object.keys(rows[0] ?? {}).map((c) => sql.ref(c)))})
        VALUES ${sql.join(rows.slice(i, i + chunk).map((row) => sql`(${sql.join(Object.values(row))})`))}
        ON CONFLICT (${sql.join(keyColumns.map((c) => sql.ref(c)))}) DO UPDATE SET n = ${sql.table(table)}.n + excluded.n
      `.execute(trx);
    }
  },

  clusteredTable(builder) {
    return builder;
  },

  async lockLog(trx, organizationId) {
    await sql`SELECT size FROM logs WHERE organization_id = ${organizationId} FOR UPDATE`.execute(trx);
  },

  async lockNamed(trx, name) {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
  },

  async indexSearchText(trx, organizationId, documents) {
    const chunk = 1000;
    for (let i = 0; i < documents.length; i += chunk) {
      const part = documents.slice(i, i + chunk);
      // The document's words are lexemes already (`normalizeSearchText`): stored as they are, never parsed
      // again (to_tsvector's parser would drop words it does not take for words, `²` or `½`, which the rule
      // and SQLite FTS5 keep). Positions are not stored: no query reads them.
      const values = sql.join(part.map((d) => sql`(${organizationId}, ${d.seq}::bigint, array_to_tsvector(string_to_array(${d.text}, ' ')))`));
      await sql`INSERT INTO event_search (organization_id, seq, search) VALUES ${values}`.execute(trx);
    }
  },

  async removeSearchText(trx, organizationId, seqs) {
    if (seqs.length === 0) return;
    await sql`DELETE FROM event_search WHERE organization_id = ${organizationId} AND seq = ANY(${seqs}::bigint[])`.execute(trx);
  },

  matchesSearch(organizationId, words, window, known) {
    if (known !== undefined) return sql<boolean>`events.seq = ANY(${known.map(String)}::bigint[])`;
    if (window === undefined) return sql<boolean>`events.seq IN (${searchEntries(organizationId, words)})`;
    return sql<boolean>`events.seq IN (${searchEntries(organizationId, words)} AND seq >= ${window.from} AND seq < ${window.to})`;
  },

  searchEntries,

  searchEntrySeq(organizationId, entry) {
    // Entries are the organization's own seqs.
    return sql<{ seq: number | bigint }>`SELECT seq FROM events WHERE organization_id = ${organizationId} AND seq >= ${entry} ORDER BY seq LIMIT 1`;
  },

  async createSearchIndex(db) {
    await sql`
      CREATE TABLE event_search (
        organization_id text NOT NULL,
        seq bigint NOT NULL,
        search tsvector NOT NULL,
        PRIMARY KEY (organization_id, seq)
      )`.execute(db);
    await sql`CREATE INDEX event_search_gin ON event_search USING gin (search)`.execute(db);
  },

  async createRejectTrigger(db, table, operations) {
    await sql`
      CREATE OR REPLACE FUNCTION custody_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'custody: % is append-only: % rejected', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`.execute(db);
    const ops = operations.join(' OR ');
    await sql
      .raw(`CREATE TRIGGER ${table}_reject_change BEFORE ${ops} ON ${table} FOR EACH ROW EXECUTE FUNCTION custody_reject_change()`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER ${table}_reject_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION custody_reject_change()`)
      .execute(db);
  },
};
