import { z } from 'zod';

import { ZCheckpointSchema, ZOrganizationIdSchema, ZSeqSchema, ZSizeSchema } from '../shared.types';

export const ZInclusionProofRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  seq: ZSeqSchema,
  /** A checkpointed size; omit for the latest checkpoint. */
  size: ZSizeSchema.optional(),
});
export const ZInclusionProofResponseSchema = z.object({
  seq: ZSeqSchema,
  size: ZSizeSchema,
  leafHash: z.string(),
  proof: z.array(z.string()),
  checkpoint: ZCheckpointSchema,
});
