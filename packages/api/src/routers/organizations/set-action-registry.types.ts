import { z } from 'zod';

import { ZOrganizationIdSchema } from '../shared.types';

export const ZSetActionRegistryRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  /** Registry JSON (see @custody/schema), or null to remove it. */
  registry: z.unknown(),
});
export const ZSetActionRegistryResponseSchema = z.object({ ok: z.literal(true) });
