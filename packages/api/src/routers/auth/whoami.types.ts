import { z } from 'zod';

import { ZScopeSchema } from '../shared.types';

export const ZWhoamiRequestSchema = z.strictObject({}).optional();
export const ZWhoamiResponseSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  /** The organization the key is bound to, or null for every organization. */
  organizationId: z.string().nullable(),
  scopes: z.array(ZScopeSchema),
});
