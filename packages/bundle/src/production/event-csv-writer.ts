/**
 * The human CSV of a production: one row per **shown** event, in `data/events.ndjson` order (viewer.md §2.9 item 1;
 * RFC 4180). A review aid for spreadsheets and review tools; the evidence is the canonical NDJSON, which the CSV
 * never replaces (values are flattened, quoted and, by default, guarded against formula injection).
 *
 * Format decisions: UTF-8 **without** BOM (RFC 4180 / `text/csv`; a BOM breaks many parsers and the first column
 * name; `bom: true` adds one for Excel), CRLF after every record including the last (RFC 4180 §2 rules 1–2), a
 * header row, times as stored (ISO 8601 UTC with milliseconds, `2026-11-26T09:00:00.000Z`). Withheld and purged
 * leaves are not rows here: they go to the withholding log (`createWithholdingLogWriter`).
 */
import type { TLoggedEvent } from '@custody/schema';

import { encodeUtf8 } from './chunk-encoder';
import { formatCsvField, formatCsvRecord } from './csv-record';
import {
  checkControlNumberText,
  formatMetadataCsvField,
  formatTargets,
  guardRow,
  hashToBase64,
  isArrayValue,
} from './event-values';
import type { TEventRowContext } from './event-values';
import { ProductionError } from './production-error';

/**
 * The columns, in their default order:
 *
 * | Column | Value |
 * |---|---|
 * | `CONTROL_NUMBER` | the row's control number (`ACME000001`) |
 * | `SEQ` | the leaf index in the organization's log |
 * | `EVENT_ID` | the event's UUIDv7 |
 * | `OCCURRED_AT_UTC`, `RECEIVED_AT_UTC` | ISO 8601 UTC with milliseconds |
 * | `ACTION` | `user.signed_in` |
 * | `ACTOR_TYPE`, `ACTOR_ID`, `ACTOR_NAME` | the actor (name empty when absent) |
 * | `TARGETS` | `type:id` items joined by `;`, `%` and `;` inside an item percent-encoded (`joinMultiValue`) |
 * | `IP` | `context.location`, canonical text (RFC 5952 for IPv6) |
 * | `USER_AGENT`, `REQUEST_ID`, `SESSION_ID` | the context fields (empty when absent) |
 * | `METADATA` | the event metadata as RFC 8785 canonical JSON |
 * | `LEAF_HASH` | SHA-256(0x00 ‖ canonical bytes), padded base64 |
 */
export const EVENT_CSV_COLUMNS = [
  'CONTROL_NUMBER',
  'SEQ',
  'EVENT_ID',
  'OCCURRED_AT_UTC',
  'RECEIVED_AT_UTC',
  'ACTION',
  'ACTOR_TYPE',
  'ACTOR_ID',
  'ACTOR_NAME',
  'TARGETS',
  'IP',
  'USER_AGENT',
  'REQUEST_ID',
  'SESSION_ID',
  'METADATA',
  'LEAF_HASH',
] as const;

/** A column of the event CSV. */
export type TEventCsvColumn = (typeof EVENT_CSV_COLUMNS)[number];

/** Options of {@link createEventCsvWriter}. */
export interface TEventCsvWriterOptions {
  /**
   * Prefix cells beginning with `=`, `+`, `-`, `@`, TAB or CR (and their full-width forms) with `'` so spreadsheets
   * do not evaluate them (OWASP CSV injection). Default is `true`. Guarded cells differ from the data by that one
   * leading `'`; the canonical NDJSON keeps the exact values.
   */
  readonly formulaGuard?: boolean;
  /** Start the header with a UTF-8 BOM (U+FEFF) so Excel detects UTF-8. Default is `false` (RFC 4180 style). */
  readonly bom?: boolean;
  /** The columns and their order. Default is {@link EVENT_CSV_COLUMNS}. Keep them the same across deliveries. */
  readonly columns?: readonly TEventCsvColumn[];
}

/** A row-by-row writer of the event CSV; see {@link createEventCsvWriter}. */
export interface TEventCsvWriter {
  /** The columns written, in order. */
  readonly columns: readonly TEventCsvColumn[];
  /** Whether the formula guard is on. */
  readonly formulaGuard: boolean;
  /** How many rows {@link TEventCsvWriter.row} has written. */
  readonly rowCount: number;
  /** The header record (with the BOM first when `bom` is set), CRLF-terminated. */
  header(): string;
  /** One event's record, CRLF-terminated. Throws `INVALID_ARGUMENT` for a bad context or a non-event. */
  row(event: TLoggedEvent, context: TEventRowContext): string;
  /** UTF-8 bytes of text this writer produced (for `createChunkEncoder`; a plain function, safe to pass alone). */
  readonly encode: (text: string) => Uint8Array;
}

type TExtractor = (event: TLoggedEvent, context: TEventRowContext) => string;

