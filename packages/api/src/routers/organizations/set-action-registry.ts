import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZSetActionRegistryRequestSchema, ZSetActionRegistryResponseSchema } from './set-action-registry.types';

/** Replaces the organization's action registry. Scope: `admin`. */
export const setActionRegistryRoute = authedProcedure
  .input(ZSetActionRegistryRequestSchema)
  .output(ZSetActionRegistryResponseSchema)
  .mutation(async ({ ctx, input }) => {
    authorize(ctx.principal, 'admin', input.organizationId);
    await ctx.custody.setActionRegistry(input.organizationId, input.registry ?? null);
    return { ok: true as const };
  });
