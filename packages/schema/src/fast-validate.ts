/**
 * The fast path of `validateEvent`: a hand-written parser for the common case, an ordinary well-formed event,
 * that skips zod and the separate plainness walk.
 *
 * Contract (the one invariant, checked by differential tests in `fast-validate.test.ts`):
 *
 *   `fastParseEvent(input, limits)` returns `undefined` unless the input is plainly valid; when it returns an
 *   event, that event equals (same keys, same key order, same values) what `createEventSchemas(limits)
 *   .ZEventInputSchema` would produce for the input, and the input passes `validateEvent`'s plainness check.
 *
 * `undefined` means "not sure", never "invalid": the caller then runs the full zod path, which produces every
 * issue and handles every edge case exactly as before. So the fast path only has to be right when it says yes,
 * and it says no to anything unusual:
 * - objects whose prototype is not `Object.prototype` or `null`, arrays whose prototype is not
 *   `Array.prototype`, accessor properties (getters are never run), array holes;
 * - a field that is `in` an object without being an own enumerable property (non-enumerable or inherited);
 * - any enumerable property on `Object.prototype` (zod's strict check would see it through `for…in`);
 * - unknown keys, missing required fields, wrong types, any value breaking a rule (a U+0000 in any string
 *   included: ids, names and `context` strings by `containsNul`, metadata keys by `checkMetadataKey`, the rest
 *   by their patterns or parsers);
 * - `occurred_at` given as a `Date` (or anything but a string).
 *
 * Rules and normalizations reuse the schema's own helpers: `isCanonicalTimestamp` / `normalizeTimestamp`,
 * `normalizeIpAddress`, `checkMetadataKey`, `containsNul`, `isWellFormedString`, and the patterns and length
 * bounds exported by `event-schemas.ts`. A Proxy whose traps contradict each other (`ownKeys` vs `has` vs
 * `get`) is outside the contract, as it is for `validateEvent`'s plainness check.
 */
import {
  ACTION_PATTERN,
  checkMetadataKey,
  containsNul,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_ACTION_LENGTH,
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  MAX_TYPE_LENGTH,
  MAX_USER_AGENT_LENGTH,
  TYPE_PATTERN,
} from './event-schemas';
import type { TEventContext, TEventEntity, TEventInput, TMetadata } from './event-schemas';
import { normalizeIpAddress } from './ip-address';
import type { TEventLimits } from './limits';
import { isCanonicalTimestamp, normalizeTimestamp } from './timestamp';
import { isWellFormedString } from './unicode';

type TRecord = Record<string, unknown>;

/** A unique marker: "not a plain data value here, give up". */
const GIVE_UP: unique symbol = Symbol('give up');
/** A unique marker: the key is not among the object's own enumerable keys. */
const ABSENT: unique symbol = Symbol('absent');

/** Prototype `Object.prototype` or `null`: what `isPlainObject` and `checkPlainness` accept (arrays excluded). */
function isPlainRecord(value: unknown): value is TRecord {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The value of an own data property, or `GIVE_UP` for an accessor (never called) or a missing property. */
function dataValue(object: object, key: string | number): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (descriptor === undefined || !('value' in descriptor)) return GIVE_UP;
  // Read it as the schema does (`object[key]`): the descriptor's value for an ordinary object, and the same
  // `get` trap as zod's for a proxy.
  return (object as Record<string | number, unknown>)[key];
}

/**
 * Resolves a field not listed by `Object.keys`: `undefined` when the object really lacks it, `GIVE_UP` when
 * zod would still read it (`key in object`: a non-enumerable own or an inherited property).
 */
function absentField(value: unknown, object: object, key: string): unknown {
  if (value !== ABSENT) return value;
  return key in object ? GIVE_UP : undefined;
}

/** `true` when `Object.prototype` has an enumerable property (polluted): zod's `for…in` would see it. */
function isObjectPrototypePolluted(): boolean {
  for (const _key in Object.prototype) return true;
  return false;
}

/**
 * A string within `min..max` UTF-16 units, well-formed and without U+0000 (the schema's `checkText` without a
 * pattern). Also the rule for metadata string values (`min` 0).
 */
function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length <= max && value.length >= min && isWellFormedString(value) && !containsNul(value);
}

/** An optional text field: absent (`undefined`) or valid text. */
function isOptionalText(value: unknown, max: number): value is string | undefined {
  return value === undefined || isText(value, 0, max);
}

