/**
 * `validateEvent`: the one call the ingest path makes on untrusted input. It never throws for bad input.
 */
import { resolveActionRegistry } from './action-registry';
import type { ActionRegistry, TActionRegistryInput, TCompiledActionDefinition } from './action-registry';
import { canonicalize } from './canonical';
import { createEventSchemas, isPlainObject, ZEventInputSchema } from './event-schemas';
import type { TEventInput, TMetadataValue } from './event-schemas';
import { fastParseEvent } from './fast-validate';
import { DEFAULT_LIMITS, MAX_LIMITS } from './limits';
import type { TEventLimits } from './limits';
import { createIssue, describeType, describeValue, fromZodIssues, MAX_ISSUES } from './validation-issue';
import type { TValidationIssue } from './validation-issue';
import { markValidated } from './validated-events';

/** UTF-8 length of a well-formed string, without encoding it. */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Options of `validateEvent`. */
export interface TValidateEventOptions {
  /**
   * The organization's action registry: a compiled `ActionRegistry` (preferred) or registry JSON (compiled
   * once per object and cached; throws `RegistryError` if invalid). Default: no registry.
   */
  readonly registry?: ActionRegistry | TActionRegistryInput;
  /** Limits overriding `DEFAULT_LIMITS`. Pass the same object each time: schemas are cached per object. */
  readonly limits?: Partial<TEventLimits>;
}

/** The result of `validateEvent`. */
export type TValidateEventResult =
  | { readonly ok: true; readonly event: TEventInput }
  | { readonly ok: false; readonly issues: readonly TValidationIssue[] };

// Legitimate containers nest at most event → targets → target → metadata (depth 3); anything deeper is a
// schema error anyway, with a more precise message.
const PLAINNESS_DEPTH = 3;

interface TInputSchema {
  readonly schema: typeof ZEventInputSchema;
  readonly limits: TEventLimits;
}

const DEFAULT_SCHEMA: TInputSchema = { schema: ZEventInputSchema, limits: DEFAULT_LIMITS };
const schemaCache = new WeakMap<object, TInputSchema>();

/**
 * Validates and normalizes an event an application sent (typically `JSON.parse` of a request body, or an
 * SDK object), then applies the organization's action registry and the size limit.
 *
 * Steps: (1) every object in the input must be plain (prototype `Object.prototype` or `null`) and readable,
 * so inherited or getter-computed fields cannot slip in; (2) `ZEventInputSchema` (strict objects,
 * well-formed strings without U+0000, limits, normalization); (3) the canonical size must not exceed
 * `limits.maxEventBytes`; (4) the registry rules, if any. Steps (1) and (2) first try `fastParseEvent`, a
 * hand-written parser that returns the same event as the schema for ordinary valid input and declines
 * anything else, which then takes the full path (so every issue is still the schema's).
 *
 * Never throws for bad input: problems come back as issues (at most `MAX_ISSUES`), each
 * `{ path, code, message }` with the message prefixed by the path:
 * `targets[1].type: "invoice" is not allowed for action "user.signed_in"`. Throws only `RegistryError`
 * when `options.registry` is invalid JSON (a server configuration error) and `RangeError` for invalid limits.
 *
 * ```ts
 * const result = validateEvent(JSON.parse(body), { registry });
 * if (!result.ok) return reply(400, { issues: result.issues });
 * ```
 */
export function validateEvent(input: unknown, options: TValidateEventOptions = {}): TValidateEventResult {
  return validate(input, options, true);
}

/**
 * `validateEvent` without the fast path (`fastParseEvent`): always the plainness walk and the zod schema.
 * Internal (not exported by the package): for the differential tests and the benchmark.
 */
export function validateEventWithoutFastPath(input: unknown, options: TValidateEventOptions = {}): TValidateEventResult {
  return validate(input, options, false);
}

function validate(input: unknown, options: TValidateEventOptions, fast: boolean): TValidateEventResult {
  const registry = options.registry === undefined ? undefined : resolveActionRegistry(options.registry);
  const { schema, limits } = schemaFor(options.limits);
  try {
    // The fast path answers for ordinary valid events and returns undefined for anything else, which then
    // takes the full path below (plainness, zod), so issues and edge cases are exactly the schema's.
    let event = fast ? fastParseEvent(input, limits) : undefined;
    if (event === undefined) {
      const plainness = checkPlainness(input);
      if (plainness.length > 0) return { ok: false, issues: plainness };

      const parsed = schema.safeParse(input, { reportInput: true });
      if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues) };
      event = parsed.data;
    }

    const text = canonicalize(event);
    const size = utf8Length(text);
    if (size > limits.maxEventBytes) {
      return {
        ok: false,
        issues: [createIssue('', 'too_large', `the event is ${size} bytes as canonical JSON; at most ${limits.maxEventBytes} are allowed`)],
      };
    }

    if (registry !== undefined) {
      const issues = applyRegistry(event, registry);
      if (issues.length > 0) return { ok: false, issues: issues.slice(0, MAX_ISSUES) };
    }
    markValidated(event, text);
    return { ok: true, event };
  } catch (error) {
    // A throwing getter, a hostile proxy or similar: report it, never crash the caller.
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [createIssue('', 'invalid_input', `the input could not be read: ${detail.slice(0, 200)}`)] };
  }
}

