import { decodeBase64 } from './base64';
import { decodeHex } from './hex';
import { HASH_SIZE } from './hasher';
import { LIMIT_64, describeType } from './validate';
import { VerificationError, type VerificationErrorCode } from './verification-error';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function parseUint64(value: unknown, what: string, code: VerificationErrorCode): bigint {
  if (typeof value === 'bigint') {
    if (value >= 0n && value < LIMIT_64) return value;
    throw new VerificationError(code, `${what} ${value} is outside [0, 2^64)`);
  }
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    throw new VerificationError(code, `${what} ${value} is not a non-negative safe integer`);
  }
  if (typeof value === 'string') {
    // Check the length first: BigInt() of a huge digit string is slow, and 2^64 has 20 digits.
    if (value.length > 20 || !DECIMAL.test(value)) {
      throw new VerificationError(code, `${what} is not a decimal number without leading zeros`, {
        details: { found: value.length > 40 ? `${value.slice(0, 40)}…` : value },
      });
    }
    const parsed = BigInt(value);
    if (parsed >= LIMIT_64) throw new VerificationError(code, `${what} ${value} is outside [0, 2^64)`);
    return parsed;
  }
  throw new VerificationError(code, `${what} must be a decimal string, a safe integer or a bigint, got ${describeType(value)}`);
}

/**
 * Parses a tree size from JSON or text: a decimal string matching `/^(0|[1-9][0-9]*)$/`, a non-negative safe
 * integer, or a `bigint`; in all cases below 2^64 (RFC 9162 §2.1, verifiable-log.md §1.6).
 * Throws `INVALID_TREE_SIZE` for anything else.
 */
export function parseTreeSize(value: string | number | bigint): bigint {
  return parseUint64(value, 'tree size', 'INVALID_TREE_SIZE');
}

/** Parses a leaf index like {@link parseTreeSize}. Throws `INVALID_INDEX`. Range against a size is the verifier's job. */
export function parseIndex(value: string | number | bigint): bigint {
  return parseUint64(value, 'index', 'INVALID_INDEX');
}

/**
 * Parses a 32-byte hash from base64 (default, 44 characters, padded) or hex (64 characters).
 * Throws `INVALID_ENCODING` for bad text, `INVALID_HASH` for a wrong length.
 */
export function parseHash(text: string, encoding: 'base64' | 'hex' = 'base64'): Uint8Array {
  if (typeof text !== 'string') throw new VerificationError('INVALID_ENCODING', `hash must be a string, got ${describeType(text)}`);
  const expectedLength = encoding === 'hex' ? 2 * HASH_SIZE : 44;
  // Reject long input before decoding it: hostile strings can be megabytes long.
  if (text.length !== expectedLength) {
    // Short text is decoded first so bad characters report INVALID_ENCODING, as for a right-length hash.
    if (text.length < 4 * expectedLength) {
      const bytes = encoding === 'hex' ? decodeHex(text) : decodeBase64(text);
      throw new VerificationError('INVALID_HASH', `hash has ${bytes.length} bytes, expected ${HASH_SIZE}`);
    }
    throw new VerificationError('INVALID_HASH', `hash has ${text.length} characters, expected ${expectedLength}`);
  }
  const bytes = encoding === 'hex' ? decodeHex(text) : decodeBase64(text);
  // 44 base64 characters can also hold 31 ("==") or 33 (no padding) bytes.
  if (bytes.length !== HASH_SIZE) throw new VerificationError('INVALID_HASH', `hash has ${bytes.length} bytes, expected ${HASH_SIZE}`);
  return bytes;
}
