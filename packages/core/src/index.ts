/**
 * `@custody/core`: the domain services. Procedures in `@custody/api` call these; nothing here knows
 * about HTTP or tRPC, and nothing here asks which database it runs on.
 */
export { Custody } from './custody';
export type { TCustodyOptions } from './custody';
export { AppError, APP_ERROR_STATUS, appErrorOf, isAppError } from './errors';
export { withinDeadline } from './deadline';
export { makeDirectory } from './make-directory';
export type { TAppErrorCode, TAppErrorDetails } from './errors';
export { ApiKeys, API_KEY_PREFIX, SCOPES, authorize } from './api-keys';
export type { TApiKeyInfo, TPrincipal, TScope } from './api-keys';
export { Organizations, generateOrganizationId } from './organizations';
export type { TOrganization } from './organizations';
export { Ingestor, MAX_BATCH_EVENTS, prepareEvent } from './ingest';
export type { TCommitInfo, TIngestOptions, TIngestResult, TLogCommitter, TPreparedEvent } from './ingest';
export { LogWriter } from './log-writer';
export { LogWriterThread } from './log-writer-thread';
export { createThreadedLeafChecker, defaultCheckerThreads, defaultVerifyThreads } from './leaf-checker-thread';
export type { TThreadedLeafChecker } from './leaf-checker-thread';
export { Checkpointer } from './checkpointer';
export type { TCheckpointerOptions } from './checkpointer';
export { LogService, toCheckpoint } from './log-service';
export type { TCheckpoint, TConsistencyProof, TInclusionProof, TLogEntry } from './log-service';
export { EventQueries, MAX_PAGE_SIZE, RESERVED_METADATA_KEY } from './query';
export type {
  TEventFilter, TEventPage, TEventQueriesOptions, TEventReader, TEventRecord, TEventStats, TListOptions, TQueryControl, TSortOrder, TStatsOptions,
} from './query';
export { EventQueryThreads } from './query-threads';
export { trackWorkerThread, workerThreadsStillRunning } from './worker-script';
export { TimedEventQueries } from './timed-queries';
export type { TQueryThreadsLoad, TQueryThreadsOptions } from './query-threads';
export { SigningKeys, loadOrCreateSigningKey, rotateSigningKeyFile, signingKeyFromText } from './signing-keys';
export type { TPublishedKey, TSigningKey } from './signing-keys';
export { DbHashReader } from './db-hash-reader';
export { nodeEd25519, nodeHasher, nodeSha256, nodeSha256Into } from './node-crypto';
export { RateLimiter } from './rate-limiter';
export { ExportService, EXPORT_FORMATS, sha256File } from './exports';
export type { TExportFormat, TExportInfo, TExportRequest, TExportRequester, TExportServiceOptions } from './exports';
export { createFileSink, nodeBundleCrypto, nodeCrc32, nodeDeflateRaw, nodeInflateRaw, nodeVerifyOptions, openFileSource } from './bundle-node';
export type { TFileSink, TFileSource } from './bundle-node';
export { checkStoredLogs } from './log-check';
export type { TStoredLogCheck } from './log-check';