function schemaFor(overrides: Partial<TEventLimits> | undefined): TInputSchema {
  if (overrides === undefined) return DEFAULT_SCHEMA;
  let cached = schemaCache.get(overrides);
  if (cached === undefined) {
    const schemas = createEventSchemas(overrides);
    cached = { schema: schemas.ZEventInputSchema, limits: schemas.limits };
    schemaCache.set(overrides, cached);
  }
  return cached;
}

/**
 * Step (1) of `validateEvent`: every object must be plain and every field a data property. Internal
 * (exported for the differential tests of the fast path).
 */
export function checkPlainness(input: unknown): TValidationIssue[] {
  const issues: TValidationIssue[] = [];
  const visit = (value: unknown, path: PropertyKey[], depth: number): void => {
    // A Date is fine where the schema accepts one (occurred_at); elsewhere the schema reports it precisely.
    if (typeof value !== 'object' || value === null || (value instanceof Date && depth > 0) || depth > PLAINNESS_DEPTH) {
      return;
    }
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) {
        issues.push(createIssue(path, 'invalid_type', 'must be a plain array'));
        return;
      }
      // Longer arrays are rejected by the schema before their items are read (at most 50 targets).
      const visible = Math.min(value.length, MAX_LIMITS.maxTargets + 1);
      for (let index = 0; index < visible && issues.length < MAX_ISSUES; index++) {
        visit(value[index], [...path, index], depth + 1);
      }
      return;
    }
    if (!isPlainObject(value)) {
      issues.push(createIssue(path, 'invalid_type', `must be a plain object, got ${describeType(value)}`));
      return;
    }
    const keys = Object.keys(value);
    // Larger objects are rejected by the schema (unknown keys, too many metadata keys) without reading values.
    if (keys.length > MAX_LIMITS.maxMetadataKeys) return;
    for (const key of keys) {
      if (issues.length >= MAX_ISSUES) return;
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && !('value' in descriptor)) {
        issues.push(createIssue([...path, key], 'invalid_type', 'must be a data property, not a getter'));
        continue;
      }
      visit(descriptor?.value, [...path, key], depth + 1);
    }
  };
  visit(input, [], 0);
  return issues;
}

// ---------------------------------------------------------------------------------------------------------
// Registry rules
// ---------------------------------------------------------------------------------------------------------

function applyRegistry(event: TEventInput, registry: ActionRegistry): TValidationIssue[] {
  const versions = registry.versionsOf(event.action);
  if (versions.length === 0) {
    return registry.strict
      ? [createIssue(['action'], 'unknown_action', `${describeValue(event.action)} is not a registered action`)]
      : [];
  }
  const compiled = registry.lookup(event.action, event.version);
  if (compiled === undefined) {
    return [
      createIssue(
        ['version'],
        'unknown_version',
        `version ${event.version} of action ${describeValue(event.action)} is not registered (registered: ${versions.join(', ')})`,
      ),
    ];
  }
  return [...checkTargets(event, compiled), ...checkRequiredFields(event, compiled), ...checkMetadata(event, compiled)];
}

function checkTargets(event: TEventInput, compiled: TCompiledActionDefinition): TValidationIssue[] {
  const rule = compiled.definition.targets;
  if (rule === undefined) return [];
  const issues: TValidationIssue[] = [];
  const action = describeValue(compiled.action);
  const total = event.targets.length;
  if (rule.min !== undefined && total < rule.min) {
    issues.push(createIssue(['targets'], 'too_few', `action ${action} requires at least ${plural(rule.min, 'target')}, got ${total}`));
  }
  if (rule.max !== undefined && total > rule.max) {
    issues.push(createIssue(['targets'], 'too_many', `action ${action} allows at most ${plural(rule.max, 'target')}, got ${total}`));
  }
  if (rule.types === undefined) return issues;
  const types = rule.types;
  const counts = new Map<string, number>();
  event.targets.forEach((target, index) => {
    if (!Object.hasOwn(types, target.type)) {
      issues.push(createIssue(['targets', index, 'type'], 'not_allowed', `${describeValue(target.type)} is not allowed for action ${action}`));
    }
    counts.set(target.type, (counts.get(target.type) ?? 0) + 1);
  });
  for (const [type, range] of Object.entries(types)) {
    const found = counts.get(type) ?? 0;
    if (range.min !== undefined && found < range.min) {
      issues.push(
        createIssue(['targets'], 'too_few', `action ${action} requires at least ${plural(range.min, 'target')} of type ${describeValue(type)}, got ${found}`),
      );
    }
    if (range.max !== undefined && found > range.max) {
      issues.push(
        createIssue(['targets'], 'too_many', `action ${action} allows at most ${plural(range.max, 'target')} of type ${describeValue(type)}, got ${found}`),
      );
    }
  }
  return issues;
}

