import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { IpAddressError } from './errors';
import { formatIpAddress, ipSortKey, normalizeIpAddress, parseIpAddress } from './ip-address';

function thrown(run: () => unknown): IpAddressError {
  try {
    run();
  } catch (error) {
    if (error instanceof IpAddressError) return error;
    throw error;
  }
  throw new Error('expected an IpAddressError');
}

describe('parseIpAddress', () => {
  describe('when given IPv4 text', () => {
    it('returns 4 bytes', () => {
      expect(parseIpAddress('192.0.2.1')).toEqual({ version: 4, bytes: new Uint8Array([192, 0, 2, 1]) });
      expect(parseIpAddress('0.0.0.0').bytes).toEqual(new Uint8Array(4));
      expect(parseIpAddress('255.255.255.255').bytes).toEqual(new Uint8Array([255, 255, 255, 255]));
    });

    it.each([
      ['010.0.0.1', 'leading_zero', 'octet "010" has a leading zero, which some parsers read as octal'],
      ['1.2.3.00', 'leading_zero', 'octet "00" has a leading zero, which some parsers read as octal'],
      ['256.0.0.1', 'invalid_ipv4', 'octet 256 is out of range 0-255'],
      ['1.2.3', 'invalid_ipv4', 'expected 4 dot-separated octets, got 3'],
      ['1.2.3.4.5', 'invalid_ipv4', 'expected 4 dot-separated octets, got 5'],
      ['1.2.3.', 'invalid_ipv4', 'octet "" is not a decimal number 0-255'],
      ['1.2.3.-4', 'invalid_ipv4', 'octet "-4" is not a decimal number 0-255'],
      ['0x7f.0.0.1', 'invalid_ipv4', 'octet "0x7f" is not a decimal number 0-255'],
      ['1.2.3.4 ', 'invalid_ipv4', 'octet "4 " is not a decimal number 0-255'],
      ['2130706433', 'invalid_ipv4', 'expected 4 dot-separated octets, got 1'],
      ['\u0661.2.3.4', 'invalid_ipv4', 'octet "\u0661" is not a decimal number 0-255'],
      ['', 'invalid_ipv4', 'the address is empty'],
    ] as const)('rejects %j', (text, code, message) => {
      const error = thrown(() => parseIpAddress(text));
      expect({ code: error.code, message: error.message }).toEqual({ code, message });
    });
  });

  describe('when given IPv6 text', () => {
    it.each([
      ['::', '00000000000000000000000000000000'],
      ['::1', '00000000000000000000000000000001'],
      ['1::', '00010000000000000000000000000000'],
      ['2001:db8::1', '20010db8000000000000000000000001'],
      ['2001:DB8:0:0:8:800:200C:417A', '20010db80000000000080800200c417a'],
      ['fe80::1:2:3:4:5:6', 'fe800000000100020003000400050006'],
      ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
      ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
      ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
      ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
      ['0000:0000:0000:0000:0000:0000:0000:0001', '00000000000000000000000000000001'],
    ])('parses %s', (text, hex) => {
      const { version, bytes } = parseIpAddress(text);
      expect(version).toBe(6);
      expect(Buffer.from(bytes).toString('hex')).toBe(hex);
    });

    it.each([
      ['fe80::1%eth0', 'zone_id', 'zone identifiers ("%\u2026") are not allowed'],
      ['fe80::1%25eth0', 'zone_id', undefined],
      ['[::1]', 'invalid_ipv6', 'brackets are not allowed'],
      ['1::2::3', 'invalid_ipv6', 'more than one "::"'],
      [':::', 'invalid_ipv6', undefined],
      ['1:2:3:4:5:6:7', 'invalid_ipv6', '7 groups; expected 8 (or "::")'],
      ['1:2:3:4:5:6:7:8:9', 'invalid_ipv6', '9 groups; expected 8 (or "::")'],
      ['1:2:3:4::5:6:7:8', 'invalid_ipv6', 'too many groups for "::"'],
      [':1:2:3:4:5:6:7', 'invalid_ipv6', 'empty group (a stray ":")'],
      ['1:2:3:4:5:6:7:', 'invalid_ipv6', 'empty group (a stray ":")'],
      ['12345::', 'invalid_ipv6', 'group "12345" is not 1-4 hex digits'],
      ['g::1', 'invalid_ipv6', 'group "g" is not 1-4 hex digits'],
      ['::1.2.3.4:5', 'invalid_ipv6', 'an embedded IPv4 address must come last'],
      ['::ffff:1.2.3', 'invalid_ipv6', 'expected 4 dot-separated octets, got 3'],
      ['::ffff:01.2.3.4', 'leading_zero', undefined],
      ['1:2:3:4:5:6:7:1.2.3.4', 'invalid_ipv6', '9 groups; expected 8 (or "::")'],
      [`${'1:'.repeat(40)}1`, 'invalid_ipv6', 'longer than 45 characters'],
    ] as const)('rejects %j', (text, code, message) => {
      const error = thrown(() => parseIpAddress(text));
      expect(error.code).toBe(code);
      if (message !== undefined) expect(error.message).toBe(message);
    });
  });
});

