import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZConsistencyProofRequestSchema, ZConsistencyProofResponseSchema } from './consistency-proof.types';

/** RFC 9162 consistency proof between two sizes. Scope: `events:read`. */
export const consistencyProofRoute = authedProcedure
  .input(ZConsistencyProofRequestSchema)
  .output(ZConsistencyProofResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.log.consistencyProof(input.organizationId, input.from, input.to);
  });
