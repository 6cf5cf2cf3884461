import { nobleSha256, type Sha256 } from './crypto';
import { isBytes } from './bytes';
import { VerificationError } from './verification-error';

/** RFC 9162 §2.1.1 domain-separation prefix of a leaf hash: `SHA-256(0x00 || data)`. */
export const LEAF_HASH_PREFIX = 0x00;
/** RFC 9162 §2.1.1 domain-separation prefix of an interior node hash: `SHA-256(0x01 || left || right)`. */
export const NODE_HASH_PREFIX = 0x01;
/** Size in bytes of every hash in this package (SHA-256). */
export const HASH_SIZE = 32;

/**
 * The tree hash of RFC 9162 §2.1.1 (transparency-dev `merkle.LogHasher` style). Implementations must be
 * deterministic and return fresh 32-byte arrays.
 */
export interface Hasher {
  /** MTH({}) = SHA-256(""), the root of the empty tree. */
  emptyRoot(): Uint8Array;
  /** MTH({d}) = SHA-256(0x00 || d). */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** SHA-256(0x01 || left || right). Requires two 32-byte hashes (not checked here: callers validate input). */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** Hash size in bytes: 32. */
  readonly size: 32;
}

/** Options of every function that hashes tree nodes. Default hasher is {@link defaultHasher}. */
export interface HasherOptions {
  /** The tree hasher. Default is {@link defaultHasher} (`@noble/hashes`); inject Node crypto on servers. */
  readonly hasher?: Hasher;
}

const LEAF_PREFIX_BYTES = Uint8Array.of(LEAF_HASH_PREFIX);
const NODE_PREFIX_BYTES = Uint8Array.of(NODE_HASH_PREFIX);

/**
 * A plain `Uint8Array` view of a hash, so a Node `Buffer` (whose `slice` does not copy) never reaches callers.
 * No copy is made.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Builds the RFC 9162 §2.1.1 hasher over an injected SHA-256. Throws `INVALID_ARGUMENT` if `sha256` is not a
 * function returning 32 bytes (checked once, on the empty string).
 *
 * ```ts
 * const hasher = createHasher((...chunks) => {
 *   const h = createHash('sha256');
 *   for (const c of chunks) h.update(c);
 *   return h.digest();
 * });
 * verifyInclusion(leafHash, index, size, proof, root, { hasher });
 * ```
 */
export function createHasher(sha256: Sha256): Hasher {
  if (typeof sha256 !== 'function') throw new VerificationError('INVALID_ARGUMENT', 'sha256 must be a function');
  const empty = sha256(new Uint8Array(0));
  if (!isBytes(empty) || empty.length !== HASH_SIZE) {
    throw new VerificationError('INVALID_ARGUMENT', 'sha256 must return 32 bytes');
  }
  return {
    emptyRoot: () => plain(sha256(new Uint8Array(0))),
    hashLeaf: (data) => plain(sha256(LEAF_PREFIX_BYTES, data)),
    hashChildren: (left, right) => plain(sha256(NODE_PREFIX_BYTES, left, right)),
    size: HASH_SIZE,
  };
}

/** The RFC 9162 hasher over {@link nobleSha256}; used whenever `options.hasher` is absent. */
export const defaultHasher: Hasher = createHasher(nobleSha256);

/** The hasher in `options`, else {@link defaultHasher}. Throws `INVALID_ARGUMENT` for a malformed hasher. */
export function resolveHasher(options: HasherOptions | undefined): Hasher {
  const hasher = options?.hasher;
  if (hasher === undefined) return defaultHasher;
  if (
    typeof hasher !== 'object' || hasher === null || typeof hasher.hashLeaf !== 'function' ||
    typeof hasher.hashChildren !== 'function' || typeof hasher.emptyRoot !== 'function'
  ) {
    throw new VerificationError('INVALID_ARGUMENT', 'options.hasher must implement emptyRoot, hashLeaf and hashChildren');
  }
  return hasher;
}

/**
 * The RFC 9162 §2.1.1 leaf hash `SHA-256(0x00 || data)` of leaf data (for Custody: the JCS bytes of an event).
 * Throws `INVALID_ARGUMENT` if `data` is not a `Uint8Array`.
 */
export function hashLeaf(data: Uint8Array, options?: HasherOptions): Uint8Array {
  if (!isBytes(data)) throw new VerificationError('INVALID_ARGUMENT', 'leaf data must be a Uint8Array');
  return resolveHasher(options).hashLeaf(data);
}

/**
 * The RFC 9162 §2.1.1 interior node hash `SHA-256(0x01 || left || right)`.
 * Throws `INVALID_HASH` unless both are 32-byte `Uint8Array`s.
 */
export function hashChildren(left: Uint8Array, right: Uint8Array, options?: HasherOptions): Uint8Array {
  if (!isBytes(left) || left.length !== HASH_SIZE || !isBytes(right) || right.length !== HASH_SIZE) {
    throw new VerificationError('INVALID_HASH', 'node children must be 32-byte hashes');
  }
  return resolveHasher(options).hashChildren(left, right);
}
