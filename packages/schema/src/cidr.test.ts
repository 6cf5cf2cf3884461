import { describe, expect, it } from 'vitest';

import { cidrSortKeyRange, isIpInCidr, parseCidr } from './cidr';
import { IpAddressError } from './errors';
import { ipSortKey } from './ip-address';

function thrown(run: () => unknown): IpAddressError {
  try {
    run();
  } catch (error) {
    if (error instanceof IpAddressError) return error;
    throw error;
  }
  throw new Error('expected an IpAddressError');
}

describe('parseCidr', () => {
  describe('when the block is valid', () => {
    it('returns the first and last addresses', () => {
      expect(parseCidr('10.0.0.0/8')).toEqual({
        version: 4,
        prefix: 8,
        first: new Uint8Array([10, 0, 0, 0]),
        last: new Uint8Array([10, 255, 255, 255]),
        text: '10.0.0.0/8',
      });
      expect(parseCidr('192.168.1.128/25').last).toEqual(new Uint8Array([192, 168, 1, 255]));
      expect(parseCidr('0.0.0.0/0').last).toEqual(new Uint8Array([255, 255, 255, 255]));
      expect(parseCidr('1.2.3.4/32').first).toEqual(new Uint8Array([1, 2, 3, 4]));
    });

    it('handles IPv6 and canonicalizes the text', () => {
      const block = parseCidr('2001:DB8:0::/32');
      expect(block.text).toBe('2001:db8::/32');
      expect(Buffer.from(block.last).toString('hex')).toBe('20010db8ffffffffffffffffffffffff');
      expect(parseCidr('::/0').prefix).toBe(0);
      expect(parseCidr('fe80::1/128').text).toBe('fe80::1/128');
    });
  });

  describe('when the block is invalid', () => {
    it.each([
      ['10.0.0.1/8', 'host_bits_set', 'host bits are set; did you mean 10.0.0.0/8?'],
      ['2001:db8::1/32', 'host_bits_set', 'host bits are set; did you mean 2001:db8::/32?'],
      ['10.0.0.0', 'invalid_cidr', 'expected "address/prefix"'],
      ['10.0.0.0/8/8', 'invalid_cidr', 'more than one "/"'],
      ['10.0.0.0/33', 'invalid_prefix', 'prefix "33" is not a decimal number 0-32 for IPv4'],
      ['10.0.0.0/08', 'invalid_prefix', 'prefix "08" is not a decimal number 0-32 for IPv4'],
      ['10.0.0.0/', 'invalid_prefix', 'prefix "" is not a decimal number 0-32 for IPv4'],
      ['::/129', 'invalid_prefix', 'prefix "129" is not a decimal number 0-128 for IPv6'],
      ['10.0.0.256/8', 'invalid_ipv4', 'octet 256 is out of range 0-255'],
      ['fe80::%eth0/64', 'zone_id', 'zone identifiers ("%\u2026") are not allowed'],
    ] as const)('rejects %s', (text, code, message) => {
      const error = thrown(() => parseCidr(text));
      expect({ code: error.code, message: error.message }).toEqual({ code, message });
    });
  });
});

describe('cidrSortKeyRange', () => {
  describe('when filtering by IPv4 and IPv6 blocks', () => {
    it('returns inclusive fixed-width bounds', () => {
      expect(cidrSortKeyRange('10.0.0.0/8')).toEqual({
        from: '00000000000000000000ffff0a000000',
        to: '00000000000000000000ffff0affffff',
      });
      expect(cidrSortKeyRange('2001:db8::/32')).toEqual({
        from: '20010db8000000000000000000000000',
        to: '20010db8ffffffffffffffffffffffff',
      });
    });

    it('brackets exactly the addresses in the block', () => {
      const { from, to } = cidrSortKeyRange('10.0.0.0/8');
      const inside = (address: string): boolean => from <= ipSortKey(address) && ipSortKey(address) <= to;
      expect(inside('10.0.0.0')).toBe(true);
      expect(inside('10.255.255.255')).toBe(true);
      expect(inside('::ffff:10.1.2.3')).toBe(true);
      expect(inside('9.255.255.255')).toBe(false);
      expect(inside('11.0.0.0')).toBe(false);
      expect(inside('::a00:1')).toBe(false);
    });
  });
});

describe('isIpInCidr', () => {
  describe('when matching addresses', () => {
    it('matches IPv4 and IPv4-mapped IPv6 alike', () => {
      expect(isIpInCidr('192.168.1.200', '192.168.1.128/25')).toBe(true);
      expect(isIpInCidr('192.168.1.127', '192.168.1.128/25')).toBe(false);
      expect(isIpInCidr('::ffff:192.168.1.200', '192.168.1.128/25')).toBe(true);
      expect(isIpInCidr('2001:db8:ffff::1', parseCidr('2001:db8::/32'))).toBe(true);
      expect(isIpInCidr('2001:db9::1', '2001:db8::/32')).toBe(false);
    });
  });
});
