import { describe, expect, it } from 'vitest';

import { DEFAULT_LIMITS, MAX_LIMITS, resolveLimits } from './limits';

describe('resolveLimits', () => {
  describe('when given no overrides', () => {
    it('returns the documented defaults', () => {
      expect(resolveLimits()).toEqual({
        maxMetadataKeys: 50,
        maxMetadataKeyLength: 40,
        maxMetadataStringLength: 500,
        maxTargets: 50,
        maxEventBytes: 64_000,
      });
      expect(DEFAULT_LIMITS).toEqual(resolveLimits());
      expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
    });
  });

  describe('when given overrides', () => {
    it('applies them and ignores undefined values', () => {
      expect(resolveLimits({ maxMetadataKeys: 100, maxTargets: undefined })).toEqual({ ...DEFAULT_LIMITS, maxMetadataKeys: 100 });
      expect(resolveLimits({ maxTargets: 0 }).maxTargets).toBe(0);
      expect(resolveLimits(MAX_LIMITS)).toEqual(MAX_LIMITS);
    });

    it.each([
      [{ maxMetadataKeys: 0 }, 'limit maxMetadataKeys must be an integer in 1..1000, got 0'],
      [{ maxMetadataKeys: 1.5 }, 'limit maxMetadataKeys must be an integer in 1..1000, got 1.5'],
      [{ maxEventBytes: 65_536 }, 'limit maxEventBytes must be an integer in 1..65023, got 65536'],
      [{ maxTargets: 51 }, 'limit maxTargets must be an integer in 0..50, got 51'],
      [{ maxMetadataStringLength: NaN }, 'limit maxMetadataStringLength must be an integer in 1..65023, got NaN'],
    ])('rejects %j', (overrides, message) => {
      expect(() => resolveLimits(overrides)).toThrow(new RangeError(message));
    });
  });
});
