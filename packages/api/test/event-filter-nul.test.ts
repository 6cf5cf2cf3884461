/**
 * The event filter of `events.list`, `events.stats` and `exports.create` refuses U+0000 (NUL) in every string:
 * Postgres `text` cannot hold it (the query failed with a 500 there), so it is a BAD_REQUEST naming the field
 * on every database. The same check over real HTTP, on SQLite and Postgres: apps/server/test/nul-characters.test.ts.
 */
import { describe, expect, it } from 'vitest';

import { ZEventFilterSchema } from '../src/routers/shared.types';

const detail = (index: number) => `contains U+0000 (NUL) at index ${index}; filter strings must not contain NUL characters`;

/** `path: message` of each issue, as the error formatter joins them. */
function issuesOf(filter: unknown): string[] {
  const result = ZEventFilterSchema.safeParse(filter);
  if (result.success) throw new Error('expected the filter to be refused');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('ZEventFilterSchema', () => {
  describe('when a string holds U+0000 (NUL)', () => {
    it.each([
      [{ actorId: 'a\u0000b' }, `actorId: ${detail(1)}`],
      [{ actorType: '\u0000' }, `actorType: ${detail(0)}`],
      [{ targetId: 'doc\u0000' }, `targetId: ${detail(3)}`],
      [{ targetType: 't\u0000' }, `targetType: ${detail(1)}`],
      [{ actions: ['user.*', 'user.\u0000'] }, `actions.1: ${detail(5)}`],
      [{ occurredAfter: '\u0000' }, `occurredAfter: ${detail(0)}`],
      [{ occurredBefore: '2026-01-01T00:00:00Z\u0000' }, `occurredBefore: ${detail(20)}`],
      [{ ip: '10.0.0.1\u0000' }, `ip: ${detail(8)}`],
      [{ metadata: { plan: 'te\u0000am' } }, `metadata.plan: ${detail(2)}`],
      [{ metadata: { 'pl\u0000an': 'team' } }, `metadata: key "pl\\u0000an" ${detail(2)}`],
      [{ q: 'alice \u0000' }, `q: ${detail(6)}`],
    ])('refuses %j', (filter, message) => {
      expect(issuesOf(filter)).toEqual([message]);
    });

    it('reports every offending field', () => {
      expect(issuesOf({ actorId: '\u0000', q: '\u0000', metadata: { a: '\u0000', b: 'ok' } })).toEqual([
        `actorId: ${detail(0)}`,
        `metadata.a: ${detail(0)}`,
        `q: ${detail(0)}`,
      ]);
    });
  });

  describe('when the strings are ordinary', () => {
    it('accepts them unchanged, other control characters included', () => {
      const filter = { actorId: 'u\u0001', actions: ['user.*'], metadata: { plan: 'team\n' }, q: 'alice', ip: '10.0.0.0/8' };
      expect(ZEventFilterSchema.parse(filter)).toEqual(filter);
    });
  });
});
