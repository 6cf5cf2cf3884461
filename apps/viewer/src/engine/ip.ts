/**
 * IP addresses as four 32-bit words (IPv6 order; IPv4 as `::ffff:a.b.c.d`, like the schema's `ipSortKey`, so
 * one CIDR block matches an address and its IPv4-mapped form). Parsed once per distinct address and cached.
 */
import { parseCidr, parseIpAddress } from '@custody/schema';

import type { Dictionary } from './dictionary';

/** Fast IPv4 dotted-decimal parse, by the schema's rules (no leading zeros); -1 if not IPv4. */
function ipv4(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      // A leading zero ("010") is refused, as the schema refuses it: some parsers read it as octal.
      if (digits === 1 && octet === 0) return -1;
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

const GROUPS = new Int32Array(8);

/** 0–15 for a hex digit's char code, else -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * The common IPv6 text, hex groups of 1–4 digits with at most one `::` (RFC 4291 §2.2, as the schema's parser
 * reads it), straight into words. Returns false for anything else (a dotted quad, brackets, a zone, a stray
 * colon, any other character): the schema's parser then decides, so this never rejects on its own.
 */
function ipv6Words(text: string, out: Uint32Array, at: number): boolean {
  const n = text.length;
  if (n < 2 || n > 45) return false;
  let i = 0;
  let count = 0;
  let gap = -1;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    for (let d = i < n ? hexDigit(text.charCodeAt(i)) : -1; d >= 0; d = i < n ? hexDigit(text.charCodeAt(i)) : -1) {
      value = value * 16 + d;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    GROUPS[count++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === n) {
      return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  if (gap >= 0) {
    // The groups after "::" move to the end; zeros fill the gap.
    const zeros = 8 - count;
    for (let k = count - 1; k >= gap; k--) GROUPS[k + zeros] = GROUPS[k] as number;
    GROUPS.fill(0, gap, gap + zeros);
  }
  for (let w = 0; w < 4; w++) out[at + w] = (((GROUPS[2 * w] as number) << 16) | (GROUPS[2 * w + 1] as number)) >>> 0;
  return true;
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
  if (ipv6Words(text, out, at)) return true;
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
