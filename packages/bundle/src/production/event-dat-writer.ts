/**
 * The Concordance/Relativity DAT metadata load file of a log production (viewer.md §2.1, §2.9 item 3): a header row,
 * then one record per shown event in `data/events.ndjson` order, every value wrapped in the quote character,
 * values separated by the field character, records ended by CRLF.
 *
 * DAT has no escape mechanism, so values are made safe by substitution, counted in {@link TEventDatWriter.stats}:
 * - a line break inside a value (CRLF, CR or LF) becomes the newline character `®` (Relativity turns it back into a
 *   line break on load);
 * - a literal field, quote or newline character inside a value (`þ` in an Icelandic name, `®` in a product name),
 *   and any other C0 control character or DEL (TAB is kept), becomes the `replacement` (default U+FFFD `�` in UTF-8,
 *   `?` in windows-1252), because leaving it would split or corrupt the record (and a literal `®` would load as a
 *   line break);
 * - `TARGETS` items are joined with the multi-value character, `%` and that character inside an item percent-encoded
 *   (`joinMultiValue`).
 * The canonical NDJSON keeps every exact value; `LOG_INDEX` and `SHA256` tie each record to its line.
 *
 * `NATIVEPATH` is deliberately absent: a log production has no per-record native file (every record's "native" is
 * one line of `data/events.ndjson`, identified by `LOG_INDEX` and `SHA256`), and pointing a million records at one
 * NDJSON file would make review platforms import it a million times.
 */
import type { Sha256 } from '@custody/ledger';
import type { TLoggedEvent } from '@custody/schema';

import { encodeUtf8 } from './chunk-encoder';
import { encodeCp1252, isCp1252CodePoint, unencodable } from './cp1252';
import { DEFAULT_DAT_DELIMITERS, resolveDatDelimiters } from './dat-delimiters';
import type { TDatDelimiters, TDatEncoding } from './dat-delimiters';
import { checkColumns } from './event-csv-writer';
import {
  checkControlNumberText,
  formatEntityReference,
  formatTargets,
  guardRow,
  hashToBase64,
  hashToHex,
} from './event-values';
import type { TEventRowContext } from './event-values';
import { ProductionError } from './production-error';

/**
 * The fields, in their default order (SEC/FTC Concordance names plus the log-production fields of viewer.md §2.1):
 *
 * | Field | Value |
 * |---|---|
 * | `BEGBATES`, `ENDBATES`, `CONTROLNO` | the row's control number (each event is a one-row document, so all three are equal) |
 * | `CUSTODIAN` | the `custodian` option |
 * | `SOURCE` | the `source` option: the log origin (`audit.example.com/org/42`) |
 * | `LOG_INDEX` | the event's `seq` (leaf index) |
 * | `EVENT_TIME_UTC` | `occurred_at`, ISO 8601 UTC with milliseconds |
 * | `EVENT_TYPE` | the action (`user.signed_in`) |
 * | `ACTOR` | `type:id` of the actor |
 * | `ACTOR_NAME` | the actor's name (empty when absent); a field of its own so `ACTOR` stays an exact key |
 * | `TARGETS` | `type:id` items joined by the multi-value character |
 * | `IP`, `USER_AGENT` | from the event context |
 * | `LEAF_HASH` | SHA-256(0x00 ‖ canonical bytes), padded base64 |
 * | `CHECKPOINT_ID` | the `checkpointId` option, `<origin>@<size>` of the bundle's checkpoint |
 * | `SHA256` | SHA-256 of the event's canonical bytes (the NDJSON line without its LF), lowercase hex |
 */
export const EVENT_DAT_FIELDS = [
  'BEGBATES',
  'ENDBATES',
  'CONTROLNO',
  'CUSTODIAN',
  'SOURCE',
  'LOG_INDEX',
  'EVENT_TIME_UTC',
  'EVENT_TYPE',
  'ACTOR',
  'ACTOR_NAME',
  'TARGETS',
  'IP',
  'USER_AGENT',
  'LEAF_HASH',
  'CHECKPOINT_ID',
  'SHA256',
] as const;

/** A field of the event DAT. */
export type TEventDatField = (typeof EVENT_DAT_FIELDS)[number];

