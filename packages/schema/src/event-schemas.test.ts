import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';

import {
  ZEventInputSchema,
  ZLoggedEventSchema,
  createEventSchemas,
} from './event-schemas';
import type { TEventInput, TEventInputDraft, TLoggedEvent, TMetadata, TMetadataValue } from './event-schemas';
import { validateEvent } from './validate-event';
import type { TValidationIssue } from './validation-issue';

const base = () => ({
  action: 'user.signed_in',
  occurred_at: '2026-01-01T10:00:00Z',
  actor: { id: 'user_1', type: 'user' },
  context: { location: '192.0.2.1' },
});

function issuesOf(input: unknown): TValidationIssue[] {
  const result = validateEvent(input);
  if (result.ok) throw new Error('expected the event to be rejected');
  return [...result.issues];
}

function messages(input: unknown): string[] {
  return issuesOf(input).map((issue) => issue.message);
}

function accepted(input: unknown): TEventInput {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('\n'));
  return result.event;
}

describe('ZEventInputSchema', () => {
  describe('when the event is minimal', () => {
    it('fills the defaults', () => {
      expect(accepted(base())).toEqual({
        action: 'user.signed_in',
        occurred_at: '2026-01-01T10:00:00.000Z',
        actor: { id: 'user_1', type: 'user' },
        targets: [],
        context: { location: '192.0.2.1' },
        metadata: {},
        version: 1,
      });
    });

    it('is usable directly as a zod schema', () => {
      expect(ZEventInputSchema.parse(base()).version).toBe(1);
      expect(ZEventInputSchema.safeParse({}).success).toBe(false);
    });
  });

  describe('when the event is complete', () => {
    it('keeps every field', () => {
      const input = {
        ...base(),
        actor: { id: 'user_1', type: 'user', name: 'Alice', metadata: { role: 'admin' } },
        targets: [{ id: 'doc_1', type: 'document', name: 'Plan', metadata: { size: 12 } }],
        context: { location: '2001:db8::1', user_agent: 'curl/8.0', request_id: 'req_1', session_id: 'sess_1' },
        metadata: { a: 'x', b: 1.5, c: true, d: null },
        version: 2,
        idempotency_key: 'key-1',
      };
      expect(accepted(input)).toEqual({ ...input, occurred_at: '2026-01-01T10:00:00.000Z' });
    });
  });

  describe('when a required field is missing', () => {
    it('reports each one', () => {
      expect(issuesOf({})).toEqual([
        { path: 'action', code: 'required', message: 'action: is required' },
        { path: 'occurred_at', code: 'required', message: 'occurred_at: is required' },
        { path: 'actor', code: 'required', message: 'actor: is required' },
        { path: 'context', code: 'required', message: 'context: is required' },
      ]);
      expect(messages({ ...base(), actor: { type: 'user' }, context: {} })).toEqual([
        'actor.id: is required',
        'context.location: is required',
      ]);
    });

    it('rejects a value that is not an object', () => {
      expect(issuesOf(5)).toEqual([{ path: '', code: 'invalid_type', message: 'must be an object, got number' }]);
      expect(messages(null)).toEqual(['must be an object, got null']);
      expect(messages([])).toEqual(['must be an object, got array']);
    });
  });

  describe('when a field is unknown', () => {
    it('rejects it at the top level and inside objects', () => {
      expect(issuesOf({ ...base(), ip: '1.2.3.4' })).toEqual([
        {
          path: 'ip',
          code: 'unknown_key',
          message:
            'ip: is not a known field (expected one of: action, occurred_at, actor, targets, context, metadata, version, idempotency_key)',
        },
      ]);
      expect(messages({ ...base(), actor: { id: 'u', type: 'user', email: 'a@b.c' } })).toEqual([
        'actor.email: is not a known field (expected one of: id, type, name, metadata)',
      ]);
      expect(messages({ ...base(), context: { location: '::1', ip: '::1' } })).toEqual([
        'context.ip: is not a known field (expected one of: location, user_agent, request_id, session_id)',
      ]);
    });
  });

  describe('when validating action', () => {
    it.each(['user.signed_in', 'document.deleted', 'a.b', 'billing.invoice.paid', 'x1.y_2.z3'])('accepts %s', (action) => {
      expect(accepted({ ...base(), action }).action).toBe(action);
    });

    it.each(['User.SignedIn', 'login', 'user.', '.user', 'user..x', 'user.1x', '1user.x', 'user-x.y', 'user x.y', 'user.signed_in '])(
      'rejects %j',
      (action) => {
        expect(issuesOf({ ...base(), action })).toEqual([
          {
            path: 'action',
            code: 'invalid_format',
            message: `action: ${JSON.stringify(action)} is not a valid action name; use lowercase dot-separated segments such as "user.signed_in" (each [a-z][a-z0-9_]*, at least two)`,
          },
        ]);
      },
    );

    it('accepts 100 characters and rejects 101', () => {
      expect(accepted({ ...base(), action: `a.${'b'.repeat(98)}` }).action).toHaveLength(100);
      expect(issuesOf({ ...base(), action: `a.${'b'.repeat(99)}` })).toEqual([
        { path: 'action', code: 'too_long', message: 'action: must be at most 100 characters, got 101' },
      ]);
    });

    it('rejects a non-string', () => {
      expect(messages({ ...base(), action: 42 })).toEqual(['action: must be a string, got number']);
    });
  });

  describe('when validating occurred_at', () => {
    it.each([
      ['2026-01-01T10:00:00.123456+02:00', '2026-01-01T08:00:00.123Z'],
      ['2026-01-01T10:00:00Z', '2026-01-01T10:00:00.000Z'],
      ['2025-12-31T22:00:00.5-03:00', '2026-01-01T01:00:00.500Z'],
      ['2024-02-29t12:00:00z', '2024-02-29T12:00:00.000Z'],
    ])('normalizes %s to %s', (occurred_at, expected) => {
      expect(accepted({ ...base(), occurred_at }).occurred_at).toBe(expected);
    });

    it('accepts a Date from TypeScript callers', () => {
      expect(accepted({ ...base(), occurred_at: new Date(Date.UTC(2026, 0, 1, 8, 0, 0, 123)) }).occurred_at).toBe(
        '2026-01-01T08:00:00.123Z',
      );
    });

    it.each([
      ['2026-01-01T10:00:00', 'occurred_at: "2026-01-01T10:00:00" is not a valid RFC 3339 timestamp: no UTC offset; add "Z" or an offset such as "+02:00"'],
      ['2026-02-30T10:00:00Z', 'occurred_at: "2026-02-30T10:00:00Z" is not a valid RFC 3339 timestamp: day 30 is out of range for February 2026 (28 days)'],
      ['2016-12-31T23:59:60Z', 'occurred_at: "2016-12-31T23:59:60Z" is not a valid RFC 3339 timestamp: leap second :60 is not supported (Unix time cannot represent it); use :59.999 instead'],
      ['yesterday', 'occurred_at: "yesterday" is not a valid RFC 3339 timestamp: expected e.g. "2026-01-01T10:00:00Z" or "2026-01-01T10:00:00.123+02:00"'],
    ])('rejects %s', (occurred_at, message) => {
      expect(issuesOf({ ...base(), occurred_at })).toEqual([{ path: 'occurred_at', code: 'invalid_format', message }]);
    });

    it('rejects numbers and invalid Dates', () => {
      expect(issuesOf({ ...base(), occurred_at: 1767225600000 })).toEqual([
        { path: 'occurred_at', code: 'invalid_type', message: 'occurred_at: must be an RFC 3339 timestamp string, got number' },
      ]);
      expect(messages({ ...base(), occurred_at: new Date(NaN) })).toEqual([
        'occurred_at: the Date is not a valid RFC 3339 timestamp: invalid Date',
      ]);
    });

    it('reports an instant outside years 0000-9999 as too_big', () => {
      expect(issuesOf({ ...base(), occurred_at: '9999-12-31T23:00:00-02:00' })[0]?.code).toBe('too_big');
    });
  });

  describe('when validating actor and targets', () => {
    it.each([
      [{ id: '', type: 'user' }, 'actor.id', 'too_short', 'actor.id: must not be empty'],
      [{ id: 'x'.repeat(257), type: 'user' }, 'actor.id', 'too_long', 'actor.id: must be at most 256 characters, got 257'],
      [{ id: 'u', type: '' }, 'actor.type', 'too_short', 'actor.type: must not be empty'],
      [{ id: 'u', type: 'x'.repeat(65) }, 'actor.type', 'too_long', 'actor.type: must be at most 64 characters, got 65'],
      [
        { id: 'u', type: 'User' },
        'actor.type',
        'invalid_format',
        'actor.type: "User" is not a valid type; use a lowercase identifier such as "user" or "api_key" ([a-z][a-z0-9_]*)',
      ],
      [{ id: 'u', type: 'user', name: 'n'.repeat(257) }, 'actor.name', 'too_long', 'actor.name: must be at most 256 characters, got 257'],
      [{ id: 7, type: 'user' }, 'actor.id', 'invalid_type', 'actor.id: must be a string, got number'],
      [
        { id: 'u\udc00', type: 'user' },
        'actor.id',
        'invalid_unicode',
        'actor.id: contains a lone surrogate (U+DC00) at index 1; strings must be well-formed Unicode',
      ],
    ] as const)('rejects actor %j', (actor, path, code, message) => {
      expect(issuesOf({ ...base(), actor })).toEqual([{ path, code, message }]);
    });

    it('accepts ids of 256 characters, empty names and any Unicode', () => {
      const actor = { id: 'x'.repeat(256), type: 'api_key', name: '' };
      expect(accepted({ ...base(), actor }).actor).toEqual(actor);
      expect(accepted({ ...base(), actor: { id: '\u00e9\ud83d\ude02', type: 'user' } }).actor.id).toBe('\u00e9\ud83d\ude02');
    });

    it('reports target problems with their index', () => {
      expect(issuesOf({ ...base(), targets: [{ id: 'a', type: 'doc' }, { id: 'b', type: 'Invoice' }] })).toEqual([
        {
          path: 'targets[1].type',
          code: 'invalid_format',
          message: 'targets[1].type: "Invoice" is not a valid type; use a lowercase identifier such as "user" or "api_key" ([a-z][a-z0-9_]*)',
        },
      ]);
      expect(messages({ ...base(), targets: [null] })).toEqual(['targets[0]: must be an object, got null']);
      expect(messages({ ...base(), targets: { id: 'a', type: 'b' } })).toEqual(['targets: must be an array, got object']);
    });

    it('accepts 50 targets and rejects 51 before looking at them', () => {
      const target = { id: 't', type: 'doc' };
      expect(accepted({ ...base(), targets: Array.from({ length: 50 }, () => target) }).targets).toHaveLength(50);
      expect(issuesOf({ ...base(), targets: Array.from({ length: 51 }, () => 'garbage') })).toEqual([
        { path: 'targets', code: 'too_many', message: 'targets: has 51 targets; at most 50 are allowed' },
      ]);
    });
  });

  describe('when validating context', () => {
    it.each([
      ['192.0.2.1', '192.0.2.1'],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['::FFFF:C000:0201', '::ffff:192.0.2.1'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['fe80:0:0:0:1:0:0:1', 'fe80::1:0:0:1'],
    ])('normalizes location %s to %s', (location, expected) => {
      expect(accepted({ ...base(), context: { location } }).context.location).toBe(expected);
    });

    it.each([
      ['300.1.1.1', 'context.location: "300.1.1.1" is not a valid IP address: octet 300 is out of range 0-255'],
      ['010.0.0.1', 'context.location: "010.0.0.1" is not a valid IP address: octet "010" has a leading zero, which some parsers read as octal'],
      ['fe80::1%eth0', 'context.location: "fe80::1%eth0" is not a valid IP address: zone identifiers ("%\u2026") are not allowed'],
      ['localhost', 'context.location: "localhost" is not a valid IP address: expected 4 dot-separated octets, got 1'],
      ['[::1]', 'context.location: "[::1]" is not a valid IP address: brackets are not allowed'],
    ])('rejects location %s', (location, message) => {
      expect(issuesOf({ ...base(), context: { location } })).toEqual([{ path: 'context.location', code: 'invalid_format', message }]);
    });

    it('bounds the optional fields', () => {
      const context = { location: '::1', user_agent: 'u'.repeat(1024), request_id: 'r'.repeat(256), session_id: 's'.repeat(256) };
      expect(accepted({ ...base(), context }).context).toEqual(context);
      expect(
        messages({ ...base(), context: { location: '::1', user_agent: 'u'.repeat(1025), request_id: 'r'.repeat(257), session_id: 's'.repeat(257) } }),
      ).toEqual([
        'context.user_agent: must be at most 1024 characters, got 1025',
        'context.request_id: must be at most 256 characters, got 257',
        'context.session_id: must be at most 256 characters, got 257',
      ]);
    });
  });

  describe('when validating metadata', () => {
    it('accepts strings, finite numbers, safe integers, booleans and null', () => {
      const metadata = { s: 'x', f: 0.1, i: Number.MAX_SAFE_INTEGER, n: -Number.MAX_SAFE_INTEGER, t: true, z: null, e: 1e-300 };
      expect(accepted({ ...base(), metadata }).metadata).toEqual(metadata);
    });

    it('turns -0 into 0', () => {
      expect(Object.is(accepted({ ...base(), metadata: { z: -0 } }).metadata.z, 0)).toBe(true);
    });

    it('rejects integers beyond 2^53 - 1 and explains how to send them', () => {
      expect(issuesOf({ ...base(), metadata: { amount: 9007199254740992 } })).toEqual([
        {
          path: 'metadata.amount',
          code: 'unsafe_number',
          message:
            'metadata.amount: a number read as 9007199254740992 is beyond the safe integer range \u00b19007199254740991 (2^53 - 1), where digits are lost; send large integers as strings',
        },
      ]);
      expect(issuesOf({ ...base(), metadata: { big: 1e300 } })[0]?.code).toBe('unsafe_number');
      expect(accepted({ ...base(), metadata: { amount: '9007199254740993' } }).metadata.amount).toBe('9007199254740993');
    });

    it('rejects non-finite numbers from TypeScript callers', () => {
      expect(messages({ ...base(), metadata: { a: NaN, b: Infinity } })).toEqual([
        'metadata.a: NaN is not a finite number',
        'metadata.b: Infinity is not a finite number',
      ]);
    });

    it('rejects nested values', () => {
      expect(issuesOf({ ...base(), metadata: { a: { b: 1 }, c: [1] } })).toEqual([
        { path: 'metadata.a', code: 'invalid_type', message: 'metadata.a: must be a string, number, boolean or null, got object (metadata is flat)' },
        { path: 'metadata.c', code: 'invalid_type', message: 'metadata.c: must be a string, number, boolean or null, got array (metadata is flat)' },
      ]);
      expect(messages({ ...base(), metadata: [] })).toEqual(['metadata: must be an object of string, number, boolean or null values, got array']);
    });

    it('applies the default limits: 50 keys, keys of 40 characters, strings of 500', () => {
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
      expect(Object.keys(accepted({ ...base(), metadata: fifty }).metadata)).toHaveLength(50);
      expect(issuesOf({ ...base(), metadata: { ...fifty, extra: 1 } })).toEqual([
        { path: 'metadata', code: 'too_many', message: 'metadata: has 51 keys; at most 50 are allowed' },
      ]);
      expect(accepted({ ...base(), metadata: { ['k'.repeat(40)]: 'v'.repeat(500) } }).metadata).toBeDefined();
      expect(issuesOf({ ...base(), metadata: { ['k'.repeat(41)]: 1, s: 'v'.repeat(501), '': 2 } })).toEqual([
        { path: `metadata.${'k'.repeat(41)}`, code: 'too_long', message: `metadata.${'k'.repeat(41)}: key must be at most 40 characters, got 41` },
        { path: 'metadata.s', code: 'too_long', message: 'metadata.s: must be at most 500 characters, got 501' },
        { path: 'metadata[""]', code: 'too_short', message: 'metadata[""]: metadata keys must not be empty' },
      ]);
    });

    it('applies the same rules to actor and target metadata', () => {
      expect(messages({ ...base(), actor: { id: 'u', type: 'user', metadata: { n: 2 ** 60 } }, targets: [{ id: 't', type: 'doc', metadata: { o: {} } }] })).toEqual([
        'actor.metadata.n: a number read as 1152921504606847000 is beyond the safe integer range \u00b19007199254740991 (2^53 - 1), where digits are lost; send large integers as strings',
        'targets[0].metadata.o: must be a string, number, boolean or null, got object (metadata is flat)',
      ]);
    });

    it('rejects control characters and lone surrogates in keys, and lone surrogates in values', () => {
      expect(messages({ ...base(), metadata: { 'a\nb': 1, 'c\ud800': 2, d: 'x\udfff' } })).toEqual([
        'metadata["a\\nb"]: key must not contain control characters',
        'metadata["c\\ud800"]: key contains a lone surrogate (U+D800) at index 1; strings must be well-formed Unicode',
        'metadata.d: contains a lone surrogate (U+DFFF) at index 1; strings must be well-formed Unicode',
      ]);
    });

    it('quotes keys that are not identifiers in paths', () => {
      expect(issuesOf({ ...base(), metadata: { 'billing.plan': {} } })[0]?.path).toBe('metadata["billing.plan"]');
    });
  });

  describe('when validating version and idempotency_key', () => {
    it.each([
      [0, 'too_small', 'version: must be at least 1, got 0'],
      [1.5, 'not_integer', 'version: must be an integer, got 1.5'],
      ['1', 'invalid_type', 'version: must be a number, got string'],
      [2 ** 53, 'unsafe_number', 'version: a number read as 9007199254740992 is beyond the safe integer range (2^53 - 1)'],
    ] as const)('rejects version %j', (version, code, message) => {
      expect(issuesOf({ ...base(), version })).toEqual([{ path: 'version', code, message }]);
    });

    it('accepts visible ASCII keys of 1-255 characters', () => {
      expect(accepted({ ...base(), idempotency_key: '!~'.repeat(127) + 'x' }).idempotency_key).toHaveLength(255);
      expect(messages({ ...base(), idempotency_key: 'a b' })).toEqual([
        'idempotency_key: must contain only visible ASCII characters (0x21-0x7E, no spaces)',
      ]);
      expect(messages({ ...base(), idempotency_key: '' })).toEqual(['idempotency_key: must not be empty']);
      expect(messages({ ...base(), idempotency_key: 'k'.repeat(256) })).toEqual(['idempotency_key: must be at most 255 characters, got 256']);
      expect(messages({ ...base(), idempotency_key: '\u00e9' })).toHaveLength(1);
    });
  });

  describe('when optional fields are given as undefined', () => {
    it('removes them from the output', () => {
      const event = accepted({ ...base(), idempotency_key: undefined, actor: { id: 'u', type: 'user', name: undefined }, context: { location: '::1', user_agent: undefined } });
      expect(Object.keys(event)).not.toContain('idempotency_key');
      expect(Object.keys(event.actor)).toEqual(['id', 'type']);
      expect(Object.keys(event.context)).toEqual(['location']);
    });
  });

  describe('when checking the inferred types', () => {
    it('infers the normalized and draft types', () => {
      expectTypeOf<TEventInput['occurred_at']>().toEqualTypeOf<string>();
      expectTypeOf<TEventInputDraft['occurred_at']>().toEqualTypeOf<string | Date>();
      expectTypeOf<TEventInput['version']>().toEqualTypeOf<number>();
      expectTypeOf<TEventInputDraft['version']>().toEqualTypeOf<number | undefined>();
      expectTypeOf<TEventInput['targets']>().toEqualTypeOf<TEventInput['actor'][]>();
      expectTypeOf<TEventInput['metadata']>().toEqualTypeOf<TMetadata>();
      expectTypeOf<TMetadata[string]>().toEqualTypeOf<TMetadataValue>();
      expectTypeOf<TEventInput['actor']>().toEqualTypeOf<{ id: string; type: string; name?: string | undefined; metadata?: TMetadata | undefined }>();
      expectTypeOf<TEventInput['context']>().toEqualTypeOf<{
        location: string;
        user_agent?: string | undefined;
        request_id?: string | undefined;
        session_id?: string | undefined;
      }>();
      expectTypeOf<TEventInput['idempotency_key']>().toEqualTypeOf<string | undefined>();
      expectTypeOf<z.output<typeof ZEventInputSchema>>().toEqualTypeOf<TEventInput>();
    });

    it('types the logged event as the input plus the server fields', () => {
      expectTypeOf<TLoggedEvent>().toMatchTypeOf<TEventInput>();
      expectTypeOf<TLoggedEvent['v']>().toEqualTypeOf<1>();
      expectTypeOf<Omit<TLoggedEvent, keyof TEventInput>>().toEqualTypeOf<{
        v: 1;
        organization_id: string;
        seq: number;
        id: string;
        received_at: string;
        salt: string;
      }>();
    });
  });
});

describe('createEventSchemas', () => {
  describe('when given custom limits', () => {
    it('enforces them', () => {
      const { ZEventInputSchema: schema, limits } = createEventSchemas({ maxMetadataKeys: 2, maxMetadataKeyLength: 3, maxMetadataStringLength: 4, maxTargets: 1 });
      expect(limits.maxEventBytes).toBe(64_000);
      expect(schema.safeParse({ ...base(), metadata: { a: 'abcd', b: 1 } }).success).toBe(true);
      const result = schema.safeParse({ ...base(), metadata: { abcd: 'abcde' }, targets: [{ id: 'a', type: 'b' }, { id: 'a', type: 'b' }] });
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([
        'has 2 targets; at most 1 are allowed',
        'key must be at most 3 characters, got 4',
      ]);
      expect(schema.safeParse({ ...base(), metadata: { a: 1, b: 2, c: 3 } }).error?.issues[0]?.message).toBe('has 3 keys; at most 2 are allowed');
    });

    it('allows raising limits up to MAX_LIMITS', () => {
      const { ZEventInputSchema: schema } = createEventSchemas({ maxMetadataKeys: 200, maxMetadataStringLength: 5_000 });
      const metadata = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(100)]));
      expect(schema.safeParse({ ...base(), metadata }).success).toBe(true);
      expect(() => createEventSchemas({ maxMetadataKeys: 1_001 })).toThrow(RangeError);
    });
  });
});

