import { z } from 'zod';

import { withoutNul, ZApiKeySchema, ZOrganizationIdSchema, ZScopeSchema } from '../shared.types';

export const ZCreateApiKeyRequestSchema = z.strictObject({
  name: withoutNul(z.string().min(1).max(100)),
  /** The organization the key is bound to; null for a key valid on every organization. */
  organizationId: ZOrganizationIdSchema.nullable(),
  scopes: z.array(ZScopeSchema).min(1),
});
export const ZCreateApiKeyResponseSchema = z.object({
  key: ZApiKeySchema,
  /** Shown once: store it now. */
  secret: z.string(),
});