/** The row context of the DAT writer: the CSV context plus the digest of the event's canonical bytes. */
export interface TEventDatRowContext extends TEventRowContext {
  /** SHA-256 of the canonical bytes: 32 bytes or 64 hex digits. Needed for `SHA256` unless `bytes` and the `sha256` option are given. */
  readonly sha256?: Uint8Array | string;
  /** The canonical bytes, hashed with the `sha256` option when `sha256` is not given. */
  readonly bytes?: Uint8Array;
}

/** Options of {@link createEventDatWriter}. */
export interface TEventDatWriterOptions {
  /** The `CUSTODIAN` value (the person or system whose data this is). Required when the field is written. */
  readonly custodian?: string;
  /** The `SOURCE` value: the log origin. Required when the field is written. */
  readonly source?: string;
  /** The `CHECKPOINT_ID` value, `formatCheckpointId(origin, size)`. Required when the field is written. */
  readonly checkpointId?: string;
  /** Delimiters; missing ones default to {@link DEFAULT_DAT_DELIMITERS}. */
  readonly delimiters?: Partial<TDatDelimiters>;
  /** `'utf-8'` (default, no BOM) or `'cp1252'` (windows-1252). */
  readonly encoding?: TDatEncoding;
  /** UTF-8 only: start the header with a BOM. Default is `false`. */
  readonly bom?: boolean;
  /**
   * windows-1252 only: write `?` for each character windows-1252 cannot represent (counted in
   * `stats.lossyCharacters`) instead of throwing `UNENCODABLE_CHARACTER`. Default is `false`. A lossy DAT must be
   * declared in the cover letter; the canonical NDJSON is unaffected.
   */
  readonly lossy?: boolean;
  /**
   * What replaces a delimiter or control character found inside a value: one character that is not a delimiter,
   * CR, LF or a control character. Default is U+FFFD for UTF-8 and `?` for windows-1252.
   */
  readonly replacement?: string;
  /** The fields and their order. Default is {@link EVENT_DAT_FIELDS}. Keep them the same across deliveries. */
  readonly fields?: readonly TEventDatField[];
  /** SHA-256, to compute `SHA256` from `context.bytes` when `context.sha256` is absent (`nobleSha256` from `@custody/ledger` works). */
  readonly sha256?: Sha256;
}

/** Substitution counts of a DAT writer, for the production report. */
export interface TDatWriterStats {
  /** Delimiter or control characters inside values replaced by the `replacement`. */
  readonly replacedCharacters: number;
  /** Line breaks inside values written as the newline character. */
  readonly lineBreaks: number;
  /** Characters written as `?` because windows-1252 cannot represent them (`lossy` only). */
  readonly lossyCharacters: number;
}

/** A row-by-row DAT writer; see {@link createEventDatWriter}. */
export interface TEventDatWriter {
  /** The fields written, in order. */
  readonly fields: readonly TEventDatField[];
  /** The delimiters used (state them in the cover letter). */
  readonly delimiters: TDatDelimiters;
  /** The file's encoding. */
  readonly encoding: TDatEncoding;
  /** How many rows {@link TEventDatWriter.row} has written. */
  readonly rowCount: number;
  /** Substitutions so far. */
  readonly stats: TDatWriterStats;
  /** The header record (with a BOM first when `bom` is set), CRLF-terminated. */
  header(): string;
  /**
   * One event's record, CRLF-terminated, already restricted to characters the file's encoding can write. Throws
   * `UNENCODABLE_CHARACTER` (windows-1252, not lossy; `details` name the row, field and code point) or
   * `INVALID_ARGUMENT`.
   */
  row(event: TLoggedEvent, context: TEventDatRowContext): string;
  /** Bytes of text this writer produced, in the file's encoding (for `createChunkEncoder`; safe to pass alone). */
  readonly encode: (text: string) => Uint8Array;
}

/** `<origin>@<size>`, the `CHECKPOINT_ID` of a checkpoint (`audit.example.com/org/42@1337`). */
export function formatCheckpointId(origin: string, size: number | bigint): string {
  if (typeof origin !== 'string' || origin === '') throw new ProductionError('INVALID_ARGUMENT', 'checkpoint origin must be a non-empty string');
  if (typeof size === 'number' ? !Number.isSafeInteger(size) || size < 0 : typeof size !== 'bigint' || size < 0n) {
    throw new ProductionError('INVALID_ARGUMENT', `checkpoint size must be a non-negative integer, got ${String(size)}`);
  }
  return `${origin}@${String(size)}`;
}

/** Every character of seq numbers, UTC timestamps, action names, base64 and hex. */
const GENERATED_CHARACTERS = /[A-Za-z0-9+/=:._-]/;

