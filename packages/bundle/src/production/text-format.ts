/**
 * Locale-independent text for reports and READMEs: the same input gives the same bytes on every machine (no
 * `toLocaleString`, whose output depends on the ICU data and the host's locale).
 */

/** An integer with `,` thousands separators: `1234567` → `1,234,567`. Bigints and decimal strings are accepted. */
export function formatInteger(value: number | bigint | string): string {
  const text = String(value);
  const match = /^(-?)(\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', digits = ''] = match;
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A byte count for people: `1,234,567 bytes (1.18 MiB)`; below 1 KiB just `512 bytes`. */
export function formatByteSize(bytes: number): string {
  const exact = `${formatInteger(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (!Number.isFinite(bytes) || bytes < 1024) return exact;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${exact} (${value.toFixed(2)} ${units[unit] ?? ''})`;
}

/**
 * Quotes an argument for a POSIX shell command line shown to a reader: unchanged when it holds only
 * `A-Z a-z 0-9 . _ / + - : = @ ,`, else single-quoted with `'` written as `'\''`.
 *
 * ```ts
 * shellQuote('bundle.zip');       // bundle.zip
 * shellQuote("O'Brien data.zip"); // 'O'\''Brien data.zip'
 * ```
 */
export function shellQuote(argument: string): string {
  if (argument !== '' && /^[A-Za-z0-9._/+\-:=@,]+$/.test(argument) && !argument.startsWith('-')) return argument;
  return `'${argument.replaceAll("'", "'\\''")}'`;
}
