import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZCreateExportRequestSchema, ZCreateExportResponseSchema } from './create.types';

/**
 * Starts an export job (evidence bundle, CSV, NDJSON or DAT) and returns at once; poll `exports.get`,
 * then download from `/v1/organizations/:id/exports/:exportId/download`. Scope: `export`.
 */
export const createExportRoute = authedProcedure
  .input(ZCreateExportRequestSchema)
  .output(ZCreateExportResponseSchema)
  .mutation(({ ctx, input }) => {
    authorize(ctx.principal, 'export', input.organizationId);
    const { organizationId, ...request } = input;
    return ctx.custody.exports.create(organizationId, request, {
      type: 'api_key',
      id: ctx.principal.keyId,
      name: ctx.principal.name,
      ...(ctx.clientIp === undefined ? {} : { ip: ctx.clientIp }),
    });
  });
