/**
 * `defineActions`: declare an application's actions once in TypeScript and get both the registry JSON the
 * server enforces and an event type the compiler enforces.
 *
 * ```ts
 * const actions = defineActions({
 *   'user.signed_in': {
 *     targets: ['user'],
 *     metadata: { method: { type: 'string', enum: ['password', 'sso'] }, mfa: 'boolean?' },
 *     requiredFields: ['context.user_agent'],
 *   },
 *   'document.deleted': { targets: { types: ['document'], min: 1, max: 1 }, version: 2 },
 * });
 * type AppEvent = TActionEventInput<typeof actions>;
 * // AppEvent is a union discriminated by `action`:
 * //   { action: 'user.signed_in'; metadata: { method: 'password' | 'sso'; mfa?: boolean }; … }
 * // | { action: 'document.deleted'; version: 2; targets: { type: 'document'; … }[]; … }
 * await upload(actions.registry); // the JSON the server stores for the organization
 * ```
 *
 * One version per action (declare several versions in registry JSON directly). Declared metadata keys are
 * required unless marked optional (`'string?'` or `optional: true`); undeclared keys are rejected unless
 * `allowUndeclaredMetadata: true`.
 */
import { compileActionRegistry } from './action-registry';
import type { ActionRegistry, TActionRegistry, TRequirableField } from './action-registry';
import { RegistryError } from './errors';
import type { TEventInputDraft, TMetadata, TMetadataValue } from './event-schemas';

/** Shorthand field types; a trailing `?` marks the key optional. */
export type TMetadataFieldShorthand = 'string' | 'number' | 'boolean' | 'string?' | 'number?' | 'boolean?';

interface TFieldCommon {
  /** The key may be absent. Default is `false` (required). */
  readonly optional?: boolean;
  /** `null` is accepted. Default is `false`. */
  readonly nullable?: boolean;
  readonly description?: string;
}

/** A metadata key declaration: a shorthand or a full field (the registry field plus `optional`). */
export type TMetadataFieldSpec =
  | TMetadataFieldShorthand
  | (TFieldCommon & {
      readonly type: 'string';
      readonly enum?: readonly string[];
      readonly pattern?: string;
      readonly min_length?: number;
      readonly max_length?: number;
    })
  | (TFieldCommon & { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly integer?: boolean })
  | (TFieldCommon & { readonly type: 'boolean' });

/** The declaration of one action. */
export interface TActionSpec {
  /** The version events of this action carry. Default is 1. */
  readonly version?: number;
  readonly description?: string;
  /** Allowed target types, or types plus total count bounds. Default: anything. */
  readonly targets?: readonly string[] | { readonly types?: readonly string[]; readonly min?: number; readonly max?: number };
  /** Typed metadata keys. Default: metadata is not checked. */
  readonly metadata?: { readonly [key: string]: TMetadataFieldSpec };
  /** Accept metadata keys not declared in `metadata`. Default is `false`. */
  readonly allowUndeclaredMetadata?: boolean;
  /** Optional event fields that this action requires. */
  readonly requiredFields?: readonly TRequirableField[];
}

/** Action name → declaration. */
export type TActionsSpec = { readonly [action: string]: TActionSpec };

/** The result of `defineActions`: the registry JSON, the compiled registry, and the spec for typing. */
export interface TDefinedActions<TSpec extends TActionsSpec> {
  /** Registry JSON (defaults applied), to store for the organization. */
  readonly registry: TActionRegistry;
  /** The same registry compiled, ready for `validateEvent`. */
  readonly actionRegistry: ActionRegistry;
  /** The declarations, kept for `TActionEventInput`. */
  readonly spec: TSpec;
}

/**
 * Converts a TypeScript declaration of actions to registry JSON and validates it. Throws `RegistryError`
 * when a declaration is invalid (bad action name, `min > max`, an invalid pattern…): a programming error
 * found at startup. `options.strict` sets the registry's `strict` flag (default `false`).
 */
export function defineActions<const TSpec extends TActionsSpec>(
  spec: TSpec,
  options: { readonly strict?: boolean } = {},
): TDefinedActions<TSpec> {
  const actions: Record<string, unknown[]> = {};
  for (const [action, declaration] of Object.entries(spec)) {
    actions[action] = [toDefinition(declaration)];
  }
  const result = compileActionRegistry({ strict: options.strict ?? false, actions });
  if (!result.ok) throw new RegistryError(result.issues);
  return { registry: result.registry.json, actionRegistry: result.registry, spec };
}

function toDefinition(spec: TActionSpec): Record<string, unknown> {
  const definition: Record<string, unknown> = { version: spec.version ?? 1 };
  if (spec.description !== undefined) definition.description = spec.description;
  if (spec.targets !== undefined) {
    const targets = spec.targets;
    if (isStringArray(targets)) {
      definition.targets = { types: Object.fromEntries(targets.map((type) => [type, {}])) };
    } else {
      definition.targets = {
        ...(targets.types === undefined ? {} : { types: Object.fromEntries(targets.types.map((type) => [type, {}])) }),
        ...(targets.min === undefined ? {} : { min: targets.min }),
        ...(targets.max === undefined ? {} : { max: targets.max }),
      };
    }
  }
  if (spec.metadata !== undefined) {
    const fields: Record<string, unknown> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(spec.metadata)) {
      if (typeof field === 'string') {
        const optional = field.endsWith('?');
        fields[key] = { type: optional ? field.slice(0, -1) : field };
        if (!optional) required.push(key);
      } else {
        const { optional, ...rest } = field;
        fields[key] = rest;
        if (optional !== true) required.push(key);
      }
    }
    definition.metadata = { fields, required, allow_undeclared: spec.allowUndeclaredMetadata ?? false };
  }
  if (spec.requiredFields !== undefined) definition.required_fields = [...spec.requiredFields];
  return definition;
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type NullIf<F> = F extends { readonly nullable: true } ? null : never;

