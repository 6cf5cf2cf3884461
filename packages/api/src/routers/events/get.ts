import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZGetEventRequestSchema, ZGetEventResponseSchema } from './get.types';

/** One event by id. Scope: `events:read`. */
export const getEventRoute = authedProcedure
  .input(ZGetEventRequestSchema)
  .output(ZGetEventResponseSchema)
  .query(({ ctx, input, signal }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.events.get(input.organizationId, input.id, { signal });
  });
