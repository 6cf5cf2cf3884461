/**
 * Action registries: per-organization declarations of what each action's events must look like. A registry
 * is plain JSON (`ZActionRegistrySchema`) so the server can store one per organization, and is compiled once
 * (`compileActionRegistry`) into an `ActionRegistry` that `validateEvent` applies.
 *
 * ```json
 * {
 *   "strict": true,
 *   "actions": {
 *     "user.signed_in": [
 *       {
 *         "version": 1,
 *         "targets": { "types": { "user": { "min": 1, "max": 1 } } },
 *         "metadata": {
 *           "fields": {
 *             "method": { "type": "string", "enum": ["password", "sso", "passkey"] },
 *             "attempts": { "type": "number", "integer": true, "min": 1 }
 *           },
 *           "required": ["method"],
 *           "allow_undeclared": false
 *         },
 *         "required_fields": ["context.user_agent"]
 *       }
 *     ]
 *   }
 * }
 * ```
 *
 * Semantics:
 * - `strict` (default `false`): events whose action is not registered are rejected (`unknown_action`).
 *   Without it they pass unchecked.
 * - A registered action accepts only its registered versions (`unknown_version`), whatever `strict` says:
 *   otherwise bumping `version` would bypass the declaration.
 * - `targets.types` lists the allowed target types, each with an optional count range; `targets.min` and
 *   `targets.max` bound the total. Without `types`, any type is allowed.
 * - `metadata` governs the event's top-level `metadata` only (not actor or target metadata). `fields`
 *   declares typed keys; `required` lists keys that must be present; `allow_undeclared` (default `true`)
 *   says whether other keys may appear.
 * - `required_fields` makes optional event fields mandatory for this action.
 * - `pattern` is an ECMAScript regular expression matched against the whole value (`^(?:…)$`, `u` flag),
 *   at most 200 characters, without nested quantifiers such as `(a+)+` (they can take exponential time).
 */
import { z } from 'zod';

import { RegistryError } from './errors';
import { ACTION_PATTERN, MAX_ACTION_LENGTH, MAX_TYPE_LENGTH, TYPE_PATTERN, checkMetadataKey, isPlainObject } from './event-schemas';
import { MAX_LIMITS } from './limits';
import { isWellFormedString } from './unicode';
import { createIssue, describeType, describeZodIssue, fromZodIssues } from './validation-issue';
import type { TIssueCode, TIssueParams, TValidationIssue } from './validation-issue';

/** Optional event fields that a definition can make mandatory. `targets.name` applies to every target. */
export const REQUIRABLE_FIELDS = [
  'actor.name',
  'targets.name',
  'context.user_agent',
  'context.request_id',
  'context.session_id',
  'idempotency_key',
] as const;

/** One of `REQUIRABLE_FIELDS`. */
export type TRequirableField = (typeof REQUIRABLE_FIELDS)[number];

/** Most actions in one registry. */
export const MAX_REGISTRY_ACTIONS = 10_000;
/** Most versions of one action. */
export const MAX_ACTION_VERSIONS = 100;
/** Longest `pattern`. */
export const MAX_PATTERN_LENGTH = 200;
/** Most `enum` values of one field. */
export const MAX_ENUM_VALUES = 1_000;

// ---------------------------------------------------------------------------------------------------------
// Schema helpers
// ---------------------------------------------------------------------------------------------------------

const errorMap = (issue: z.core.$ZodRawIssue): string => describeZodIssue(issue).detail;

