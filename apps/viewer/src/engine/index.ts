/**
 * The viewer's data engine (runs in a Web Worker): `createViewerEngine` implements `TViewerDataSource` of
 * `@custody/ui` over evidence bundles, plus bundle, trust, export, report and case-file operations.
 */
export { EXPORT_COLUMNS, createViewerEngine } from './engine';
export type {
  TExportColumn, TExportResult, TFindingsOptions, TOpenBundleOptions, TVerifyFunction, TViewerEngine, TViewerEngineOptions,
} from './engine';
export { CASE_FILE_FORMAT, GENESIS_HASH, hashLogEntry, parseCaseFile, verifyCaseFileLog } from './case-file';
export type { TCaseAction, TCaseAnnotation, TCaseFile, TCaseLogEntry, TLogVerification, TSavedView } from './case-file';
export { QueryError, parseTextTerm } from './query';
