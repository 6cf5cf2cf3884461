/**
 * RFC 4180 records for the human CSV files of a production (viewer.md §2.9 item 1): fields separated by `,`,
 * records ended by CRLF, a field quoted with `"` when it contains `,`, `"`, CR or LF or begins or ends with a space or
 * tab, and `"` inside a quoted field doubled. Plus an optional guard against CSV/formula injection (OWASP "CSV
 * Injection"): a cell that a spreadsheet would evaluate gets a leading `'`.
 */

/**
 * First characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (or split it):
 * `=`, `+`, `-`, `@`, TAB and CR (OWASP), and their full-width forms `＝ ＋ － ＠` (U+FF1D, U+FF0B, U+FF0D, U+FF20),
 * which some East Asian spreadsheet locales normalize.
 */
export const CSV_FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'];

/** RFC 4180 record separator: CRLF. */
export const CSV_LINE_END = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

/** Whether a UTF-16 code unit starts a formula (see {@link CSV_FORMULA_TRIGGERS}). */
function isFormulaStart(unit: number): boolean {
  // = + - @ TAB CR, and the full-width ＝ ＋ － ＠.
  return unit === 0x3d || unit === 0x2b || unit === 0x2d || unit === 0x40 || unit === 0x09 || unit === 0x0d ||
    unit === 0xff1d || unit === 0xff0b || unit === 0xff0d || unit === 0xff20;
}

/**
 * One CSV field. With `formulaGuard`, a value beginning with one of {@link CSV_FORMULA_TRIGGERS} is prefixed with a
 * single quote `'`, so spreadsheets show it as text instead of evaluating it. Then the value is quoted per RFC 4180
 * §2 rules 5–7 when it contains `,`, `"`, CR or LF or begins or ends with a space or tab (leading/trailing spaces are
 * significant but some readers trim unquoted ones).
 *
 * ```ts
 * formatCsvField('a,b', false);          // '"a,b"'
 * formatCsvField('say "hi"', false);     // '"say ""hi"""'
 * formatCsvField('=HYPERLINK(…)', true); // "'=HYPERLINK(…)"
 * ```
 */
export function formatCsvField(value: string, formulaGuard: boolean): string {
  if (value.length === 0) return value;
  // Hot path of a 1M-row export: character codes instead of anchored regular expressions.
  const text = formulaGuard && isFormulaStart(value.charCodeAt(0)) ? `'${value}` : value;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09 || NEEDS_QUOTES.test(text)) {
    return `"${text.replace(QUOTE, '""')}"`;
  }
  return text;
}

/**
 * One CSV record: the fields formatted by {@link formatCsvField}, joined by `,`, ended by CRLF (RFC 4180 §2 rule 1;
 * the last record of a file ends with CRLF too). An empty array gives an empty field's record, `'\r\n'`.
 */
export function formatCsvRecord(fields: readonly string[], formulaGuard: boolean): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ',';
    out += formatCsvField(fields[i] ?? '', formulaGuard);
  }
  return out + CSV_LINE_END;
}
