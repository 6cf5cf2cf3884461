import { describe, expect, it } from 'vitest';

import { duplicateMemberRefusal, underflowingNumber } from '../src/request-body';

describe('underflowingNumber', () => {
  it('finds a non-zero literal that reads as 0, wherever it stands outside strings', () => {
    expect(underflowingNumber('{"n":1e-400}')).toBe('1e-400');
    expect(underflowingNumber('[1,2,{"a":[-2.5E-999]}]')).toBe('-2.5E-999');
    expect(underflowingNumber(`{"n":0.${'0'.repeat(400)}1}`)).toBe(`0.${'0'.repeat(400)}1`);
    // After a string that ends in an escaped backslash, the walk is outside strings again.
    expect(underflowingNumber('{"a":"\\\\","b":1e-400}')).toBe('1e-400');
  });

  it('leaves zeros, numbers that can be represented, and text in strings', () => {
    for (const text of ['{"n":0e-400}', '{"n":-0.000e-999}', '{"n":1e-300}', '{"n":4.9e-324}', '{"n":1e400}', '{"s":"1e-400"}', '{"s":"x\\"1e-400"}', '"1e-400"']) {
      expect(underflowingNumber(text), text).toBeUndefined();
    }
  });
});

describe('duplicateMemberRefusal', () => {
  it('names the object, the member and where its second occurrence stands', () => {
    expect(duplicateMemberRefusal('{"organizationId":"acme",\n "events":[{"a":1},{"metadata":{"mfa":true,"mfa":false}}]}')).toBe(
      'the object at /events/1/metadata names the member "mfa" twice (line 2, column 44): JSON readers differ on which value counts, so the body is refused (I-JSON, RFC 7493 §2.3)',
    );
    expect(duplicateMemberRefusal('{"event":{},"event":{}}')).toMatch(/^the top-level object names the member "event" twice \(line 1, column 13\)/);
  });

  it('leaves JSON without duplicates, and text that is not JSON, to the parser', () => {
    for (const text of ['{"a":{"a":1},"b":[{"a":1},{"a":2}]}', '{"a": "a":}', '{"a":1,"a":2', '']) {
      expect(duplicateMemberRefusal(text), text).toBeUndefined();
    }
  });
});
