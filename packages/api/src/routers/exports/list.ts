import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZListExportsRequestSchema, ZListExportsResponseSchema } from './list.types';

/** The organization's export jobs, newest first. Scope: `export`. */
export const listExportsRoute = authedProcedure
  .input(ZListExportsRequestSchema)
  .output(ZListExportsResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'export', input.organizationId);
    return ctx.custody.exports.list(input.organizationId, input.limit);
  });
