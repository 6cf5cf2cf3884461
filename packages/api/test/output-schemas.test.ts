/**
 * The API's output schemas say what its answers are, as precisely as the SDK checks them (`checkBatchAnswer` of
 * `@custody/client`): an event's `seq` is a log position and its `id` a lowercase UUIDv7. The server checks its own
 * answers against them, so a defect that would produce another answer is an INTERNAL error, never a wrong answer.
 */
import { describe, expect, it } from 'vitest';

import { ZCreateEventsBatchResponseSchema } from '../src/routers/events/create-batch.types';
import { ZCreateEventResponseSchema } from '../src/routers/events/create.types';
import { ZEntryResponseSchema } from '../src/routers/log/entry.types';

const ID = '019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b';

describe('answers the output schemas refuse', () => {
  const accepted = { id: ID, seq: 41, replayed: false };

  it('accept a logged event: a lowercase UUIDv7 at a log position', () => {
    expect(ZCreateEventResponseSchema.safeParse(accepted).success).toBe(true);
    expect(ZCreateEventsBatchResponseSchema.safeParse({ accepted: 1, rejected: 0, results: [{ status: 'accepted', ...accepted }] }).success).toBe(true);
    expect(ZEntryResponseSchema.safeParse({ seq: Number.MAX_SAFE_INTEGER, leafHash: 'x', bytes: null, text: null }).success).toBe(true);
  });

  it.each([
    ['an id in capitals', { id: ID.toUpperCase() }],
    ['a UUIDv4', { id: '019a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b' }],
    ['an id that is no UUID', { id: 'evt_1' }],
    ['a negative seq', { seq: -1 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a seq past 2^53', { seq: 2 ** 53 }],
  ])('refuse %s', (_, change) => {
    expect(ZCreateEventResponseSchema.safeParse({ ...accepted, ...change }).success).toBe(false);
    expect(ZCreateEventsBatchResponseSchema.safeParse({ accepted: 1, rejected: 0, results: [{ status: 'accepted', ...accepted, ...change }] }).success).toBe(false);
  });

  it('refuse counts that are no counts', () => {
    for (const counts of [{ accepted: -1, rejected: 1 }, { accepted: 0.5, rejected: 0 }]) {
      expect(ZCreateEventsBatchResponseSchema.safeParse({ ...counts, results: [] }).success).toBe(false);
    }
    expect(ZEntryResponseSchema.safeParse({ seq: -1, leafHash: 'x', bytes: null, text: null }).success).toBe(false);
  });
});
