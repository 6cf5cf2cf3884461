/**
 * Every failure thrown by `@custody/bundle` is a {@link BundleError} with a code from this closed list (house
 * style §8.6). Hostile archives never surface as a `TypeError`, `RangeError` or a hang.
 *
 * - `BAD_ZIP`: the bytes break the ZIP format (bad signatures, records that disagree, overlapping or
 *   unaccounted bytes, a lying size, a corrupt deflate stream).
 * - `TRUNCATED`: the archive or an entry ends early.
 * - `UNSAFE_PATH`: an entry name that could escape or confuse an extraction (absolute, `..`, backslash,
 *   drive letter, control characters, not UTF-8, too long, empty segments).
 * - `DUPLICATE_ENTRY`: two entries with the same name, also after case folding and Unicode NFC normalization,
 *   or a file that is also a directory.
 * - `LIMIT_EXCEEDED`: a configured limit (entries, sizes, compression ratio, line length) was exceeded.
 * - `CRC_MISMATCH`: an entry's data does not match its CRC-32.
 * - `UNSUPPORTED`: valid but unsupported ZIP features (encryption, compression methods, multi-disk archives),
 *   or an unsupported bundle format version.
 * - `NOT_FOUND`: a requested entry does not exist.
 * - `INVALID_ARGUMENT`: a caller error that is not about untrusted data (bad options, misuse of a writer).
 */
export const BUNDLE_ERROR_CODES = [
  'BAD_ZIP',
  'TRUNCATED',
  'UNSAFE_PATH',
  'DUPLICATE_ENTRY',
  'LIMIT_EXCEEDED',
  'CRC_MISMATCH',
  'UNSUPPORTED',
  'NOT_FOUND',
  'INVALID_ARGUMENT',
] as const;

/** The closed set of {@link BundleError} codes (see {@link BUNDLE_ERROR_CODES}). */
export type BundleErrorCode = (typeof BUNDLE_ERROR_CODES)[number];

/** JSON-safe facts for reports: names, offsets, sizes (numbers or decimal strings). */
export type BundleErrorDetails = Readonly<Record<string, string | number | boolean>>;

/** Options of the {@link BundleError} constructor. */
export interface BundleErrorOptions {
  readonly cause?: unknown;
  readonly details?: BundleErrorDetails;
}

/**
 * The one error type of `@custody/bundle`. Messages are short, lowercase and specific
 * ("entry data/events.ndjson inflates beyond its declared 1048576 bytes").
 *
 * ```ts
 * try {
 *   const zip = await openZip(source);
 * } catch (error) {
 *   if (isBundleError(error, 'UNSAFE_PATH')) console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class BundleError extends Error {
  /** Which rule failed; one of {@link BUNDLE_ERROR_CODES}. */
  readonly code: BundleErrorCode;
  /** Structured facts, if any. */
  readonly details: BundleErrorDetails | undefined;

  constructor(code: BundleErrorCode, message: string, options: BundleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BundleError';
    this.code = code;
    this.details = options.details;
  }

  /** A JSON-safe view: `{ name, code, message, details? }` (no stack). */
  toJSON(): { name: string; code: BundleErrorCode; message: string; details?: BundleErrorDetails } {
    return this.details === undefined
      ? { name: this.name, code: this.code, message: this.message }
      : { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True if `value` is a {@link BundleError}, optionally with the given code. */
export function isBundleError(value: unknown, code?: BundleErrorCode): value is BundleError {
  return value instanceof BundleError && (code === undefined || value.code === code);
}

/** Describes a value's type for messages about wrong arguments. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}
