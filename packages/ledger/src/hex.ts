import { isBytes } from './bytes';
import { VerificationError } from './verification-error';

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`. */
export function encodeHex(bytes: Uint8Array): string {
  if (!isBytes(bytes)) throw new VerificationError('INVALID_ENCODING', 'hex input must be a Uint8Array');
  let out = '';
  for (const byte of bytes) out += (HEX_DIGITS[byte >>> 4] ?? '') + (HEX_DIGITS[byte & 15] ?? '');
  return out;
}

/** Value of one hex digit (either case), or -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Decodes hex (either case, no prefix, no whitespace, even length).
 * Throws `INVALID_ENCODING` for anything else, including non-strings.
 */
export function decodeHex(text: string): Uint8Array {
  if (typeof text !== 'string') throw new VerificationError('INVALID_ENCODING', `hex input must be a string, got ${typeof text}`);
  if (text.length % 2 !== 0) {
    throw new VerificationError('INVALID_ENCODING', `hex has odd length ${text.length}`, { details: { length: text.length } });
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      const position = hi < 0 ? 2 * i : 2 * i + 1;
      throw new VerificationError('INVALID_ENCODING', `invalid hex character at position ${position}`, {
        details: { position },
      });
    }
    out[i] = hi * 16 + lo;
  }
  return out;
}
