import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * SHA-256 over the concatenation of `chunks`, synchronous, returning 32 bytes. Taking chunks lets Node's
 * `createHash('sha256').update(a).update(b)` hash `0x01 || left || right` without concatenating.
 *
 * ```ts
 * import { createHash } from 'node:crypto';
 * const nodeSha256: Sha256 = (...chunks) => {
 *   const h = createHash('sha256');
 *   for (const chunk of chunks) h.update(chunk);
 *   return h.digest();
 * };
 * ```
 */
export type Sha256 = (...chunks: readonly Uint8Array[]) => Uint8Array;

/**
 * SHA-256 of `data` written to `out[offset … offset + 32)`: the allocation-free form of {@link Sha256}, for loops
 * that hash a million leaves and nodes (bundle verification). A platform whose hash returns a fresh buffer pays
 * for that buffer on every call; Node's `crypto.hash('sha256', data, 'latin1')` copied out costs about a third of
 * its Buffer result. Platforms without such a form use {@link sha256IntoOf}.
 */
export type Sha256Into = (data: Uint8Array, out: Uint8Array, offset: number) => void;

/** {@link Sha256Into} over a {@link Sha256}: hash, then copy. */
export function sha256IntoOf(sha256: Sha256): Sha256Into {
  return (data, out, offset) => {
    out.set(sha256(data), offset);
  };
}

/**
 * PureEd25519 (RFC 8032, no prehash) over 32-byte seeds (the RFC 8032 private key), 32-byte public keys and
 * 64-byte signatures. `verify` returns `false` (never throws) for malformed keys or signatures.
 */
export interface Ed25519 {
  /** The 32-byte public key of a 32-byte seed. */
  publicKeyFromSeed(seed: Uint8Array): Uint8Array;
  /** A 64-byte signature of `message` by `seed`. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** True iff `signature` is a valid signature of `message` by `publicKey`. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** The default {@link Sha256}: `@noble/hashes` (pure JS, runs in browsers and Workers). */
export const nobleSha256: Sha256 = (...chunks) => {
  if (chunks.length === 1) return sha256(chunks[0] ?? new Uint8Array(0));
  const h = sha256.create();
  for (const chunk of chunks) h.update(chunk);
  return h.digest();
};

/**
 * The default {@link Ed25519}: `@noble/curves`, with strict RFC 8032 verification (`zip215: false`), which matches
 * Node's `crypto.verify` and Go's `crypto/ed25519` on canonical encodings.
 */
export const nobleEd25519: Ed25519 = {
  publicKeyFromSeed: (seed) => ed25519.getPublicKey(seed),
  sign: (seed, message) => ed25519.sign(message, seed),
  verify: (publicKey, message, signature) => {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      // Malformed points or lengths: an invalid signature, not an exception for callers.
      return false;
    }
  },
};

/** Options of functions that sign or verify signatures. Defaults: {@link nobleSha256}, {@link nobleEd25519}. */
export interface SignatureOptions {
  /** SHA-256 for key IDs and fingerprints. Default is {@link nobleSha256}. */
  readonly sha256?: Sha256;
  /** Ed25519 for signing and verifying. Default is {@link nobleEd25519}. */
  readonly ed25519?: Ed25519;
}