/** The TypeScript type of a declared metadata value. */
export type TMetadataFieldValue<F> = F extends 'string' | 'string?'
  ? string
  : F extends 'number' | 'number?'
    ? number
    : F extends 'boolean' | 'boolean?'
      ? boolean
      : F extends { readonly type: 'string'; readonly enum: readonly (infer E extends string)[] }
        ? E | NullIf<F>
        : F extends { readonly type: 'string' }
          ? string | NullIf<F>
          : F extends { readonly type: 'number' }
            ? number | NullIf<F>
            : F extends { readonly type: 'boolean' }
              ? boolean | NullIf<F>
              : never;

type IsOptionalField<F> = F extends `${string}?` ? true : F extends { readonly optional: true } ? true : false;

type RequiredKeys<M> = { [K in keyof M]: IsOptionalField<M[K]> extends true ? never : K }[keyof M];

type DeclaredMetadata<M> = Simplify<
  { -readonly [K in keyof M as IsOptionalField<M[K]> extends true ? never : K]: TMetadataFieldValue<M[K]> } & {
    -readonly [K in keyof M as IsOptionalField<M[K]> extends true ? K : never]?: TMetadataFieldValue<M[K]>;
  }
>;

type MetadataPart<S extends TActionSpec> = S extends { readonly metadata: infer M }
  ? (S extends { readonly allowUndeclaredMetadata: true } ? DeclaredMetadata<M> & { [key: string]: TMetadataValue } : DeclaredMetadata<M>) extends infer Shape
    ? [RequiredKeys<M>] extends [never]
      ? { metadata?: Shape }
      : { metadata: Shape }
    : never
  : { metadata?: TMetadata };

type TargetTypes<T> = T extends readonly (infer U extends string)[]
  ? U
  : T extends { readonly types: readonly (infer U extends string)[] }
    ? U
    : string;

type Requires<S extends TActionSpec, F extends TRequirableField> = S extends {
  readonly requiredFields: readonly (infer R)[];
}
  ? F extends R
    ? true
    : false
  : false;

type EntityDraft = TEventInputDraft['actor'];
type ContextDraft = TEventInputDraft['context'];

type TargetDraft<S extends TActionSpec> = Simplify<
  Omit<EntityDraft, 'type' | 'name'> & { type: TargetTypes<S['targets']> } & (Requires<S, 'targets.name'> extends true
      ? { name: string }
      : { name?: string })
>;

type TargetsPart<S extends TActionSpec> = S['targets'] extends { readonly min: infer N extends number }
  ? N extends 0
    ? { targets?: TargetDraft<S>[] }
    : number extends N
      ? { targets?: TargetDraft<S>[] }
      : { targets: TargetDraft<S>[] }
  : { targets?: TargetDraft<S>[] };

type ActorPart<S extends TActionSpec> = {
  actor: Requires<S, 'actor.name'> extends true ? Simplify<Omit<EntityDraft, 'name'> & { name: string }> : EntityDraft;
};

type ContextKey = 'user_agent' | 'request_id' | 'session_id';
type RequiredContextKeys<S extends TActionSpec> = {
  [K in ContextKey]: Requires<S, `context.${K}`> extends true ? K : never;
}[ContextKey];

type ContextPart<S extends TActionSpec> = {
  context: [RequiredContextKeys<S>] extends [never]
    ? ContextDraft
    : Simplify<Omit<ContextDraft, RequiredContextKeys<S>> & { [K in RequiredContextKeys<S>]: string }>;
};

type VersionPart<S extends TActionSpec> = S extends { readonly version: infer V extends number }
  ? V extends 1
    ? { version?: 1 }
    : { version: V }
  : { version?: 1 };

type IdempotencyPart<S extends TActionSpec> = Requires<S, 'idempotency_key'> extends true
  ? { idempotency_key: string }
  : { idempotency_key?: string };

type ActionEvent<K extends string, S extends TActionSpec> = Simplify<
  { action: K; occurred_at: TEventInputDraft['occurred_at'] } & ActorPart<S> &
    ContextPart<S> &
    TargetsPart<S> &
    MetadataPart<S> &
    VersionPart<S> &
    IdempotencyPart<S>
>;

/**
 * The event an application may send for actions declared with `defineActions`: a union discriminated by
 * `action`, with typed metadata, target types, version and required fields.
 */
export type TActionEventInput<TDefined> = TDefined extends TDefinedActions<infer TSpec>
  ? { [K in keyof TSpec & string]: ActionEvent<K, TSpec[K]> }[keyof TSpec & string]
  : never;
