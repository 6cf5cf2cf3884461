/**
 * `@custody/bundle`: evidence bundles. A streaming ZIP layer with a hostile-input reader, BagIt (RFC 8493), the
 * custody.evidence/v1 bundle writer and its verifier with CloudTrail-style reports. Pure: no Node built-ins; bytes,
 * hashing and (de)compression are injected, with portable defaults for browsers and Workers.
 */
export { BUNDLE_ERROR_CODES, BundleError, isBundleError } from './errors';
export type { BundleErrorCode, BundleErrorDetails, BundleErrorOptions } from './errors';

// Platform
export type { BundleCrypto, ByteSink, ByteSource, ByteTransform, CheckedInflate, Crc32, CreateSha256, Ed25519, IncrementalSha256, Sha256, Sha256Into, Sha256IntoMany } from './platform/types';
export {
  blobSource, createPortableSha256, memorySink, memorySource, portableCrc32, portableSha256Into, resolveCrypto, wasmSha256, webDeflateRaw, webInflateChecked, webInflateRaw,
} from './platform/defaults';
export type { MemorySink, ResolvedCrypto } from './platform/defaults';

// ZIP
export { ZipWriter, createEntryEncoder, createZipWriter } from './zip/writer';
export type {
  EncodedEntry, EntryEncoder, PreparedEntry, ZipEntryInfo, ZipEntryOptions, ZipEntryWriter, ZipFinishResult, ZipMethod,
  ZipWriterOptions,
} from './zip/writer';
export { DEFAULT_ZIP_LIMITS, openZip } from './zip/reader';
export type { ZipArchive, ZipEntry, ZipLimits, ZipReaderOptions, ZipStreamOptions } from './zip/reader';
export { checkEntryName } from './zip/names';

// BagIt
export {
  BAGIT_TXT, checkBagComplete, checkBagValid, checkBagitTxt, decodeManifestPath, encodeManifestPath, formatBagInfo,
  formatBagSize, formatManifest, formatPayloadOxum, getBagInfo, parseBagInfo, parseManifest, parsePayloadOxum,
} from './bagit/bagit';
export type { BagFile, BagInfoField, BagListing, BagProblem, ManifestEntry } from './bagit/bagit';

// Bundle format, writer, verifier
export {
  BAG_NAME_PATTERN, BUNDLE_FORMAT, CHAIN_FORMAT, CUSTODY_FORMAT, PATHS, PROOF_FORMAT, REQUIRED_PAYLOAD,
  REQUIRED_TAG_FILES, checkpointPath, sealText,
} from './bundle/format';
export type {
  BundleMode, ChainLinkRecord, ChainRecord, ControlNumbers, CustodyRecord, ExportedBy, LeafKind, ProofRecord,
} from './bundle/format';
export { memorySpool } from './bundle/spool';
export type { Spool, SpoolFactory } from './bundle/spool';
export { BundleWriter, createBundleWriter, leafHashFromBase64 } from './bundle/writer';
export type {
  BundleFileInfo, BundleFileWriter, BundleFinishInput, BundleWriteResult, BundleWriterOptions, CheckpointInput,
  CustodyInput, PurgeDetails,
} from './bundle/writer';
export { DEFAULT_BUNDLE_LIMITS, PRODUCTION_FILES, verifyBundle } from './bundle/verifier';
export type { BundleLimits, VerifyBundleOptions, VerifyProgress } from './bundle/verifier';
export { checkLeafBatch, createInlineChecker } from './bundle/leaf-batch';
export type { BatchFailure, LeafBatch, LeafBatchChecker, LeafBatchContext, LeafBatchResult } from './bundle/leaf-batch';
export { CHECK_NAMES, CHECK_TITLES, FAILURE_CODES, verificationExitCode } from './bundle/report-types';
export type {
  BundleDescription, CheckName, CheckResult, CheckStatus, FailureCode, VerificationCounts, VerificationFailure,
  VerificationReport,
} from './bundle/report-types';
export { formatVerificationReport } from './bundle/report-format';
export type { FormatReportOptions } from './bundle/report-format';
export { JCS_FAILURE_TEXT, isCanonicalJsonBytes, scanCanonicalJson } from './bundle/jcs-scan';
export type { CanonicalScan, JcsFailure } from './bundle/jcs-scan';
export { TreeTiling, coverRange, isTreeNode } from './bundle/tree';
export type { TilingProblem } from './bundle/tree';

// Production files (control numbers, CSV, DAT, withholding log, EDRM XML, report, README).
export * from './production/index';
