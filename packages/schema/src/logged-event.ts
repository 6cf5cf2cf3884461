/**
 * The logged event and its canonical bytes: the leaf data of an organization's Merkle log
 * (verifiable-log.md §9 item 1). Storage keeps these exact bytes; everything else is derived from them.
 */
import { encodeBase64 } from './base64';
import { canonicalize, isCanonicalJson } from './canonical';
import { CanonicalizationError, LoggedEventError, StrictJsonError, TimestampError } from './errors';
import {
  LOGGED_EVENT_FORMAT_VERSION,
  ORGANIZATION_ID_PATTERN,
  ZLoggedEventSchema,
} from './event-schemas';
import type { TEventEntity, TEventInput, TLoggedEvent } from './event-schemas';
import { SALT_BYTES, SALT_PATTERN } from './salt';
import { parseStrictJson } from './strict-json';
import { formatTimestamp, normalizeTimestamp } from './timestamp';
import { UUID_V7_PATTERN } from './uuid-v7';
import { validatedCanonicalText } from './validated-events';
import { createIssue, fromZodIssues } from './validation-issue';
import type { TValidationIssue } from './validation-issue';

/**
 * The largest leaf, in bytes: C2SP tlog-tiles entry bundles prefix each entry with a uint16 length
 * (verifiable-log.md §3.2, §8 item 9).
 */
export const MAX_LEAF_BYTES = 65_535;

/** The fields the server adds to a validated event. */
export interface TLoggedEventServerFields {
  /** The organization whose log receives the event (`ORGANIZATION_ID_PATTERN`). */
  readonly organizationId: string;
  /** The leaf index in the organization's log: a non-negative safe integer (bigint accepted). */
  readonly seq: number | bigint;
  /** The event id: a lowercase UUIDv7 (`generateUuidV7()`). */
  readonly id: string;
  /** When the server received the event: a `Date`, Unix milliseconds, or an RFC 3339 string. */
  readonly receivedAt: Date | number | string;
  /** 16 random bytes (`generateSalt()`), as padded standard base64 or as bytes. */
  readonly salt: string | Uint8Array;
}

/** The result of `createLoggedEvent`. */
export interface TLoggedEventLeaf {
  /** The logged event; deep-equals `JSON.parse` of `bytes`. */
  readonly event: TLoggedEvent;
  /** The UTF-8 RFC 8785 canonical JSON of `event`: the Merkle leaf data, to be stored verbatim. */
  readonly bytes: Uint8Array;
}

const ENCODER = new TextEncoder();

/**
 * Builds the logged event from a validated input (the `event` of a successful `validateEvent`) and the
 * server's fields, and returns it with its canonical bytes.
 *
 * Only the fields of the format are copied, in a fresh object, so extra properties on the input never
 * reach the log. The result is checked against `ZLoggedEventSchema`, so every leaf parses back as a
 * `TLoggedEvent`.
 *
 * Throws `LoggedEventError` (a server-side bug, never the sender's fault) with code
 * `invalid_organization_id`, `invalid_seq`, `invalid_id`, `invalid_received_at`, `invalid_salt`,
 * `invalid_event` (the input was not validated) or `too_large` (more than `MAX_LEAF_BYTES`).
 *
 * ```ts
 * const result = validateEvent(body, { registry });
 * if (result.ok) {
 *   const { event, bytes } = createLoggedEvent(result.event, {
 *     organizationId: 'org_1', seq: 41, id: generateUuidV7(), receivedAt: new Date(), salt: generateSalt(),
 *   });
 *   // store `bytes`; leaf hash = SHA-256(0x00 || bytes)
 * }
 * ```
 */
