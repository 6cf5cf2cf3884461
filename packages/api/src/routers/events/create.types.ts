import { z } from 'zod';

import { ZOrganizationIdSchema } from '../shared.types';

export const ZCreateEventRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  event: z.unknown(),
});
export const ZCreateEventResponseSchema = z.object({ id: z.string(), seq: z.number(), replayed: z.boolean() });