describe('ZLoggedEventSchema', () => {
  const logged = () => ({
    v: 1,
    organization_id: 'org_1',
    seq: 0,
    id: '019b7a3e-4c1d-7a2b-9f3e-1c2d3e4f5a6b',
    received_at: '2026-01-01T10:00:01.000Z',
    salt: 'q0Hc3bX2s1m8JtYV1o9SgA==',
    action: 'user.signed_in',
    occurred_at: '2026-01-01T10:00:00.000Z',
    actor: { id: 'user_1', type: 'user' },
    targets: [],
    context: { location: '192.0.2.1' },
    metadata: {},
    version: 1,
  });

  describe('when the event is in canonical form', () => {
    it('accepts it unchanged', () => {
      expect(ZLoggedEventSchema.parse(logged())).toEqual(logged());
    });
  });

  describe('when a field is not in canonical form', () => {
    it.each([
      [{ occurred_at: '2026-01-01T10:00:00Z' }, 'occurred_at: "2026-01-01T10:00:00Z" is not a canonical UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)'],
      [{ received_at: '2026-01-01T11:00:01.000+01:00' }, 'received_at: "2026-01-01T11:00:01.000+01:00" is not a canonical UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)'],
      [{ context: { location: '2001:DB8::1' } }, 'context.location: "2001:DB8::1" is not in canonical form (expected "2001:db8::1")'],
      [{ v: 2 }, 'v: must be 1'],
      [{ seq: -1 }, 'seq: must be at least 0, got -1'],
      [{ id: '019B7A3E-4C1D-7A2B-9F3E-1C2D3E4F5A6B' }, 'id: "019B7A3E-4C1D-7A2B-9F3E-1C2D3E4F5A6B" is not a lowercase UUIDv7'],
      [{ id: '019b7a3e-4c1d-4a2b-9f3e-1c2d3e4f5a6b' }, 'id: "019b7a3e-4c1d-4a2b-9f3e-1c2d3e4f5a6b" is not a lowercase UUIDv7'],
      [{ salt: 'q0Hc3bX2s1m8JtYV1o9SgA' }, 'salt: "q0Hc3bX2s1m8JtYV1o9SgA" is not 16 bytes of padded standard base64'],
      [{ organization_id: 'org 1' }, 'organization_id: "org 1" is not a valid organization id ([A-Za-z0-9][A-Za-z0-9_.-]*)'],
      [{ targets: undefined }, 'targets: is required'],
      [{ metadata: undefined }, 'metadata: is required'],
      [{ version: undefined }, 'version: is required'],
    ])('rejects %j', (patch, message) => {
      const result = ZLoggedEventSchema.safeParse({ ...logged(), ...patch }, { reportInput: true });
      expect(result.success).toBe(false);
      const [issue] = result.error?.issues ?? [];
      const path = issue?.path.join('.') ?? '';
      expect(`${path}: ${issue?.message ?? ''}`).toBe(message);
    });
  });
});
