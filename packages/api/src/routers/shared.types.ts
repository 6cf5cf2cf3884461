/** Zod pieces shared by several procedures. */
import { z } from 'zod';

import { MAX_PAGE_SIZE, ORGANIZATION_ID_PATTERN, SCOPES } from '@custody/core';
import type { TEventRecord } from '@custody/core';

export const ZOrganizationIdSchema = z.string().regex(ORGANIZATION_ID_PATTERN, 'invalid organization id');

export const ZScopeSchema = z.enum(SCOPES);

const ZSafeNonNegative = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const ZSeqSchema = ZSafeNonNegative;
export const ZSizeSchema = ZSafeNonNegative;

export const ZEventFilterSchema = z.strictObject({
  /** Exact actions or prefixes such as `user.*`. */
  actions: z.array(z.string().min(1).max(102)).max(50).optional(),
  actorId: z.string().min(1).max(256).optional(),
  actorType: z.string().min(1).max(64).optional(),
  targetId: z.string().min(1).max(256).optional(),
  targetType: z.string().min(1).max(64).optional(),
  occurredAfter: z.string().max(40).optional(),
  occurredBefore: z.string().max(40).optional(),
  /** An IP address or CIDR block. */
  ip: z.string().max(64).optional(),
  metadata: z.record(z.string().min(1).max(40), z.string().max(500)).optional(),
  /** Full text: every word; `word*` a prefix; an IP address or CIDR block matches the event's IP (core `resolveFilter`). */
  q: z.string().max(500).optional(),
  seqFrom: ZSafeNonNegative.optional(),
  seqTo: ZSafeNonNegative.optional(),
});

export const ZListOptionsSchema = z.strictObject({
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  cursor: z.string().max(2000).nullish(),
});

/** Logged events are produced by the server: typed, not re-validated on the way out. */
export const ZEventRecordSchema = z.custom<TEventRecord>();

export const ZCheckpointSchema = z.object({
  organizationId: z.string(),
  size: z.number(),
  root: z.string(),
  note: z.string(),
  bodyHash: z.string(),
  prevBodyHash: z.string().nullable(),
  keyId: z.string(),
  createdAt: z.string(),
});

export const ZOrganizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  origin: z.string(),
  size: z.number(),
  actionRegistry: z.unknown().nullable(),
});

export const ZApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  organizationId: z.string().nullable(),
  prefix: z.string(),
  scopes: z.array(ZScopeSchema),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
