/**
 * IP addresses as four 32-bit words (IPv6 order; IPv4 as `::ffff:a.b.c.d`, like the schema's `ipSortKey`, so
 * one CIDR block matches an address and its IPv4-mapped form). Parsed once per distinct address and cached.
 */
import { parseCidr, parseIpAddress } from '@custody/schema';

import type { Dictionary } from './dictionary';

/** Fast IPv4 dotted-decimal parse (canonical or not); -1 if not IPv4. */
function ipv4(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      parts++;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

/** Writes the four words of `text` into `out[at…]`; false if it is not an IP address. */
export function ipWords(text: string, out: Uint32Array, at: number): boolean {
  const v4 = ipv4(text);
  if (v4 >= 0) {
    out[at] = 0;
    out[at + 1] = 0;
    out[at + 2] = 0xffff;
    out[at + 3] = v4;
    return true;
  }
  if (!text.includes(':')) return false;
  let bytes: Uint8Array;
  try {
    // The schema's parser (its rules decide what an address is), read straight into words: going through the
    // 32-digit sort key made an IPv6 address cost about 3.8 µs, most of the first IP filter on a bundle.
    const parsed = parseIpAddress(text);
    if (parsed.version !== 6) return false;
    bytes = parsed.bytes;
  } catch {
    return false;
  }
  for (let w = 0; w < 4; w++) {
    const i = 4 * w;
    out[at + w] = (((bytes[i] as number) << 24) | ((bytes[i + 1] as number) << 16) | ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number)) >>> 0;
  }
  return true;
}

/** Sort key of an IP text: its fixed-width hex key, or after every address when it is not one. */
export function ipSortText(text: string): string {
  const words = new Uint32Array(4);
  if (!ipWords(text, words, 0)) return `~${text}`;
  let key = '';
  for (const w of words) key += w.toString(16).padStart(8, '0');
  return key;
}

function compareWords(a: Uint32Array, at: number, b: Uint32Array): number {
  for (let w = 0; w < 4; w++) {
    const x = a[at + w] as number;
    const y = b[w] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A CIDR block as inclusive word ranges. Throws (with the schema's message) for an invalid block. */
export function cidrRange(text: string): { first: Uint32Array; last: Uint32Array } {
  const cidr = parseCidr(text.trim());
  const toWords = (bytes: Uint8Array): Uint32Array => {
    const full = new Uint8Array(16);
    if (cidr.version === 4) {
      full[10] = 0xff;
      full[11] = 0xff;
      full.set(bytes, 12);
    } else {
      full.set(bytes);
    }
    const words = new Uint32Array(4);
    const view = new DataView(full.buffer);
    for (let w = 0; w < 4; w++) words[w] = view.getUint32(w * 4);
    return words;
  };
  return { first: toWords(cidr.first), last: toWords(cidr.last) };
}

/** Cached words of every value of an IP dictionary. */
export class IpKeys {
  #words = new Uint32Array(4 * 256);
  #valid = new Uint8Array(256);
  #count = 0;

  /** Parses values added since the last call. */
  update(dictionary: Dictionary): void {
    const n = dictionary.size;
    if (n * 4 > this.#words.length) {
      let capacity = this.#valid.length;
      while (capacity < n) capacity *= 2;
      const words = new Uint32Array(capacity * 4);
      words.set(this.#words);
      const valid = new Uint8Array(capacity);
      valid.set(this.#valid);
      this.#words = words;
      this.#valid = valid;
    }
    for (let id = this.#count; id < n; id++) this.#valid[id] = ipWords(dictionary.values[id] as string, this.#words, id * 4) ? 1 : 0;
    this.#count = n;
  }

  /** Marks (1) in `mask` every value id inside the block. */
  matchCidr(dictionary: Dictionary, range: { first: Uint32Array; last: Uint32Array }, mask: Uint8Array): void {
    this.update(dictionary);
    for (let id = 0; id < this.#count; id++) {
      if (this.#valid[id] !== 1) continue;
      if (compareWords(this.#words, id * 4, range.first) >= 0 && compareWords(this.#words, id * 4, range.last) <= 0) mask[id] = 1;
    }
  }
}
