/**
 * Recognises driver errors without importing a driver: both checks look at the error's shape.
 */

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True for a unique or primary-key violation (SQLite `SQLITE_CONSTRAINT_PRIMARYKEY|UNIQUE`, Postgres 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** True when Postgres stopped a statement that ran past its `statement_timeout` (57014, not a cancel request). */
export function isStatementTimeout(error: unknown): boolean {
  return codeOf(error) === '57014' && error instanceof Error && error.message.includes('statement timeout');
}

/** True when Postgres stopped a statement on a cancel request (57014, `pg_cancel_backend`; see `CustodyDialect.cancelOnAbort`). */
export function isQueryCancelled(error: unknown): boolean {
  return codeOf(error) === '57014' && error instanceof Error && error.message.includes('user request');
}

/**
 * True when the database has no room left: SQLite's `SQLITE_FULL` (its disk, or its `max_page_count`), Postgres's
 * 53100 (disk_full), or the system's ENOSPC. Nothing of the statement's transaction is kept; it fails again until
 * space is freed.
 */
export function isStorageFull(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC';
}

/** True when an append-only trigger rejected an UPDATE or DELETE. */
export function isImmutabilityViolation(error: unknown): boolean {
  return error instanceof Error && error.message.includes('is append-only');
}

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** pg's own messages for a lost or unusable connection (these errors carry no code). */
const LOST_CONNECTION = /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout expired|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool)$/;

/**
 * True when the database could not be reached or dropped the connection, so that nothing of the statement can be
 * assumed done and the caller should retry: a network error, pg's messages for a lost or timed-out connection,
 * and Postgres's SQLSTATE class 08 (connection exception), 57P01-57P03 (administrator or crash shutdown, cannot
 * connect now: a restart) and 53300 (too many connections); and SQLite's `SQLITE_BUSY` (with its extended codes):
 * another process held the database's write lock past the busy timeout.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    return NETWORK_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code.startsWith('SQLITE_BUSY');
  }
  return error instanceof Error && LOST_CONNECTION.test(error.message);
}
