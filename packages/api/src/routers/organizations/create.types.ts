import { z } from 'zod';

import { withoutNul, ZOrganizationIdSchema, ZOrganizationSchema } from '../shared.types';

export const ZCreateOrganizationRequestSchema = z.strictObject({
  /** Omit to generate `org_…`. */
  id: ZOrganizationIdSchema.optional(),
  name: withoutNul(z.string().min(1).max(200)),
});
export const ZCreateOrganizationResponseSchema = ZOrganizationSchema;
export type TCreateOrganizationRequest = z.infer<typeof ZCreateOrganizationRequestSchema>;
