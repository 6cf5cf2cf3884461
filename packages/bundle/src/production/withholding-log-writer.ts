/**
 * The withholding log of a production: the log analogue of a privilege/redaction log (FRCP 26(b)(5)(A); viewer.md
 * §2.6). One CSV row per leaf of the produced range that is **not** shown: filtered out by the export's filter, or
 * whose event body a retention purge removed. Each row gives the leaf index and leaf hash, so the receiving party can
 * check that the shown and withheld leaves together rebuild the signed tree (nothing missing), without learning the
 * withheld content (events are salted, so a leaf hash reveals nothing guessable).
 *
 * Same CSV conventions as the event CSV: RFC 4180, UTF-8 without BOM (`bom` option), CRLF, header row, formula guard
 * on by default. Withheld leaves get no control number: control numbers belong to produced events only.
 */
import { isCanonicalTimestamp } from '@custody/schema';

import { encodeUtf8 } from './chunk-encoder';
import { formatCsvRecord } from './csv-record';
import { guardRow, hashToBase64 } from './event-values';
import { ProductionError } from './production-error';

/** The columns: `SEQ`, `LEAF_HASH` (padded base64), `REASON`, `PURGED_AT` (ISO 8601 UTC, purged only), `POLICY`. */
export const WITHHOLDING_LOG_COLUMNS = ['SEQ', 'LEAF_HASH', 'REASON', 'PURGED_AT', 'POLICY'] as const;

/** Why a leaf is withheld. */
export type TWithholdingReason = 'filtered_out' | 'purged';

/** The `REASON` text of each reason, as legal staff read it. */
export const WITHHOLDING_REASON_LABELS: Readonly<Record<TWithholdingReason, string>> = Object.freeze({
  filtered_out: 'filtered out',
  purged: 'purged by retention',
});

/** One withheld leaf. */
export interface TWithheldLeaf {
  /** The leaf index: a non-negative safe integer (or bigint). */
  readonly seq: number | bigint;
  /** The leaf hash: 32 bytes or their padded base64 (as in `data/leaves.txt`). */
  readonly leafHash: Uint8Array | string;
  /** Why it is withheld. */
  readonly reason: TWithholdingReason;
  /** When the body was purged (`purged` only; canonical UTC `2026-11-26T09:00:00.000Z`). Empty when unknown. */
  readonly purgedAt?: string;
  /**
   * The rule that withheld it: the retention policy name for `purged`, the filter (or agreement) for
   * `filtered_out`. Free text; empty when not given.
   */
  readonly policy?: string;
}

/** Options of {@link createWithholdingLogWriter}. */
export interface TWithholdingLogWriterOptions {
  /** Guard cells against formula injection (see `formatCsvField`). Default is `true`. */
  readonly formulaGuard?: boolean;
  /** Start the header with a UTF-8 BOM. Default is `false`. */
  readonly bom?: boolean;
}

/** A row-by-row withholding-log writer. */
export interface TWithholdingLogWriter {
  /** The columns, in order. */
  readonly columns: readonly string[];
  /** Rows written, per reason. */
  readonly counts: Readonly<Record<TWithholdingReason, number>>;
  /** The header record, CRLF-terminated. */
  header(): string;
  /** One withheld leaf's record, CRLF-terminated. Throws `INVALID_ARGUMENT` for a bad leaf. */
  row(leaf: TWithheldLeaf): string;
  /** UTF-8 bytes of text this writer produced (safe to pass alone). */
  readonly encode: (text: string) => Uint8Array;
}

/**
 * Creates the withholding-log writer (CSV, streaming, O(1) memory). Rows should follow leaf order; the writer does
 * not sort.
 *
 * ```ts
 * const log = createWithholdingLogWriter();
 * sink(log.header());
 * sink(log.row({ seq: 1042, leafHash, reason: 'purged', purgedAt: '2027-01-01T00:00:00.000Z', policy: 'default-400d' }));
 * ```
 */
export function createWithholdingLogWriter(options: TWithholdingLogWriterOptions = {}): TWithholdingLogWriter {
  const formulaGuard = options.formulaGuard ?? true;
  const bom = options.bom ?? false;
  const counts: Record<TWithholdingReason, number> = { filtered_out: 0, purged: 0 };
  const fields = ['', '', '', '', ''];
  return {
    columns: WITHHOLDING_LOG_COLUMNS,
    get counts() {
      return { ...counts };
    },
    header: () => (bom ? '\ufeff' : '') + formatCsvRecord(WITHHOLDING_LOG_COLUMNS, false),
    row(leaf) {
      const rowNumber = counts.filtered_out + counts.purged + 1;
      const text = guardRow(rowNumber, () => {
        if (typeof leaf !== 'object' || leaf === null) throw new ProductionError('INVALID_ARGUMENT', 'withheld leaf must be an object');
        const reason = leaf.reason;
        if (reason !== 'filtered_out' && reason !== 'purged') {
          throw new ProductionError('INVALID_ARGUMENT', `row ${rowNumber}: reason must be 'filtered_out' or 'purged'`, { details: { row: rowNumber } });
        }
        const seq = leaf.seq;
        const seqOk = typeof seq === 'bigint' ? seq >= 0n : typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0;
        if (!seqOk) throw new ProductionError('INVALID_ARGUMENT', `row ${rowNumber}: seq must be a non-negative integer`, { details: { row: rowNumber } });
        const purgedAt = leaf.purgedAt ?? '';
        if (purgedAt !== '' && (reason !== 'purged' || typeof purgedAt !== 'string' || !isCanonicalTimestamp(purgedAt))) {
          throw new ProductionError(
            'INVALID_ARGUMENT',
            `row ${rowNumber}: purgedAt must be a canonical UTC timestamp, and only for purged leaves`,
            { details: { row: rowNumber } },
          );
        }
        const policy = leaf.policy ?? '';
        if (typeof policy !== 'string') throw new ProductionError('INVALID_ARGUMENT', `row ${rowNumber}: policy must be a string`);
        fields[0] = String(seq);
        fields[1] = hashToBase64(leaf.leafHash);
        fields[2] = WITHHOLDING_REASON_LABELS[reason];
        fields[3] = purgedAt;
        fields[4] = policy;
        const record = formatCsvRecord(fields, formulaGuard);
        counts[reason]++;
        return record;
      });
      return text;
    },
    encode: encodeUtf8,
  };
}
