import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZListEventsRequestSchema, ZListEventsResponseSchema } from './list.types';

/**
 * Events matching a filter, sorted by occurrence time, up to 1,000 per page, with a keyset cursor that
 * stays stable while events arrive. Scope: `events:read`.
 */
export const listEventsRoute = authedProcedure
  .input(ZListEventsRequestSchema)
  .output(ZListEventsResponseSchema)
  .query(({ ctx, input, signal }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.events.list(input.organizationId, input.filter, { order: input.order, limit: input.limit, cursor: input.cursor ?? null, signal });
  });
