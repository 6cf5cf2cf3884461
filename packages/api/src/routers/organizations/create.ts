import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZCreateOrganizationRequestSchema, ZCreateOrganizationResponseSchema } from './create.types';

/** Creates an organization and its empty, signed log. Scope: `admin` on all organizations. */
export const createOrganizationRoute = authedProcedure
  .input(ZCreateOrganizationRequestSchema)
  .output(ZCreateOrganizationResponseSchema)
  .mutation(async ({ ctx, input }) => {
    authorize(ctx.principal, 'admin', null);
    return ctx.custody.createOrganization(input);
  });