const EXTRACTORS: Readonly<Record<TEventCsvColumn, TExtractor>> = {
  CONTROL_NUMBER: (_, context) => checkControlNumberText(context.controlNumber),
  SEQ: (event) => String(event.seq),
  EVENT_ID: (event) => event.id,
  OCCURRED_AT_UTC: (event) => event.occurred_at,
  RECEIVED_AT_UTC: (event) => event.received_at,
  ACTION: (event) => event.action,
  ACTOR_TYPE: (event) => event.actor.type,
  ACTOR_ID: (event) => event.actor.id,
  ACTOR_NAME: (event) => event.actor.name ?? '',
  TARGETS: (event) => formatTargets(event.targets),
  IP: (event) => event.context.location,
  USER_AGENT: (event) => event.context.user_agent ?? '',
  REQUEST_ID: (event) => event.context.request_id ?? '',
  SESSION_ID: (event) => event.context.session_id ?? '',
  METADATA: (event) => formatMetadataCsvField(event.metadata),
  LEAF_HASH: (_, context) => hashToBase64(context.leafHash),
};

/**
 * How each column is written. `plain`: written as extracted, because it is generated text of digits, letters and
 * `.:-_` that never needs quotes or the formula guard (seq, UUID, UTC times, action and type names, canonical IP
 * text), or already a CSV field (the metadata, `formatMetadataCsvField`: `{}` or `"{…}"`, never a formula).
 * `text`: anything else, through `formatCsvField`.
 */
const CELL_KINDS: Readonly<Partial<Record<TEventCsvColumn, 'plain' | 'text'>>> = {
  SEQ: 'plain',
  EVENT_ID: 'plain',
  OCCURRED_AT_UTC: 'plain',
  RECEIVED_AT_UTC: 'plain',
  ACTION: 'plain',
  ACTOR_TYPE: 'plain',
  IP: 'plain',
  METADATA: 'plain',
};

/** Throws `INVALID_ARGUMENT` unless `columns` is a non-empty list of distinct known names. */
export function checkColumns<T extends string>(columns: readonly T[], known: readonly T[], what: string): readonly T[] {
  const list: readonly T[] = columns;
  if (!isArrayValue(list) || list.length === 0) {
    throw new ProductionError('INVALID_ARGUMENT', `${what} must be a non-empty array`);
  }
  const seen = new Set<string>();
  for (const column of list) {
    if (!known.includes(column)) throw new ProductionError('INVALID_ARGUMENT', `unknown ${what.replace(/s$/, '')} ${JSON.stringify(String(column))}`);
    if (seen.has(column)) throw new ProductionError('INVALID_ARGUMENT', `duplicate ${what.replace(/s$/, '')} ${column}`);
    seen.add(column);
  }
  return Object.freeze([...list]);
}

/**
 * Creates the event CSV writer. Pure and streaming: each call formats one record from one event; nothing is
 * buffered. About 1–2 µs per row (see `bench/production.bench.ts`).
 *
 * ```ts
 * const csv = createEventCsvWriter();                     // formula guard on, no BOM
 * const chunks = createChunkEncoder(csv.encode);
 * sink(chunks.push(csv.header()));
 * for (const [k, line] of lines.entries()) {
 *   const parsed = parseLoggedEvent(line);
 *   if (!parsed.ok) throw …;
 *   sink(chunks.push(csv.row(parsed.event, { controlNumber: numbers.at(k), leafHash: hashLeaf(line) })));
 * }
 * sink(chunks.flush());
 * ```
 */
export function createEventCsvWriter(options: TEventCsvWriterOptions = {}): TEventCsvWriter {
  const formulaGuard = options.formulaGuard ?? true;
  const bom = options.bom ?? false;
  const columns = checkColumns(options.columns ?? EVENT_CSV_COLUMNS, EVENT_CSV_COLUMNS, 'columns');
  const steps = columns.map((column) => ({ extract: EXTRACTORS[column], kind: CELL_KINDS[column] ?? 'text' }));
  let rowCount = 0;
  return {
    columns,
    formulaGuard,
    get rowCount() {
      return rowCount;
    },
    header: () => (bom ? '\ufeff' : '') + formatCsvRecord(columns, false),
    row(event, context) {
      const text = guardRow(rowCount + 1, () => {
        if (typeof context !== 'object' || context === null) {
          throw new ProductionError('INVALID_ARGUMENT', 'row context must be { controlNumber, leafHash }');
        }
        let out = '';
        for (let i = 0; i < steps.length; i++) {
          const step = steps[i] as (typeof steps)[number];
          const value = step.extract(event, context);
          if (i > 0) out += ',';
          if (step.kind === 'plain') out += value;
          else out += formatCsvField(value, formulaGuard);
        }
        return `${out}\r\n`;
      });
      rowCount++;
      return text;
    },
    encode: encodeUtf8,
  };
}
