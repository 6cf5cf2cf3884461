import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZListApiKeysRequestSchema, ZListApiKeysResponseSchema } from './list.types';

/**
 * Lists API keys (never their secrets). Scope: `admin`. An organization that does not exist is NOT_FOUND, as
 * on every organization's procedure (a key bound to another organization is FORBIDDEN first, whether or not it exists).
 */
export const listApiKeysRoute = authedProcedure
  .input(ZListApiKeysRequestSchema)
  .output(ZListApiKeysResponseSchema)
  .query(async ({ ctx, input }) => {
    authorize(ctx.principal, 'admin', input.organizationId ?? null);
    if (input.organizationId === undefined) return ctx.custody.apiKeys.list({});
    await ctx.custody.organizations.get(input.organizationId);
    return ctx.custody.apiKeys.list({ organizationId: input.organizationId });
  });