type TExtractor = (event: TLoggedEvent, context: TEventDatRowContext) => string;

/**
 * Creates the event DAT writer. Pure and streaming (one record per call, nothing buffered); about 1–2 µs per row.
 * Throws `INVALID_DELIMITERS` or `INVALID_ARGUMENT` for bad options, and `UNENCODABLE_CHARACTER` when a constant
 * value (custodian, source, checkpoint id) cannot be written in windows-1252.
 *
 * ```ts
 * const dat = createEventDatWriter({
 *   custodian: 'Acme Corp. (IT Security)', source: checkpoint.origin,
 *   checkpointId: formatCheckpointId(checkpoint.origin, checkpoint.size), sha256: nobleSha256,
 * });
 * const chunks = createChunkEncoder(dat.encode);
 * sink(chunks.push(dat.header()));
 * sink(chunks.push(dat.row(event, { controlNumber, leafHash, bytes: line })));
 * sink(chunks.flush());
 * ```
 */
export function createEventDatWriter(options: TEventDatWriterOptions = {}): TEventDatWriter {
  const encoding = options.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'cp1252') {
    throw new ProductionError('INVALID_ARGUMENT', `encoding must be 'utf-8' or 'cp1252', got ${JSON.stringify(String(encoding))}`);
  }
  const delimiters = resolveDatDelimiters(options.delimiters ?? DEFAULT_DAT_DELIMITERS, encoding);
  const lossy = options.lossy ?? false;
  const bom = options.bom ?? false;
  if (bom && encoding !== 'utf-8') throw new ProductionError('INVALID_ARGUMENT', 'a BOM is only written in UTF-8');
  const replacement = options.replacement ?? (encoding === 'utf-8' ? '\ufffd' : '?');
  checkReplacement(replacement, delimiters, encoding);
  const fields = checkColumns(options.fields ?? EVENT_DAT_FIELDS, EVENT_DAT_FIELDS, 'fields');
  const sha256 = options.sha256;
  if (sha256 !== undefined && typeof sha256 !== 'function') throw new ProductionError('INVALID_ARGUMENT', 'sha256 must be a function');

  let replacedCharacters = 0;
  let lineBreaks = 0;
  let lossyCharacters = 0;
  let rowCount = 0;
  const { field: fieldChar, quote, newline, multiValue } = delimiters;
  const special = new RegExp(`[${escapeClass(fieldChar)}${escapeClass(quote)}${escapeClass(newline)}\\x00-\\x08\\x0a-\\x1f\\x7f]`);
  // eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
  const nonAscii = /[^\x00-\x7f]/;

  /** Substitutes delimiters, controls and line breaks, then checks the encoding. `where` names the place for errors. */
  const clean = (value: string, where: () => string): string => {
    let text = value;
    if (special.test(text)) {
      let out = '';
      for (let i = 0; i < text.length; i++) {
        const c = text[i] ?? '';
        if (c === '\r' || c === '\n') {
          if (c === '\r' && text[i + 1] === '\n') i++;
          out += newline;
          lineBreaks++;
        } else if (c === fieldChar || c === quote || c === newline || (c < ' ' && c !== '\t') || c === '\x7f') {
          out += replacement;
          replacedCharacters++;
        } else {
          out += c;
        }
      }
      text = out;
    }
    if (encoding === 'cp1252' && nonAscii.test(text)) text = toCp1252Text(text, where);
    return text;
  };

  const toCp1252Text = (text: string, where: () => string): string => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (isCp1252CodePoint(unit)) {
        out += text[i] ?? '';
        continue;
      }
      const codePoint = text.codePointAt(i) ?? unit;
      if (!lossy) throw unencodable(codePoint, i, where());
      out += '?';
      lossyCharacters++;
      if (codePoint > 0xffff) i++;
    }
    return out;
  };

  const constant = (name: 'custodian' | 'source' | 'checkpointId', fieldName: TEventDatField): string => {
    const value = options[name];
    if (!fields.includes(fieldName)) return '';
    if (typeof value !== 'string' || value === '') {
      throw new ProductionError('INVALID_ARGUMENT', `${name} is required when the ${fieldName} field is written`, { details: { option: name } });
    }
    return clean(value, () => `option ${name}`);
  };
  const custodian = constant('custodian', 'CUSTODIAN');
  const source = constant('source', 'SOURCE');
  const checkpointId = constant('checkpointId', 'CHECKPOINT_ID');

  const digest = (context: TEventDatRowContext): string => {
    if (context.sha256 !== undefined) return hashToHex(context.sha256);
    if (context.bytes instanceof Uint8Array && sha256 !== undefined) return hashToHex(sha256(context.bytes));
    throw new ProductionError('INVALID_ARGUMENT', 'the SHA256 field needs context.sha256, or context.bytes and the sha256 option');
  };

  const extractors: Readonly<Record<TEventDatField, TExtractor>> = {
    BEGBATES: (_, context) => checkControlNumberText(context.controlNumber),
    ENDBATES: (_, context) => checkControlNumberText(context.controlNumber),
    CONTROLNO: (_, context) => checkControlNumberText(context.controlNumber),
    CUSTODIAN: () => custodian,
    SOURCE: () => source,
    LOG_INDEX: (event) => String(event.seq),
    EVENT_TIME_UTC: (event) => event.occurred_at,
    EVENT_TYPE: (event) => event.action,
    ACTOR: (event) => formatEntityReference(event.actor),
    ACTOR_NAME: (event) => event.actor.name ?? '',
    TARGETS: (event) => formatTargets(event.targets, multiValue),
    IP: (event) => event.context.location,
    USER_AGENT: (event) => event.context.user_agent ?? '',
    LEAF_HASH: (_, context) => hashToBase64(context.leafHash),
    CHECKPOINT_ID: () => checkpointId,
    SHA256: (_, context) => digest(context),
  };
  // Constants were cleaned above. Generated values (digits, timestamps, action names, base64, hex) use only
  // GENERATED_CHARACTERS, so they skip `clean` unless a delimiter is one of those characters.
  const generatedAreSafe = ![fieldChar, quote, newline].some((c) => GENERATED_CHARACTERS.test(c));
  const trusted = new Set<TEventDatField>(
    generatedAreSafe
      ? ['CUSTODIAN', 'SOURCE', 'CHECKPOINT_ID', 'LOG_INDEX', 'EVENT_TIME_UTC', 'EVENT_TYPE', 'LEAF_HASH', 'SHA256']
      : ['CUSTODIAN', 'SOURCE', 'CHECKPOINT_ID'],
  );
  const plan = fields.map((name) => ({ name, extract: extractors[name], clean: !trusted.has(name) }));
  const open = quote;
  const separator = quote + fieldChar + quote;
  const close = `${quote}\r\n`;

  return {
    fields,
    delimiters,
    encoding,
    get rowCount() {
      return rowCount;
    },
    get stats() {
      return { replacedCharacters, lineBreaks, lossyCharacters };
    },
    header() {
      const names = fields.map((name) => clean(name, () => 'header'));
      return (bom ? '\ufeff' : '') + open + names.join(separator) + close;
    },
    row(event, context) {
      const rowNumber = rowCount + 1;
      const text = guardRow(rowNumber, () => {
        if (typeof context !== 'object' || context === null) {
          throw new ProductionError('INVALID_ARGUMENT', 'row context must be { controlNumber, leafHash, sha256 | bytes }');
        }
        let out = open;
        for (let i = 0; i < plan.length; i++) {
          const step = plan[i];
          if (step === undefined) continue;
          if (i > 0) out += separator;
          const value = step.extract(event, context);
          out += step.clean ? clean(value, () => `row ${rowNumber} field ${step.name}`) : value;
        }
        return out + close;
      });
      rowCount++;
      return text;
    },
    encode: encoding === 'utf-8' ? encodeUtf8 : (text: string) => encodeCp1252(text, { lossy }),
  };
}

function checkReplacement(replacement: string, delimiters: TDatDelimiters, encoding: TDatEncoding): void {
  const unit = typeof replacement === 'string' && replacement.length === 1 ? replacement.charCodeAt(0) : -1;
  const bad =
    unit < 0x20 ||
    unit === 0x7f ||
    (unit >= 0xd800 && unit <= 0xdfff) ||
    Object.values(delimiters).includes(replacement) ||
    (encoding === 'cp1252' && !isCp1252CodePoint(unit));
  if (bad) {
    throw new ProductionError(
      'INVALID_ARGUMENT',
      'replacement must be one printable character that is not a delimiter (and is windows-1252 for cp1252)',
      { details: { option: 'replacement' } },
    );
  }
}

function escapeClass(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
