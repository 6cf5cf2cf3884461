/**
 * C2SP signed-note keys (c2sp.org/signed-note; verifiable-log.md §2.2): Ed25519 (signature type 0x01) verifier
 * keys `<name>+<hex8 key id>+base64(0x01 || public key)` and Go-style signer keys
 * `PRIVATE+KEY+<name>+<hex8 key id>+base64(0x01 || 32-byte seed)`.
 */
import { decodeBase64, encodeBase64 } from './base64';
import { concatBytes, copyBytes, isBytes, utf8Encode } from './bytes';
import { nobleEd25519, nobleSha256, type Ed25519, type Sha256, type SignatureOptions } from './crypto';
import { encodeHex } from './hex';
import { describeType } from './validate';
import { VerificationError, type VerificationErrorCode } from './verification-error';

/** Signature type of Ed25519 in signed notes. */
export const ED25519_SIGNATURE_TYPE = 0x01;

/** Longest key string accepted; real keys are far shorter. Hostile input is rejected before decoding. */
const MAX_KEY_LENGTH = 4096;
const SIGNER_PREFIX = 'PRIVATE+KEY+';
const KEY_ID = /^[0-9a-f]{8}$/;

/** A parsed verifier key. `keyId` is the 4-byte key ID as 8 lowercase hex digits. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: string;
  readonly type: typeof ED25519_SIGNATURE_TYPE;
  readonly publicKey: Uint8Array;
  /** The canonical vkey text. */
  readonly vkey: string;
}

/** A parsed signer key: a {@link VerifierKey} plus its secret 32-byte Ed25519 seed. */
export interface SignerKey extends VerifierKey {
  readonly seed: Uint8Array;
  /** The skey text (secret). */
  readonly skey: string;
}

/** A new key pair as text: `skey` is secret, `vkey` is public. */
export interface GeneratedSigner {
  readonly skey: string;
  readonly vkey: string;
}

const WHITESPACE_OR_PLUS = /[\s\u0085+]/u;
const CONTROL_OR_SURROGATE = /[\p{Cc}\p{Cs}]/u;

/**
 * Checks a key name: non-empty, no Unicode space, no `+`, no control character, valid Unicode (C2SP signed-note).
 * Throws `code` (default `MALFORMED_KEY`).
 */
export function requireKeyName(name: unknown, code: VerificationErrorCode = 'MALFORMED_KEY'): string {
  if (typeof name !== 'string') throw new VerificationError(code, `key name must be a string, got ${describeType(name)}`);
  if (name.length === 0) throw new VerificationError(code, 'key name is empty');
  if (name.length > MAX_KEY_LENGTH) throw new VerificationError(code, 'key name is too long');
  if (WHITESPACE_OR_PLUS.test(name)) throw new VerificationError(code, 'key name contains a space or a plus sign');
  if (CONTROL_OR_SURROGATE.test(name)) throw new VerificationError(code, 'key name contains a control character or invalid unicode');
  return name;
}

/** The 4-byte key ID SHA-256(name || 0x0A || type || public key)[:4] as 8 lowercase hex digits. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array, sha256: Sha256 = nobleSha256): string {
  return encodeHex(sha256(utf8Encode(name), Uint8Array.of(0x0a, type), publicKey).subarray(0, 4));
}

function resolveCrypto(options: SignatureOptions | undefined): { sha256: Sha256; ed25519: Ed25519 } {
  return { sha256: options?.sha256 ?? nobleSha256, ed25519: options?.ed25519 ?? nobleEd25519 };
}

/** Splits `<name>+<hex8>+<base64>` at the first two `+` (the base64 part may contain `+`). */
function splitKey(text: string, what: string): { name: string; keyId: string; data: Uint8Array } {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new VerificationError('MALFORMED_KEY', `${what} must be <name>+<key id>+<key data>`);
  const name = requireKeyName(text.slice(0, first));
  const keyId = text.slice(first + 1, second);
  if (!KEY_ID.test(keyId)) throw new VerificationError('MALFORMED_KEY', `${what} has a key id that is not 8 lowercase hex digits`);
  let data: Uint8Array;
  try {
    data = decodeBase64(text.slice(second + 1));
  } catch (error) {
    throw new VerificationError('MALFORMED_KEY', `${what} has invalid base64 key data`, { cause: error });
  }
  if (data.length === 0) throw new VerificationError('MALFORMED_KEY', `${what} has no key data`);
  if (data[0] !== ED25519_SIGNATURE_TYPE) {
    throw new VerificationError('MALFORMED_KEY', `${what} has unsupported signature type 0x${encodeHex(data.subarray(0, 1))}`, {
      details: { type: data[0] ?? 0 },
    });
  }
  if (data.length !== 33) {
    throw new VerificationError('MALFORMED_KEY', `${what} has ${data.length - 1} key bytes, expected 32`);
  }
  return { name, keyId, data };
}

