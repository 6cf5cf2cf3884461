import type { z } from 'zod';

import { authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import type { TAuthedContext } from '../../trpc';
import { ZCreateEventsBatchRequestSchema, ZCreateEventsBatchResponseSchema } from './create-batch.types';

/**
 * Ingests up to 1,000 events. Each gets its own result: accepted (id, seq) or rejected with field
 * paths; accepted events are committed whatever happens to the others. Scope: `events:write`. (The
 * resolver; the server's ingest lane calls it too.)
 */
export async function createEventsBatch(ctx: TAuthedContext, input: z.infer<typeof ZCreateEventsBatchRequestSchema>): Promise<z.input<typeof ZCreateEventsBatchResponseSchema>> {
  authorize(ctx.principal, 'events:write', input.organizationId);
  const results = await ctx.custody.ingestor.ingest(input.organizationId, input.events);
  const accepted = results.filter((r) => r.status === 'accepted').length;
  return { accepted, rejected: results.length - accepted, results };
}

export const createEventsBatchRoute = authedProcedure
  .meta({ ownDeadline: true })
  .input(ZCreateEventsBatchRequestSchema)
  .output(ZCreateEventsBatchResponseSchema)
  .mutation(({ ctx, input }) => createEventsBatch(ctx, input));
