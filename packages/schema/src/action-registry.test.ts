import { describe, expect, expectTypeOf, it } from 'vitest';

import { ActionRegistry, checkPattern, compileActionRegistry, resolveActionRegistry } from './action-registry';
import type { TActionRegistry, TActionRegistryInput } from './action-registry';
import { RegistryError } from './errors';
import type { TValidationIssue } from './validation-issue';

function issuesOf(json: unknown): TValidationIssue[] {
  const result = compileActionRegistry(json);
  if (result.ok) throw new Error('expected the registry to be rejected');
  return [...result.issues];
}

describe('compileActionRegistry', () => {
  describe('when the registry is valid', () => {
    it('applies defaults and compiles lookups', () => {
      const result = compileActionRegistry({
        actions: {
          'user.signed_in': [{}, { version: 3, metadata: { fields: { code: { type: 'string', pattern: '[A-Z]{3}' } } } }],
        },
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const { registry } = result;
      expect(registry.json).toEqual({
        strict: false,
        actions: { 'user.signed_in': [{ version: 1 }, { version: 3, metadata: { fields: { code: { type: 'string', pattern: '[A-Z]{3}' } } } }] },
      });
      expect(registry.strict).toBe(false);
      expect(registry.versionsOf('user.signed_in')).toEqual([1, 3]);
      expect(registry.versionsOf('nope.nope')).toEqual([]);
      expect(registry.lookup('user.signed_in', 3)?.fields.get('code')?.pattern?.test('ABC')).toBe(true);
      expect(registry.lookup('user.signed_in', 3)?.fields.get('code')?.pattern?.test('xABCx')).toBe(false);
      expect(registry.lookup('user.signed_in', 2)).toBeUndefined();
    });

    it('accepts an empty registry', () => {
      expect(compileActionRegistry({ actions: {} }).ok).toBe(true);
    });
  });

  describe('when the registry is invalid', () => {
    it('reports the top-level shape', () => {
      expect(issuesOf(null)).toEqual([{ path: '', code: 'invalid_type', message: 'must be an object, got null' }]);
      expect(issuesOf({ strict: 'yes', actions: [], extra: 1 })).toEqual([
        { path: 'strict', code: 'invalid_type', message: 'strict: must be a boolean, got string' },
        { path: 'actions', code: 'invalid_type', message: 'actions: must be an object, got array' },
        { path: 'extra', code: 'unknown_key', message: 'extra: is not a known field (expected one of: strict, actions)' },
      ]);
    });

    it('checks action names, "__proto__" and versions', () => {
      expect(issuesOf(JSON.parse('{"actions":{"Bad":[{}],"__proto__":[{}],"a.b":[],"c.d":[{"version":2},{"version":2}],"e.f":[{"version":0}]}}'))).toEqual([
        { path: 'actions.Bad', code: 'invalid_format', message: 'actions.Bad: "Bad" is not a valid action name (e.g. "user.signed_in")' },
        { path: 'actions.__proto__', code: 'not_allowed', message: 'actions.__proto__: key "__proto__" is reserved' },
        { path: 'actions["a.b"]', code: 'too_few', message: 'actions["a.b"]: must have at least 1 item' },
        { path: 'actions["c.d"][1].version', code: 'invalid_value', message: 'actions["c.d"][1].version: version 2 is declared twice' },
        { path: 'actions["e.f"][0].version', code: 'too_small', message: 'actions["e.f"][0].version: must be at least 1' },
      ]);
    });

    it('checks target rules', () => {
      expect(issuesOf({ actions: { 'a.b': [{ targets: { types: { User: {} } } }] } })).toEqual([
        {
          path: 'actions["a.b"][0].targets.types.User',
          code: 'invalid_format',
          message: 'actions["a.b"][0].targets.types.User: "User" is not a valid type ([a-z][a-z0-9_]*, at most 64)',
        },
      ]);
      expect(issuesOf({ actions: { 'a.b': [{ targets: { min: 3, max: 1, types: { user: { min: 2, max: 1 } } } }] } }).map((issue) => issue.message)).toEqual([
        'actions["a.b"][0].targets.min: min must not exceed max',
        'actions["a.b"][0].targets.types.user.min: min must not exceed max',
      ]);
      expect(issuesOf({ actions: { 'a.b': [{ targets: { max: 51 } }] } })[0]?.message).toBe('actions["a.b"][0].targets.max: must be at most 50');
    });

    it('checks metadata rules', () => {
      expect(
        issuesOf({
          actions: {
            'a.b': [
              {
                metadata: {
                  fields: {
                    k: { type: 'date' },
                    s: { type: 'string', min_length: 5, max_length: 2, enum: ['x', 'x'] },
                    n: { type: 'number', min: 2, max: 1 },
                    b: { type: 'boolean', extra: true },
                  },
                },
              },
            ],
          },
        }).map((issue) => issue.message),
      ).toEqual([
        'actions["a.b"][0].metadata.fields.k.type: type must be "string", "number" or "boolean"',
        'actions["a.b"][0].metadata.fields.s.min_length: min_length must not exceed max_length',
        'actions["a.b"][0].metadata.fields.s.enum: enum values must be unique',
        'actions["a.b"][0].metadata.fields.n.min: min must not exceed max',
        'actions["a.b"][0].metadata.fields.b: has unknown field(s) "extra" (expected one of: type, description, nullable)',
      ]);
      expect(issuesOf({ actions: { 'a.b': [{ metadata: { fields: { k: { type: 'number' } }, required: ['k', 'k', 'zz'] } }] } }).map((issue) => issue.message)).toEqual([
        'actions["a.b"][0].metadata.required[1]: "k" is listed twice',
        'actions["a.b"][0].metadata.required[2]: "zz" is required but not declared in fields',
      ]);
      expect(issuesOf(JSON.parse('{"actions":{"a.b":[{"metadata":{"fields":{"__proto__":{"type":"string"}}}}]}}'))[0]?.code).toBe('not_allowed');
      expect(issuesOf({ actions: { 'a.b': [{ metadata: { fields: { ['k'.repeat(257)]: { type: 'string' } } } }] } })[0]?.code).toBe('too_long');
    });

    it('checks patterns', () => {
      expect(issuesOf({ actions: { 'a.b': [{ metadata: { fields: { p: { type: 'string', pattern: '(a+)+$' }, q: { type: 'string', pattern: '(' } } } }] } }).map((issue) => issue.message)).toEqual([
        'actions["a.b"][0].metadata.fields.p.pattern: pattern has a nested quantifier such as (a+)+, which can take exponential time; simplify it',
        'actions["a.b"][0].metadata.fields.q.pattern: pattern is not a valid regular expression: Invalid regular expression: /^(?:()$/u: Unterminated group',
      ]);
    });

    it('checks required_fields', () => {
      expect(issuesOf({ actions: { 'a.b': [{ required_fields: ['actor.email'] }] } })).toEqual([
        {
          path: 'actions["a.b"][0].required_fields[0]',
          code: 'invalid_value',
          message:
            'actions["a.b"][0].required_fields[0]: must be "actor.name" or "targets.name" or "context.user_agent" or "context.request_id" or "context.session_id" or "idempotency_key"',
        },
      ]);
      expect(issuesOf({ actions: { 'a.b': [{ required_fields: ['actor.name', 'actor.name'] }] } })[0]?.message).toBe(
        'actions["a.b"][0].required_fields: fields are listed twice',
      );
    });

    it('never throws', () => {
      const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
      expect(compileActionRegistry({ actions: proxy }).ok).toBe(false);
    });
  });

  describe('when checking the inferred types', () => {
    it('defaults strict and version in the output type', () => {
      expectTypeOf<TActionRegistry['strict']>().toEqualTypeOf<boolean>();
      expectTypeOf<TActionRegistryInput['strict']>().toEqualTypeOf<boolean | undefined>();
      expectTypeOf<TActionRegistry['actions'][string][number]['version']>().toEqualTypeOf<number>();
    });
  });
});

describe('checkPattern', () => {
  describe('when the pattern is safe', () => {
    it.each(['[A-Z]{2}', '\\d+', '(ab)+', '(a|b)?c', '[(+)]+', '\\(a+\\)+', 'a{2,3}(b)?', '(?:x)+'])('accepts %s', (pattern) => {
      expect(checkPattern(pattern)).toBeUndefined();
    });
  });

  describe('when the pattern can backtrack catastrophically', () => {
    it.each(['(a+)+', '(a*)*', '(a+)*b', '((a)+)+', '(?:a+){2,}', '(x(a+))+'])('rejects %s', (pattern) => {
      expect(checkPattern(pattern)).toMatch(/nested quantifier/);
    });
  });

  describe('when the pattern is too long', () => {
    it('rejects it', () => {
      expect(checkPattern('a'.repeat(201))).toBe('pattern must be at most 200 characters');
    });
  });
});

describe('resolveActionRegistry', () => {
  describe('when given a compiled registry', () => {
    it('returns it as is', () => {
      const result = compileActionRegistry({ actions: {} });
      if (!result.ok) throw new Error('unexpected');
      expect(resolveActionRegistry(result.registry)).toBe(result.registry);
    });
  });

  describe('when given JSON', () => {
    it('compiles once per object and throws RegistryError when invalid', () => {
      const json = { actions: {} };
      const first = resolveActionRegistry(json);
      expect(first).toBeInstanceOf(ActionRegistry);
      expect(resolveActionRegistry(json)).toBe(first);
      expect(() => resolveActionRegistry({ actions: { Bad: [] } })).toThrow(RegistryError);
    });
  });
});
