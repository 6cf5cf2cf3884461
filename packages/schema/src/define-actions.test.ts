import { describe, expect, expectTypeOf, it } from 'vitest';

import { defineActions } from './define-actions';
import type { TActionEventInput } from './define-actions';
import { RegistryError } from './errors';
import type { TMetadata, TMetadataValue } from './event-schemas';
import { validateEvent } from './validate-event';

const actions = defineActions({
  'user.signed_in': {
    targets: ['user'],
    metadata: {
      method: { type: 'string', enum: ['password', 'sso'] },
      mfa: 'boolean?',
      attempts: { type: 'number', integer: true, min: 1, optional: true },
      country: { type: 'string', nullable: true },
    },
    requiredFields: ['context.user_agent', 'actor.name'],
  },
  'document.deleted': {
    version: 2,
    targets: { types: ['document', 'folder'], min: 1, max: 1 },
    requiredFields: ['idempotency_key', 'targets.name'],
  },
  'report.exported': {
    metadata: { format: 'string' },
    allowUndeclaredMetadata: true,
  },
  'user.viewed': {},
});

type AppEvent = TActionEventInput<typeof actions>;

const signedIn: AppEvent = {
  action: 'user.signed_in',
  occurred_at: '2026-01-01T10:00:00Z',
  actor: { id: 'u1', type: 'user', name: 'Alice' },
  targets: [{ id: 'u1', type: 'user' }],
  context: { location: '192.0.2.1', user_agent: 'curl/8' },
  metadata: { method: 'sso', country: null },
};

describe('defineActions', () => {
  describe('when the declarations are valid', () => {
    it('builds the registry JSON', () => {
      expect(actions.registry).toEqual({
        strict: false,
        actions: {
          'user.signed_in': [
            {
              version: 1,
              targets: { types: { user: {} } },
              metadata: {
                fields: {
                  method: { type: 'string', enum: ['password', 'sso'] },
                  mfa: { type: 'boolean' },
                  attempts: { type: 'number', integer: true, min: 1 },
                  country: { type: 'string', nullable: true },
                },
                required: ['method', 'country'],
                allow_undeclared: false,
              },
              required_fields: ['context.user_agent', 'actor.name'],
            },
          ],
          'document.deleted': [
            {
              version: 2,
              targets: { types: { document: {}, folder: {} }, min: 1, max: 1 },
              required_fields: ['idempotency_key', 'targets.name'],
            },
          ],
          'report.exported': [
            { version: 1, metadata: { fields: { format: { type: 'string' } }, required: ['format'], allow_undeclared: true } },
          ],
          'user.viewed': [{ version: 1 }],
        },
      });
      expect(defineActions({ 'a.b': {} }, { strict: true }).registry.strict).toBe(true);
    });

    it('validates events at run time with the same rules as the types', () => {
      expect(validateEvent(signedIn, { registry: actions.actionRegistry }).ok).toBe(true);
      const wrong = { ...signedIn, metadata: { method: 'fax', country: null } };
      const result = validateEvent(wrong, { registry: actions.actionRegistry });
      expect(result.ok ? [] : result.issues.map((issue) => issue.message)).toEqual([
        'metadata.method: "fax" is not one of "password", "sso" for action "user.signed_in"',
      ]);
      const deleted: AppEvent = {
        action: 'document.deleted',
        version: 2,
        idempotency_key: 'del-1',
        occurred_at: new Date(),
        actor: { id: 'u1', type: 'user' },
        targets: [{ id: 'd1', type: 'document', name: 'Plan' }],
        context: { location: '::1' },
      };
      expect(validateEvent(deleted, { registry: actions.registry }).ok).toBe(true);
    });
  });

  describe('when a declaration is invalid', () => {
    it('throws RegistryError at definition time', () => {
      expect(() => defineActions({ Login: {} })).toThrow(RegistryError);
      expect(() => defineActions({ 'a.b': { targets: { min: 2, max: 1 } } })).toThrow('min must not exceed max');
      expect(() => defineActions({ 'a.b': { metadata: { k: { type: 'string', pattern: '(a+)+' } } } })).toThrow(/nested quantifier/);
    });
  });

  describe('when checking the inferred types', () => {
    it('discriminates the union by action', () => {
      expectTypeOf<AppEvent['action']>().toEqualTypeOf<'user.signed_in' | 'document.deleted' | 'report.exported' | 'user.viewed'>();
      const check = (event: AppEvent): void => {
        if (event.action === 'user.signed_in') {
          expectTypeOf(event.metadata).toEqualTypeOf<{
            method: 'password' | 'sso';
            country: string | null;
            mfa?: boolean;
            attempts?: number;
          }>();
          expectTypeOf(event.context.user_agent).toEqualTypeOf<string>();
          expectTypeOf(event.actor.name).toEqualTypeOf<string>();
          expectTypeOf(event.version).toEqualTypeOf<1 | undefined>();
        }
        if (event.action === 'document.deleted') {
          expectTypeOf(event.version).toEqualTypeOf<2>();
          expectTypeOf(event.targets).toEqualTypeOf<{ id: string; type: 'document' | 'folder'; name: string; metadata?: TMetadata }[]>();
          expectTypeOf(event.idempotency_key).toEqualTypeOf<string>();
          expectTypeOf(event.metadata).toEqualTypeOf<TMetadata | undefined>();
        }
        if (event.action === 'report.exported') {
          expectTypeOf(event.metadata.format).toEqualTypeOf<string>();
          expectTypeOf(event.metadata.anything).toEqualTypeOf<TMetadataValue | undefined>();
        }
        if (event.action === 'user.viewed') {
          expectTypeOf(event.targets).toEqualTypeOf<{ id: string; type: string; name?: string; metadata?: TMetadata }[] | undefined>();
          expectTypeOf(event.context.user_agent).toEqualTypeOf<string | undefined>();
        }
      };
      check(signedIn);
    });

    it('rejects events that break the declarations', () => {
      const base = { occurred_at: '2026-01-01T10:00:00Z', actor: { id: 'u', type: 'user', name: 'A' }, context: { location: '::1', user_agent: 'x' } };
      // @ts-expect-error -- "fax" is not in the enum
      const badEnum: AppEvent = { ...base, action: 'user.signed_in', metadata: { method: 'fax', country: null } };
      // @ts-expect-error -- "invoice" is not an allowed target type
      const badTarget: AppEvent = { ...base, action: 'user.signed_in', targets: [{ id: 'i', type: 'invoice' }], metadata: { method: 'sso', country: null } };
      // @ts-expect-error -- "extra" is not declared and undeclared keys are not allowed
      const badKey: AppEvent = { ...base, action: 'user.signed_in', metadata: { method: 'sso', country: null, extra: 1 } };
      // @ts-expect-error -- metadata.method is required
      const missingKey: AppEvent = { ...base, action: 'user.signed_in', metadata: { country: null } };
      // @ts-expect-error -- context.user_agent is required for user.signed_in
      const missingAgent: AppEvent = { ...base, action: 'user.signed_in', context: { location: '::1' }, metadata: { method: 'sso', country: null } };
      // @ts-expect-error -- version 2 is required for document.deleted
      const wrongVersion: AppEvent = { ...base, action: 'document.deleted', idempotency_key: 'k', targets: [{ id: 'd', type: 'document', name: 'D' }] };
      // @ts-expect-error -- unknown action
      const unknownAction: AppEvent = { ...base, action: 'user.deleted' };
      expect([badEnum, badTarget, badKey, missingKey, missingAgent, wrongVersion, unknownAction]).toHaveLength(7);
    });
  });
});
