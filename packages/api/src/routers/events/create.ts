import type { z } from 'zod';

import { AppError, authorize } from '@custody/core';

import { authedProcedure } from '../../trpc';
import type { TAuthedContext } from '../../trpc';
import { ZCreateEventRequestSchema, ZCreateEventResponseSchema } from './create.types';

/**
 * Ingests one event; answers once it is committed. A rejected event is a BAD_REQUEST (or CONFLICT for
 * an idempotency key reused with another body) whose `data.appError.details.issues` name each field.
 * Scope: `events:write`. (The resolver; the server's ingest lane calls it too.)
 */
export async function createEvent(ctx: TAuthedContext, input: z.infer<typeof ZCreateEventRequestSchema>): Promise<z.infer<typeof ZCreateEventResponseSchema>> {
  authorize(ctx.principal, 'events:write', input.organizationId);
  const [result] = await ctx.custody.ingestor.ingest(input.organizationId, [input.event]);
  if (result === undefined) throw new AppError('INTERNAL', 'ingest returned no result');
  if (result.status === 'rejected') {
    throw new AppError(result.code === 'IDEMPOTENCY_CONFLICT' ? 'CONFLICT' : 'BAD_REQUEST', result.message, {
      details: { issues: result.issues },
    });
  }
  return { id: result.id, seq: result.seq, replayed: result.replayed };
}

export const createEventRoute = authedProcedure
  .meta({ ownDeadline: true })
  .input(ZCreateEventRequestSchema)
  .output(ZCreateEventResponseSchema)
  .mutation(({ ctx, input }) => createEvent(ctx, input));