function problem(ctx: z.RefinementCtx, code: TIssueCode, message: string, path?: PropertyKey[]): void {
  const params: TIssueParams = { code };
  ctx.addIssue({ code: 'custom', message, params, ...(path === undefined ? {} : { path }) });
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

/**
 * A record whose keys are checked by `checkKey` and whose values are parsed by `value`. Unlike `z.record`,
 * a `__proto__` key is reported, never silently dropped, and output objects are built safely.
 */
function checkedRecord<TValue extends z.ZodType>(
  checkKey: (key: string) => { code: TIssueCode; detail: string } | undefined,
  value: TValue,
  maxKeys: number,
) {
  return z.custom<Record<string, z.input<TValue>>>().transform((input, ctx): Record<string, z.output<TValue>> => {
    if (!isPlainObject(input)) {
      problem(ctx, input === undefined ? 'required' : 'invalid_type', input === undefined ? 'is required' : `must be an object, got ${describeType(input)}`);
      return z.NEVER;
    }
    const keys = Object.keys(input);
    if (keys.length > maxKeys) {
      problem(ctx, 'too_many', `has ${keys.length} entries; at most ${maxKeys} are allowed`);
      return z.NEVER;
    }
    const out: Record<string, z.output<TValue>> = {};
    let failed = false;
    for (const key of keys) {
      const keyProblem = key === '__proto__' ? { code: 'not_allowed' as const, detail: 'key "__proto__" is reserved' } : checkKey(key);
      if (keyProblem !== undefined) {
        problem(ctx, keyProblem.code, keyProblem.detail, [key]);
        failed = true;
        continue;
      }
      const parsed = value.safeParse(input[key], { reportInput: true });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const { code, detail } = issue.code === 'unrecognized_keys'
            ? { code: 'unknown_key' as const, detail: issue.message }
            : describeZodIssue(issue);
          problem(ctx, code, detail, [key, ...issue.path]);
        }
        failed = true;
        continue;
      }
      out[key] = parsed.data;
    }
    return failed ? z.NEVER : out;
  });
}

const count = z.number({ error: errorMap }).int().min(0).max(MAX_LIMITS.maxTargets);
const description = z.string({ error: errorMap }).max(1024).refine(isWellFormedString, 'must be well-formed Unicode').optional();
const nullable = z.boolean({ error: errorMap }).optional();

function checkTypeName(key: string): { code: TIssueCode; detail: string } | undefined {
  if (key.length > MAX_TYPE_LENGTH || !TYPE_PATTERN.test(key)) {
    return { code: 'invalid_format', detail: `${JSON.stringify(key)} is not a valid type ([a-z][a-z0-9_]*, at most ${MAX_TYPE_LENGTH})` };
  }
  return undefined;
}

function checkActionName(key: string): { code: TIssueCode; detail: string } | undefined {
  if (key.length > MAX_ACTION_LENGTH || !ACTION_PATTERN.test(key)) {
    return { code: 'invalid_format', detail: `${JSON.stringify(key)} is not a valid action name (e.g. "user.signed_in")` };
  }
  return undefined;
}

function checkFieldKey(key: string): { code: TIssueCode; detail: string } | undefined {
  return checkMetadataKey(key, MAX_LIMITS.maxMetadataKeyLength);
}

const ZStringFieldSchema = strictShape({
  type: z.literal('string', { error: errorMap }),
  description,
  nullable,
  min_length: z.number({ error: errorMap }).int().min(0).max(MAX_LIMITS.maxMetadataStringLength).optional(),
  max_length: z.number({ error: errorMap }).int().min(0).max(MAX_LIMITS.maxMetadataStringLength).optional(),
  enum: z
    .array(z.string({ error: errorMap }).max(MAX_LIMITS.maxMetadataStringLength).refine(isWellFormedString, 'must be well-formed Unicode'), { error: errorMap })
    .min(1)
    .max(MAX_ENUM_VALUES)
    .optional(),
  pattern: z.string({ error: errorMap }).min(1).max(MAX_PATTERN_LENGTH).optional(),
}).superRefine((field, ctx) => {
  if (field.min_length !== undefined && field.max_length !== undefined && field.min_length > field.max_length) {
    problem(ctx, 'invalid_value', 'min_length must not exceed max_length', ['min_length']);
  }
  if (field.enum !== undefined && new Set(field.enum).size !== field.enum.length) {
    problem(ctx, 'invalid_value', 'enum values must be unique', ['enum']);
  }
  if (field.pattern !== undefined) {
    const reason = checkPattern(field.pattern);
    if (reason !== undefined) problem(ctx, 'invalid_format', reason, ['pattern']);
  }
});

const finite = z.number({ error: errorMap }).refine(Number.isFinite, 'must be a finite number');

const ZNumberFieldSchema = strictShape({
  type: z.literal('number', { error: errorMap }),
  description,
  nullable,
  min: finite.optional(),
  max: finite.optional(),
  integer: z.boolean({ error: errorMap }).optional(),
}).superRefine((field, ctx) => {
  if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
    problem(ctx, 'invalid_value', 'min must not exceed max', ['min']);
  }
});

const ZBooleanFieldSchema = strictShape({
  type: z.literal('boolean', { error: errorMap }),
  description,
  nullable,
});

