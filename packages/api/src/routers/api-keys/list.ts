import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZListApiKeysRequestSchema, ZListApiKeysResponseSchema } from './list.types';

/**
 * Lists API keys (never their secrets). Scope: `admin`. Without `organizationId`, an unbound admin key lists every
 * key, and a bound one the keys of its own organization (as `organizations.list` shows it its own). An organization
 * that does not exist is NOT_FOUND, as on every organization's procedure (a key bound to another organization is
 * FORBIDDEN first, whether or not it exists).
 */
export const listApiKeysRoute = authedProcedure
  .input(ZListApiKeysRequestSchema)
  .output(ZListApiKeysResponseSchema)
  .query(async ({ ctx, input }) => {
    const organizationId = input.organizationId ?? ctx.principal.organizationId ?? undefined;
    authorize(ctx.principal, 'admin', organizationId ?? null);
    if (organizationId === undefined) return ctx.custody.apiKeys.list({});
    await ctx.custody.organizations.get(organizationId);
    return ctx.custody.apiKeys.list({ organizationId });
  });
