import { z } from 'zod';

import { ZOrganizationIdSchema, ZOrganizationSchema } from '../shared.types';

export const ZCreateOrganizationRequestSchema = z.strictObject({
  /** Omit to generate `org_…`. */
  id: ZOrganizationIdSchema.optional(),
  name: z.string().min(1).max(200),
});
export const ZCreateOrganizationResponseSchema = ZOrganizationSchema;
export type TCreateOrganizationRequest = z.infer<typeof ZCreateOrganizationRequestSchema>;
