import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZListApiKeysRequestSchema, ZListApiKeysResponseSchema } from './list.types';

/** Lists API keys (never their secrets). Scope: `admin`. */
export const listApiKeysRoute = authedProcedure
  .input(ZListApiKeysRequestSchema)
  .output(ZListApiKeysResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'admin', input.organizationId ?? null);
    return ctx.custody.apiKeys.list(input.organizationId === undefined ? {} : { organizationId: input.organizationId });
  });
