import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZCreateApiKeyRequestSchema, ZCreateApiKeyResponseSchema } from './create.types';

/**
 * Creates an API key and returns its secret once. Scope: `admin` on the key's organization (an
 * all-organization key needs an unbound admin key).
 */
export const createApiKeyRoute = authedProcedure
  .input(ZCreateApiKeyRequestSchema)
  .output(ZCreateApiKeyResponseSchema)
  .mutation(({ ctx, input }) => {
    authorize(ctx.principal, 'admin', input.organizationId);
    return ctx.custody.apiKeys.create({ ...input, createdBy: ctx.principal.keyId });
  });
