import { z } from 'zod';

import { ZEventFilterSchema, ZEventRecordSchema, ZListOptionsSchema, ZOrganizationIdSchema } from '../shared.types';

export const ZListEventsRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  filter: ZEventFilterSchema.default({}),
  ...ZListOptionsSchema.shape,
  /**
   * `desc` (newest first) by default. With a cursor, the order of the page it came from: omit it or give the same
   * (another is a BAD_REQUEST, not a page in the cursor's order).
   */
  order: z.enum(['asc', 'desc']).optional(),
});
export const ZListEventsResponseSchema = z.object({
  events: z.array(ZEventRecordSchema),
  nextCursor: z.string().nullable(),
});
