import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZEntryRequestSchema, ZEntryResponseSchema } from './entry.types';

/** The exact canonical bytes of an event (the leaf data) and its leaf hash. Scope: `events:read`. */
export const entryRoute = authedProcedure
  .input(ZEntryRequestSchema)
  .output(ZEntryResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.log.entry(input.organizationId, input.seq);
  });