/** A declared metadata key: `string` (lengths, enum, pattern), `number` (range, integer) or `boolean`. */
export const ZMetadataFieldSchema = z.discriminatedUnion('type', [ZStringFieldSchema, ZNumberFieldSchema, ZBooleanFieldSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'type must be "string", "number" or "boolean"' : describeZodIssue(issue).detail,
});

const ZTargetsRuleSchema = strictShape({
  types: checkedRecord(checkTypeName, strictShape({ min: count.optional(), max: count.optional() }), 1_000).optional(),
  min: count.optional(),
  max: count.optional(),
}).superRefine((rule, ctx) => {
  if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
    problem(ctx, 'invalid_value', 'min must not exceed max', ['min']);
  }
  for (const [type, range] of Object.entries(rule.types ?? {})) {
    if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
      problem(ctx, 'invalid_value', 'min must not exceed max', ['types', type, 'min']);
    }
  }
});

const ZMetadataRuleSchema = strictShape({
  fields: checkedRecord(checkFieldKey, ZMetadataFieldSchema, MAX_LIMITS.maxMetadataKeys).optional(),
  required: z.array(z.string({ error: errorMap }), { error: errorMap }).max(MAX_LIMITS.maxMetadataKeys).optional(),
  allow_undeclared: z.boolean({ error: errorMap }).optional(),
}).superRefine((rule, ctx) => {
  const seen = new Set<string>();
  (rule.required ?? []).forEach((key, index) => {
    if (seen.has(key)) problem(ctx, 'invalid_value', `${JSON.stringify(key)} is listed twice`, ['required', index]);
    seen.add(key);
    if (rule.fields === undefined || !Object.hasOwn(rule.fields, key)) {
      problem(ctx, 'invalid_value', `${JSON.stringify(key)} is required but not declared in fields`, ['required', index]);
    }
  });
});

/** One version of an action's declaration. */
export const ZActionDefinitionSchema = strictShape({
  version: z.number({ error: errorMap }).int().min(1).max(Number.MAX_SAFE_INTEGER).default(1),
  description,
  targets: ZTargetsRuleSchema.optional(),
  metadata: ZMetadataRuleSchema.optional(),
  required_fields: z
    .array(z.enum(REQUIRABLE_FIELDS, { error: errorMap }), { error: errorMap })
    .optional(),
}).superRefine((definition, ctx) => {
  const fields = definition.required_fields ?? [];
  if (new Set(fields).size !== fields.length) problem(ctx, 'invalid_value', 'fields are listed twice', ['required_fields']);
});

/** An organization's action registry: plain JSON, stored per organization. */
export const ZActionRegistrySchema = strictShape({
  strict: z.boolean({ error: errorMap }).default(false),
  actions: checkedRecord(
    checkActionName,
    z.array(ZActionDefinitionSchema, { error: errorMap }).min(1).max(MAX_ACTION_VERSIONS).superRefine((versions, ctx) => {
      const seen = new Set<number>();
      versions.forEach((definition, index) => {
        if (seen.has(definition.version)) {
          problem(ctx, 'invalid_value', `version ${definition.version} is declared twice`, [index, 'version']);
        }
        seen.add(definition.version);
      });
    }),
    MAX_REGISTRY_ACTIONS,
  ),
});

/** A registry as stored (input form: defaults may be omitted). */
export type TActionRegistryInput = z.input<typeof ZActionRegistrySchema>;
/** A validated registry (defaults applied). */
export type TActionRegistry = z.output<typeof ZActionRegistrySchema>;
/** One version of an action's declaration (defaults applied). */
export type TActionDefinition = z.output<typeof ZActionDefinitionSchema>;
/** A declared metadata key. */
export type TMetadataField = z.output<typeof ZMetadataFieldSchema>;

// ---------------------------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------------------------

/**
 * Returns why a registry `pattern` is unacceptable, or `undefined`. Rejects syntax errors and nested
 * quantifiers (a quantified group that itself contains a quantifier, the classic catastrophic-backtracking
 * shape). This is a heuristic, not a proof of linear time; values are short (≤ the string limit) too.
 */
export function checkPattern(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern must be at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
  } catch (error) {
    return `pattern is not a valid regular expression: ${(error as Error).message}`;
  }
  if (hasNestedQuantifier(pattern)) {
    return 'pattern has a nested quantifier such as (a+)+, which can take exponential time; simplify it';
  }
  return undefined;
}

