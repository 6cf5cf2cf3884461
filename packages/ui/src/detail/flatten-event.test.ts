import { describe, expect, it } from 'vitest';

import { flattenEvent } from './flatten-event';

describe('flattenEvent', () => {
  describe('when given a logged event', () => {
    it('lists leaves in order with the query field each one filters on', () => {
      const fields = flattenEvent({
        action: 'user.signed_in',
        actor: { id: 'u_1', type: 'user' },
        targets: [{ id: 'doc_7', type: 'document' }],
        context: { location: '10.0.0.1', user_agent: null },
        metadata: { plan: 'pro', seats: 3, nested: { a: true }, tags: [] },
      });
      expect(fields.map((f) => [f.path, f.value, f.queryField])).toEqual([
        ['action', 'user.signed_in', 'action'],
        ['actor.id', 'u_1', 'actor.id'],
        ['actor.type', 'user', 'actor.type'],
        ['targets[0].id', 'doc_7', 'target.id'],
        ['targets[0].type', 'document', 'target.type'],
        ['context.location', '10.0.0.1', 'ip'],
        ['context.user_agent', 'null', null],
        ['metadata.plan', 'pro', 'meta.plan'],
        ['metadata.seats', '3', 'meta.seats'],
        ['metadata.nested.a', 'true', null],
        ['metadata.tags', '[]', null],
      ]);
    });
  });
});
