import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createScrollMapping } from './scroll-mapping';

describe('createScrollMapping', () => {
  describe('when the content fits under the cap', () => {
    const m = createScrollMapping({ total: 1000, rowHeight: 24, viewportHeight: 480 });

    it('is the identity between scroll and virtual offsets', () => {
      expect(m.scaled).toBe(false);
      expect(m.scrollHeight).toBe(24_000);
      expect(m.toVirtual(1234)).toBe(1234);
      expect(m.toScroll(1234)).toBe(1234);
    });

    it('lists the rows intersecting the viewport, with overscan clamped to the ends', () => {
      expect(m.visibleRows(0)).toEqual({ first: 0, last: 19 });
      expect(m.visibleRows(12)).toEqual({ first: 0, last: 20 });
      expect(m.visibleRows(0, 5)).toEqual({ first: 0, last: 24 });
      expect(m.visibleRows(m.maxVirtualTop, 5)).toEqual({ first: 975, last: 999 });
    });
  });

  describe('when the content exceeds the cap (2,000,000 rows × 24 px)', () => {
    const m = createScrollMapping({ total: 2_000_000, rowHeight: 24, viewportHeight: 600, maxScrollHeight: 15_000_000 });

    it('caps the spacer and scales scroll offsets linearly', () => {
      expect(m.scaled).toBe(true);
      expect(m.scrollHeight).toBe(15_000_000);
      expect(m.maxVirtualTop).toBe(48_000_000 - 600);
      expect(m.toVirtual(m.maxScrollTop / 2)).toBeCloseTo(m.maxVirtualTop / 2, 6);
    });

    it('shows the last row, fully, at the bottom of the scrollbar', () => {
      const v = m.toVirtual(m.maxScrollTop);
      expect(m.visibleRows(v)).toEqual({ first: 1_999_975, last: 1_999_999 });
      expect(m.rowTop(1_999_999, v) + 24).toBe(600);
    });

    it('shows row 0 at the top of the scrollbar', () => {
      expect(m.visibleRows(m.toVirtual(0))).toEqual({ first: 0, last: 24 });
    });

    it('places a row as asked', () => {
      expect(m.virtualTopFor(1_000_000, 'start', 0)).toBe(24_000_000);
      expect(m.virtualTopFor(1_000_000, 'end', 0)).toBe(24_000_000 + 24 - 600);
      expect(m.virtualTopFor(1_999_999, 'start', 0)).toBe(m.maxVirtualTop);
      expect(m.virtualTopFor(10, 'nearest', 0)).toBe(0);
      expect(m.virtualTopFor(30, 'nearest', 0)).toBe(31 * 24 - 600);
      expect(m.virtualTopFor(5, 'nearest', 24 * 10)).toBe(24 * 5);
      expect(m.pageRows).toBe(25);
    });
  });

  describe('when there are no rows or a tiny viewport', () => {
    it('is empty and never negative', () => {
      const empty = createScrollMapping({ total: 0, rowHeight: 24, viewportHeight: 300 });
      expect(empty.visibleRows(0)).toEqual({ first: 0, last: -1 });
      expect(empty.maxScrollTop).toBe(0);
      expect(empty.toVirtual(50)).toBe(0);
      const few = createScrollMapping({ total: 3, rowHeight: 24, viewportHeight: 300 });
      expect(few.scrollHeight).toBe(300);
      expect(few.visibleRows(0)).toEqual({ first: 0, last: 2 });
    });
  });

  describe('for any geometry', () => {
    it('round-trips offsets, keeps them in range and the visible range inside the rows', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 50_000_000 }),
          fc.integer({ min: 8, max: 64 }),
          fc.integer({ min: 0, max: 4000 }),
          fc.integer({ min: 1_000, max: 33_000_000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (total, rowHeight, viewportHeight, maxScrollHeight, fraction) => {
            const m = createScrollMapping({ total, rowHeight, viewportHeight, maxScrollHeight });
            expect(m.scrollHeight).toBeLessThanOrEqual(Math.max(2 * viewportHeight, maxScrollHeight));
            const scroll = fraction * m.maxScrollTop;
            const virtual = m.toVirtual(scroll);
            expect(virtual).toBeGreaterThanOrEqual(0);
            expect(virtual).toBeLessThanOrEqual(m.maxVirtualTop);
            expect(Math.abs(m.toScroll(virtual) - scroll)).toBeLessThan(1e-3 * Math.max(1, m.maxScrollTop));
            const range = m.visibleRows(virtual, 3);
            if (total === 0) expect(range.last).toBe(-1);
            else {
              expect(range.first).toBeGreaterThanOrEqual(0);
              expect(range.last).toBeLessThanOrEqual(total - 1);
              expect(range.first).toBeLessThanOrEqual(range.last);
            }
            // The scrollbar's ends reach the first and the last row.
            if (total > 0) {
              expect(m.visibleRows(m.toVirtual(0)).first).toBe(0);
              expect(m.visibleRows(m.toVirtual(m.maxScrollTop)).last).toBe(total - 1);
            }
          },
        ),
        { numRuns: 1000 },
      );
    });
  });
});
