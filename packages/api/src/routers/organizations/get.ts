import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZGetOrganizationRequestSchema, ZGetOrganizationResponseSchema } from './get.types';

/** One organization. Scope: `events:read`. */
export const getOrganizationRoute = authedProcedure
  .input(ZGetOrganizationRequestSchema)
  .output(ZGetOrganizationResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.organizations.get(input.organizationId);
  });
