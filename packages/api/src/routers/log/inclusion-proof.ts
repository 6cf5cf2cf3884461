import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import { ZInclusionProofRequestSchema, ZInclusionProofResponseSchema } from './inclusion-proof.types';

/** RFC 9162 inclusion proof of event `seq` with the signed checkpoint it verifies against. Scope: `events:read`. */
export const inclusionProofRoute = authedProcedure
  .input(ZInclusionProofRequestSchema)
  .output(ZInclusionProofResponseSchema)
  .query(({ ctx, input }) => {
    authorize(ctx.principal, 'events:read', input.organizationId);
    return ctx.custody.log.inclusionProof(input.organizationId, input.seq, input.size);
  });