function hasNestedQuantifier(pattern: string): boolean {
  // For each open group, whether it contains a quantifier so far.
  const stack: boolean[] = [];
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const c = pattern[index];
    if (c === '\\') {
      index++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      stack.push(false);
    } else if (c === ')') {
      const quantifiedInside = stack.pop() ?? false;
      const next = pattern[index + 1];
      const quantified = next === '*' || next === '+' || next === '?' || next === '{';
      if (quantified && quantifiedInside && next !== '?') return true;
      if (stack.length > 0 && (quantifiedInside || quantified)) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && stack.length > 0) {
      stack[stack.length - 1] = true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// Compiled registry
// ---------------------------------------------------------------------------------------------------------

/** A metadata field with its pattern compiled and its enum as a set. */
export interface TCompiledMetadataField {
  readonly field: TMetadataField;
  readonly pattern?: RegExp;
  readonly enumValues?: ReadonlySet<string>;
}

/** One compiled version of an action. */
export interface TCompiledActionDefinition {
  readonly action: string;
  readonly definition: TActionDefinition;
  readonly fields: ReadonlyMap<string, TCompiledMetadataField>;
}

/**
 * A validated, compiled registry, ready for `validateEvent`. Build it with `compileActionRegistry` when the
 * organization's registry is loaded, and reuse it.
 */
export class ActionRegistry {
  /** The validated registry JSON (defaults applied). */
  readonly json: TActionRegistry;
  readonly #actions: ReadonlyMap<string, ReadonlyMap<number, TCompiledActionDefinition>>;

  /** Use `compileActionRegistry`; the constructor trusts that `json` is valid. */
  constructor(json: TActionRegistry) {
    this.json = json;
    const actions = new Map<string, Map<number, TCompiledActionDefinition>>();
    for (const [action, versions] of Object.entries(json.actions)) {
      const byVersion = new Map<number, TCompiledActionDefinition>();
      for (const definition of versions) {
        const fields = new Map<string, TCompiledMetadataField>();
        for (const [key, field] of Object.entries(definition.metadata?.fields ?? {})) {
          fields.set(key, {
            field,
            ...(field.type === 'string' && field.pattern !== undefined ? { pattern: new RegExp(`^(?:${field.pattern})$`, 'u') } : {}),
            ...(field.type === 'string' && field.enum !== undefined ? { enumValues: new Set(field.enum) } : {}),
          });
        }
        byVersion.set(definition.version, { action, definition, fields });
      }
      actions.set(action, byVersion);
    }
    this.#actions = actions;
  }

  /** Whether unregistered actions are rejected. */
  get strict(): boolean {
    return this.json.strict;
  }

  /** The registered versions of an action, ascending (empty when the action is not registered). */
  versionsOf(action: string): number[] {
    return [...(this.#actions.get(action)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** The compiled definition of an action version, or `undefined`. */
  lookup(action: string, version: number): TCompiledActionDefinition | undefined {
    return this.#actions.get(action)?.get(version);
  }
}

/** The result of `compileActionRegistry`. */
export type TCompileActionRegistryResult =
  | { readonly ok: true; readonly registry: ActionRegistry }
  | { readonly ok: false; readonly issues: readonly TValidationIssue[] };

/**
 * Validates registry JSON (`ZActionRegistrySchema`) and compiles it. Never throws; on failure returns every
 * issue, with paths such as `actions["user.signed_in"][0].metadata.fields.method.pattern`.
 */
export function compileActionRegistry(json: unknown): TCompileActionRegistryResult {
  try {
    const parsed = ZActionRegistrySchema.safeParse(json, { reportInput: true });
    if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues) };
    return { ok: true, registry: new ActionRegistry(parsed.data) };
  } catch (error) {
    return { ok: false, issues: [createIssue('', 'invalid_input', `the registry could not be read: ${String(error)}`)] };
  }
}

const compiledCache = new WeakMap<object, ActionRegistry>();

/**
 * Returns a compiled registry for `registry` (an `ActionRegistry` as is; registry JSON compiled once per
 * object and cached). Throws `RegistryError` when the JSON is invalid.
 */
export function resolveActionRegistry(registry: ActionRegistry | TActionRegistryInput): ActionRegistry {
  if (registry instanceof ActionRegistry) return registry;
  const cached = compiledCache.get(registry);
  if (cached !== undefined) return cached;
  const result = compileActionRegistry(registry);
  if (!result.ok) throw new RegistryError(result.issues);
  compiledCache.set(registry, result.registry);
  return result.registry;
}
