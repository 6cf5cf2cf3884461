/**
 * The event format: what an application sends (`ZEventInputSchema`) and what the log stores
 * (`ZLoggedEventSchema`). Both are zod schemas, built for a set of limits by `createEventSchemas`.
 *
 * Rules that hold everywhere:
 * - objects are strict: a field the format does not define is an `unknown_key` issue, never dropped;
 * - every string must be well-formed Unicode (no lone surrogates; RFC 8785 §3.2.2.2);
 * - no string an application sends may contain U+0000 (NUL): ids, names, `context` strings, metadata keys and
 *   string values (the action, types, `occurred_at`, `context.location` and `idempotency_key` cannot hold it
 *   either). Postgres `text` cannot store 0x00, so such an event could be kept on SQLite but never on Postgres;
 *   refusing it everywhere gives the same answer on both. The issue is `invalid_format`, e.g.
 *   `actor.id: contains U+0000 (NUL) at index 3; strings must not contain NUL characters`.
 *   `ZLoggedEventSchema` still accepts NUL in free text (see `createEventSchemas`);
 * - metadata is a flat map of string → string | number | boolean | null; numbers are finite and integers
 *   are safe (|n| ≤ 2^53 − 1), because larger integers lose digits in IEEE-754 doubles;
 * - a metadata key `__proto__` is rejected (zod's records silently drop it, and plain-object code downstream
 *   would turn it into a prototype); `constructor`, `prototype` and the like are ordinary keys.
 *
 * Normalization (input → logged form): `occurred_at` → UTC with milliseconds (`normalizeTimestamp`);
 * `context.location` → canonical IP text (`normalizeIpAddress`); `version` defaults to 1; `targets` to `[]`;
 * `metadata` to `{}`; optional fields given as `undefined` are removed; `-0` becomes `0`.
 */
import { z } from 'zod';

import { IpAddressError, TimestampError } from './errors';
import { normalizeIpAddress } from './ip-address';
import { resolveLimits, MAX_LIMITS } from './limits';
import type { TEventLimits } from './limits';
import { SALT_PATTERN } from './salt';
import { isCanonicalTimestamp, normalizeTimestamp } from './timestamp';
import { describeLoneSurrogate, isWellFormedString } from './unicode';
import { UUID_V7_PATTERN } from './uuid-v7';
import { describeType, describeValue, describeZodIssue } from './validation-issue';
import type { TIssueCode, TIssueParams } from './validation-issue';

/** Action names: lowercase dot-separated segments `[a-z][a-z0-9_]*`, at least two (`user.signed_in`). */
export const ACTION_PATTERN = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
/** Longest action name. */
export const MAX_ACTION_LENGTH = 100;
/** Actor and target types: one lowercase identifier (`user`, `api_key`). */
export const TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;
/** Longest actor or target type. */
export const MAX_TYPE_LENGTH = 64;
/** Longest actor or target id (at least 1 character). */
export const MAX_ID_LENGTH = 256;
/** Longest actor or target name. */
export const MAX_NAME_LENGTH = 256;
/** Longest `context.user_agent`. */
export const MAX_USER_AGENT_LENGTH = 1024;
/** Longest `context.request_id` and `context.session_id`. */
export const MAX_REQUEST_ID_LENGTH = 256;
/** Idempotency keys: 1–255 visible ASCII characters (0x21–0x7E; no spaces). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Organization ids: 1–128 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit (safe in an origin URL). */
export const ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/**
 * The organization ids a Custody server gives and takes: 1–64 of `A-Z a-z 0-9 _ -`, starting with a letter or digit.
 * A subset of {@link ORGANIZATION_ID_PATTERN}, which the logged-event format allows (so that a verifier takes logs of
 * other producers): the server's API, its CLI and the SDK check ids against this one.
 */
export const SERVER_ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** The format version of logged events (`v`). */
export const LOGGED_EVENT_FORMAT_VERSION = 1;

/** A metadata value. Integers must be safe; larger numbers and exact decimals are sent as strings. */
export type TMetadataValue = string | number | boolean | null;
/** A flat metadata map. */
export type TMetadata = { [key: string]: TMetadataValue };

// ---------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------

type TProblem = { code: TIssueCode; detail: string };

/**
 * Whether a string may contain U+0000 (NUL): `'refuse'` for everything an application sends, `'accept'` for
 * the free text of logged events (see `createEventSchemas`).
 */
type TNulPolicy = 'refuse' | 'accept';

interface TTextRule {
  readonly min?: number;
  readonly max: number;
  readonly nul: TNulPolicy;
  readonly pattern?: RegExp;
  readonly describePattern?: (value: string) => string;
}