/**
 * Parses an event as `createEventSchemas(limits).ZEventInputSchema` would, or returns `undefined`.
 *
 * Returns `undefined` unless the input is plainly valid; when it returns an event, that event equals what
 * `ZEventInputSchema` would produce (same keys in the same order, same values, fresh objects that share nothing
 * with the input), and the input passes `validateEvent`'s plainness check (plain objects and arrays, data
 * properties only). Never throws (a throwing proxy trap also yields `undefined`), never runs a getter, never
 * changes the input. `limits` must be resolved (`resolveLimits`); every limit is honoured, including
 * `maxTargets: 0`. `maxEventBytes` is not checked here: `validateEvent` checks the canonical size afterwards.
 *
 * ```ts
 * const event = fastParseEvent(JSON.parse(body), DEFAULT_LIMITS) ?? slowPath(); // slowPath: zod
 * ```
 */
export function fastParseEvent(input: unknown, limits: TEventLimits): TEventInput | undefined {
  try {
    return parseEvent(input, limits);
  } catch {
    // A hostile proxy: the full path reports it (or accepts it) exactly as it always did.
    return undefined;
  }
}

function parseEvent(input: unknown, limits: TEventLimits): TEventInput | undefined {
  if (!isPlainRecord(input) || isObjectPrototypePolluted()) return undefined;
  const keys = Object.keys(input);
  if (keys.length > 8) return undefined;
  let action: unknown = ABSENT;
  let occurredAt: unknown = ABSENT;
  let actorInput: unknown = ABSENT;
  let targetsInput: unknown = ABSENT;
  let contextInput: unknown = ABSENT;
  let metadataInput: unknown = ABSENT;
  let versionInput: unknown = ABSENT;
  let idempotencyKey: unknown = ABSENT;
  for (const key of keys) {
    const value = dataValue(input, key);
    if (value === GIVE_UP) return undefined;
    switch (key) {
      case 'action':
        action = value;
        break;
      case 'occurred_at':
        occurredAt = value;
        break;
      case 'actor':
        actorInput = value;
        break;
      case 'targets':
        targetsInput = value;
        break;
      case 'context':
        contextInput = value;
        break;
      case 'metadata':
        metadataInput = value;
        break;
      case 'version':
        versionInput = value;
        break;
      case 'idempotency_key':
        idempotencyKey = value;
        break;
      default:
        return undefined;
    }
  }
  // Required fields that are absent fail their type checks below; optional ones are resolved here. An
  // optional field given as `undefined` is treated as absent, as the schema does (defaults, or removed).
  targetsInput = absentField(targetsInput, input, 'targets');
  metadataInput = absentField(metadataInput, input, 'metadata');
  versionInput = absentField(versionInput, input, 'version');
  idempotencyKey = absentField(idempotencyKey, input, 'idempotency_key');

  if (typeof action !== 'string' || action.length > MAX_ACTION_LENGTH || !ACTION_PATTERN.test(action)) return undefined;
  if (typeof occurredAt !== 'string') return undefined;
  let occurred_at = occurredAt;
  // Most clients send the canonical form already (`Date#toISOString`); it normalizes to itself.
  if (!isCanonicalTimestamp(occurredAt)) {
    try {
      occurred_at = normalizeTimestamp(occurredAt);
    } catch {
      return undefined;
    }
  }
  const actor = parseEntity(actorInput, limits);
  if (actor === undefined) return undefined;

  let targets: TEventEntity[];
  if (targetsInput === undefined) {
    targets = [];
  } else {
    if (!Array.isArray(targetsInput) || Object.getPrototypeOf(targetsInput) !== Array.prototype) return undefined;
    const length = targetsInput.length;
    if (length > limits.maxTargets) return undefined;
    targets = [];
    for (let index = 0; index < length; index++) {
      const target = parseEntity(dataValue(targetsInput, index), limits);
      if (target === undefined) return undefined;
      targets.push(target);
    }
  }

  const context = parseContext(contextInput);
  if (context === undefined) return undefined;

  let metadata: TMetadata;
  if (metadataInput === undefined) {
    metadata = {};
  } else {
    const parsed = parseMetadata(metadataInput, limits);
    if (parsed === undefined) return undefined;
    metadata = parsed;
  }

  let version = 1;
  if (versionInput !== undefined) {
    if (typeof versionInput !== 'number' || !Number.isSafeInteger(versionInput) || versionInput < 1) return undefined;
    version = versionInput;
  }

  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))) {
    return undefined;
  }

  const event: TEventInput = { action, occurred_at, actor, targets, context, metadata, version };
  if (idempotencyKey !== undefined) event.idempotency_key = idempotencyKey;
  return event;
}

