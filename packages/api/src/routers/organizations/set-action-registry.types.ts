import { z } from 'zod';

import { ZOrganizationIdSchema } from '../shared.types';

export const ZSetActionRegistryRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  /** Registry JSON (see @custody/schema), or null to remove it. */
  // Required, though null is a value: zod's own message for a missing unknown() is "expected nonoptional".
  registry: z.unknown().refine((v) => v !== undefined, { message: 'required: the registry JSON, or null to remove it', abort: true }),
});
export const ZSetActionRegistryResponseSchema = z.object({ ok: z.literal(true) });