/**
 * `true` when `text` contains U+0000 (NUL), which no string of an event an application sends may hold.
 * Exported for the fast path (`fast-validate.ts`), so both paths apply one rule.
 */
export function containsNul(text: string): boolean {
  return text.includes('\u0000');
}

/**
 * The message for a string holding U+0000 (NUL), naming the first one's UTF-16 index: `contains U+0000 (NUL) at
 * index 3; strings must not contain NUL characters` (`noun` in place of "strings"). Exported for the API's other
 * text inputs (names, ids, filters), which refuse NUL with the same words. Precondition: `containsNul(text)`.
 */
export function describeNul(text: string, noun = 'strings'): string {
  return `contains U+0000 (NUL) at index ${text.indexOf('\u0000')}; ${noun} must not contain NUL characters`;
}

/** The problem of a string containing U+0000; `undefined` if none. */
function checkNul(value: string): TProblem | undefined {
  return containsNul(value) ? { code: 'invalid_format', detail: describeNul(value) } : undefined;
}

function addProblem(ctx: z.RefinementCtx, problem: TProblem, input: unknown, path?: PropertyKey[]): void {
  const params: TIssueParams = { code: problem.code };
  ctx.addIssue({ code: 'custom', message: problem.detail, params, input, ...(path === undefined ? {} : { path }) });
}

// Checks are ordered cheapest first and stop at the first problem, so a huge string costs O(1) to reject.
function checkText(value: string, rule: TTextRule): TProblem | undefined {
  if (value.length > rule.max) {
    return { code: 'too_long', detail: `must be at most ${rule.max} characters, got ${value.length}` };
  }
  const min = rule.min ?? 0;
  if (value.length < min) {
    return min === 1
      ? { code: 'too_short', detail: 'must not be empty' }
      : { code: 'too_short', detail: `must be at least ${min} characters, got ${value.length}` };
  }
  if (!isWellFormedString(value)) return { code: 'invalid_unicode', detail: describeLoneSurrogate(value) };
  // Before the pattern, so a NUL in an action, a type or an idempotency key gets this precise message.
  if (rule.nul === 'refuse') {
    const nul = checkNul(value);
    if (nul !== undefined) return nul;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    return {
      code: 'invalid_format',
      detail: rule.describePattern?.(value) ?? `${describeValue(value)} has an invalid format`,
    };
  }
  return undefined;
}

const errorMap = (issue: z.core.$ZodRawIssue): string => describeZodIssue(issue).detail;

function textSchema(rule: TTextRule) {
  return z.string({ error: errorMap }).superRefine((value, ctx) => {
    const problem = checkText(value, rule);
    if (problem !== undefined) addProblem(ctx, problem, value);
  });
}

