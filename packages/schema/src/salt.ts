/**
 * Per-event salts. A leaf hash is exposed in proofs and redacted exports; without a salt an attacker could
 * confirm a guess of the whole event ("did alice sign in at 10:00?") by hashing candidates
 * (verifiable-log.md §8 item 13, §9 item 1). 16 random bytes make that infeasible.
 */
import { encodeBase64 } from './base64';

/** Salt size in bytes. */
export const SALT_BYTES = 16;

/**
 * Canonical salt text: 16 bytes in standard padded base64 is 24 characters, the last significant one
 * carrying 2 bits (so it is one of `A`, `Q`, `g`, `w`) followed by `==`.
 */
export const SALT_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/**
 * Returns a fresh salt: 16 bytes from `globalThis.crypto.getRandomValues` (a CSPRNG in Node, browsers and
 * Workers), standard base64 with padding, 24 characters.
 *
 * ```ts
 * generateSalt(); // e.g. 'q0Hc3bX2s1m8JtYV1o9SgA=='
 * ```
 */
export function generateSalt(): string {
  if (poolOffset + SALT_BYTES > pool.length) {
    // One CSPRNG call per 256 salts: the call, not the bytes, is what costs. Each byte is used once.
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + SALT_BYTES);
  poolOffset += SALT_BYTES;
  const text = encodeBase64(bytes);
  bytes.fill(0);
  return text;
}

const pool = new Uint8Array(SALT_BYTES * 256);
let poolOffset = pool.length;
