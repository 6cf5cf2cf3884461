/**
 * U+0000 (NUL) in events. Postgres `text` cannot hold 0x00, so an event carrying one could be stored on SQLite
 * but never on Postgres (where it failed the whole group commit). Every string an application sends must
 * refuse it with a field-path issue, on the fast path and the zod path alike; logged events already stored
 * with one (old SQLite logs, bundles made from them) must still parse.
 */
import { describe, expect, it } from 'vitest';

import { canonicalize } from './canonical';
import {
  ZEventContextSchema,
  ZEventEntitySchema,
  ZEventInputSchema,
  ZLoggedEventSchema,
  ZMetadataSchema,
  createEventSchemas,
} from './event-schemas';
import { fastParseEvent } from './fast-validate';
import { createLoggedEvent, parseLoggedEvent } from './logged-event';
import { MAX_LIMITS, resolveLimits } from './limits';
import { validateEvent, validateEventWithoutFastPath } from './validate-event';
import type { TValidationIssue } from './validation-issue';

type TObject = Record<string, unknown>;

const base = (): TObject => ({
  action: 'user.signed_in',
  occurred_at: '2026-01-01T10:00:00Z',
  actor: { id: 'user_1', type: 'user', name: 'Alice' },
  targets: [{ id: 'doc_1', type: 'document', name: 'Plan' }],
  context: { location: '192.0.2.1', user_agent: 'curl/8', request_id: 'req_1', session_id: 'sess_1' },
  metadata: { plan: 'team' },
});

const detail = (index: number) => `contains U+0000 (NUL) at index ${index}; strings must not contain NUL characters`;

/** The issues of `validateEvent`, after checking that the fast path declined and the full path agrees. */
function issuesOf(input: unknown, limits?: Parameters<typeof resolveLimits>[0]): readonly TValidationIssue[] {
  expect(fastParseEvent(input, resolveLimits(limits)), 'the fast path must decline NUL').toBeUndefined();
  const options = limits === undefined ? {} : { limits };
  const result = validateEvent(input, options);
  expect(result).toStrictEqual(validateEventWithoutFastPath(input, options));
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.issues;
}

/** Sets `value` at `path` (dot-separated, numbers index arrays) in a fresh copy of `base()`. */
function withValue(path: string, value: unknown): TObject {
  const event = base();
  const parts = path.split('.');
  let holder = event as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) holder = holder[part] as Record<string, unknown>;
  holder[parts.at(-1) as string] = value;
  return event;
}

