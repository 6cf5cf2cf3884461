import { describe, expect, it } from 'vitest';

import { RowPageCache } from './row-page-cache';

const page = (p: number, size = 4): number[] => Array.from({ length: size }, (_, i) => p * size + i);

describe('RowPageCache', () => {
  describe('when pages are stored', () => {
    it('answers positions from their page', () => {
      const cache = new RowPageCache<number>(4, 3);
      cache.put(2, page(2));
      expect(cache.get(9)).toBe(9);
      expect(cache.get(3)).toBeUndefined();
    });

    it('lists missing pages once, skipping pending ones', () => {
      const cache = new RowPageCache<number>(4, 8);
      cache.put(1, page(1));
      cache.markPending(2);
      expect(cache.missingPages(0, 15)).toEqual([0, 3]);
      cache.fail(2);
      expect(cache.missingPages(0, 15)).toEqual([0, 2, 3]);
      expect(cache.missingPages(5, 4)).toEqual([]);
    });
  });

  describe('when more pages than maxPages are stored', () => {
    it('evicts the least recently used', () => {
      const cache = new RowPageCache<number>(4, 2);
      cache.put(0, page(0));
      cache.put(1, page(1));
      cache.get(0); // page 0 is now the most recent
      cache.put(2, page(2));
      expect(cache.has(0)).toBe(true);
      expect(cache.has(1)).toBe(false);
      expect(cache.has(2)).toBe(true);
      expect(cache.size).toBe(2);
    });
  });

  describe('when rows change', () => {
    it('replaces them in place and clears everything on demand', () => {
      const cache = new RowPageCache<number>(4, 2);
      cache.put(0, page(0));
      cache.update((row) => (row === 2 ? 200 : undefined));
      expect(cache.get(2)).toBe(200);
      cache.clear();
      expect(cache.size).toBe(0);
    });
  });
});