function checkRequiredFields(event: TEventInput, compiled: TCompiledActionDefinition): TValidationIssue[] {
  const issues: TValidationIssue[] = [];
  const detail = `is required for action ${describeValue(compiled.action)}`;
  for (const field of compiled.definition.required_fields ?? []) {
    switch (field) {
      case 'actor.name':
        if (event.actor.name === undefined) issues.push(createIssue(['actor', 'name'], 'required', detail));
        break;
      case 'targets.name':
        event.targets.forEach((target, index) => {
          if (target.name === undefined) issues.push(createIssue(['targets', index, 'name'], 'required', detail));
        });
        break;
      case 'context.user_agent':
      case 'context.request_id':
      case 'context.session_id': {
        const key = field.slice('context.'.length) as 'user_agent' | 'request_id' | 'session_id';
        if (event.context[key] === undefined) issues.push(createIssue(['context', key], 'required', detail));
        break;
      }
      case 'idempotency_key':
        if (event.idempotency_key === undefined) issues.push(createIssue(['idempotency_key'], 'required', detail));
        break;
    }
  }
  return issues;
}

function checkMetadata(event: TEventInput, compiled: TCompiledActionDefinition): TValidationIssue[] {
  const rule = compiled.definition.metadata;
  if (rule === undefined) return [];
  const issues: TValidationIssue[] = [];
  const action = describeValue(compiled.action);
  const metadata = event.metadata;
  for (const key of rule.required ?? []) {
    if (!Object.hasOwn(metadata, key)) {
      issues.push(createIssue(['metadata', key], 'required', `is required for action ${action}`));
    }
  }
  for (const key of Object.keys(metadata)) {
    const value = metadata[key] as TMetadataValue;
    const declared = compiled.fields.get(key);
    if (declared === undefined) {
      if (rule.allow_undeclared === false) {
        issues.push(createIssue(['metadata', key], 'not_allowed', `is not declared for action ${action}`));
      }
      continue;
    }
    const problem = checkField(value, declared, action);
    if (problem !== undefined) issues.push(createIssue(['metadata', key], problem.code, problem.detail));
  }
  return issues;
}

function checkField(
  value: TMetadataValue,
  declared: TCompiledActionDefinition['fields'] extends ReadonlyMap<string, infer F> ? F : never,
  action: string,
): { code: TValidationIssue['code']; detail: string } | undefined {
  const { field } = declared;
  if (value === null) {
    return field.nullable === true ? undefined : { code: 'invalid_type', detail: `must be a ${field.type} for action ${action}, got null` };
  }
  if (typeof value !== field.type) {
    return { code: 'invalid_type', detail: `must be a ${field.type} for action ${action}, got ${describeType(value)}` };
  }
  if (field.type === 'string' && typeof value === 'string') {
    if (declared.enumValues !== undefined && !declared.enumValues.has(value)) {
      const allowed = (field.enum ?? []).slice(0, 10).map((item) => describeValue(item)).join(', ');
      const more = (field.enum?.length ?? 0) > 10 ? ', …' : '';
      return { code: 'invalid_value', detail: `${describeValue(value)} is not one of ${allowed}${more} for action ${action}` };
    }
    if (field.min_length !== undefined && value.length < field.min_length) {
      return { code: 'too_short', detail: `must be at least ${field.min_length} characters for action ${action}, got ${value.length}` };
    }
    if (field.max_length !== undefined && value.length > field.max_length) {
      return { code: 'too_long', detail: `must be at most ${field.max_length} characters for action ${action}, got ${value.length}` };
    }
    if (declared.pattern !== undefined && !declared.pattern.test(value)) {
      return { code: 'invalid_format', detail: `${describeValue(value)} does not match the pattern of action ${action}` };
    }
  }
  if (field.type === 'number' && typeof value === 'number') {
    if (field.integer === true && !Number.isInteger(value)) {
      return { code: 'not_integer', detail: `must be an integer for action ${action}, got ${value}` };
    }
    if (field.min !== undefined && value < field.min) {
      return { code: 'too_small', detail: `must be at least ${field.min} for action ${action}, got ${value}` };
    }
    if (field.max !== undefined && value > field.max) {
      return { code: 'too_big', detail: `must be at most ${field.max} for action ${action}, got ${value}` };
    }
  }
  return undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
