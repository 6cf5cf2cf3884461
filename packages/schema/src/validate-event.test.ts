import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compileActionRegistry } from './action-registry';
import type { ActionRegistry, TActionRegistryInput } from './action-registry';
import { RegistryError } from './errors';
import { validateEvent } from './validate-event';
import type { TValidationIssue } from './validation-issue';

const base = () => ({
  action: 'user.signed_in',
  occurred_at: '2026-01-01T10:00:00Z',
  actor: { id: 'user_1', type: 'user' },
  context: { location: '192.0.2.1' },
});

function registryOf(json: TActionRegistryInput): ActionRegistry {
  const result = compileActionRegistry(json);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('\n'));
  return result.registry;
}

function issuesOf(input: unknown, registry?: ActionRegistry): TValidationIssue[] {
  const result = validateEvent(input, registry === undefined ? {} : { registry });
  if (result.ok) throw new Error('expected the event to be rejected');
  return [...result.issues];
}

describe('validateEvent', () => {
  describe('when the input is hostile', () => {
    it('treats "__proto__" as an unknown top-level field, never as a prototype', () => {
      const input = JSON.parse(JSON.stringify({ ...base() }).replace('{', '{"__proto__":{"version":99},')) as unknown;
      expect(issuesOf(input)).toEqual([
        {
          path: '__proto__',
          code: 'unknown_key',
          message:
            '__proto__: is not a known field (expected one of: action, occurred_at, actor, targets, context, metadata, version, idempotency_key)',
        },
      ]);
      expect(({} as { version?: unknown }).version).toBeUndefined();
    });

    it('rejects "__proto__" as a metadata key and accepts "constructor", "prototype" and "toString"', () => {
      const withProto = JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
      expect(issuesOf({ ...base(), metadata: withProto })).toEqual([
        {
          path: 'metadata.__proto__',
          code: 'not_allowed',
          message: 'metadata.__proto__: key "__proto__" is reserved (it would change object prototypes downstream)',
        },
      ]);
      const metadata = JSON.parse('{"constructor":"c","prototype":"p","toString":"t","hasOwnProperty":1}') as unknown;
      const result = validateEvent({ ...base(), metadata, actor: { ...base().actor, metadata } });
      expect(result.ok && result.event.metadata).toEqual({ constructor: 'c', prototype: 'p', toString: 't', hasOwnProperty: 1 });
      expect(result.ok && Object.getPrototypeOf(result.event.metadata)).toBe(Object.prototype);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it('ignores inherited fields: objects must be plain', () => {
      const inherited = Object.create({ action: 'user.signed_in' }) as Record<string, unknown>;
      Object.assign(inherited, { occurred_at: '2026-01-01T10:00:00Z', actor: { id: 'u', type: 'user' }, context: { location: '::1' } });
      expect(issuesOf(inherited)).toEqual([
        { path: '', code: 'invalid_type', message: 'must be a plain object, got an object with a custom prototype' },
      ]);
      class Actor {
        id = 'u';
        type = 'user';
      }
      expect(issuesOf({ ...base(), actor: new Actor() })).toEqual([
        { path: 'actor', code: 'invalid_type', message: 'actor: must be a plain object, got Actor' },
      ]);
      expect(issuesOf({ ...base(), metadata: new Map([['a', 1]]) })[0]?.message).toBe('metadata: must be a plain object, got Map');
      expect(issuesOf(new Date(0))[0]?.message).toBe('must be a plain object, got Date');
    });

    it('accepts null-prototype objects', () => {
      const input = Object.assign(Object.create(null) as object, base());
      expect(validateEvent(input).ok).toBe(true);
    });

    it('never runs getters and reports them', () => {
      let called = false;
      const input = Object.defineProperty(base(), 'action', {
        enumerable: true,
        get() {
          called = true;
          return 'user.signed_in';
        },
      });
      expect(issuesOf(input)).toEqual([{ path: 'action', code: 'invalid_type', message: 'action: must be a data property, not a getter' }]);
      expect(called).toBe(false);
    });

    it('turns a throwing proxy into an issue instead of an exception', () => {
      const proxy = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      );
      expect(issuesOf(proxy)).toEqual([{ path: '', code: 'invalid_input', message: 'the input could not be read: trap' }]);
    });

    it('rejects huge strings without echoing them', () => {
      const huge = 'x'.repeat(50_000_000);
      const issues = issuesOf({ ...base(), action: huge, actor: { id: huge, type: huge }, metadata: { [huge]: huge } });
      expect(issues.map((issue) => issue.code)).toEqual(['too_long', 'too_long', 'too_long', 'too_long']);
      expect(Math.max(...issues.map((issue) => issue.message.length))).toBeLessThan(300);
    });

    it('rejects deep nesting at the first level that does not allow it', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      expect(issuesOf({ ...base(), metadata: { deep } })).toEqual([
        { path: 'metadata.deep', code: 'invalid_type', message: 'metadata.deep: must be a string, number, boolean or null, got array (metadata is flat)' },
      ]);
    });

    it('rejects a million targets or fields without reading them one by one', () => {
      expect(issuesOf({ ...base(), targets: new Array(1_000_000).fill({ get: 1 }) })).toEqual([
        { path: 'targets', code: 'too_many', message: 'targets: has 1000000 targets; at most 50 are allowed' },
      ]);
      expect(issuesOf({ ...base(), metadata: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, {}])) })).toEqual([
        { path: 'metadata', code: 'too_many', message: 'metadata: has 100000 keys; at most 50 are allowed' },
      ]);
    });

    it('caps the number of issues', () => {
      const input = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
      expect(issuesOf(input)).toHaveLength(100);
    });

    it('never throws, whatever the input', () => {
      fc.assert(
        fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), (input) => {
          const result = validateEvent(input);
          expect(typeof result.ok).toBe('boolean');
        }),
        { numRuns: 1_000 },
      );
      fc.assert(
        fc.property(fc.record({ action: fc.anything(), occurred_at: fc.anything(), actor: fc.anything(), context: fc.anything(), metadata: fc.anything() }), (input) => {
          validateEvent(input);
        }),
        { numRuns: 1_000 },
      );
    });
  });

  describe('when the event is too large', () => {
    it('rejects it by canonical size', () => {
      const limits = { maxEventBytes: 300 };
      expect(validateEvent(base(), { limits }).ok).toBe(true);
      const result = validateEvent({ ...base(), metadata: { note: 'n'.repeat(300) } }, { limits });
      expect(result.ok ? [] : result.issues).toEqual([
        { path: '', code: 'too_large', message: 'the event is 489 bytes as canonical JSON; at most 300 are allowed' },
      ]);
    });

    it('counts escaped control characters at their escaped size', () => {
      const limits = { maxEventBytes: 3_000, maxMetadataStringLength: 500 };
      const result = validateEvent({ ...base(), metadata: { a: '\u0001'.repeat(500) } }, { limits });
      expect(result.ok ? [] : result.issues.map((issue) => issue.code)).toEqual(['too_large']);
    });

    it('keeps the default maximum event within the leaf limit', () => {
      const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(39, '0')}`, '\u0001'.repeat(500)]));
      const result = validateEvent({ ...base(), metadata });
      expect(result.ok ? [] : result.issues.map((issue) => issue.code)).toEqual(['too_large']);
    });
  });

  describe('when limits are given', () => {
    it('applies them and caches the schemas per limits object', () => {
      const limits = { maxMetadataKeys: 1 };
      expect(validateEvent({ ...base(), metadata: { a: 1 } }, { limits }).ok).toBe(true);
      expect(validateEvent({ ...base(), metadata: { a: 1, b: 2 } }, { limits }).ok).toBe(false);
      expect(() => validateEvent(base(), { limits: { maxTargets: 99 } })).toThrow(RangeError);
    });
  });
});

describe('validateEvent with an action registry', () => {
  const registry = registryOf({
    actions: {
      'user.signed_in': [
        {
          version: 1,
          targets: { types: { user: { min: 1, max: 1 }, device: {} }, max: 2 },
          metadata: {
            fields: {
              method: { type: 'string', enum: ['password', 'sso', 'passkey'] },
              attempts: { type: 'number', integer: true, min: 1, max: 10 },
              country: { type: 'string', pattern: '[A-Z]{2}', nullable: true },
              note: { type: 'string', min_length: 2, max_length: 5 },
              score: { type: 'number', min: 0, max: 1 },
              mfa: { type: 'boolean' },
            },
            required: ['method'],
            allow_undeclared: false,
          },
          required_fields: ['actor.name', 'context.user_agent'],
        },
        { version: 2 },
      ],
      'document.deleted': [{ targets: { min: 1 }, required_fields: ['targets.name', 'idempotency_key', 'context.request_id', 'context.session_id'] }],
    },
  });
  const valid = () => ({
    ...base(),
    actor: { id: 'user_1', type: 'user', name: 'Alice' },
    context: { location: '192.0.2.1', user_agent: 'curl/8' },
    targets: [{ id: 'user_1', type: 'user' }],
    metadata: { method: 'sso' },
  });

  describe('when the event follows the declaration', () => {
    it('accepts it', () => {
      expect(validateEvent(valid(), { registry }).ok).toBe(true);
      expect(validateEvent({ ...valid(), metadata: { method: 'sso', attempts: 3, country: null, note: 'ok', score: 0.5, mfa: false } }, { registry }).ok).toBe(
        true,
      );
    });
  });

  describe('when a target type is not allowed', () => {
    it('reports it at the target', () => {
      expect(issuesOf({ ...valid(), targets: [{ id: 'user_1', type: 'user' }, { id: 'inv_1', type: 'invoice' }] }, registry)).toEqual([
        { path: 'targets[1].type', code: 'not_allowed', message: 'targets[1].type: "invoice" is not allowed for action "user.signed_in"' },
      ]);
    });
  });

  describe('when target counts are off', () => {
    it('reports per-type and total counts', () => {
      expect(issuesOf({ ...valid(), targets: [] }, registry)).toEqual([
        { path: 'targets', code: 'too_few', message: 'targets: action "user.signed_in" requires at least 1 target of type "user", got 0' },
      ]);
      expect(issuesOf({ ...valid(), targets: [{ id: 'a', type: 'user' }, { id: 'b', type: 'user' }, { id: 'c', type: 'device' }] }, registry)).toEqual([
        { path: 'targets', code: 'too_many', message: 'targets: action "user.signed_in" allows at most 2 targets, got 3' },
        { path: 'targets', code: 'too_many', message: 'targets: action "user.signed_in" allows at most 1 target of type "user", got 2' },
      ]);
      expect(issuesOf({ ...base(), action: 'document.deleted', idempotency_key: 'k', context: { location: '::1', request_id: 'r', session_id: 's' } }, registry)).toEqual([
        { path: 'targets', code: 'too_few', message: 'targets: action "document.deleted" requires at least 1 target, got 0' },
      ]);
    });
  });

  describe('when required fields are missing', () => {
    it('reports each, at its own path', () => {
      expect(issuesOf({ ...valid(), actor: { id: 'u', type: 'user' }, context: { location: '::1' } }, registry)).toEqual([
        { path: 'actor.name', code: 'required', message: 'actor.name: is required for action "user.signed_in"' },
        { path: 'context.user_agent', code: 'required', message: 'context.user_agent: is required for action "user.signed_in"' },
      ]);
      expect(issuesOf({ ...base(), action: 'document.deleted', targets: [{ id: 'd', type: 'doc', name: 'D' }, { id: 'e', type: 'doc' }] }, registry)).toEqual([
        { path: 'targets[1].name', code: 'required', message: 'targets[1].name: is required for action "document.deleted"' },
        { path: 'idempotency_key', code: 'required', message: 'idempotency_key: is required for action "document.deleted"' },
        { path: 'context.request_id', code: 'required', message: 'context.request_id: is required for action "document.deleted"' },
        { path: 'context.session_id', code: 'required', message: 'context.session_id: is required for action "document.deleted"' },
      ]);
    });
  });

  describe('when metadata breaks the declaration', () => {
    it.each([
      [{}, 'metadata.method', 'required', 'metadata.method: is required for action "user.signed_in"'],
      [{ method: 'fax' }, 'metadata.method', 'invalid_value', 'metadata.method: "fax" is not one of "password", "sso", "passkey" for action "user.signed_in"'],
      [{ method: 1 }, 'metadata.method', 'invalid_type', 'metadata.method: must be a string for action "user.signed_in", got number'],
      [{ method: null }, 'metadata.method', 'invalid_type', 'metadata.method: must be a string for action "user.signed_in", got null'],
      [{ method: 'sso', attempts: 1.5 }, 'metadata.attempts', 'not_integer', 'metadata.attempts: must be an integer for action "user.signed_in", got 1.5'],
      [{ method: 'sso', attempts: 0 }, 'metadata.attempts', 'too_small', 'metadata.attempts: must be at least 1 for action "user.signed_in", got 0'],
      [{ method: 'sso', attempts: 11 }, 'metadata.attempts', 'too_big', 'metadata.attempts: must be at most 10 for action "user.signed_in", got 11'],
      [{ method: 'sso', country: 'fra' }, 'metadata.country', 'invalid_format', 'metadata.country: "fra" does not match the pattern of action "user.signed_in"'],
      [{ method: 'sso', country: 'FRA' }, 'metadata.country', 'invalid_format', 'metadata.country: "FRA" does not match the pattern of action "user.signed_in"'],
      [{ method: 'sso', note: 'a' }, 'metadata.note', 'too_short', 'metadata.note: must be at least 2 characters for action "user.signed_in", got 1'],
      [{ method: 'sso', note: 'abcdef' }, 'metadata.note', 'too_long', 'metadata.note: must be at most 5 characters for action "user.signed_in", got 6'],
      [{ method: 'sso', mfa: 'yes' }, 'metadata.mfa', 'invalid_type', 'metadata.mfa: must be a boolean for action "user.signed_in", got string'],
      [{ method: 'sso', extra: 1 }, 'metadata.extra', 'not_allowed', 'metadata.extra: is not declared for action "user.signed_in"'],
    ] as const)('rejects %j', (metadata, path, code, message) => {
      expect(issuesOf({ ...valid(), metadata }, registry)).toEqual([{ path, code, message }]);
    });

    it('accepts undeclared keys when allow_undeclared is not false', () => {
      const open = registryOf({ actions: { 'a.b': [{ metadata: { fields: { k: { type: 'number' } } } }] } });
      expect(validateEvent({ ...base(), action: 'a.b', metadata: { k: 1, other: 'x' } }, { registry: open }).ok).toBe(true);
    });
  });

  describe('when the action or version is not registered', () => {
    it('rejects unregistered versions of a registered action, strict or not', () => {
      expect(issuesOf({ ...valid(), version: 3 }, registry)).toEqual([
        { path: 'version', code: 'unknown_version', message: 'version: version 3 of action "user.signed_in" is not registered (registered: 1, 2)' },
      ]);
      expect(validateEvent({ ...base(), version: 2, metadata: { anything: [] } }, { registry }).ok).toBe(false);
      expect(validateEvent({ ...base(), version: 2, metadata: { anything: 1 } }, { registry }).ok).toBe(true);
    });

    it('accepts unregistered actions unless the registry is strict', () => {
      expect(validateEvent({ ...base(), action: 'user.deleted' }, { registry }).ok).toBe(true);
      const strict = registryOf({ strict: true, actions: { 'user.signed_in': [{}] } });
      expect(issuesOf({ ...base(), action: 'user.deleted' }, strict)).toEqual([
        { path: 'action', code: 'unknown_action', message: 'action: "user.deleted" is not a registered action' },
      ]);
    });
  });

  describe('when the registry is given as JSON', () => {
    it('compiles it once per object', () => {
      const json = { strict: true, actions: { 'user.signed_in': [{}] } };
      expect(validateEvent(base(), { registry: json }).ok).toBe(true);
      expect(validateEvent({ ...base(), action: 'x.y' }, { registry: json }).ok).toBe(false);
    });

    it('throws RegistryError when the registry itself is invalid', () => {
      expect(() => validateEvent(base(), { registry: { actions: { Bad: [{}] } } })).toThrow(RegistryError);
      try {
        validateEvent(base(), { registry: { actions: { Bad: [{}] } } });
      } catch (error) {
        expect((error as RegistryError).issues[0]?.path).toBe('actions.Bad');
        expect((error as RegistryError).message).toBe('invalid action registry: actions.Bad: "Bad" is not a valid action name (e.g. "user.signed_in")');
      }
    });
  });
});
