/**
 * The one error shape of event and registry validation, and the mapping from zod issues to it.
 */
import type { z } from 'zod';

import { formatIssuePath } from './issue-path';

/**
 * Why a value was rejected. A closed union: new codes are a breaking change.
 *
 * | code | meaning |
 * |---|---|
 * | `invalid_type` | wrong JSON type (or not a plain object) |
 * | `required` | a required field is missing (including registry-required fields and metadata keys) |
 * | `unknown_key` | a field the format does not define (objects are strict) |
 * | `too_short` / `too_long` | string length below / above its bound |
 * | `too_small` / `too_big` | number below / above its bound |
 * | `too_few` / `too_many` | too few / many items (targets, metadata keys) |
 * | `too_large` | the whole event exceeds `maxEventBytes` |
 * | `invalid_format` | syntax: action or type names, timestamps, IP addresses, patterns; a U+0000 (NUL) in a string |
 * | `invalid_unicode` | a string with a lone surrogate |
 * | `invalid_value` | a value outside an enumeration or literal |
 * | `unsafe_number` | a number that is not finite, or an integer beyond ±(2^53−1) |
 * | `not_integer` | a fractional number where an integer is required |
 * | `not_allowed` | forbidden by the organization's action registry (target type, undeclared key) |
 * | `unknown_action` | the action is not registered and the registry is strict |
 * | `unknown_version` | the action is registered, but not in this version |
 * | `invalid_json` | the bytes are not strict I-JSON (logged events) |
 * | `not_canonical` | the bytes are not in RFC 8785 canonical form (logged events) |
 * | `invalid_input` | the input could not be read (a throwing getter or proxy) |
 */
export type TIssueCode =
  | 'invalid_type'
  | 'required'
  | 'unknown_key'
  | 'too_short'
  | 'too_long'
  | 'too_small'
  | 'too_big'
  | 'too_few'
  | 'too_many'
  | 'too_large'
  | 'invalid_format'
  | 'invalid_unicode'
  | 'invalid_value'
  | 'unsafe_number'
  | 'not_integer'
  | 'not_allowed'
  | 'unknown_action'
  | 'unknown_version'
  | 'invalid_json'
  | 'not_canonical'
  | 'invalid_input';

/**
 * One validation problem.
 * - `path`: where, formatted like a property access (`targets[1].type`, `metadata["a.b"]`; `''` = the
 *   whole value);
 * - `code`: why, from the closed `TIssueCode` union;
 * - `message`: for humans, prefixed with the path:
 *   `targets[1].type: "invoice" is not allowed for action "user.signed_in"`.
 */
export interface TValidationIssue {
  readonly path: string;
  readonly code: TIssueCode;
  readonly message: string;
}

/** At most this many issues are reported for one value; the rest are dropped. */
export const MAX_ISSUES = 100;

/** Builds an issue, prefixing the message with the formatted path. */
export function createIssue(path: readonly PropertyKey[] | string, code: TIssueCode, detail: string): TValidationIssue {
  const formatted = typeof path === 'string' ? path : formatIssuePath(path);
  return { path: formatted, code, message: formatted === '' ? detail : `${formatted}: ${detail}` };
}

/** The `params` a schema attaches to a zod `custom` issue to choose its code. */
export interface TIssueParams {
  readonly code: TIssueCode;
}

/**
 * Maps zod issues to validation issues (codes, messages and `a.b[2].c` paths), one issue per unknown key,
 * at most `MAX_ISSUES` in total. `basePath` is prepended to every path.
 */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  basePath: readonly PropertyKey[] = [],
): TValidationIssue[] {
  const out: TValidationIssue[] = [];
  for (const issue of issues) {
    const path = [...basePath, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const hint = /\(expected one of: [^)]*\)$/.exec(issue.message)?.[0];
      for (const key of issue.keys) {
        out.push(createIssue([...path, key], 'unknown_key', hint === undefined ? 'is not a known field' : `is not a known field ${hint}`));
        if (out.length >= MAX_ISSUES) return out;
      }
      continue;
    }
    const { code, detail } = describeZodIssue(issue);
    out.push(createIssue(path, code, detail));
    if (out.length >= MAX_ISSUES) return out;
  }
  return out;
}

