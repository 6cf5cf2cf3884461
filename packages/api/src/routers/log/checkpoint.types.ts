import { z } from 'zod';

import { ZCheckpointSchema, ZOrganizationIdSchema, ZSizeSchema } from '../shared.types';

export const ZCheckpointRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  /** The checkpoint signed at exactly this size; omit for the latest. */
  size: ZSizeSchema.optional(),
});
export const ZCheckpointResponseSchema = ZCheckpointSchema;
