/**
 * E-discovery production formats of the evidence bundle (viewer.md §2): Bates-style control numbers, the human CSV
 * (RFC 4180), the Concordance/Relativity DAT load file (UTF-8 or windows-1252), the withholding log, an EDRM XML
 * 1.2-style export, the HTML production report and the bundle's `data/README.txt`. Pure and streaming: every writer
 * formats one row per call. See `README.md` in this folder.
 */
export { PRODUCTION_ERROR_CODES, ProductionError, isProductionError } from './production-error';
export type { ProductionErrorCode, ProductionErrorDetails, ProductionErrorOptions } from './production-error';

export {
  CONTROL_PREFIX_PATTERN,
  DEFAULT_CONTROL_WIDTH,
  MAX_CONTROL_WIDTH,
  assertControlPrefix,
  assertControlWidth,
  formatControlNumber,
  formatControlRange,
  maxControlNumber,
  parseControlNumber,
  requiredControlWidth,
} from './control-number';
export type { TControlNumberRange } from './control-number';
export { ControlNumberSequence } from './control-number-sequence';
export type { TControlNumberSequenceOptions } from './control-number-sequence';

export { CSV_FORMULA_TRIGGERS, CSV_LINE_END, formatCsvField, formatCsvRecord } from './csv-record';
export { EVENT_CSV_COLUMNS, createEventCsvWriter } from './event-csv-writer';
export type { TEventCsvColumn, TEventCsvWriter, TEventCsvWriterOptions } from './event-csv-writer';
export { formatMetadataJson, joinMultiValue, splitMultiValue } from './event-values';
export type { TEventRowContext } from './event-values';

export { DEFAULT_DAT_DELIMITERS, describeDatDelimiters, resolveDatDelimiters } from './dat-delimiters';
export type { TDatDelimiters, TDatEncoding } from './dat-delimiters';
export { EVENT_DAT_FIELDS, createEventDatWriter, formatCheckpointId } from './event-dat-writer';
export type {
  TDatWriterStats,
  TEventDatField,
  TEventDatRowContext,
  TEventDatWriter,
  TEventDatWriterOptions,
} from './event-dat-writer';
export { parseDat } from './dat-reader';
export type { TDatTable, TParseDatOptions } from './dat-reader';
export { cp1252Byte, decodeCp1252, encodeCp1252, isCp1252CodePoint } from './cp1252';
export type { TCp1252EncodeOptions } from './cp1252';
export { createChunkEncoder, encodeUtf8 } from './chunk-encoder';
export type { TChunkEncoder, TChunkEncoderOptions } from './chunk-encoder';

export {
  WITHHOLDING_LOG_COLUMNS,
  WITHHOLDING_REASON_LABELS,
  createWithholdingLogWriter,
} from './withholding-log-writer';
export type {
  TWithheldLeaf,
  TWithholdingLogWriter,
  TWithholdingLogWriterOptions,
  TWithholdingReason,
} from './withholding-log-writer';

export type {
  TCustodyEntry,
  TProductionBundleFile,
  TProductionCheckpoint,
  TProductionControlNumbers,
  TProductionCounts,
  TProductionExporter,
  TProductionFileEntry,
  TProductionKey,
  TProductionMatter,
  TProductionMode,
  TProductionRange,
  TProductionSelection,
  TResolvedRange,
} from './production-facts';
export { resolveSelection } from './production-facts';
export { describeEventFilter } from './describe-event-filter';
export { renderProductionReport } from './production-report';
export type { TProductionReportData } from './production-report';
export { DEFAULT_BUNDLE_PATHS, renderBundleReadme } from './bundle-readme';
export type { TBundlePaths, TBundleReadmeData } from './bundle-readme';

export { createEdrmXmlWriter } from './edrm-xml-writer';
export type { TEdrmXmlWriter, TEdrmXmlWriterOptions } from './edrm-xml-writer';
