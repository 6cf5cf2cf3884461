/**
 * IP addresses: strict parsing, one canonical text form, and a fixed-width sort key for range queries.
 *
 * Canonical text (what events store in `context.location`):
 * - IPv4: dotted decimal, no leading zeros (`192.0.2.1`). Octets with leading zeros (`010.0.0.1`) are
 *   **rejected**, not normalized: `inet_aton` and others read them as octal, so their meaning is ambiguous.
 * - IPv6: RFC 5952 §4: lowercase hex, leading zeros suppressed, the longest run of two or more zero
 *   groups compressed to `::` (the first run on a tie), a single zero group never compressed.
 * - IPv4-mapped IPv6 (`::ffff:0:0/96`) keeps the mixed notation `::ffff:192.0.2.1` (RFC 5952 §5) and stays an
 *   IPv6 address; it is not turned into plain IPv4 text.
 * - Zone identifiers (`fe80::1%eth0`) and brackets are rejected: a zone is meaningful only on the host that
 *   produced it.
 */
import { IpAddressError } from './errors';

/** A parsed IP address: 4 bytes for IPv4, 16 bytes for IPv6, network byte order. */
export interface TIpAddress {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

/** The longest valid IP text is 45 characters (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`). */
const MAX_IP_TEXT_LENGTH = 45;
const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** Canonical IPv4 text: four decimal octets 0-255 without leading zeros, exactly what `formatIpAddress` writes. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/**
 * Parses IPv4 dotted-decimal or IPv6 text (RFC 4291 §2.2, including `::` and a trailing dotted quad).
 * Throws `IpAddressError` with code `invalid_ipv4`, `invalid_ipv6`, `leading_zero` or `zone_id`; the
 * message is the reason without a subject (`octet "300" is out of range 0-255`).
 *
 * ```ts
 * parseIpAddress('2001:DB8::1'); // { version: 6, bytes: Uint8Array(16) [0x20, 0x01, 0x0d, 0xb8, 0, …, 1] }
 * ```
 */
export function parseIpAddress(text: string): TIpAddress {
  if (text.length === 0) throw new IpAddressError('invalid_ipv4', 'the address is empty');
  if (text.includes('%')) {
    throw new IpAddressError('zone_id', 'zone identifiers ("%…") are not allowed');
  }
  if (text.length > MAX_IP_TEXT_LENGTH) {
    throw new IpAddressError('invalid_ipv6', `longer than ${MAX_IP_TEXT_LENGTH} characters`);
  }
  if (text.includes(':')) return { version: 6, bytes: parseIpv6(text) };
  return { version: 4, bytes: parseIpv4(text, 'invalid_ipv4') };
}

/**
 * Formats a parsed address in canonical text (see the module notes).
 * Requires `bytes.length` to be 4 for version 4 and 16 for version 6; throws `IpAddressError` otherwise.
 */
export function formatIpAddress(address: TIpAddress): string {
  const { version, bytes } = address;
  if (version === 4 && bytes.length === 4) return formatIpv4(bytes, 0);
  if (version === 6 && bytes.length === 16) return formatIpv6(bytes);
  throw new IpAddressError(
    version === 4 ? 'invalid_ipv4' : 'invalid_ipv6',
    `an IPv${version} address has ${version === 4 ? 4 : 16} bytes, got ${bytes.length}`,
  );
}

/**
 * Returns the canonical text of an IP address: `formatIpAddress(parseIpAddress(text))`.
 *
 * ```ts
 * normalizeIpAddress('2001:0DB8:0000:0000:0000:0000:0000:0001'); // '2001:db8::1'
 * normalizeIpAddress('::FFFF:C000:0201');                          // '::ffff:192.0.2.1'
 * ```
 */
export function normalizeIpAddress(text: string): string {
  // Shortcut for the common case: IPv4 text that is already canonical formats back to itself.
  if (CANONICAL_IPV4.test(text)) return text;
  return formatIpAddress(parseIpAddress(text));
}

/**
 * Returns a 32-character lowercase hex key that sorts like the address, for range queries (`BETWEEN`) on
 * SQLite and Postgres text columns. IPv6 addresses use their 16 bytes; IPv4 addresses use their
 * IPv4-mapped form `::ffff:a.b.c.d`, so `1.2.3.4` and `::ffff:1.2.3.4` share a key and one CIDR range covers
 * both. Throws `IpAddressError` like `parseIpAddress`.
 *
 * ```ts
 * ipSortKey('10.0.0.1'); // '00000000000000000000ffff0a000001'
 * ```
 */
export function ipSortKey(address: string | TIpAddress): string {
  const parsed = typeof address === 'string' ? parseIpAddress(address) : address;
  return bytesToHex(toIpv6Bytes(parsed));
}

/** Returns the 16-byte IPv6 form of an address (IPv4 becomes `::ffff:a.b.c.d`). */
export function toIpv6Bytes(address: TIpAddress): Uint8Array {
  if (address.version === 6) return address.bytes;
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(address.bytes, 12);
  return bytes;
}

/** Lowercase hex of bytes (two digits each). */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function parseIpv4(text: string, code: 'invalid_ipv4' | 'invalid_ipv6'): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new IpAddressError(code, `expected 4 dot-separated octets, got ${parts.length}`);
  }
  const bytes = new Uint8Array(4);
  for (let index = 0; index < 4; index++) {
    const part = parts[index] as string;
    if (!DECIMAL_OCTET.test(part)) {
      if (/^[0-9]+$/.test(part) && part.startsWith('0')) {
        throw new IpAddressError(
          'leading_zero',
          `octet ${JSON.stringify(part)} has a leading zero, which some parsers read as octal`,
        );
      }
      throw new IpAddressError(code, `octet ${JSON.stringify(part)} is not a decimal number 0-255`);
    }
    const value = Number(part);
    if (value > 255) throw new IpAddressError(code, `octet ${part} is out of range 0-255`);
    bytes[index] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array {
  if (text.startsWith('[') || text.endsWith(']')) {
    throw new IpAddressError('invalid_ipv6', 'brackets are not allowed');
  }
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) {
    throw new IpAddressError('invalid_ipv6', 'more than one "::"');
  }
  const head = doubleColon === -1 ? text : text.slice(0, doubleColon);
  const tail = doubleColon === -1 ? '' : text.slice(doubleColon + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const words: number[] = [];
  const tailWords: number[] = [];
  const all = [...headGroups, ...tailGroups];
  let embeddedIpv4: Uint8Array | undefined;
  for (let index = 0; index < all.length; index++) {
    const group = all[index] as string;
    const target = index < headGroups.length ? words : tailWords;
    if (group.includes('.')) {
      if (index !== all.length - 1) {
        throw new IpAddressError('invalid_ipv6', 'an embedded IPv4 address must come last');
      }
      embeddedIpv4 = parseIpv4(group, 'invalid_ipv6');
      target.push(((embeddedIpv4[0] as number) << 8) | (embeddedIpv4[1] as number));
      target.push(((embeddedIpv4[2] as number) << 8) | (embeddedIpv4[3] as number));
      continue;
    }
    if (!HEX_GROUP.test(group)) {
      throw new IpAddressError(
        'invalid_ipv6',
        group === '' ? 'empty group (a stray ":")' : `group ${JSON.stringify(group)} is not 1-4 hex digits`,
      );
    }
    target.push(Number.parseInt(group, 16));
  }
  const count = words.length + tailWords.length;
  if (doubleColon === -1) {
    if (count !== 8) throw new IpAddressError('invalid_ipv6', `${count} groups; expected 8 (or "::")`);
  } else if (count > 7) {
    throw new IpAddressError('invalid_ipv6', 'too many groups for "::"');
  }
  const all16 = [...words, ...new Array<number>(8 - count).fill(0), ...tailWords];
  const bytes = new Uint8Array(16);
  all16.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

function formatIpv4(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let index = 0; index < 10; index++) if (bytes[index] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function formatIpv6(bytes: Uint8Array): string {
  if (isIpv4Mapped(bytes)) return `::ffff:${formatIpv4(bytes, 12)}`;
  const words: number[] = [];
  for (let index = 0; index < 16; index += 2) {
    words.push(((bytes[index] as number) << 8) | (bytes[index + 1] as number));
  }
  // RFC 5952 §4.2: compress the longest run (length ≥ 2) of zero groups; the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8; ) {
    if (words[index] !== 0) {
      index++;
      continue;
    }
    let end = index;
    while (end < 8 && words[end] === 0) end++;
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