function parseEntity(input: unknown, limits: TEventLimits): TEventEntity | undefined {
  if (!isPlainRecord(input)) return undefined;
  const keys = Object.keys(input);
  if (keys.length > 4) return undefined;
  let id: unknown = ABSENT;
  let type: unknown = ABSENT;
  let name: unknown = ABSENT;
  let metadataInput: unknown = ABSENT;
  for (const key of keys) {
    const value = dataValue(input, key);
    if (value === GIVE_UP) return undefined;
    switch (key) {
      case 'id':
        id = value;
        break;
      case 'type':
        type = value;
        break;
      case 'name':
        name = value;
        break;
      case 'metadata':
        metadataInput = value;
        break;
      default:
        return undefined;
    }
  }
  name = absentField(name, input, 'name');
  metadataInput = absentField(metadataInput, input, 'metadata');
  if (!isText(id, 1, MAX_ID_LENGTH)) return undefined;
  if (typeof type !== 'string' || type.length > MAX_TYPE_LENGTH || !TYPE_PATTERN.test(type)) return undefined;
  if (!isOptionalText(name, MAX_NAME_LENGTH)) return undefined;
  const entity: TEventEntity = { id, type };
  if (name !== undefined) entity.name = name;
  if (metadataInput !== undefined) {
    const metadata = parseMetadata(metadataInput, limits);
    if (metadata === undefined) return undefined;
    entity.metadata = metadata;
  }
  return entity;
}

function parseContext(input: unknown): TEventContext | undefined {
  if (!isPlainRecord(input)) return undefined;
  const keys = Object.keys(input);
  if (keys.length > 4) return undefined;
  let location: unknown = ABSENT;
  let userAgent: unknown = ABSENT;
  let requestId: unknown = ABSENT;
  let sessionId: unknown = ABSENT;
  for (const key of keys) {
    const value = dataValue(input, key);
    if (value === GIVE_UP) return undefined;
    switch (key) {
      case 'location':
        location = value;
        break;
      case 'user_agent':
        userAgent = value;
        break;
      case 'request_id':
        requestId = value;
        break;
      case 'session_id':
        sessionId = value;
        break;
      default:
        return undefined;
    }
  }
  userAgent = absentField(userAgent, input, 'user_agent');
  requestId = absentField(requestId, input, 'request_id');
  sessionId = absentField(sessionId, input, 'session_id');
  if (typeof location !== 'string') return undefined;
  if (
    !isOptionalText(userAgent, MAX_USER_AGENT_LENGTH) ||
    !isOptionalText(requestId, MAX_REQUEST_ID_LENGTH) ||
    !isOptionalText(sessionId, MAX_REQUEST_ID_LENGTH)
  ) {
    return undefined;
  }
  let normalized: string;
  try {
    normalized = normalizeIpAddress(location);
  } catch {
    return undefined;
  }
  const context: TEventContext = { location: normalized };
  if (userAgent !== undefined) context.user_agent = userAgent;
  if (requestId !== undefined) context.request_id = requestId;
  if (sessionId !== undefined) context.session_id = sessionId;
  return context;
}

function parseMetadata(input: unknown, limits: TEventLimits): TMetadata | undefined {
  if (!isPlainRecord(input)) return undefined;
  const keys = Object.keys(input);
  if (keys.length > limits.maxMetadataKeys) return undefined;
  const out: TMetadata = {};
  for (const key of keys) {
    // Rejects "__proto__", so the assignment below never touches a prototype.
    if (checkMetadataKey(key, limits.maxMetadataKeyLength) !== undefined) return undefined;
    const value = dataValue(input, key);
    switch (typeof value) {
      case 'string':
        if (!isText(value, 0, limits.maxMetadataStringLength)) return undefined;
        out[key] = value;
        break;
      case 'number':
        if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return undefined;
        // `-0` becomes `0`, as in the schema.
        out[key] = value === 0 ? 0 : value;
        break;
      case 'boolean':
        out[key] = value;
        break;
      default:
        if (value !== null) return undefined;
        out[key] = null;
    }
  }
  return out;
}