export function createLoggedEvent(input: TEventInput, server: TLoggedEventServerFields): TLoggedEventLeaf {
  const draft = {
    v: LOGGED_EVENT_FORMAT_VERSION,
    organization_id: checkOrganizationId(server.organizationId),
    seq: checkSeq(server.seq),
    id: checkId(server.id),
    received_at: checkReceivedAt(server.receivedAt),
    salt: checkSalt(server.salt),
    ...inputMembers(input),
  };
  if (validatedCanonicalText(input) !== undefined) {
    // Fast path: `input` is a (frozen) event `validateEvent` accepted, and the server fields were just
    // checked, so the draft is a valid logged event by construction.
    const text = canonicalize(draft);
    const bytes = ENCODER.encode(text);
    if (bytes.length > MAX_LEAF_BYTES) {
      throw new LoggedEventError('too_large', `the logged event is ${bytes.length} bytes; the limit is ${MAX_LEAF_BYTES}`);
    }
    return { event: draft as TLoggedEvent, bytes };
  }
  const checked = ZLoggedEventSchema.safeParse(draft, { reportInput: true });
  if (!checked.success) {
    const issues = fromZodIssues(checked.error.issues);
    throw new LoggedEventError(
      'invalid_event',
      `the event was not validated: ${issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  let text: string;
  try {
    text = canonicalize(checked.data);
  } catch (error) {
    if (error instanceof CanonicalizationError) {
      throw new LoggedEventError('invalid_event', `the event is not JSON data: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const bytes = ENCODER.encode(text);
  if (bytes.length > MAX_LEAF_BYTES) {
    throw new LoggedEventError('too_large', `the logged event is ${bytes.length} bytes; the limit is ${MAX_LEAF_BYTES}`);
  }
  // A deep copy that is exactly what the bytes say.
  return { event: JSON.parse(text) as TLoggedEvent, bytes };
}

/** The members of the logged event that come from the input (every member but the server's). */
function inputMembers(input: TEventInput) {
  return {
    action: input.action,
    occurred_at: input.occurred_at,
    actor: copyEntity(input.actor),
    targets: Array.isArray(input.targets) ? input.targets.map(copyEntity) : input.targets,
    context: copyDefined({
      location: input.context?.location,
      user_agent: input.context?.user_agent,
      request_id: input.context?.request_id,
      session_id: input.context?.session_id,
    }),
    metadata: input.metadata,
    version: input.version,
    ...(input.idempotency_key === undefined ? {} : { idempotency_key: input.idempotency_key }),
  };
}

/** The members the server adds to a logged event. */
type TServerMember = 'v' | 'organization_id' | 'seq' | 'id' | 'received_at' | 'salt';
const SERVER_MEMBERS: readonly TServerMember[] = ['v', 'organization_id', 'seq', 'id', 'received_at', 'salt'];

/**
 * A logged event whose server fields are not known yet: the canonical text of everything else, cut where
 * the server's members go (RFC 8785 sorts members by name, so they fall between the input's).
 * `fillLoggedEvent(loggedEventTemplate(input), server)` gives exactly the bytes of
 * `createLoggedEvent(input, server)`; the server canonicalizes the input while parsing requests and only
 * fills in `seq`, `id`, `received_at` and `salt` when it commits.
 */
export interface TLoggedEventTemplate {
  /** Canonical text; `members[i]` goes between `parts[i]` and `parts[i + 1]`. */
  readonly parts: readonly string[];
  readonly members: readonly TServerMember[];
}

/**
 * Prepares the logged event of an input `validateEvent` accepted. Throws `LoggedEventError` with code
 * `invalid_event` for any other object (use `createLoggedEvent`, which re-checks it).
 */
export function loggedEventTemplate(input: TEventInput): TLoggedEventTemplate {
  if (validatedCanonicalText(input) === undefined) {
    throw new LoggedEventError('invalid_event', 'the event was not validated: only events validateEvent accepted have a template');
  }
  const members = inputMembers(input) as Record<string, unknown>;
  const names = [...Object.keys(members), ...SERVER_MEMBERS].sort();
  const parts: string[] = [];
  const server: TServerMember[] = [];
  let current = '{';
  names.forEach((name, index) => {
    // Member names here are fixed ASCII identifiers: their JSON text is the name in quotes.
    const prefix = `${index === 0 ? '' : ','}"${name}":`;
    if ((SERVER_MEMBERS as readonly string[]).includes(name)) {
      parts.push(current + prefix);
      server.push(name as TServerMember);
      current = '';
    } else {
      current += prefix + canonicalize(members[name]);
    }
  });
  parts.push(`${current}}`);
  return { parts, members: server };
}

/**
 * Completes a template with the server's fields (checked as `createLoggedEvent` checks them) and returns
 * the canonical text and its UTF-8 bytes: the leaf data. Throws `LoggedEventError` like `createLoggedEvent`.
 */
export function fillLoggedEvent(template: TLoggedEventTemplate, server: TLoggedEventServerFields): { text: string; bytes: Uint8Array } {
  // Every value below is ASCII without quotes or backslashes (patterns checked), so its JSON text is plain.
  const values: Record<TServerMember, string> = {
    v: String(LOGGED_EVENT_FORMAT_VERSION),
    organization_id: `"${checkOrganizationId(server.organizationId)}"`,
    seq: String(checkSeq(server.seq)),
    id: `"${checkId(server.id)}"`,
    received_at: `"${checkReceivedAt(server.receivedAt)}"`,
    salt: `"${checkSalt(server.salt)}"`,
  };
  let text = template.parts[0] ?? '';
  template.members.forEach((member, index) => {
    text += values[member] + (template.parts[index + 1] ?? '');
  });
  const bytes = ENCODER.encode(text);
  if (bytes.length > MAX_LEAF_BYTES) {
    throw new LoggedEventError('too_large', `the logged event is ${bytes.length} bytes; the limit is ${MAX_LEAF_BYTES}`);
  }
  return { text, bytes };
}

/** The result of `parseLoggedEvent`. */
export type TParseLoggedEventResult =
  | { readonly ok: true; readonly event: TLoggedEvent }
  | { readonly ok: false; readonly issues: readonly TValidationIssue[] };

/**
 * Reads a stored leaf: strict I-JSON (`parseStrictJson`), at most `MAX_LEAF_BYTES`, byte-for-byte canonical
 * (`isCanonicalJson`), and a valid `TLoggedEvent`. This is the check a verifier runs on each exported leaf
 * before trusting its content. Never throws; issue codes are `too_large`, `invalid_json`, `not_canonical` or
 * schema codes.
 */
export function parseLoggedEvent(leaf: Uint8Array | string): TParseLoggedEventResult {
  const size = typeof leaf === 'string' ? ENCODER.encode(leaf).length : leaf.length;
  if (size > MAX_LEAF_BYTES) {
    return { ok: false, issues: [createIssue('', 'too_large', `the leaf is ${size} bytes; the limit is ${MAX_LEAF_BYTES}`)] };
  }
  let value: unknown;
  try {
    value = parseStrictJson(leaf);
  } catch (error) {
    if (error instanceof StrictJsonError) {
      return { ok: false, issues: [createIssue('', 'invalid_json', `not strict I-JSON: ${error.message}`)] };
    }
    throw error;
  }
  if (!isCanonicalJson(leaf)) {
    return { ok: false, issues: [createIssue('', 'not_canonical', 'not in RFC 8785 canonical form')] };
  }
  const parsed = ZLoggedEventSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues) };
  return { ok: true, event: parsed.data };
}

