/**
 * Control numbers: Bates-style identifiers `PREFIX` + zero-padded decimal number (`ACME000001`), one per produced
 * event (viewer.md §2.4, §7 idea 6). Line k (0-based) of `data/events.ndjson` gets number `first + k`; the human CSV,
 * the DAT load file and `data/custody.json` (`controlNumbers: { prefix, first, last, width }`) all use it.
 *
 * Numbers never grow wider than the width: a production whose numbers would pass `10^width − 1` is an error, so every
 * control number of one production sorts and aligns the same way. Pick the width before writing with
 * {@link requiredControlWidth}.
 */
import { ProductionError } from './production-error';

/** Control-number prefixes: 1–20 of uppercase ASCII letters, digits, `_` and `-` (no spaces, safe in file names). */
export const CONTROL_PREFIX_PATTERN = /^[A-Z0-9_-]{1,20}$/;
/** The default number of digits: 6 (`ACME000001` … `ACME999999`). */
export const DEFAULT_CONTROL_WIDTH = 6;
/** The widest number: 15 digits, so every number is a safe integer. */
export const MAX_CONTROL_WIDTH = 15;

/** A contiguous range of control numbers, as `data/custody.json` records it. Requires `first <= last`. */
export interface TControlNumberRange {
  /** The prefix ({@link CONTROL_PREFIX_PATTERN}). */
  readonly prefix: string;
  /** The first number (inclusive). */
  readonly first: number;
  /** The last number (inclusive). */
  readonly last: number;
  /** The number of digits, 1–15. */
  readonly width: number;
}

/** Throws `INVALID_CONTROL_PREFIX` unless `prefix` matches {@link CONTROL_PREFIX_PATTERN}. */
export function assertControlPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || !CONTROL_PREFIX_PATTERN.test(prefix)) {
    const shown = typeof prefix === 'string' ? JSON.stringify(prefix.slice(0, 40)) : typeof prefix;
    throw new ProductionError(
      'INVALID_CONTROL_PREFIX',
      `control-number prefix must be 1-20 of A-Z, 0-9, "_" and "-", got ${shown}`,
    );
  }
}

/** Throws `INVALID_CONTROL_WIDTH` unless `width` is an integer in 1–{@link MAX_CONTROL_WIDTH}. */
export function assertControlWidth(width: unknown): asserts width is number {
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 1 || width > MAX_CONTROL_WIDTH) {
    throw new ProductionError(
      'INVALID_CONTROL_WIDTH',
      `control-number width must be an integer from 1 to ${MAX_CONTROL_WIDTH}, got ${String(width)}`,
    );
  }
}

/** The largest number a width can hold: `10^width − 1`. Requires a valid width. */
export function maxControlNumber(width: number): number {
  assertControlWidth(width);
  return 10 ** width - 1;
}

/**
 * Formats one control number: `prefix` followed by `n` left-padded with zeros to `width` digits.
 *
 * Throws `INVALID_CONTROL_PREFIX`, `INVALID_CONTROL_WIDTH`, or `INVALID_CONTROL_NUMBER` when `n` is not a
 * non-negative safe integer or needs more than `width` digits (never widens, never truncates).
 *
 * ```ts
 * formatControlNumber('ACME', 1, 6);   // 'ACME000001'
 * formatControlNumber('ACME', 1);      // same: width defaults to 6
 * ```
 */
export function formatControlNumber(prefix: string, n: number, width: number = DEFAULT_CONTROL_WIDTH): string {
  assertControlPrefix(prefix);
  assertControlWidth(width);
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ProductionError('INVALID_CONTROL_NUMBER', `control number must be a non-negative safe integer, got ${String(n)}`);
  }
  const digits = String(n);
  if (digits.length > width) {
    throw new ProductionError('INVALID_CONTROL_NUMBER', `control number ${digits} has more than ${width} digits`, {
      details: { number: n, width },
    });
  }
  return prefix + digits.padStart(width, '0');
}

/**
 * Reads a control number back: `text` must be exactly `prefix` followed by `width` decimal digits. Returns the
 * number. Throws `INVALID_CONTROL_NUMBER` otherwise (and the prefix/width errors for bad arguments).
 *
 * ```ts
 * parseControlNumber('ACME000042', { prefix: 'ACME', width: 6 });   // 42
 * ```
 */
export function parseControlNumber(text: string, format: { readonly prefix: string; readonly width?: number }): number {
  const width = format.width ?? DEFAULT_CONTROL_WIDTH;
  assertControlPrefix(format.prefix);
  assertControlWidth(width);
  if (typeof text !== 'string' || text.length !== format.prefix.length + width || !text.startsWith(format.prefix)) {
    throw new ProductionError('INVALID_CONTROL_NUMBER', `not a ${width}-digit control number of prefix ${format.prefix}`);
  }
  const digits = text.slice(format.prefix.length);
  if (!/^[0-9]+$/.test(digits)) {
    throw new ProductionError('INVALID_CONTROL_NUMBER', `not a ${width}-digit control number of prefix ${format.prefix}`);
  }
  return Number(digits);
}

/**
 * The width a production of `count` numbers starting at `first` needs: the digits of its last number
 * (`first + count − 1`), and at least `minimum` (default {@link DEFAULT_CONTROL_WIDTH}). Use it to choose the width
 * before writing a large export (`1,000,000` events from 1 need 7 digits).
 *
 * Throws `INVALID_CONTROL_NUMBER` when `first`/`count` are not non-negative safe integers or no width up to 15 fits.
 */
export function requiredControlWidth(first: number, count: number, minimum: number = DEFAULT_CONTROL_WIDTH): number {
  assertControlWidth(minimum);
  for (const [name, value] of [['first', first], ['count', count]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ProductionError('INVALID_CONTROL_NUMBER', `${name} must be a non-negative safe integer, got ${String(value)}`);
    }
  }
  const last = count === 0 ? first : first + count - 1;
  const width = Math.max(minimum, String(last).length);
  if (!Number.isSafeInteger(last) || width > MAX_CONTROL_WIDTH) {
    throw new ProductionError('INVALID_CONTROL_NUMBER', `no control-number width up to ${MAX_CONTROL_WIDTH} holds ${String(last)}`);
  }
  return width;
}

/**
 * Formats a range for people (cover letters, reports): `ACME000001 – ACME000100`, or a single number when
 * `first === last`. Throws like {@link formatControlNumber}.
 */
export function formatControlRange(range: TControlNumberRange): string {
  const first = formatControlNumber(range.prefix, range.first, range.width);
  if (range.last === range.first) return first;
  return `${first} \u2013 ${formatControlNumber(range.prefix, range.last, range.width)}`;
}
