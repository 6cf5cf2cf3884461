import { describe, expect, it } from 'vitest';

import { UUID_V7_PATTERN, createUuidV7Generator, generateUuidV7, getUuidV7Timestamp } from './uuid-v7';

describe('generateUuidV7', () => {
  describe('when called with the clock', () => {
    it('returns a lowercase RFC 9562 version 7, variant 10 UUID', () => {
      const id = generateUuidV7();
      expect(id).toMatch(UUID_V7_PATTERN);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
      expect(Math.abs(getUuidV7Timestamp(id) - Date.now())).toBeLessThan(5_000);
    });

    it('is strictly increasing across 100,000 calls in one process', () => {
      let previous = generateUuidV7();
      for (let i = 0; i < 100_000; i++) {
        const next = generateUuidV7();
        if (!(next > previous)) expect.fail(`${next} is not greater than ${previous}`);
        previous = next;
      }
    });
  });

  describe('when given nowMs', () => {
    it('embeds the timestamp big-endian in the first 48 bits', () => {
      const generate = createUuidV7Generator();
      const id = generate(0x0123456789ab);
      expect(id.slice(0, 13)).toBe('01234567-89ab');
      expect(getUuidV7Timestamp(id)).toBe(0x0123456789ab);
    });

    it('rejects timestamps outside 0..2^48-1', () => {
      const generate = createUuidV7Generator();
      for (const bad of [-1, 1.5, 2 ** 48, NaN]) expect(() => generate(bad)).toThrow(RangeError);
    });
  });

  describe('when the clock stalls or goes backwards', () => {
    it('keeps the last timestamp and increments the counter', () => {
      const generate = createUuidV7Generator({ random: (bytes) => bytes.fill(0) });
      const first = generate(1_000);
      const second = generate(1_000);
      const third = generate(999);
      expect(first).toBe('00000000-03e8-7000-8000-000000000000');
      expect(second).toBe('00000000-03e8-7000-8000-000000000001');
      expect(third).toBe('00000000-03e8-7000-8000-000000000002');
      expect(generate(1_001)).toBe('00000000-03e9-7000-8000-000000000000');
    });

    it('carries across rand_b into rand_a', () => {
      const generate = createUuidV7Generator({
        random: (bytes) => {
          bytes.fill(0xff);
        },
      });
      const first = generate(5);
      expect(first).toBe('00000000-0005-77ff-bfff-ffffffffffff');
      expect(generate(5)).toBe('00000000-0005-7800-8000-000000000000');
    });
  });

  describe('when using the default randomness', () => {
    it('produces distinct ids in the same millisecond from distinct generators', () => {
      const a = createUuidV7Generator()(42);
      const b = createUuidV7Generator()(42);
      expect(a).not.toBe(b);
      expect(a.slice(0, 13)).toBe(b.slice(0, 13));
    });
  });
});
