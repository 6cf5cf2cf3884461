export type {
  Database,
  OrganizationsTable,
  ApiKeysTable,
  LogsTable,
  LeavesTable,
  TreeHashesTable,
  EventsTable,
  EventTargetsTable,
  EventMetadataTable,
  IdempotencyKeysTable,
  CheckpointsTable,
  SigningKeysTable,
  ExportsTable,
  TExportRow,
  TOrganizationRow,
  TApiKeyRow,
  TEventRow,
  TNewEventRow,
  TCheckpointRow,
  TSigningKeyRow,
} from './schema';
export type { CustodyDialect, TCompiledStatement, TExecutor, TEntryBits, TFacetReads, TFacetRow, TMetadataCount, TSearchDocument, TSeqWindow } from './dialect/custody-dialect';
export { openDatabase, parseDatabaseUrl } from './open-database';
export type { CustodyDatabase, TOpenDatabaseOptions } from './open-database';
export { migrateToLatest } from './migrate';
export type { TMigrationResult } from './migrate';
export { BackupError, backupDatabase } from './dialect/sqlite-backup';
export { CANCEL_APPLICATION_NAME, POSTGRES_CONNECT_TIMEOUT_MS } from './dialect/postgres';
export type { TBackupErrorCode, TBackupProgress, TBackupResult } from './dialect/sqlite-backup';
export { isDatabaseUnavailable, isImmutabilityViolation, isQueryCancelled, isStatementTimeout, isStorageFull, isUniqueViolation } from './errors';
