/** Standard base64 (RFC 4648 §4, with padding) without `Buffer` or `btoa`, so it runs everywhere. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Encodes bytes as standard, padded base64 (RFC 4648 §4).
 *
 * ```ts
 * encodeBase64(new Uint8Array([0xfb, 0xff])); // '+/8='
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let index = 0;
  for (; index + 2 < bytes.length; index += 3) {
    const n = ((bytes[index] as number) << 16) | ((bytes[index + 1] as number) << 8) | (bytes[index + 2] as number);
    out += ALPHABET[n >> 18] ?? '';
    out += ALPHABET[(n >> 12) & 63] ?? '';
    out += ALPHABET[(n >> 6) & 63] ?? '';
    out += ALPHABET[n & 63] ?? '';
  }
  const rest = bytes.length - index;
  if (rest === 1) {
    const n = (bytes[index] as number) << 16;
    out += `${ALPHABET[n >> 18] ?? ''}${ALPHABET[(n >> 12) & 63] ?? ''}==`;
  } else if (rest === 2) {
    const n = ((bytes[index] as number) << 16) | ((bytes[index + 1] as number) << 8);
    out += `${ALPHABET[n >> 18] ?? ''}${ALPHABET[(n >> 12) & 63] ?? ''}${ALPHABET[(n >> 6) & 63] ?? ''}=`;
  }
  return out;
}
