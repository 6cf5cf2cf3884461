import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZSignCheckpointRequestSchema, ZSignCheckpointResponseSchema } from './sign-checkpoint.types';

/** Signs a checkpoint now if the log grew since the last one, and returns the latest. Scope: `events:write`. */
export const signCheckpointRoute = authedProcedure
  .input(ZSignCheckpointRequestSchema)
  .output(ZSignCheckpointResponseSchema)
  .mutation(({ ctx, input }) => {
    authorize(ctx.principal, 'events:write', input.organizationId);
    return ctx.custody.log.latestCheckpoint(input.organizationId, { fresh: true });
  });
