import { z } from 'zod';

import { ZCountSchema, ZEventFilterSchema, ZOrganizationIdSchema } from '../shared.types';

export const ZEventStatsRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  filter: ZEventFilterSchema.default({}),
  /** Bucket width in ms (≥ 1000); default: the narrowest of 1 s … 30 days giving at most 120 buckets over the range (docs/api.md). */
  bucketMs: z.number().int().min(1000).optional(),
  top: z.number().int().min(1).max(100).default(10),
});
export const ZEventStatsResponseSchema = z.object({
  total: ZCountSchema,
  bucketMs: z.number(),
  buckets: z.array(z.object({ start: z.string(), count: ZCountSchema })),
  topActions: z.array(z.object({ action: z.string(), count: ZCountSchema })),
  topActors: z.array(z.object({ type: z.string(), id: z.string(), count: ZCountSchema })),
});
