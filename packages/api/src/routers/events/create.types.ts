import { z } from 'zod';

import { ZEventIdSchema, ZOrganizationIdSchema, ZSeqSchema } from '../shared.types';

export const ZCreateEventRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  event: z.unknown(),
});
export const ZCreateEventResponseSchema = z.object({ id: ZEventIdSchema, seq: ZSeqSchema, replayed: z.boolean() });
