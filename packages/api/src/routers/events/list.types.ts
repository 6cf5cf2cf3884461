import { z } from 'zod';

import { ZEventFilterSchema, ZEventRecordSchema, ZListOptionsSchema, ZOrganizationIdSchema } from '../shared.types';

export const ZListEventsRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  filter: ZEventFilterSchema.default({}),
  ...ZListOptionsSchema.shape,
});
export const ZListEventsResponseSchema = z.object({
  events: z.array(ZEventRecordSchema),
  nextCursor: z.string().nullable(),
});
