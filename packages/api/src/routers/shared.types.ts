/** Zod pieces shared by several procedures. */
import { z } from 'zod';

import { MAX_PAGE_SIZE, RESERVED_METADATA_KEY, SCOPES } from '@custody/core';
import type { TEventRecord } from '@custody/core';
import { SERVER_ORGANIZATION_ID_PATTERN, UUID_V7_PATTERN, containsNul, describeNul } from '@custody/schema';

export const ZOrganizationIdSchema = z.string().regex(SERVER_ORGANIZATION_ID_PATTERN, 'invalid organization id');

export const ZScopeSchema = z.enum(SCOPES);

const ZSafeNonNegative = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const ZSeqSchema = ZSafeNonNegative;
export const ZSizeSchema = ZSafeNonNegative;
/** A count in an answer: a non-negative safe integer. */
export const ZCountSchema = ZSafeNonNegative;
/** A logged event's id in an answer: a lowercase UUIDv7, as `@custody/schema` requires of every logged event. */
export const ZEventIdSchema = z.string().regex(UUID_V7_PATTERN, 'not a lowercase UUIDv7');

/**
 * An input string that is stored or looked up as text: never U+0000 (NUL). Postgres `text` cannot hold it
 * (the statement would fail, a 500), so it is refused here, a BAD_REQUEST naming the field on SQLite and
 * Postgres alike: `invalid input: name: contains U+0000 (NUL) at index 3; strings must not contain NUL characters`.
 */
export function withoutNul(schema: z.ZodString, noun = 'strings') {
  return schema.refine((value) => !containsNul(value), { error: (issue) => describeNul(issue.input as string, noun) });
}

/**
 * A filter string: never U+0000 (NUL), as `withoutNul` (no stored event can contain one either: ingest
 * refuses it): `invalid input: filter.actorId: contains U+0000 (NUL) at index 1; filter strings must not …`.
 */
function filterText(schema: z.ZodString) {
  return withoutNul(schema, 'filter strings');
}

export const ZEventFilterSchema = z.strictObject({
  /** Exact actions or prefixes such as `user.*`. */
  actions: z.array(filterText(z.string().min(1).max(102))).max(50).optional(),
  actorId: filterText(z.string().min(1).max(256)).optional(),
  actorType: filterText(z.string().min(1).max(64)).optional(),
  targetId: filterText(z.string().min(1).max(256)).optional(),
  targetType: filterText(z.string().min(1).max(64)).optional(),
  occurredAfter: filterText(z.string().max(40)).optional(),
  occurredBefore: filterText(z.string().max(40)).optional(),
  /** An IP address or CIDR block. */
  ip: filterText(z.string().max(64)).optional(),
  metadata: z
    // Checked as sent, before the record: zod's record leaves a `__proto__` key out of its output, so a filter on
    // it would reach the query as no metadata filter at all and match every event (core's `checkFilter` refuses it
    // too, for callers of core). `constructor`, `prototype` and the like are ordinary keys, as they are at ingest.
    .custom<Record<string, string>>()
    .superRefine((metadata, ctx) => {
      if (typeof metadata === 'object' && metadata !== null && Object.hasOwn(metadata, '__proto__')) {
        ctx.addIssue({ code: 'custom', message: RESERVED_METADATA_KEY, input: metadata });
      }
    })
    .pipe(
      z
        .record(z.string().min(1).max(40), filterText(z.string().max(500)))
        // A key's own issue would carry the raw key (NUL included) in its path: name it, quoted, in the message.
        .superRefine((metadata, ctx) => {
          for (const key of Object.keys(metadata)) {
            if (containsNul(key)) ctx.addIssue({ code: 'custom', message: `key ${JSON.stringify(key)} ${describeNul(key, 'filter strings')}`, input: key });
          }
        }),
    )
    .optional(),
  /** Full text: every word; `word*` a prefix; an IP address or CIDR block matches the event's IP (core `resolveFilter`). */
  q: filterText(z.string().max(500)).optional(),
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
  size: ZSizeSchema,
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
  size: ZSizeSchema,
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
