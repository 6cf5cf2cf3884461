/**
 * CIDR blocks (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6) for the query layer's "location in 10.0.0.0/8"
 * filters, plus the matching `ipSortKey` range so SQL can filter with `BETWEEN` on any database.
 */
import { IpAddressError } from './errors';
import { bytesToHex, formatIpAddress, parseIpAddress, toIpv6Bytes } from './ip-address';
import type { TIpAddress } from './ip-address';

/** A parsed CIDR block. `first` and `last` are the lowest and highest addresses, 4 or 16 bytes. */
export interface TCidr {
  readonly version: 4 | 6;
  readonly prefix: number;
  readonly first: Uint8Array;
  readonly last: Uint8Array;
  /** Canonical text, e.g. `10.0.0.0/8`, `2001:db8::/32`. */
  readonly text: string;
}

const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Parses `address/prefix`. The prefix is decimal without leading zeros, 0–32 for IPv4 and 0–128 for IPv6.
 * Host bits must be zero (`10.0.0.1/8` is rejected with a hint, as Python's `ipaddress` does in strict
 * mode), so a typo never silently widens or shifts a filter. Throws `IpAddressError` with code
 * `invalid_cidr`, `invalid_prefix`, `host_bits_set`, or any `parseIpAddress` code.
 *
 * ```ts
 * parseCidr('10.0.0.0/8'); // { version: 4, prefix: 8, first: [10,0,0,0], last: [10,255,255,255], text: '10.0.0.0/8' }
 * ```
 */
export function parseCidr(text: string): TCidr {
  const slash = text.indexOf('/');
  if (slash === -1) throw new IpAddressError('invalid_cidr', 'expected "address/prefix"');
  if (text.indexOf('/', slash + 1) !== -1) throw new IpAddressError('invalid_cidr', 'more than one "/"');
  const address = parseIpAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  const width = address.version === 4 ? 32 : 128;
  if (!PREFIX.test(prefixText) || Number(prefixText) > width) {
    throw new IpAddressError(
      'invalid_prefix',
      `prefix ${JSON.stringify(prefixText)} is not a decimal number 0-${width} for IPv${address.version}`,
    );
  }
  const prefix = Number(prefixText);
  const first = new Uint8Array(address.bytes.length);
  const last = new Uint8Array(address.bytes.length);
  for (let index = 0; index < address.bytes.length; index++) {
    const bitsHere = Math.min(8, Math.max(0, prefix - index * 8));
    const mask = bitsHere === 0 ? 0 : (0xff << (8 - bitsHere)) & 0xff;
    const byte = address.bytes[index] as number;
    first[index] = byte & mask;
    last[index] = (byte & mask) | (~mask & 0xff);
  }
  const network: TIpAddress = { version: address.version, bytes: first };
  const canonical = `${formatIpAddress(network)}/${prefix}`;
  if (first.some((byte, index) => byte !== address.bytes[index])) {
    throw new IpAddressError('host_bits_set', `host bits are set; did you mean ${canonical}?`);
  }
  return { version: address.version, prefix, first, last, text: canonical };
}

/**
 * Returns the inclusive `ipSortKey` range of a CIDR block: an address is in the block iff
 * `from <= ipSortKey(address) <= to` (string comparison; keys are fixed-width lowercase hex).
 * IPv4 blocks map into `::ffff:0:0/96`, so they also match IPv4-mapped IPv6 addresses.
 *
 * ```ts
 * cidrSortKeyRange('10.0.0.0/8');
 * // { from: '00000000000000000000ffff0a000000', to: '00000000000000000000ffff0affffff' }
 * ```
 */
export function cidrSortKeyRange(cidr: string | TCidr): { from: string; to: string } {
  const parsed = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  return {
    from: bytesToHex(toIpv6Bytes({ version: parsed.version, bytes: parsed.first })),
    to: bytesToHex(toIpv6Bytes({ version: parsed.version, bytes: parsed.last })),
  };
}

/** Returns `true` when `address` lies in `cidr` (IPv4 and IPv4-mapped IPv6 match each other). */
export function isIpInCidr(address: string | TIpAddress, cidr: string | TCidr): boolean {
  const parsed = typeof address === 'string' ? parseIpAddress(address) : address;
  const key = bytesToHex(toIpv6Bytes(parsed));
  const { from, to } = cidrSortKeyRange(cidr);
  return from <= key && key <= to;
}
