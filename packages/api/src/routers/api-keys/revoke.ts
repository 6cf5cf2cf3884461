import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZRevokeApiKeyRequestSchema, ZRevokeApiKeyResponseSchema } from './revoke.types';

/** Revokes a key (idempotent). A bound admin key may revoke only keys of its organization. Scope: `admin`. */
export const revokeApiKeyRoute = authedProcedure
  .input(ZRevokeApiKeyRequestSchema)
  .output(ZRevokeApiKeyResponseSchema)
  .mutation(({ ctx, input }) => {
    const bound = ctx.principal.organizationId;
    authorize(ctx.principal, 'admin', bound);
    return ctx.custody.apiKeys.revoke(input.keyId, bound);
  });
