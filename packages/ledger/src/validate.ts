/**
 * Internal guards for untrusted input (house style §8.7): every index, size, hash and proof is checked here,
 * before any hashing, so hostile values become a typed {@link VerificationError}.
 */
import { isBytes } from './bytes';
import { encodeHex } from './hex';
import { HASH_SIZE } from './hasher';
import { VerificationError } from './verification-error';

/** Sizes and indexes are below 2^64 (RFC 9162 uses uint64). */
export const LIMIT_64 = 1n << 64n;

/** A short type description for messages: `number`, `string`, `undefined`, `null`, `array`, `object`, … */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Requires a `bigint` tree size in [0, 2^64). Throws `INVALID_TREE_SIZE`. */
export function requireSize(value: unknown, what = 'tree size'): bigint {
  if (typeof value !== 'bigint') {
    throw new VerificationError('INVALID_TREE_SIZE', `${what} must be a bigint, got ${describeType(value)}`);
  }
  if (value < 0n || value >= LIMIT_64) {
    throw new VerificationError('INVALID_TREE_SIZE', `${what} ${value} is outside [0, 2^64)`, {
      details: { size: value.toString() },
    });
  }
  return value;
}

/** Requires a `bigint` leaf index in [0, 2^64). Throws `INVALID_INDEX`. */
export function requireIndex(value: unknown, what = 'index'): bigint {
  if (typeof value !== 'bigint') {
    throw new VerificationError('INVALID_INDEX', `${what} must be a bigint, got ${describeType(value)}`);
  }
  if (value < 0n || value >= LIMIT_64) {
    throw new VerificationError('INVALID_INDEX', `${what} ${value} is outside [0, 2^64)`, {
      details: { index: value.toString() },
    });
  }
  return value;
}

/** Requires `index < size` (both already validated). Throws `INVALID_INDEX`. */
export function requireIndexInTree(index: bigint, size: bigint, what = 'index'): void {
  if (index >= size) {
    throw new VerificationError('INVALID_INDEX', `${what} ${index} is out of range for a tree of size ${size}`, {
      details: { index: index.toString(), size: size.toString() },
    });
  }
}

/** Requires a 32-byte `Uint8Array`. Throws `INVALID_HASH`. */
export function requireHash(value: unknown, what: string): Uint8Array {
  if (!isBytes(value)) {
    throw new VerificationError('INVALID_HASH', `${what} must be a Uint8Array, got ${describeType(value)}`);
  }
  if (value.length !== HASH_SIZE) {
    throw new VerificationError('INVALID_HASH', `${what} has ${value.length} bytes, expected ${HASH_SIZE}`, {
      details: { length: value.length },
    });
  }
  return value;
}

/**
 * Requires an array of exactly `expected` 32-byte hashes. The count is checked before any element is read, so a
 * 10^6-element proof is rejected at once. Throws `INVALID_PROOF` (not an array, wrong count) or `INVALID_HASH`.
 * `context` completes the message: "inclusion proof has 3 hashes, expected 4 <context>".
 */
export function requireProof(value: unknown, expected: number, name: string, context: string): readonly Uint8Array[] {
  if (!Array.isArray(value)) {
    throw new VerificationError('INVALID_PROOF', `${name} must be an array of hashes, got ${describeType(value)}`);
  }
  if (value.length !== expected) {
    const kind = value.length < expected ? 'truncated' : 'too long';
    throw new VerificationError(
      'INVALID_PROOF',
      `${name} has ${value.length} hashes, expected ${expected}${context ? ` ${context}` : ''}`,
      { details: { found: value.length, expected, problem: kind } },
    );
  }
  for (let i = 0; i < value.length; i++) requireHash(value[i], `${name} hash ${i}`);
  return value as readonly Uint8Array[];
}

/** Requires an array of at least `size` leaf hashes (the first `size` are the tree). Throws `INVALID_TREE_SIZE`/`INVALID_HASH`. */
export function requireLeafHashes(value: unknown, size: bigint): readonly Uint8Array[] {
  if (!Array.isArray(value)) {
    throw new VerificationError('INVALID_ARGUMENT', `leaf hashes must be an array, got ${describeType(value)}`);
  }
  if (BigInt(value.length) < size) {
    throw new VerificationError('INVALID_TREE_SIZE', `tree size ${size} exceeds the ${value.length} leaf hashes given`, {
      details: { size: size.toString(), found: value.length },
    });
  }
  const n = Number(size);
  for (let i = 0; i < n; i++) requireHash(value[i], `leaf hash ${i}`);
  return value as readonly Uint8Array[];
}

/** A mismatch error naming the expected and computed hashes in hex. */
export function mismatch(
  code: 'INCLUSION_PROOF_MISMATCH' | 'CONSISTENCY_PROOF_MISMATCH' | 'RANGE_PROOF_MISMATCH' | 'MULTI_PROOF_MISMATCH',
  message: string,
  expected: Uint8Array,
  found: Uint8Array,
  extra: Record<string, string | number> = {},
): VerificationError {
  return new VerificationError(code, message, {
    details: { ...extra, expected: encodeHex(expected), found: encodeHex(found) },
  });
}
