import { isBytes } from './bytes';
import { VerificationError } from './verification-error';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Char code → 6-bit value, or -1 (index 0..127). */
const DECODE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Standard padded base64 of `bytes` (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  if (!isBytes(bytes)) throw new VerificationError('INVALID_ENCODING', 'base64 input must be a Uint8Array');
  let out = '';
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i] ?? 0) * 65536 + (bytes[i + 1] ?? 0) * 256 + (bytes[i + 2] ?? 0);
    out += (ALPHABET[Math.floor(n / 262144)] ?? '') + (ALPHABET[Math.floor(n / 4096) % 64] ?? '') +
      (ALPHABET[Math.floor(n / 64) % 64] ?? '') + (ALPHABET[n % 64] ?? '');
  }
  const rest = bytes.length - full;
  if (rest === 1) {
    const n = (bytes[full] ?? 0) * 16;
    out += (ALPHABET[Math.floor(n / 64)] ?? '') + (ALPHABET[n % 64] ?? '') + '==';
  } else if (rest === 2) {
    const n = ((bytes[full] ?? 0) * 256 + (bytes[full + 1] ?? 0)) * 4;
    out += (ALPHABET[Math.floor(n / 4096)] ?? '') + (ALPHABET[Math.floor(n / 64) % 64] ?? '') + (ALPHABET[n % 64] ?? '') + '=';
  }
  return out;
}

function sextet(text: string, position: number): number {
  const code = text.charCodeAt(position);
  const value = code < 128 ? (DECODE[code] ?? -1) : -1;
  if (value < 0) {
    const shown = code >= 0x21 && code < 0x7f ? ` '${text[position] ?? ''}'` : '';
    throw new VerificationError('INVALID_ENCODING', `invalid base64 character${shown} at position ${position}`, {
      details: { position },
    });
  }
  return value;
}

/**
 * Decodes strict standard base64 (RFC 4648 §4): padded to a multiple of 4, alphabet `A-Z a-z 0-9 + /`, `=` only
 * as final padding, zero trailing bits (so every byte string has exactly one accepted encoding), no whitespace,
 * no line breaks, no URL-safe alphabet. Throws `INVALID_ENCODING` for anything else, including non-strings.
 */
export function decodeBase64(text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new VerificationError('INVALID_ENCODING', `base64 input must be a string, got ${typeof text}`);
  }
  if (text.length % 4 !== 0) {
    throw new VerificationError('INVALID_ENCODING', `base64 length ${text.length} is not a multiple of 4`, {
      details: { length: text.length },
    });
  }
  if (text.length === 0) return new Uint8Array(0);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const fullQuads = text.length / 4 - (padding > 0 ? 1 : 0);
  let o = 0;
  for (let q = 0; q < fullQuads; q++) {
    const p = q * 4;
    const n = sextet(text, p) * 262144 + sextet(text, p + 1) * 4096 + sextet(text, p + 2) * 64 + sextet(text, p + 3);
    out[o++] = Math.floor(n / 65536);
    out[o++] = Math.floor(n / 256) % 256;
    out[o++] = n % 256;
  }
  if (padding > 0) {
    const p = fullQuads * 4;
    const a = sextet(text, p);
    const b = sextet(text, p + 1);
    if (padding === 2) {
      if (b % 16 !== 0) throw trailingBits(p + 1);
      out[o] = a * 4 + Math.floor(b / 16);
    } else {
      const c = sextet(text, p + 2);
      if (c % 4 !== 0) throw trailingBits(p + 2);
      out[o] = a * 4 + Math.floor(b / 16);
      out[o + 1] = (b % 16) * 16 + Math.floor(c / 4);
    }
  }
  return out;
}

function trailingBits(position: number): VerificationError {
  return new VerificationError('INVALID_ENCODING', `base64 has non-zero trailing bits at position ${position}`, {
    details: { position },
  });
}
