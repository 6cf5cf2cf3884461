import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZGetExportRequestSchema, ZGetExportResponseSchema } from './get.types';

/** One export job with its progress, hash and counts. Scope: `export`. */
export const getExportRoute = authedProcedure
  .input(ZGetExportRequestSchema)
  .output(ZGetExportResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'export', input.organizationId);
    return ctx.custody.exports.get(input.organizationId, input.exportId);
  });