describe('normalizeIpAddress', () => {
  describe('when given RFC 5952 cases', () => {
    it.each([
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // longest run wins
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
      ['2001:db8::0:1', '2001:db8::1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['::ffff:c000:0201', '::ffff:192.0.2.1'], // IPv4-mapped: mixed notation
      ['0:0:0:0:0:FFFF:1.2.3.4', '::ffff:1.2.3.4'],
      ['::1.2.3.4', '::102:304'], // IPv4-compatible (deprecated): plain hex
      ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
      ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], // IPv4-translated is not IPv4-mapped
    ])('writes %s as %s', (input, expected) => {
      expect(normalizeIpAddress(input)).toBe(expected);
    });

    it('keeps IPv4 as dotted decimal', () => {
      expect(normalizeIpAddress('192.0.2.1')).toBe('192.0.2.1');
    });
  });

  describe('when given arbitrary addresses', () => {
    const ipv6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
    const sparseIpv6 = fc
      .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
      .map((words) => new Uint8Array(words.flatMap((word) => [word >> 8, word & 0xff])));

    it('is idempotent and round-trips the bytes', () => {
      fc.assert(
        fc.property(fc.oneof(ipv6Bytes, sparseIpv6), (bytes) => {
          const text = formatIpAddress({ version: 6, bytes });
          expect(normalizeIpAddress(text)).toBe(text);
          expect(parseIpAddress(text).bytes).toEqual(bytes);
          expect(text).toBe(text.toLowerCase());
          expect(text.includes('::') ? text.split('::').length : 2).toBe(2);
        }),
        { numRuns: 2_000 },
      );
    });

    it('agrees with the WHATWG URL parser on the address', () => {
      fc.assert(
        fc.property(sparseIpv6, (bytes) => {
          const text = formatIpAddress({ version: 6, bytes });
          const viaUrl = new URL(`http://[${text}]/`).hostname.slice(1, -1);
          expect(parseIpAddress(viaUrl).bytes).toEqual(bytes);
        }),
        { numRuns: 500 },
      );
    });

    it('takes its IPv4 shortcut only for text that formats back to itself', () => {
      const full = (text: string): string | undefined => {
        try {
          return formatIpAddress(parseIpAddress(text));
        } catch {
          return undefined;
        }
      };
      const viaShortcut = (text: string): string | undefined => {
        try {
          return normalizeIpAddress(text);
        } catch {
          return undefined;
        }
      };
      const octet = fc.oneof(
        fc.integer({ min: 0, max: 300 }).map(String),
        fc.constantFrom('00', '01', '010', '099', '0255', '256', '1000', '', '-1', '+1', ' 1', '1 ', '\u0661', '0x1', '1e2', '1\n'),
      );
      const ipv4ish = fc
        .tuple(fc.array(octet, { minLength: 1, maxLength: 6 }), fc.constantFrom('', '\n', ' ', '%eth0', '::', ':0'))
        .map(([octets, suffix]) => octets.join('.') + suffix);
      fc.assert(
        fc.property(fc.oneof(ipv4ish, fc.string({ maxLength: 20 })), (text) => {
          expect(viaShortcut(text)).toBe(full(text));
        }),
        { numRuns: 20_000 },
      );
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
          const text = formatIpAddress({ version: 4, bytes });
          expect(normalizeIpAddress(text)).toBe(text);
        }),
        { numRuns: 2_000 },
      );
    });
  });
});

describe('formatIpAddress', () => {
  describe('when the byte length does not match the version', () => {
    it('throws', () => {
      expect(thrown(() => formatIpAddress({ version: 4, bytes: new Uint8Array(16) })).code).toBe('invalid_ipv4');
      expect(thrown(() => formatIpAddress({ version: 6, bytes: new Uint8Array(4) })).code).toBe('invalid_ipv6');
    });
  });
});

describe('ipSortKey', () => {
  describe('when given IPv4 and IPv6 addresses', () => {
    it('returns 32 lowercase hex characters, IPv4 as ::ffff:a.b.c.d', () => {
      expect(ipSortKey('10.0.0.1')).toBe('00000000000000000000ffff0a000001');
      expect(ipSortKey('::ffff:10.0.0.1')).toBe(ipSortKey('10.0.0.1'));
      expect(ipSortKey('2001:DB8::1')).toBe('20010db8000000000000000000000001');
      expect(ipSortKey(parseIpAddress('::1'))).toBe('00000000000000000000000000000001');
    });

    it('sorts like the addresses', () => {
      const addresses = ['::1', '1.2.3.4', '9.0.0.0', '10.0.0.0', '255.255.255.255', '2001:db8::', 'fe80::1', '::'];
      const byKey = [...addresses].sort((a, b) => (ipSortKey(a) < ipSortKey(b) ? -1 : 1));
      expect(byKey).toEqual(['::', '::1', '1.2.3.4', '9.0.0.0', '10.0.0.0', '255.255.255.255', '2001:db8::', 'fe80::1']);
    });
  });
});
