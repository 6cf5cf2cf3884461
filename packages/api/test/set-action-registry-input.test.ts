/** `organizations.setActionRegistry` input: `registry` is required, `null` removing the registry. */
import { describe, expect, it } from 'vitest';

import { ZSetActionRegistryRequestSchema } from '../src/routers/organizations/set-action-registry.types';

describe('ZSetActionRegistryRequestSchema', () => {
  it('says what a missing registry should be (zod alone says "expected nonoptional")', () => {
    const result = ZSetActionRegistryRequestSchema.safeParse({ organizationId: 'acme' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'registry: required: the registry JSON, or null to remove it',
    ]);
  });

  it('takes null (remove the registry) and a registry object', () => {
    expect(ZSetActionRegistryRequestSchema.parse({ organizationId: 'acme', registry: null })).toEqual({ organizationId: 'acme', registry: null });
    const registry = { version: 1, actions: {} };
    expect(ZSetActionRegistryRequestSchema.parse({ organizationId: 'acme', registry }).registry).toEqual(registry);
  });
});
