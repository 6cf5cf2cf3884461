import { describe, expect, it } from 'vitest';

import { EMPTY_VIEW, clearFilters, filterChips, formatEventView, parseEventView, toApiFilter, withAction } from './event-view';

describe('event view URL state', () => {
  const full = '?q=merger&action=user.*&action=billing.invoice_paid&actor_type=user&actor_id=u_1&target_type=document&target_id=doc+9' +
    '&after=2026-03-01T00%3A00%3A00Z&before=2026-03-02T00%3A00%3A00Z&ip=10.0.0.0%2F8&meta=method%3Asso&meta=note%3Aa%3Ab&order=asc&limit=100&event=ev_1';

  describe('when the query string has every filter', () => {
    it('round-trips through parse and format', () => {
      const view = parseEventView(full);
      expect(formatEventView(view)).toBe(full);
      expect(view.metadata).toEqual([['method', 'sso'], ['note', 'a:b']]);
    });

    it('becomes the API filter, without sort, page size or selection', () => {
      expect(toApiFilter(parseEventView(full))).toEqual({
        q: 'merger',
        actions: ['user.*', 'billing.invoice_paid'],
        actorType: 'user',
        actorId: 'u_1',
        targetType: 'document',
        targetId: 'doc 9',
        occurredAfter: '2026-03-01T00:00:00Z',
        occurredBefore: '2026-03-02T00:00:00Z',
        ip: '10.0.0.0/8',
        metadata: { method: 'sso', note: 'a:b' },
      });
    });

    it('lists one chip per filter, each removing only itself', () => {
      const view = parseEventView(full);
      const chips = filterChips(view);
      expect(chips.map((c) => c.id)).toEqual(['q', 'action:user.*', 'action:billing.invoice_paid', 'actorType', 'actorId', 'targetType', 'targetId', 'after', 'before', 'ip', 'meta:method', 'meta:note']);
      for (const chip of chips) {
        const after = filterChips(chip.remove(view)).map((c) => c.id);
        expect(after).toEqual(chips.map((c) => c.id).filter((id) => id !== chip.id));
      }
      expect(chips.find((c) => c.id === 'action:user.*')?.label).toBe('Action prefix');
      expect(chips.find((c) => c.id === 'ip')?.label).toBe('IP range');
    });

    it('clears every filter but keeps the sort and page size', () => {
      const cleared = clearFilters(parseEventView(full));
      expect(filterChips(cleared)).toEqual([]);
      expect(formatEventView(cleared)).toBe('?order=asc&limit=100');
    });
  });

  describe('when the query string is empty or malformed', () => {
    it('falls back to the defaults', () => {
      expect(parseEventView('')).toEqual(EMPTY_VIEW);
      expect(parseEventView('?limit=5000&order=sideways&meta=nokey&meta=%3Avalue&q=%20%20')).toEqual(EMPTY_VIEW);
      expect(formatEventView(EMPTY_VIEW)).toBe('');
    });

    it('ignores duplicate actions and metadata keys', () => {
      const view = parseEventView('?action=a.b&action=a.b&meta=k:1&meta=k:2');
      expect(view.actions).toEqual(['a.b']);
      expect(view.metadata).toEqual([['k', '1']]);
      expect(withAction(view, 'a.b')).toBe(view);
      expect(withAction(view, 'c.d').actions).toEqual(['a.b', 'c.d']);
    });
  });
});
