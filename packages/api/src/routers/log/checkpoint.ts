import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZCheckpointRequestSchema, ZCheckpointResponseSchema } from './checkpoint.types';

/** The latest signed checkpoint, or the one at a size. Scope: `events:read`. */
export const checkpointRoute = authedProcedure
  .input(ZCheckpointRequestSchema)
  .output(ZCheckpointResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return input.size === undefined ? ctx.custody.log.latestCheckpoint(input.organizationId) : ctx.custody.log.checkpointAt(input.organizationId, input.size);
  });