function requireKeyText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new VerificationError('MALFORMED_KEY', `${what} must be a string, got ${describeType(value)}`);
  if (value.length > MAX_KEY_LENGTH) throw new VerificationError('MALFORMED_KEY', `${what} is too long`);
  return value;
}

/**
 * Parses a verifier key `<name>+<hex8 key id>+base64(0x01 || 32-byte public key)` (C2SP signed-note), splitting at
 * the first two `+` only, checking the name rules and recomputing the key ID. Throws `MALFORMED_KEY`.
 *
 * ```ts
 * parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k').name; // 'example.com/foo'
 * ```
 */
export function parseVerifierKey(vkey: string, options?: SignatureOptions): VerifierKey {
  const text = requireKeyText(vkey, 'verifier key');
  const { sha256 } = resolveCrypto(options);
  const { name, keyId, data } = splitKey(text, 'verifier key');
  const publicKey = data.slice(1);
  const computed = computeKeyId(name, ED25519_SIGNATURE_TYPE, publicKey, sha256);
  if (computed !== keyId) {
    throw new VerificationError('MALFORMED_KEY', `verifier key id ${keyId} does not match its key (${computed})`, {
      details: { expected: computed, found: keyId },
    });
  }
  return { name, keyId, type: ED25519_SIGNATURE_TYPE, publicKey, vkey: text };
}

/**
 * Parses a Go-style signer key `PRIVATE+KEY+<name>+<hex8 key id>+base64(0x01 || 32-byte seed)`, derives the public
 * key and checks the key ID. Throws `MALFORMED_KEY`. The result holds the secret seed: do not log it.
 */
export function parseSignerKey(skey: string, options?: SignatureOptions): SignerKey {
  const text = requireKeyText(skey, 'signer key');
  if (!text.startsWith(SIGNER_PREFIX)) throw new VerificationError('MALFORMED_KEY', `signer key must start with ${SIGNER_PREFIX}`);
  const { sha256, ed25519 } = resolveCrypto(options);
  const { name, keyId, data } = splitKey(text.slice(SIGNER_PREFIX.length), 'signer key');
  const seed = data.slice(1);
  const publicKey = copyBytes(ed25519.publicKeyFromSeed(seed));
  const computed = computeKeyId(name, ED25519_SIGNATURE_TYPE, publicKey, sha256);
  if (computed !== keyId) {
    throw new VerificationError('MALFORMED_KEY', `signer key id ${keyId} does not match its key (${computed})`, {
      details: { expected: computed, found: keyId },
    });
  }
  const vkey = `${name}+${keyId}+${encodeBase64(concatBytes(Uint8Array.of(ED25519_SIGNATURE_TYPE), publicKey))}`;
  return { name, keyId, type: ED25519_SIGNATURE_TYPE, publicKey, vkey, seed, skey: text };
}

/**
 * The key pair of a 32-byte Ed25519 seed under `name` (deterministic: for tests and for keys kept in a KMS as
 * seeds). Throws `MALFORMED_KEY` for a bad name or seed.
 */
export function createSignerFromSeed(name: string, seed: Uint8Array, options?: SignatureOptions): GeneratedSigner {
  requireKeyName(name);
  if (!isBytes(seed) || seed.length !== 32) throw new VerificationError('MALFORMED_KEY', 'ed25519 seed must be 32 bytes');
  const { sha256, ed25519 } = resolveCrypto(options);
  const publicKey = ed25519.publicKeyFromSeed(seed);
  const keyId = computeKeyId(name, ED25519_SIGNATURE_TYPE, publicKey, sha256);
  const type = Uint8Array.of(ED25519_SIGNATURE_TYPE);
  return {
    skey: `${SIGNER_PREFIX}${name}+${keyId}+${encodeBase64(concatBytes(type, seed))}`,
    vkey: `${name}+${keyId}+${encodeBase64(concatBytes(type, publicKey))}`,
  };
}

/**
 * Generates a new Ed25519 key pair for signed notes under `name` (for a log: name = origin), with a seed from
 * `globalThis.crypto.getRandomValues`. Throws `MALFORMED_KEY` for a bad name.
 */
export function generateSigner(name: string, options?: SignatureOptions): GeneratedSigner {
  requireKeyName(name);
  const seed = new Uint8Array(32);
  globalThis.crypto.getRandomValues(seed);
  return createSignerFromSeed(name, seed, options);
}

/**
 * A stable display fingerprint of a verifier key, ssh style: `SHA256:` + unpadded base64 of SHA-256 of the key
 * data (0x01 || public key). Throws `MALFORMED_KEY` for a bad key.
 */
export function keyFingerprint(vkey: string | VerifierKey, options?: SignatureOptions): string {
  const key = typeof vkey === 'string' ? parseVerifierKey(vkey, options) : parseVerifierKey(vkey?.vkey, options);
  const { sha256 } = resolveCrypto(options);
  const digest = sha256(Uint8Array.of(key.type), key.publicKey);
  return `SHA256:${encodeBase64(digest).replace(/=+$/, '')}`;
}
