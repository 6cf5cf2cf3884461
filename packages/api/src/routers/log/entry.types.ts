import { z } from 'zod';

import { ZOrganizationIdSchema, ZSeqSchema } from '../shared.types';

export const ZEntryRequestSchema = z.strictObject({ organizationId: ZOrganizationIdSchema, seq: ZSeqSchema });
export const ZEntryResponseSchema = z.object({
  seq: ZSeqSchema,
  leafHash: z.string(),
  bytes: z.string().nullable(),
  text: z.string().nullable(),
});
