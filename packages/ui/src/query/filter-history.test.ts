import { describe, expect, it } from 'vitest';

import type { TQuery } from '../data-source';
import { createFilterHistory, currentFilter, moveFilterHistory, pushFilterHistory } from './filter-history';

const q = (value: string): TQuery => ({ terms: [{ kind: 'text', value }] });

describe('filter history', () => {
  describe('when pushing', () => {
    it('appends and makes the new query current', () => {
      const h = pushFilterHistory(pushFilterHistory(createFilterHistory(q('a')), q('b')), q('c'));
      expect(h.entries).toEqual([q('a'), q('b'), q('c')]);
      expect(currentFilter(h)).toEqual(q('c'));
    });

    it('ignores a query equal to the current one', () => {
      const h = pushFilterHistory(createFilterHistory(q('a')), q('b'));
      expect(pushFilterHistory(h, { terms: [{ kind: 'text', value: 'b' }] })).toBe(h);
    });

    it('drops forward entries after going back', () => {
      let h = pushFilterHistory(pushFilterHistory(createFilterHistory(q('a')), q('b')), q('c'));
      h = moveFilterHistory(moveFilterHistory(h, -1), -1);
      h = pushFilterHistory(h, q('d'));
      expect(h.entries).toEqual([q('a'), q('d')]);
      expect(h.index).toBe(1);
    });

    it('keeps at most max entries, dropping the oldest', () => {
      let h = createFilterHistory(q('0'));
      for (let i = 1; i < 10; i++) h = pushFilterHistory(h, q(String(i)), 3);
      expect(h.entries).toEqual([q('7'), q('8'), q('9')]);
      expect(h.index).toBe(2);
    });
  });

  describe('when moving', () => {
    it('clamps at both ends and returns the same object when nothing moves', () => {
      const h = pushFilterHistory(createFilterHistory(q('a')), q('b'));
      const back = moveFilterHistory(h, -5);
      expect(currentFilter(back)).toEqual(q('a'));
      expect(moveFilterHistory(back, -1)).toBe(back);
      expect(currentFilter(moveFilterHistory(back, 9))).toEqual(q('b'));
    });
  });
});
