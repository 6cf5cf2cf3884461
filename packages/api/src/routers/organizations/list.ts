import { authedProcedure } from '../../trpc';
import { ZListOrganizationsRequestSchema, ZListOrganizationsResponseSchema } from './list.types';

/** The organizations the key may see: all for an unbound key, its own for a bound one. */
export const listOrganizationsRoute = authedProcedure
  .input(ZListOrganizationsRequestSchema)
  .output(ZListOrganizationsResponseSchema)
  .query(({ ctx }) => {
    const bound = ctx.principal.organizationId;
    return ctx.custody.organizations.list(bound === null ? {} : { ids: [bound] });
  });
