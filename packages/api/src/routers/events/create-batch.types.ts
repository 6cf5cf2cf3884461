import { z } from 'zod';

import { MAX_BATCH_EVENTS } from '@custody/core';

import { ZCountSchema, ZEventIdSchema, ZOrganizationIdSchema, ZSeqSchema } from '../shared.types';

/** Events are validated by `@custody/schema` per event, so one bad event never rejects the batch. */
export const ZCreateEventsBatchRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  events: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS),
});

export const ZValidationIssueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const ZIngestResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('accepted'), id: ZEventIdSchema, seq: ZSeqSchema, replayed: z.boolean() }),
  z.object({
    status: z.literal('rejected'),
    code: z.enum(['VALIDATION_FAILED', 'IDEMPOTENCY_CONFLICT']),
    message: z.string(),
    issues: z.array(ZValidationIssueSchema).readonly(),
  }),
]);

export const ZCreateEventsBatchResponseSchema = z.object({
  accepted: ZCountSchema,
  rejected: ZCountSchema,
  /** One result per submitted event, in order. */
  results: z.array(ZIngestResultSchema),
});
