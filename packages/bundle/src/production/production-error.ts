/**
 * Every failure of the production formats (`@custody/bundle` → `production/`) is a {@link ProductionError} with a
 * code from a closed list (house style §8.6). Only caller mistakes and unrepresentable data throw; the writers never
 * throw a `TypeError` or `RangeError` for bad options.
 *
 * - `INVALID_CONTROL_PREFIX`: a control-number prefix that is not 1–20 of `A-Z 0-9 _ -`.
 * - `INVALID_CONTROL_WIDTH`: a width that is not an integer in 1–15.
 * - `INVALID_CONTROL_NUMBER`: a number that is not a non-negative safe integer or has more digits than the width;
 *   a text that is not a control number of the given prefix and width.
 * - `CONTROL_NUMBERS_EXHAUSTED`: the sequence would pass `10^width − 1` (numbers never grow wider).
 * - `INVALID_DELIMITERS`: DAT delimiters that are not single, distinct, non-line-break characters, or that the
 *   chosen encoding cannot write.
 * - `UNENCODABLE_CHARACTER`: a character that windows-1252 cannot represent (strict mode).
 * - `MALFORMED_DAT`: a DAT text that the reader cannot split into records of the header's width.
 * - `INVALID_ARGUMENT`: any other caller error (a leaf hash that is not 32 bytes, a missing digest, bad options).
 */
export const PRODUCTION_ERROR_CODES = [
  'INVALID_CONTROL_PREFIX',
  'INVALID_CONTROL_WIDTH',
  'INVALID_CONTROL_NUMBER',
  'CONTROL_NUMBERS_EXHAUSTED',
  'INVALID_DELIMITERS',
  'UNENCODABLE_CHARACTER',
  'MALFORMED_DAT',
  'INVALID_ARGUMENT',
] as const;

/** The closed set of {@link ProductionError} codes (see {@link PRODUCTION_ERROR_CODES}). */
export type ProductionErrorCode = (typeof PRODUCTION_ERROR_CODES)[number];

/**
 * Structured, JSON-safe facts about a failure: positions as numbers, characters as `U+XXXX` strings, names of
 * fields and options as strings. Typical keys: `codePoint`, `field`, `row`, `offset`, `line`, `option`.
 */
export type ProductionErrorDetails = Readonly<Record<string, string | number | boolean>>;

/** Options of the {@link ProductionError} constructor. */
export interface ProductionErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Structured facts for reports. */
  readonly details?: ProductionErrorDetails;
}

/**
 * The error type of the production formats. Messages are short, lowercase and specific
 * ("control numbers exhausted: ACME999999 is the last 6-digit number").
 *
 * ```ts
 * try {
 *   datWriter.row(event, context);
 * } catch (error) {
 *   if (isProductionError(error, 'UNENCODABLE_CHARACTER')) askForLossyOrUtf8(error.details);
 *   else throw error;
 * }
 * ```
 */
export class ProductionError extends Error {
  /** Which rule failed; one of {@link PRODUCTION_ERROR_CODES}. */
  readonly code: ProductionErrorCode;
  /** Structured facts for reports, if any. */
  readonly details: ProductionErrorDetails | undefined;

  constructor(code: ProductionErrorCode, message: string, options: ProductionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProductionError';
    this.code = code;
    this.details = options.details;
  }

  /** `{ name, code, message, details? }`, for logs and API responses. */
  toJSON(): { name: string; code: ProductionErrorCode; message: string; details?: ProductionErrorDetails } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** Whether `value` is a {@link ProductionError} (with the given code, if one is passed). */
export function isProductionError(value: unknown, code?: ProductionErrorCode): value is ProductionError {
  return value instanceof ProductionError && (code === undefined || value.code === code);
}
