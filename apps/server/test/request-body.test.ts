import { describe, expect, it } from 'vitest';

import { underflowingNumber } from '../src/request-body';

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
