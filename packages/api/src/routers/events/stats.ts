import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZEventStatsRequestSchema, ZEventStatsResponseSchema } from './stats.types';

/** Counts per time bucket and the top actions and actors for a filter. Scope: `events:read`. */
export const eventStatsRoute = authedProcedure
  .input(ZEventStatsRequestSchema)
  .output(ZEventStatsResponseSchema)
  .query(({ ctx, input, signal }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.events.stats(input.organizationId, input.filter, { bucketMs: input.bucketMs, top: input.top, signal });
  });
