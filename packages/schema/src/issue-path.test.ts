import { describe, expect, it } from 'vitest';

import { formatIssuePath } from './issue-path';

describe('formatIssuePath', () => {
  describe('when segments are identifiers and indexes', () => {
    it('writes them as property accesses', () => {
      expect(formatIssuePath([])).toBe('');
      expect(formatIssuePath(['targets', 1, 'type'])).toBe('targets[1].type');
      expect(formatIssuePath(['a', 'b', 2, 'c'])).toBe('a.b[2].c');
      expect(formatIssuePath([0, 'x'])).toBe('[0].x');
    });
  });

  describe('when a name is not an identifier', () => {
    it('quotes it as a JSON string in brackets', () => {
      expect(formatIssuePath(['metadata', 'billing.plan'])).toBe('metadata["billing.plan"]');
      expect(formatIssuePath(['metadata', 'a"]b'])).toBe('metadata["a\\"]b"]');
      expect(formatIssuePath(['metadata', ''])).toBe('metadata[""]');
      expect(formatIssuePath(['actions', 'user.signed_in', 0])).toBe('actions["user.signed_in"][0]');
      expect(formatIssuePath(['9lives'])).toBe('["9lives"]');
    });

    it('cuts names longer than 256 characters', () => {
      expect(formatIssuePath(['metadata', 'k'.repeat(1_000_000)])).toBe(`metadata["${'k'.repeat(64)}\u2026"]`);
      expect(formatIssuePath(['metadata', 'k'.repeat(256)])).toBe(`metadata.${'k'.repeat(256)}`);
    });
  });
});
