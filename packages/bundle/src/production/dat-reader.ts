/**
 * A small reader for DAT load files (viewer.md §2.1), to check a production (and for the viewer to open one): it
 * splits records on CRLF (or LF), fields on the field character, and strips the quote characters around values.
 * DAT has no escapes, so a quoted value ends at the next quote character.
 */
import { decodeCp1252 } from './cp1252';
import { resolveDatDelimiters } from './dat-delimiters';
import type { TDatDelimiters, TDatEncoding } from './dat-delimiters';
import { ProductionError } from './production-error';

/** Options of {@link parseDat}. */
export interface TParseDatOptions {
  /** The delimiters; missing ones default to the Relativity set. */
  readonly delimiters?: Partial<TDatDelimiters>;
  /** For byte input: `'utf-8'` (default; invalid UTF-8 is `MALFORMED_DAT`, a BOM is skipped) or `'cp1252'`. */
  readonly encoding?: TDatEncoding;
  /** Turn the newline character inside values back into `\n`. Default is `false` (values as written). */
  readonly restoreNewlines?: boolean;
}

/** A parsed DAT file. */
export interface TDatTable {
  /** The field names of the header row. */
  readonly header: readonly string[];
  /** One array of values per record, each as long as the header. */
  readonly records: readonly (readonly string[])[];
}

/**
 * Parses a whole DAT file. A value is either quoted (quote … quote) or bare (up to the next field character); a
 * final empty line is ignored. Throws `MALFORMED_DAT` (with `details: { line }`, 1-based) for an empty file, a quote
 * that is not closed on its line, text after a closing quote, or a record whose field count differs from the
 * header's; `INVALID_DELIMITERS` for bad delimiters.
 *
 * ```ts
 * const { header, records } = parseDat(bytes, { encoding: 'cp1252' });
 * ```
 */
export function parseDat(input: string | Uint8Array, options: TParseDatOptions = {}): TDatTable {
  const encoding = options.encoding ?? 'utf-8';
  const delimiters = resolveDatDelimiters(options.delimiters ?? {}, encoding);
  let text: string;
  if (typeof input === 'string') {
    text = input.startsWith('\ufeff') ? input.slice(1) : input;
  } else if (input instanceof Uint8Array) {
    text = encoding === 'cp1252' ? decodeCp1252(input) : decodeUtf8(input);
  } else {
    throw new ProductionError('INVALID_ARGUMENT', 'DAT input must be a string or a Uint8Array');
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new ProductionError('MALFORMED_DAT', 'the DAT file is empty (no header row)', { details: { line: 1 } });
  const rows = lines.map((line, i) => splitRecord(line, i + 1, delimiters, options.restoreNewlines === true));
  const header = rows[0] ?? [];
  for (let i = 1; i < rows.length; i++) {
    const width = rows[i]?.length ?? 0;
    if (width !== header.length) {
      throw new ProductionError('MALFORMED_DAT', `line ${i + 1} has ${width} fields, the header has ${header.length}`, {
        details: { line: i + 1 },
      });
    }
  }
  return { header, records: rows.slice(1) };
}

function splitRecord(line: string, lineNumber: number, delimiters: TDatDelimiters, restoreNewlines: boolean): string[] {
  const { field, quote, newline } = delimiters;
  const values: string[] = [];
  let i = 0;
  for (;;) {
    let value: string;
    if (line[i] === quote) {
      const end = line.indexOf(quote, i + 1);
      if (end < 0) {
        throw new ProductionError('MALFORMED_DAT', `line ${lineNumber}: a quoted value is not closed`, { details: { line: lineNumber } });
      }
      value = line.slice(i + 1, end);
      i = end + 1;
      if (i < line.length && line[i] !== field) {
        throw new ProductionError('MALFORMED_DAT', `line ${lineNumber}: text after a closing quote at column ${i + 1}`, {
          details: { line: lineNumber, column: i + 1 },
        });
      }
    } else {
      const end = line.indexOf(field, i);
      value = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    values.push(restoreNewlines ? value.replaceAll(newline, '\n') : value);
    if (i >= line.length) return values;
    i++; // the field character
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new ProductionError('MALFORMED_DAT', 'the DAT file is not valid UTF-8', { cause: error });
  }
}