describe('U+0000 (NUL) in an event an application sends', () => {
  describe('when it sits in free text (ids, names, context strings)', () => {
    it.each([
      ['actor.id', 'actor.id'],
      ['actor.name', 'actor.name'],
      ['targets.0.id', 'targets[0].id'],
      ['targets.0.name', 'targets[0].name'],
      ['context.user_agent', 'context.user_agent'],
      ['context.request_id', 'context.request_id'],
      ['context.session_id', 'context.session_id'],
    ])('rejects %s with an invalid_format issue at %s', (field, path) => {
      for (const [value, index] of [['abc\u0000', 3], ['\u0000', 0], ['a\u0000b\u0000', 1]] as const) {
        expect(issuesOf(withValue(field, value))).toEqual([{ path, code: 'invalid_format', message: `${path}: ${detail(index)}` }]);
      }
    });
  });

  describe('when it sits in a metadata string value', () => {
    it.each([
      ['metadata.k', 'metadata.k'],
      ['actor.metadata', 'actor.metadata.k'],
      ['targets.0.metadata', 'targets[0].metadata.k'],
    ])('rejects it at %s', (field, path) => {
      const event = field === 'metadata.k' ? withValue(field, 'v\u0000') : withValue(field, { ok: 'fine', k: 'v\u0000' });
      expect(issuesOf(event)).toEqual([{ path, code: 'invalid_format', message: `${path}: ${detail(1)}` }]);
    });

    it('reports every offending value, and quotes keys that are not identifiers', () => {
      const event = withValue('metadata', { a: '\u0000', 'b.c': 'x\u0000', d: 'fine', e: 1 });
      expect(issuesOf(event)).toEqual([
        { path: 'metadata.a', code: 'invalid_format', message: `metadata.a: ${detail(0)}` },
        { path: 'metadata["b.c"]', code: 'invalid_format', message: `metadata["b.c"]: ${detail(1)}` },
      ]);
    });

    it('applies under custom and maximum limits too', () => {
      const event = withValue('metadata.k', 'v\u0000');
      expect(issuesOf(event, { maxMetadataStringLength: 10 })).toHaveLength(1);
      expect(issuesOf(event, MAX_LIMITS)).toHaveLength(1);
    });
  });

  describe('when it sits in a field with a syntax (action, type, idempotency key, timestamp, IP, metadata key)', () => {
    it.each([
      ['action', 'user.signed_in\u0000', 'action', detail(14)],
      ['actor.type', 'us\u0000er', 'actor.type', detail(2)],
      ['targets.0.type', '\u0000', 'targets[0].type', detail(0)],
      ['idempotency_key', 'key-\u0000', 'idempotency_key', detail(4)],
      ['occurred_at', '2026-01-01T10:00:00Z\u0000', 'occurred_at', detail(20)],
      ['context.location', '192.0.2.1\u0000', 'context.location', detail(9)],
    ])('rejects %s with the NUL message', (field, value, path, message) => {
      expect(issuesOf(withValue(field, value))).toEqual([{ path, code: 'invalid_format', message: `${path}: ${message}` }]);
    });

    it('rejects it in metadata keys as a control character (unchanged)', () => {
      expect(issuesOf(withValue('metadata', { 'a\u0000b': 1 }))).toEqual([
        { path: 'metadata["a\\u0000b"]', code: 'invalid_format', message: 'metadata["a\\u0000b"]: key must not contain control characters' },
      ]);
    });
  });

  describe('when the same string has another problem too', () => {
    it('reports length and lone surrogates first, as before', () => {
      expect(issuesOf(withValue('actor.id', `${'x'.repeat(256)}\u0000`))[0]?.code).toBe('too_long');
      expect(issuesOf(withValue('actor.id', '\ud800\u0000'))[0]?.code).toBe('invalid_unicode');
    });
  });

  describe('when other control characters are sent', () => {
    it('still accepts them in free text (only NUL cannot be stored on Postgres)', () => {
      const event = withValue('actor.name', 'a\u0001b\u007f\n\t');
      const fast = fastParseEvent(event, resolveLimits());
      expect(fast?.actor.name).toBe('a\u0001b\u007f\n\t');
      expect(validateEvent(withValue('metadata.k', '\u0001')).ok).toBe(true);
    });
  });

  describe('when the zod schemas are used directly', () => {
    it('refuses NUL in the input, entity, context and metadata schemas', () => {
      expect(ZEventInputSchema.safeParse(withValue('actor.id', 'a\u0000')).success).toBe(false);
      expect(ZEventEntitySchema.safeParse({ id: 'a\u0000', type: 'user' }).success).toBe(false);
      expect(ZEventContextSchema.safeParse({ location: '::1', user_agent: '\u0000' }).success).toBe(false);
      expect(ZMetadataSchema.safeParse({ k: '\u0000' }).success).toBe(false);
      expect(createEventSchemas({ maxTargets: 3 }).ZEventInputSchema.safeParse(withValue('targets.0.name', '\u0000')).success).toBe(false);
    });
  });

  describe('when a batch mixes good and NUL events', () => {
    it('accepts the good ones and rejects only the NUL one, with its path', () => {
      const results = [base(), withValue('actor.id', 'a\u0000b'), base()].map((event) => validateEvent(event));
      expect(results.map((result) => result.ok)).toEqual([true, false, true]);
      expect(results[1]).toMatchObject({ ok: false, issues: [{ path: 'actor.id', code: 'invalid_format' }] });
    });
  });
});

describe('U+0000 (NUL) in a logged event', () => {
  const server = {
    organizationId: 'org_1',
    seq: 7,
    id: '019b7a3e-4c1d-7a2b-9f3e-1c2d3e4f5a6b',
    receivedAt: '2026-01-01T10:00:01.000Z',
    salt: 'q0Hc3bX2s1m8JtYV1o9SgA==',
  };

  /** A logged event as an old SQLite log may hold it: NUL in every free-text field. */
  const oldLeaf = () => {
    const valid = validateEvent(base());
    if (!valid.ok) throw new Error('unexpected');
    const event = {
      ...valid.event,
      actor: { id: 'u\u0000', type: 'user', name: '\u0000', metadata: { k: 'a\u0000' } },
      targets: [{ id: 't\u0000', type: 'doc', name: 'n\u0000', metadata: { k: '\u0000' } }],
      context: { location: '192.0.2.1', user_agent: 'ua\u0000', request_id: 'r\u0000', session_id: 's\u0000' },
      metadata: { k: 'v\u0000' },
    };
    return createLoggedEvent(event, server);
  };

  it('still parses, so bundles made from old logs open and verify', () => {
    const leaf = oldLeaf();
    expect(new TextDecoder().decode(leaf.bytes)).toContain('"u\\u0000"');
    expect(parseLoggedEvent(leaf.bytes)).toEqual({ ok: true, event: leaf.event });
    expect(ZLoggedEventSchema.parse(leaf.event)).toEqual(leaf.event);
    expect(canonicalize(ZLoggedEventSchema.parse(JSON.parse(new TextDecoder().decode(leaf.bytes))))).toBe(new TextDecoder().decode(leaf.bytes));
  });

  it('still refuses it where the format never allowed it (action, types)', () => {
    const { event } = oldLeaf();
    expect(ZLoggedEventSchema.safeParse({ ...event, action: 'user.x\u0000' }).success).toBe(false);
    expect(ZLoggedEventSchema.safeParse({ ...event, actor: { id: 'u', type: 'us\u0000er' } }).success).toBe(false);
  });
});
