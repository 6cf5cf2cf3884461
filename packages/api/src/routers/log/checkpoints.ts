import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZListCheckpointsRequestSchema, ZListCheckpointsResponseSchema } from './checkpoints.types';

/** Signed checkpoints in a size range, oldest first: the hash chain. Scope: `events:read`. */
export const listCheckpointsRoute = authedProcedure
  .input(ZListCheckpointsRequestSchema)
  .output(ZListCheckpointsResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    const { organizationId, ...range } = input;
    return ctx.custody.log.listCheckpoints(organizationId, range);
  });
