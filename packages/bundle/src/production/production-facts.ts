/**
 * The facts of a production that the report (`renderProductionReport`) and the bundle README
 * (`renderBundleReadme`) print. They mirror `data/custody.json` (docs/bundle-format.md); the bundle writer maps
 * custody.json onto them. Every string is data: the renderers escape it.
 */
import type { TControlNumberRange } from './control-number';
import { ProductionError } from './production-error';

/** The legal matter. */
export interface TProductionMatter {
  /** The matter (case) name, e.g. `Acme v. Globex`. */
  readonly name: string;
  /** The matter or case number, e.g. `1:26-cv-01234`. Optional. */
  readonly number?: string;
}

/** Who exported the bundle, and why. */
export interface TProductionExporter {
  /** The person (or service account) who ran the export. */
  readonly name: string;
  /** Their e-mail address or user id. Optional. */
  readonly contact?: string;
  /** The stated reason for the export (e.g. "response to RFP No. 12"). */
  readonly reason: string;
}

/**
 * How the events were chosen (the bundle's `mode`, docs/bundle-format.md).
 * - `complete-range`: every leaf of the seq range is accounted for (shown, withheld with its leaf hash, or purged),
 *   so the proof shows **completeness** of the range: nothing missing.
 * - `selected`: only the shown events, each proven to be in the log; the proof does **not** show that the filter
 *   returned every matching event (verifiable-log.md §9 item 5).
 */
export type TProductionMode = 'complete-range' | 'selected';

/** A seq range `[from, to)`, as `data/custody.json` records it (decimal strings there; numbers and bigints accepted). */
export interface TProductionRange {
  /** First leaf index (inclusive). */
  readonly from: string | number | bigint;
  /** End (exclusive). */
  readonly to: string | number | bigint;
}

/** The selection: mode, seq range and filter. */
export interface TProductionSelection {
  /** See {@link TProductionMode}. */
  readonly mode: TProductionMode;
  /** The range `[from, to)` (custody.json `range`); `null` or absent in `selected` mode. */
  readonly range?: TProductionRange | null;
  /** The filter in plain words ("events of actor user:u_1 between 1 and 31 March 2026 (UTC)"). `''` for no filter. */
  readonly filterDescription: string;
  /** The filter as the machine applied it (query text or canonical JSON), shown verbatim. Optional. */
  readonly filterExpression?: string;
}

/** How many leaves the production covers. */
export interface TProductionCounts {
  /** Events produced in full (lines of `data/events.ndjson`). */
  readonly shown: number;
  /** Leaves withheld by the filter (leaf hash only). */
  readonly withheld: number;
  /** Leaves whose event body a retention purge removed (leaf hash only). */
  readonly purged: number;
  /** All leaves the production accounts for. */
  readonly total: number;
}

/** The signed checkpoint the proofs lead to. */
export interface TProductionCheckpoint {
  /** The log origin (first line of the checkpoint). */
  readonly origin: string;
  /** The tree size. */
  readonly size: number | bigint;
  /** The root hash, padded base64 as in the checkpoint. */
  readonly root: string;
  /** The signed note, verbatim (body, blank line, signature lines). */
  readonly note: string;
}

/** The delivered bundle file. */
export interface TProductionBundleFile {
  /** File name, e.g. `ACME000001-acme-v-globex.zip`. */
  readonly fileName: string;
  /** Lowercase hex SHA-256 of the whole file. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
  /** The top-level directory inside the zip (the bag). Default: the file name without `.zip`. */
  readonly bagName?: string;
}

/** A verifier key listed in the report: the log's key, or a witness's. */
export interface TProductionKey {
  /** The C2SP vkey, `<name>+<hex8 id>+<base64>`. Its fingerprint is computed (`keyFingerprint`). */
  readonly vkey: string;
  /** What the key is, e.g. `log` or `witness`. Default is `log`. */
  readonly role?: string;
}

/** One chain-of-custody entry (NIST sample form fields; viewer.md §2.8). */
export interface TCustodyEntry {
  /** When: ISO 8601 **with** a time zone offset or `Z`, e.g. `2026-11-26T10:00:00+01:00`. */
  readonly at: string;
  /** What happened: `exported`, `transferred`, `received`, `verified`… */
  readonly action: string;
  /** Who performed it. */
  readonly by?: string;
  /** Released by (name, ID). */
  readonly releasedBy?: string;
  /** Received by (name, ID). */
  readonly receivedBy?: string;
  /** Purpose of the transfer. */
  readonly purpose?: string;
  /** Where (site, system, medium). */
  readonly location?: string;
  /** SHA-256 of the bundle file at this step, lowercase hex. */
  readonly sha256?: string;
  /** Whether that hash matched the recorded bundle hash (`MATCH` / `MISMATCH`; absent: not checked). */
  readonly hashMatch?: boolean;
  /** Free-text remarks. */
  readonly notes?: string;
}

/** A file of the production besides the bundle itself (load files, logs), for the file table. */
export interface TProductionFileEntry {
  /** Path inside the bag, e.g. `data/production/ACME000001.dat`. */
  readonly path: string;
  /** What it is. */
  readonly description: string;
  /** Encoding and format, e.g. `UTF-8, no BOM, CRLF`. Optional. */
  readonly encoding?: string;
  /** Record count. Optional. */
  readonly rows?: number;
}

/** Control numbers of the produced events. */
export type TProductionControlNumbers = TControlNumberRange;

/** A checked range: first and last leaf index (inclusive) and the leaf count. */
export interface TResolvedRange {
  readonly first: bigint;
  readonly last: bigint;
  readonly size: bigint;
}

/**
 * Checks a selection (mode, range, filter texts) and returns its range as `{ first, last, size }`, or `undefined`
 * without a range. Throws `INVALID_ARGUMENT` for an unknown mode, a range that is not `0 <= from < to` in decimal
 * integers, or non-string filter texts.
 */
export function resolveSelection(selection: TProductionSelection): TResolvedRange | undefined {
  const fail = (field: string, message: string) => new ProductionError('INVALID_ARGUMENT', message, { details: { field } });
  if (typeof selection !== 'object' || selection === null) throw fail('selection', 'selection must be an object');
  if (selection.mode !== 'complete-range' && selection.mode !== 'selected') {
    throw fail('selection.mode', "selection.mode must be 'complete-range' or 'selected'");
  }
  if (typeof selection.filterDescription !== 'string') throw fail('selection.filterDescription', 'selection.filterDescription must be a string');
  if (selection.filterExpression !== undefined && typeof selection.filterExpression !== 'string') {
    throw fail('selection.filterExpression', 'selection.filterExpression must be a string');
  }
  const range = selection.range;
  if (range === undefined || range === null) return undefined;
  const from = toIndex(range.from);
  const to = toIndex(range.to);
  if (from === undefined || to === undefined || from >= to) {
    throw fail('selection.range', 'selection.range must be { from, to } with 0 <= from < to (decimal integers)');
  }
  return { first: from, last: to - 1n, size: to - from };
}

function toIndex(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^(0|[1-9][0-9]{0,19})$/.test(value)) return BigInt(value);
  return undefined;
}
