import { z } from 'zod';

import { ZCheckpointSchema, ZOrganizationIdSchema, ZSizeSchema } from '../shared.types';

export const ZListCheckpointsRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  fromSize: ZSizeSchema.optional(),
  toSize: ZSizeSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  /** `asc`: oldest first (default); `desc`: newest first. */
  order: z.enum(['asc', 'desc']).default('asc'),
});
export const ZListCheckpointsResponseSchema = z.array(ZCheckpointSchema);
