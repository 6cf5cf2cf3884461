import { z } from 'zod';

import { ZApiKeySchema, ZOrganizationIdSchema } from '../shared.types';

export const ZListApiKeysRequestSchema = z.strictObject({
  /** Keys bound to this organization; omit (unbound admin only) for every key. */
  organizationId: ZOrganizationIdSchema.optional(),
});
export const ZListApiKeysResponseSchema = z.array(ZApiKeySchema);
