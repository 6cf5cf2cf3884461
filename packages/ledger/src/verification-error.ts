/**
 * Every failure in `@custody/ledger` is a {@link VerificationError} with a code from this closed list.
 *
 * - `INVALID_ENCODING`: bad base64 or hex text.
 * - `INVALID_HASH`: a hash that is not a 32-byte `Uint8Array`.
 * - `INVALID_INDEX`: a leaf index that is not a `bigint`, is negative, is >= the tree size, or a set of indexes
 *   that is empty, unsorted or has duplicates.
 * - `INVALID_TREE_SIZE`: a tree size that is not a `bigint`, is negative or >= 2^64, or a pair of sizes that
 *   cannot be related (consistency from 0 or from a larger tree).
 * - `INVALID_PROOF`: a proof that is not an array of hashes, or has the wrong number of elements.
 * - `INCLUSION_PROOF_MISMATCH`, `CONSISTENCY_PROOF_MISMATCH`, `RANGE_PROOF_MISMATCH`, `MULTI_PROOF_MISMATCH`: a
 *   well-formed proof that does not lead to the expected root(s).
 * - `MALFORMED_KEY`, `MALFORMED_NOTE`, `MALFORMED_CHECKPOINT`, `MALFORMED_TLOG_PROOF`: text that breaks its format.
 * - `BAD_SIGNATURE`: a signature by a trusted key does not verify.
 * - `UNKNOWN_KEY`: no signature by any trusted key.
 * - `ORIGIN_MISMATCH`: a checkpoint for another log.
 * - `CHAIN_BROKEN`: a checkpoint's `prev` line does not name its predecessor, or the log shrank.
 * - `MISSING_HASH`: a hash store lacks a hash it must have.
 * - `INVALID_ARGUMENT`: a caller error that is not about untrusted data (bad options, out-of-order store writes).
 */
export const VERIFICATION_ERROR_CODES = [
  'INVALID_ENCODING',
  'INVALID_HASH',
  'INVALID_INDEX',
  'INVALID_TREE_SIZE',
  'INVALID_PROOF',
  'INCLUSION_PROOF_MISMATCH',
  'CONSISTENCY_PROOF_MISMATCH',
  'RANGE_PROOF_MISMATCH',
  'MULTI_PROOF_MISMATCH',
  'MALFORMED_KEY',
  'MALFORMED_NOTE',
  'MALFORMED_CHECKPOINT',
  'MALFORMED_TLOG_PROOF',
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'ORIGIN_MISMATCH',
  'CHAIN_BROKEN',
  'MISSING_HASH',
  'INVALID_ARGUMENT',
] as const;

/** The closed set of {@link VerificationError} codes (see {@link VERIFICATION_ERROR_CODES}). */
export type VerificationErrorCode = (typeof VERIFICATION_ERROR_CODES)[number];

/**
 * Structured facts for reports, JSON-safe: hashes as hex (or base64 where the format uses base64), indexes and sizes
 * as decimal strings, positions as numbers. Typical keys: `expected`, `found`, `index`, `size`, `line`, `link`.
 */
export type VerificationErrorDetails = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** Options of the {@link VerificationError} constructor. */
export interface VerificationErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Structured facts for reports. */
  readonly details?: VerificationErrorDetails;
}

/**
 * The one error type of `@custody/ledger` (house style §8.6). Every verify function throws it, never a
 * `TypeError`, `RangeError` or `SyntaxError`, whatever the input.
 *
 * ```ts
 * try {
 *   verifyInclusion(leafHash, index, size, proof, root);
 * } catch (error) {
 *   if (error instanceof VerificationError && error.code === 'INCLUSION_PROOF_MISMATCH') report(error.details);
 *   else throw error;
 * }
 * ```
 */
export class VerificationError extends Error {
  /** Which rule failed; one of {@link VERIFICATION_ERROR_CODES}. */
  readonly code: VerificationErrorCode;
  /** Structured facts for reports, if any. */
  readonly details: VerificationErrorDetails | undefined;

  /** Requires a short, lowercase, specific message ("proof has 3 hashes, expected 4 …"). */
  constructor(code: VerificationErrorCode, message: string, options: VerificationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VerificationError';
    this.code = code;
    this.details = options.details;
  }

  /** A JSON-safe view for reports and logs: `{ name, code, message, details? }` (no stack). */
  toJSON(): { name: string; code: VerificationErrorCode; message: string; details?: VerificationErrorDetails } {
    return this.details === undefined
      ? { name: this.name, code: this.code, message: this.message }
      : { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True if `value` is a {@link VerificationError}, optionally with the given code. */
export function isVerificationError(value: unknown, code?: VerificationErrorCode): value is VerificationError {
  return value instanceof VerificationError && (code === undefined || value.code === code);
}
