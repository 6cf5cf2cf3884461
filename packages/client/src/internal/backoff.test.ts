import { describe, expect, it } from 'vitest';

import { computeBackoffDelay } from './backoff';

const settings = { baseDelayMs: 250, maxDelayMs: 30_000 };
const highest = () => 0.999_999;
const lowest = () => 0;

describe('computeBackoffDelay', () => {
  describe('when the random draw is at its top', () => {
    it('doubles the ceiling with every failed attempt', () => {
      const delays = [1, 2, 3, 4, 5].map((attempt) => computeBackoffDelay(attempt, settings, undefined, highest));
      expect(delays).toEqual([249, 499, 999, 1999, 3999]);
    });

    it('never exceeds maxDelayMs', () => {
      expect(computeBackoffDelay(8, settings, undefined, highest)).toBe(29_999);
      expect(computeBackoffDelay(10_000, settings, undefined, highest)).toBe(29_999);
    });
  });

  describe('when the random draw is 0 (full jitter)', () => {
    it('waits nothing, whatever the attempt', () => {
      expect(computeBackoffDelay(1, settings, undefined, lowest)).toBe(0);
      expect(computeBackoffDelay(7, settings, undefined, lowest)).toBe(0);
    });
  });

  describe('when the server sent retryAfterMs', () => {
    it('waits at least that long', () => {
      expect(computeBackoffDelay(1, settings, 1_200, lowest)).toBe(1_200);
      expect(computeBackoffDelay(1, settings, 1_200, highest)).toBe(1_200);
    });

    it('keeps the jittered delay when it is longer', () => {
      expect(computeBackoffDelay(6, settings, 10, highest)).toBe(7_999);
    });

    it('caps the hint at maxDelayMs', () => {
      expect(computeBackoffDelay(1, settings, 3_600_000, lowest)).toBe(30_000);
    });

    it('ignores a negative hint', () => {
      expect(computeBackoffDelay(1, settings, -5, lowest)).toBe(0);
    });
  });

  describe('when drawing many delays for one attempt', () => {
    it('spreads them over the whole window', () => {
      const delays = Array.from({ length: 2_000 }, () => computeBackoffDelay(3, settings));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(1_000);
      // Uniform on [0, 1000): both halves get a fair share (the odds of failing are below 1e-100).
      expect(delays.filter((d) => d < 500).length).toBeGreaterThan(500);
      expect(delays.filter((d) => d >= 500).length).toBeGreaterThan(500);
    });
  });
});
