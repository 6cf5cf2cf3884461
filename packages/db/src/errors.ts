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

/** True when an append-only trigger rejected an UPDATE or DELETE. */
export function isImmutabilityViolation(error: unknown): boolean {
  return error instanceof Error && error.message.includes('is append-only');
}
