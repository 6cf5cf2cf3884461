/**
 * Byte helpers. `bytesEqual` is the public one; the rest are small internals shared by the package.
 */

/**
 * Compares two byte strings in time that depends only on their lengths (house style §8.7: a habit, since the
 * hashes compared here are public). Returns `false` for different lengths or non-`Uint8Array` values.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (!isBytes(a) || !isBytes(b) || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * True for any `Uint8Array` (also from another realm, such as a Worker or a Node `Buffer`). Values from JSON or
 * other callers are untrusted; `instanceof` alone misses cross-realm arrays.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]')
  );
}

/** Concatenates byte strings into a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A fresh copy (also turns a Node `Buffer` into a plain `Uint8Array`). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD; callers validate text first). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}
