import { describe, expect, it } from 'vitest';

import { generateUuidV7 } from '@custody/schema';

import { checkBatchAnswer } from './check-batch-answer';

const sent = (...keys: string[]) => keys.map((idempotencyKey) => ({ idempotencyKey }));
const accepted = (seq: unknown, id: unknown = generateUuidV7(), replayed: unknown = false) => ({ status: 'accepted', id, seq, replayed });
const rejected = (code: unknown = 'VALIDATION_FAILED') => ({
  status: 'rejected',
  code,
  message: 'metadata.method: "magic" is not allowed',
  issues: [{ path: 'metadata.method', code: 'invalid_enum', message: 'metadata.method: "magic" is not allowed' }],
});
/** An answer whose `accepted` and `rejected` count its results, as the server's do. */
const answer = (...results: unknown[]) => {
  const count = results.filter((r) => (r as { status?: unknown } | null)?.status === 'accepted').length;
  return { accepted: count, rejected: results.length - count, results };
};

function problemOf(value: unknown, keys: string[]): string {
  const checked = checkBatchAnswer(value, sent(...keys));
  if (checked.ok) throw new Error('expected the answer to be refused');
  return checked.problem;
}

describe('checkBatchAnswer', () => {
  describe('when the answer is what the server answers', () => {
    it('pairs each sent event with its result, in order', () => {
      const events = sent('a', 'b', 'c');
      const results = [accepted(7), rejected('IDEMPOTENCY_CONFLICT'), accepted(3, generateUuidV7(), true)];
      const checked = checkBatchAnswer(answer(...results), events);
      expect(checked).toEqual({ ok: true, settled: events.map((event, i) => [event, results[i]]) });
    });

    it('accepts one event sent twice under one key: the second is the first replayed, at its seq', () => {
      const id = generateUuidV7();
      expect(checkBatchAnswer(answer(accepted(4, id), accepted(4, id, true)), sent('k', 'k')).ok).toBe(true);
      expect(checkBatchAnswer(answer(accepted(2, id, true), accepted(2, id, true)), sent('k', 'k')).ok).toBe(true);
    });

    it('accepts a rejection without issues and seq 0', () => {
      expect(checkBatchAnswer(answer({ ...rejected(), issues: [] }, accepted(0)), sent('a', 'b')).ok).toBe(true);
    });
  });

  describe('when the results are not one per event', () => {
    it.each([
      ['fewer', [accepted(0)], /1 results for 2 events/],
      ['more', [accepted(0), accepted(1), accepted(2)], /3 results for 2 events/],
    ])('refuses %s results than events', (_label, results, problem) => {
      expect(problemOf(answer(...results), ['a', 'b'])).toMatch(problem);
    });

    it.each([null, 'ok', [], { results: 'all good' }, { accepted: 2, rejected: 0 }])('refuses %j, which holds no results array', (value) => {
      expect(problemOf(value, ['a', 'b'])).toBe('it holds no results array');
    });
  });

  describe('when two events are given one seq', () => {
    it('refuses every event at the same seq (different keys, ids)', () => {
      expect(problemOf(answer(accepted(0), accepted(0), accepted(0)), ['a', 'b', 'c'])).toBe(
        'results[1] and results[0] both have seq 0, for events with different idempotency keys',
      );
    });

    it('refuses two replays of different keys at one seq, even with one id', () => {
      const id = generateUuidV7();
      expect(problemOf(answer(accepted(5, id, true), accepted(5, id, true)), ['a', 'b'])).toMatch(/both have seq 5, for events with different idempotency keys/);
    });

    it('refuses one key at one seq with two ids', () => {
      expect(problemOf(answer(accepted(5), accepted(5, generateUuidV7(), true)), ['k', 'k'])).toMatch(/both have seq 5, with different ids/);
    });

    it('refuses one key whose two results both fill the seq (neither replayed)', () => {
      const id = generateUuidV7();
      expect(problemOf(answer(accepted(5, id, true), accepted(5, id), accepted(5, id)), ['k', 'k', 'k'])).toBe(
        'results[2] and results[1] both fill seq 5 (neither is replayed)',
      );
    });
  });

  describe('when one event is given two positions', () => {
    it('refuses one id at two seqs', () => {
      const id = generateUuidV7();
      expect(problemOf(answer(accepted(1, id), accepted(2, id)), ['a', 'b'])).toMatch(/results\[1\] and results\[0\] have the same id with different seqs/);
    });

    it('refuses one idempotency key at two seqs', () => {
      expect(problemOf(answer(accepted(1), accepted(2, generateUuidV7(), true)), ['k', 'k'])).toMatch(/same idempotency key with different seqs/);
    });
  });

  describe('when an accepted result is malformed', () => {
    it.each([-1, 1.5, 2 ** 53, '3', null, undefined])('refuses seq %j, which is not a log position', (seq) => {
      expect(problemOf(answer(accepted(seq)), ['a'])).toMatch(/^results\[0\] is accepted with seq .*, which is not a log position/);
    });

    it.each([42, '', 'evt_1', '0190d7a0-7c1e-4b2a-8f3e-1a2b3c4d5e6f', '0190D7A0-7C1E-7B2A-8F3E-1A2B3C4D5E6F'])('refuses id %j, which is not a lowercase UUIDv7', (id) => {
      expect(problemOf(answer(accepted(0, id)), ['a'])).toMatch(/^results\[0\] is accepted with id .*, which is not an event id/);
    });

    it.each(['yes', 1, undefined])('refuses replayed %j', (replayed) => {
      const result = { status: 'accepted', id: generateUuidV7(), seq: 0, replayed };
      expect(problemOf(answer(result), ['a'])).toMatch(/^results\[0\] is accepted with replayed .*, not a boolean/);
    });
  });

  describe('when a result is neither accepted nor rejected', () => {
    it.each([
      [{ status: 'queued', id: generateUuidV7(), seq: 0 }, 'results[0] has status "queued", neither accepted nor rejected'],
      [{ id: generateUuidV7(), seq: 0 }, 'results[0] has status missing, neither accepted nor rejected'],
      [null, 'results[0] is null, not a result'],
      [[accepted(0)], /^results\[0\] is \[.*, not a result$/],
    ])('refuses %j', (result, problem) => {
      expect(problemOf(answer(result), ['a'])).toMatch(problem);
    });
  });

  describe('when a rejection is malformed', () => {
    it('refuses an unknown code', () => {
      expect(problemOf(answer(rejected('TEAPOT')), ['a'])).toMatch(/code "TEAPOT", which is neither VALIDATION_FAILED nor IDEMPOTENCY_CONFLICT/);
    });

    it('refuses a missing message and issues that are not issues', () => {
      expect(problemOf(answer({ ...rejected(), message: undefined }), ['a'])).toMatch(/message missing, not a string/);
      expect(problemOf(answer({ ...rejected(), issues: [{ path: 1 }] }), ['a'])).toMatch(/issues that are not a list/);
    });
  });

  describe('when the counts contradict the results', () => {
    it.each([
      [{ accepted: 0, rejected: 2 }, 'it counts 0 accepted and 2 rejected, but its results hold 2 and 0'],
      [{ accepted: '2', rejected: 0 }, 'it counts "2" accepted and 0 rejected, but its results hold 2 and 0'],
      [{}, 'it counts missing accepted and missing rejected, but its results hold 2 and 0'],
    ])('refuses %j', (counts, problem) => {
      expect(problemOf({ results: [accepted(0), accepted(1)], ...counts }, ['a', 'b'])).toBe(problem);
    });
  });

  describe('when the server sends something huge', () => {
    it('quotes at most 60 characters of it', () => {
      const problem = problemOf(answer(accepted('x'.repeat(10_000))), ['a']);
      expect(problem.length).toBeLessThan(200);
      expect(problem).toContain('...');
    });
  });
});