function copyEntity(entity: TEventEntity): TEventEntity {
  if (typeof entity !== 'object' || entity === null) return entity;
  return copyDefined({ id: entity.id, type: entity.type, name: entity.name, metadata: entity.metadata });
}

function copyDefined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

function checkOrganizationId(value: unknown): string {
  if (typeof value !== 'string' || !ORGANIZATION_ID_PATTERN.test(value)) {
    throw new LoggedEventError(
      'invalid_organization_id',
      `organization id must match ${String(ORGANIZATION_ID_PATTERN)}, got ${JSON.stringify(String(value)).slice(0, 80)}`,
    );
  }
  return value;
}

function checkSeq(value: unknown): number {
  const seq = typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new LoggedEventError('invalid_seq', `seq must be a non-negative safe integer, got ${String(value)}`);
  }
  return seq;
}

function checkId(value: unknown): string {
  if (typeof value !== 'string' || !UUID_V7_PATTERN.test(value)) {
    throw new LoggedEventError('invalid_id', `id must be a lowercase UUIDv7, got ${JSON.stringify(String(value)).slice(0, 80)}`);
  }
  return value;
}

function checkReceivedAt(value: unknown): string {
  try {
    if (typeof value === 'number') return formatTimestamp(value);
    if (typeof value === 'string' || value instanceof Date) return normalizeTimestamp(value);
  } catch (error) {
    if (error instanceof TimestampError) {
      throw new LoggedEventError('invalid_received_at', `receivedAt is invalid: ${error.message}`, { cause: error });
    }
    throw error;
  }
  throw new LoggedEventError('invalid_received_at', 'receivedAt must be a Date, Unix milliseconds or an RFC 3339 string');
}

function checkSalt(value: unknown): string {
  if (value instanceof Uint8Array) {
    if (value.length !== SALT_BYTES) {
      throw new LoggedEventError('invalid_salt', `salt must be ${SALT_BYTES} bytes, got ${value.length}`);
    }
    return encodeBase64(value);
  }
  if (typeof value !== 'string' || !SALT_PATTERN.test(value)) {
    throw new LoggedEventError('invalid_salt', 'salt must be 16 bytes as padded standard base64 (24 characters)');
  }
  return value;
}