/** The zod issue fields `describeZodIssue` reads; both raw issues (error maps) and final issues fit. */
type TZodIssueLike = z.core.$ZodIssue | z.core.$ZodRawIssue;

/**
 * Chooses the code and the path-less message of a zod issue. Custom issues carry their code in
 * `params.code` and their message as is; built-in issues get messages in the house style.
 */
export function describeZodIssue(issue: TZodIssueLike): { code: TIssueCode; detail: string } {
  switch (issue.code) {
    case 'custom': {
      const params = issue.params as Partial<TIssueParams> | undefined;
      return { code: params?.code ?? 'invalid_value', detail: issue.message ?? 'is invalid' };
    }
    case 'invalid_type':
      if (issue.input === undefined) return { code: 'required', detail: 'is required' };
      return { code: 'invalid_type', detail: `must be ${describeExpected(issue.expected)}, got ${describeType(issue.input)}` };
    case 'unrecognized_keys':
      return { code: 'unknown_key', detail: `has unknown field(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}` };
    case 'too_big':
      return describeBound(issue.origin, issue.maximum, 'max');
    case 'too_small':
      return describeBound(issue.origin, issue.minimum, 'min');
    case 'invalid_value':
      return {
        code: 'invalid_value',
        detail: `must be ${issue.values.map((value) => describeValue(value)).join(' or ')}`,
      };
    case 'invalid_union':
      return { code: 'invalid_value', detail: issue.message ?? 'matches none of the allowed forms' };
    case 'invalid_format':
      return { code: 'invalid_format', detail: issue.message ?? `is not a valid ${issue.format}` };
    default:
      return { code: 'invalid_value', detail: issue.message ?? 'is invalid' };
  }
}

function describeBound(origin: string, bound: number | bigint, side: 'min' | 'max'): { code: TIssueCode; detail: string } {
  const value = String(bound);
  if (origin === 'string') {
    return side === 'max'
      ? { code: 'too_long', detail: `must be at most ${value} characters` }
      : { code: 'too_short', detail: `must be at least ${value} characters` };
  }
  if (origin === 'array' || origin === 'set') {
    const items = value === '1' ? 'item' : 'items';
    return side === 'max'
      ? { code: 'too_many', detail: `must have at most ${value} ${items}` }
      : { code: 'too_few', detail: `must have at least ${value} ${items}` };
  }
  return side === 'max'
    ? { code: 'too_big', detail: `must be at most ${value}` }
    : { code: 'too_small', detail: `must be at least ${value}` };
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'int':
      return 'an integer';
    case 'undefined':
      return 'absent';
    default:
      return `a ${expected}`;
  }
}

/**
 * Names the JSON type of a value for messages: `string`, `number`, `boolean`, `null`, `array`, `object`,
 * `undefined`, `NaN`/`Infinity`/`-Infinity`, the class name of a non-plain object (`Date`, `Map`), or
 * `an object with a custom prototype`.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value !== 'object') return typeof value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return 'object';
  try {
    const name = (value.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name === '' || name === 'Object') return 'an object with a custom prototype';
    return name;
  } catch {
    return 'an object with a custom prototype';
  }
}

const MAX_QUOTED_LENGTH = 64;

/**
 * Quotes a value for a message, JSON style, shortening long strings so a hostile input is never echoed in
 * full: `"invoice"`, `42`, `"aaaaaaaa…" (1000000 characters)`.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= MAX_QUOTED_LENGTH) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, MAX_QUOTED_LENGTH)).slice(0, -1)}…" (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return describeType(value);
}
