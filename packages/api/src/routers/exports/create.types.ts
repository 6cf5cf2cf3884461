import { z } from 'zod';

import { EXPORT_FORMATS } from '@custody/core';

import { withoutNul, ZCountSchema, ZEventFilterSchema, ZEventIdSchema, ZOrganizationIdSchema, ZSeqSchema, ZSizeSchema } from '../shared.types';

export const ZCreateExportRequestSchema = z.strictObject({
  organizationId: ZOrganizationIdSchema,
  format: z.enum(EXPORT_FORMATS).default('bundle'),
  /** Bundles: `complete-range` (default) proves every leaf of the range; `selected` only the matches. */
  mode: z.enum(['complete-range', 'selected']).optional(),
  filter: ZEventFilterSchema.default({}),
  matter: z.strictObject({ name: withoutNul(z.string().min(1).max(200)), number: withoutNul(z.string().min(1).max(100)) }),
  custodian: withoutNul(z.string().min(1).max(200)),
  reason: withoutNul(z.string().min(1).max(500)),
  controlPrefix: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,19}$/).optional(),
  firstControlNumber: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  dat: z
    .strictObject({
      field: withoutNul(z.string().length(1)).optional(),
      quote: withoutNul(z.string().length(1)).optional(),
      newline: withoutNul(z.string().length(1)).optional(),
      encoding: z.enum(['utf-8', 'cp1252']).optional(),
    })
    .optional(),
  includeDat: z.boolean().optional(),
  sinceCheckpointSize: ZSizeSchema.optional(),
});

export const ZExportInfoSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'expired']),
  format: z.enum(EXPORT_FORMATS),
  mode: z.enum(['complete-range', 'selected']).nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  progress: z.object({ done: z.number(), total: z.number().nullable() }),
  fileName: z.string().nullable(),
  fileSize: z.number().nullable(),
  sha256: z.string().nullable(),
  checkpointSize: z.number().nullable(),
  counts: z.object({ shown: ZCountSchema, withheld: ZCountSchema, purged: ZCountSchema }).nullable(),
  controlNumbers: z.object({ first: z.string(), last: z.string() }).nullable(),
  error: z.string().nullable(),
  auditEvent: z.object({ id: ZEventIdSchema, seq: ZSeqSchema }).nullable(),
  matter: z.object({ name: z.string(), number: z.string() }),
});
export const ZCreateExportResponseSchema = ZExportInfoSchema;