function strictShape<TShape extends z.ZodRawShape>(shape: TShape) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (expected one of: ${allowed})`
        : describeZodIssue(issue).detail,
  });
}

/** Removes own properties whose value is `undefined` (optional fields given explicitly as undefined). */
function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value)) {
    if ((value as Record<string, unknown>)[key] === undefined) delete (value as Record<string, unknown>)[key];
  }
  return value;
}

/** `true` for objects whose prototype is `Object.prototype` or `null` (what JSON.parse produces). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function checkMetadataValue(value: unknown, maxStringLength: number, nul: TNulPolicy): TProblem | undefined {
  switch (typeof value) {
    case 'string':
      return checkText(value, { max: maxStringLength, nul });
    case 'number':
      if (!Number.isFinite(value)) {
        return { code: 'unsafe_number', detail: `${String(value)} is not a finite number` };
      }
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return {
          code: 'unsafe_number',
          detail:
            `a number read as ${String(value)} is beyond the safe integer range ±9007199254740991 (2^53 - 1), where digits are lost; ` +
            'send large integers as strings',
        };
      }
      return undefined;
    case 'boolean':
      return undefined;
    default:
      if (value === null) return undefined;
      return {
        code: 'invalid_type',
        detail: `must be a string, number, boolean or null, got ${describeType(value)} (metadata is flat)`,
      };
  }
}

function createMetadataSchema(limits: TEventLimits, nul: TNulPolicy) {
  return z.custom<TMetadata>().transform((input, ctx): TMetadata => {
    if (!isPlainObject(input)) {
      addProblem(
        ctx,
        input === undefined
          ? { code: 'required', detail: 'is required' }
          : { code: 'invalid_type', detail: `must be an object of string, number, boolean or null values, got ${describeType(input)}` },
        input,
      );
      return z.NEVER;
    }
    const keys = Object.keys(input);
    if (keys.length > limits.maxMetadataKeys) {
      addProblem(ctx, { code: 'too_many', detail: `has ${keys.length} keys; at most ${limits.maxMetadataKeys} are allowed` }, input);
      return z.NEVER;
    }
    const out: TMetadata = {};
    let failed = false;
    for (const key of keys) {
      const keyProblem = checkMetadataKey(key, limits.maxMetadataKeyLength);
      if (keyProblem !== undefined) {
        addProblem(ctx, keyProblem, key, [key]);
        failed = true;
        continue;
      }
      const value = input[key];
      const valueProblem = checkMetadataValue(value, limits.maxMetadataStringLength, nul);
      if (valueProblem !== undefined) {
        addProblem(ctx, valueProblem, value, [key]);
        failed = true;
        continue;
      }
      // `-0` and `0` canonicalize alike; normalizing keeps the event equal to what the log stores.
      out[key] = Object.is(value, -0) ? 0 : (value as TMetadataValue);
    }
    return failed ? z.NEVER : out;
  });
}

/**
 * Checks a metadata key: 1..maxLength characters, well-formed, no control characters, not `__proto__`.
 * Exported for the action registry, which declares metadata keys.
 */
export function checkMetadataKey(key: string, maxLength: number): TProblem | undefined {
  if (key.length === 0) return { code: 'too_short', detail: 'metadata keys must not be empty' };
  if (key.length > maxLength) {
    return { code: 'too_long', detail: `key must be at most ${maxLength} characters, got ${key.length}` };
  }
  if (!isWellFormedString(key)) return { code: 'invalid_unicode', detail: `key ${describeLoneSurrogate(key)}` };
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    return { code: 'invalid_format', detail: 'key must not contain control characters' };
  }
  if (key === '__proto__') {
    return { code: 'not_allowed', detail: 'key "__proto__" is reserved (it would change object prototypes downstream)' };
  }
  return undefined;
}

function createTimestampSchema() {
  return z.custom<string | Date>().transform((input, ctx): string => {
    if (typeof input !== 'string' && !(input instanceof Date)) {
      addProblem(
        ctx,
        input === undefined
          ? { code: 'required', detail: 'is required' }
          : { code: 'invalid_type', detail: `must be an RFC 3339 timestamp string, got ${describeType(input)}` },
        input,
      );
      return z.NEVER;
    }
    const nul = typeof input === 'string' ? checkNul(input) : undefined;
    if (nul !== undefined) {
      addProblem(ctx, nul, input);
      return z.NEVER;
    }
    try {
      return normalizeTimestamp(input);
    } catch (error) {
      if (!(error instanceof TimestampError)) throw error;
      const subject = typeof input === 'string' ? describeValue(input) : 'the Date';
      const code: TIssueCode = error.code === 'out_of_range' ? 'too_big' : 'invalid_format';
      addProblem(ctx, { code, detail: `${subject} is not a valid RFC 3339 timestamp: ${error.message}` }, input);
      return z.NEVER;
    }
  });
}

function createCanonicalTimestampSchema() {
  return z.string({ error: errorMap }).superRefine((value, ctx) => {
    if (!isCanonicalTimestamp(value)) {
      addProblem(
        ctx,
        { code: 'invalid_format', detail: `${describeValue(value)} is not a canonical UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)` },
        value,
      );
    }
  });
}

function createIpSchema(canonicalOnly: boolean) {
  return z.string({ error: errorMap }).transform((value, ctx): string => {
    // The input form names a NUL precisely; a canonical address (logged events) cannot contain one anyway.
    const nul = canonicalOnly ? undefined : checkNul(value);
    if (nul !== undefined) {
      addProblem(ctx, nul, value);
      return z.NEVER;
    }
    try {
      const normalized = normalizeIpAddress(value);
      if (canonicalOnly && normalized !== value) {
        addProblem(
          ctx,
          { code: 'invalid_format', detail: `${describeValue(value)} is not in canonical form (expected "${normalized}")` },
          value,
        );
        return z.NEVER;
      }
      return normalized;
    } catch (error) {
      if (!(error instanceof IpAddressError)) throw error;
      addProblem(ctx, { code: 'invalid_format', detail: `${describeValue(value)} is not a valid IP address: ${error.message}` }, value);
      return z.NEVER;
    }
  });
}

function createIntegerSchema(options: { min: number }) {
  return z.number({ error: errorMap }).superRefine((value, ctx) => {
    if (!Number.isInteger(value)) {
      addProblem(ctx, { code: 'not_integer', detail: `must be an integer, got ${String(value)}` }, value);
    } else if (value < options.min) {
      addProblem(ctx, { code: 'too_small', detail: `must be at least ${options.min}, got ${value}` }, value);
    } else if (!Number.isSafeInteger(value)) {
      addProblem(ctx, { code: 'unsafe_number', detail: `a number read as ${value} is beyond the safe integer range (2^53 - 1)` }, value);
    }
  });
}

function guardedArray<TItem extends z.ZodType>(item: TItem, max: number, noun: string) {
  return z
    .custom<z.input<TItem>[]>()
    .superRefine((value, ctx) => {
      if (!Array.isArray(value)) {
        addProblem(
          ctx,
          value === undefined
            ? { code: 'required', detail: 'is required' }
            : { code: 'invalid_type', detail: `must be an array, got ${describeType(value)}` },
          value,
        );
      } else if (value.length > max) {
        addProblem(ctx, { code: 'too_many', detail: `has ${value.length} ${noun}; at most ${max} are allowed` }, value);
      }
    })
    .pipe(z.array(item));
}

// ---------------------------------------------------------------------------------------------------------
// The schemas
// ---------------------------------------------------------------------------------------------------------

function createEntitySchema(metadata: ReturnType<typeof createMetadataSchema>, nul: TNulPolicy) {
  return strictShape({
    id: textSchema({ min: 1, max: MAX_ID_LENGTH, nul }),
    type: textSchema({
      min: 1,
      max: MAX_TYPE_LENGTH,
      // The pattern never allowed NUL; refusing it first only makes the message precise.
      nul: 'refuse',
      pattern: TYPE_PATTERN,
      describePattern: (value) =>
        `${describeValue(value)} is not a valid type; use a lowercase identifier such as "user" or "api_key" ([a-z][a-z0-9_]*)`,
    }),
    name: textSchema({ max: MAX_NAME_LENGTH, nul }).optional(),
    metadata: metadata.optional(),
  }).transform(stripUndefined);
}

function createContextSchema(canonicalOnly: boolean, nul: TNulPolicy) {
  return strictShape({
    location: createIpSchema(canonicalOnly),
    user_agent: textSchema({ max: MAX_USER_AGENT_LENGTH, nul }).optional(),
    request_id: textSchema({ max: MAX_REQUEST_ID_LENGTH, nul }).optional(),
    session_id: textSchema({ max: MAX_REQUEST_ID_LENGTH, nul }).optional(),
  }).transform(stripUndefined);
}

// The action and idempotency key patterns never allowed NUL, in input or logged events; refusing it before the
// pattern only makes the message precise.
const actionSchema = textSchema({
  min: 1,
  max: MAX_ACTION_LENGTH,
  nul: 'refuse',
  pattern: ACTION_PATTERN,
  describePattern: (value) =>
    `${describeValue(value)} is not a valid action name; use lowercase dot-separated segments ` +
    'such as "user.signed_in" (each [a-z][a-z0-9_]*, at least two)',
});

const idempotencyKeySchema = textSchema({
  min: 1,
  max: 255,
  nul: 'refuse',
  pattern: IDEMPOTENCY_KEY_PATTERN,
  describePattern: () => 'must contain only visible ASCII characters (0x21-0x7E, no spaces)',
});

/**
 * Builds every event schema for a set of limits (`DEFAULT_LIMITS` overridden by `overrides`; see
 * `resolveLimits`, which throws `RangeError` for out-of-range limits). Build once and reuse: building costs
 * far more than parsing.
 *
 * The input schemas refuse U+0000 (NUL) in every string; `ZLoggedEventSchema` accepts it in free text (ids,
 * names, `context` strings other than `location`, metadata string values). Logged events are read back from
 * storage and evidence bundles: a SQLite log written before the input rule may already hold such events,
 * their bytes are signed into the Merkle tree and cannot change, and bundles made from them must still open
 * and verify. Refusing NUL on input is enough to keep new ones out.
 *
 * ```ts
 * const { ZEventInputSchema } = createEventSchemas({ maxMetadataKeys: 100 });
 * ```
 */
export function createEventSchemas(overrides: Partial<TEventLimits> = {}) {
  const limits = resolveLimits(overrides);
  const metadata = createMetadataSchema(limits, 'refuse');
  const entity = createEntitySchema(metadata, 'refuse');
  const context = createContextSchema(false, 'refuse');
  // Logged events keep accepting NUL in free text (see above).
  const loggedMetadata = createMetadataSchema(limits, 'accept');
  const loggedEntity = createEntitySchema(loggedMetadata, 'accept');

  const eventInput = strictShape({
    action: actionSchema,
    occurred_at: createTimestampSchema(),
    actor: entity,
    targets: guardedArray(entity, limits.maxTargets, 'targets').default(() => []),
    context,
    metadata: metadata.default(() => ({})),
    version: createIntegerSchema({ min: 1 }).default(1),
    idempotency_key: idempotencyKeySchema.optional(),
  }).transform(stripUndefined);

  const loggedEvent = strictShape({
    v: z.literal(LOGGED_EVENT_FORMAT_VERSION, { error: errorMap }),
    organization_id: textSchema({
      min: 1,
      max: 128,
      nul: 'refuse',
      pattern: ORGANIZATION_ID_PATTERN,
      describePattern: (value) => `${describeValue(value)} is not a valid organization id ([A-Za-z0-9][A-Za-z0-9_.-]*)`,
    }),
    seq: createIntegerSchema({ min: 0 }),
    id: textSchema({
      max: 36,
      nul: 'refuse',
      pattern: UUID_V7_PATTERN,
      describePattern: (value) => `${describeValue(value)} is not a lowercase UUIDv7`,
    }),
    received_at: createCanonicalTimestampSchema(),
    salt: textSchema({
      max: 24,
      nul: 'refuse',
      pattern: SALT_PATTERN,
      describePattern: (value) => `${describeValue(value)} is not 16 bytes of padded standard base64`,
    }),
    action: actionSchema,
    occurred_at: createCanonicalTimestampSchema(),
    actor: loggedEntity,
    targets: guardedArray(loggedEntity, limits.maxTargets, 'targets'),
    context: createContextSchema(true, 'accept'),
    metadata: loggedMetadata,
    version: createIntegerSchema({ min: 1 }),
    idempotency_key: idempotencyKeySchema.optional(),
  }).transform(stripUndefined);

  return {
    /** The limits these schemas enforce. */
    limits,
    /** What an application sends (normalizing). */
    ZEventInputSchema: eventInput,
    /** A stored event (checks the canonical forms instead of normalizing). */
    ZLoggedEventSchema: loggedEvent,
    /** `actor` and each of `targets`. */
    ZEventEntitySchema: entity,
    /** `context`. */
    ZEventContextSchema: context,
    /** A metadata map. */
    ZMetadataSchema: metadata,
  };
}

/** The schemas of `createEventSchemas`. */
export type TEventSchemas = ReturnType<typeof createEventSchemas>;

const defaultSchemas = createEventSchemas();

/**
 * The event an application sends, with `DEFAULT_LIMITS`. Parsing normalizes it (see the module notes);
 * prefer `validateEvent`, which never throws, applies an action registry, checks the event size and
 * formats issues.
 *
 * ```ts
 * ZEventInputSchema.parse({
 *   action: 'user.signed_in',
 *   occurred_at: '2026-01-01T10:00:00.123456+02:00',
 *   actor: { id: 'u_1', type: 'user' },
 *   context: { location: '2001:DB8::1' },
 * });
 * // → { …, occurred_at: '2026-01-01T08:00:00.123Z', context: { location: '2001:db8::1' },
 * //     targets: [], metadata: {}, version: 1 }
 * ```
 */
export const ZEventInputSchema = defaultSchemas.ZEventInputSchema;

/**
 * A logged event: the normalized input plus `v`, `organization_id`, `seq`, `id`, `received_at` and `salt`
 * (verifiable-log.md §9 item 1). Checks canonical forms rather than normalizing, and uses `MAX_LIMITS` so it
 * accepts every event a server with any valid limits could have written.
 */
export const ZLoggedEventSchema = createEventSchemas(MAX_LIMITS).ZLoggedEventSchema;

/** An actor or target: `{ id, type, name?, metadata? }`. */
export const ZEventEntitySchema = defaultSchemas.ZEventEntitySchema;
/** The request context: `{ location, user_agent?, request_id?, session_id? }`. */
export const ZEventContextSchema = defaultSchemas.ZEventContextSchema;
/** A metadata map with `DEFAULT_LIMITS`. */
export const ZMetadataSchema = defaultSchemas.ZMetadataSchema;

/** A validated, normalized event (the output of `ZEventInputSchema`). */
export type TEventInput = z.output<typeof ZEventInputSchema>;
/** What an application may pass before normalization (`occurred_at` may be a `Date`; defaults optional). */
export type TEventInputDraft = z.input<typeof ZEventInputSchema>;
/** A logged event. */
export type TLoggedEvent = z.output<typeof ZLoggedEventSchema>;
/** A normalized actor or target. */
export type TEventEntity = z.output<typeof ZEventEntitySchema>;
/** A normalized context. */
export type TEventContext = z.output<typeof ZEventContextSchema>;
