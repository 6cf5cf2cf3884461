/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of an event that the Merkle log hashes.
 *
 * Rules (RFC 8785 §3.2): no whitespace; literals as is; strings escaped exactly like ECMAScript
 * `JSON.stringify` (`\"`, `\\`, `\b \t \n \f \r`, other C0 controls as lowercase `\u00xx`, everything else
 * raw UTF-8); numbers as ECMAScript `Number.prototype.toString` (shortest round trip, `-0` → `0`); object
 * members sorted by name as arrays of UTF-16 code units, recursively; arrays in order. Input must be I-JSON
 * (RFC 7493): no NaN/±Infinity, no lone surrogates.
 */
import { CanonicalizationError } from './errors';
import { formatIssuePath } from './issue-path';
import { parseStrictJson } from './strict-json';
import { isWellFormedString } from './unicode';
import { describeType } from './validation-issue';

/** The deepest nesting of arrays and objects accepted by `canonicalize` and `parseStrictJson`. */
export const MAX_JSON_DEPTH = 64;

// Characters that need escaping or a well-formedness check. Strings without any of them are written as is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE_OR_CHECK = /["\\\u0000-\u001f\ud800-\udfff]/;
const ENCODER = new TextEncoder();

/**
 * Returns the RFC 8785 canonical JSON text of a JSON-compatible value.
 *
 * Accepts `null`, booleans, finite numbers, well-formed strings, arrays and plain objects (prototype
 * `Object.prototype` or `null`), nested at most `MAX_JSON_DEPTH` (64) levels. Object members are sorted by
 * UTF-16 code units (`Object.keys(o).sort()`), which is RFC 8785 §3.2.3 exactly.
 *
 * Throws `CanonicalizationError` (never anything else for bad input) with code:
 * `non_finite_number` (NaN, ±Infinity), `lone_surrogate` (in a string or a member name),
 * `non_plain_object` (Date, Map, class instances, typed arrays…; `toJSON` is never called),
 * `undefined` (including `undefined` members and array holes: JCS has no way to drop them silently),
 * `function`, `bigint`, `symbol`, `cycle`, `too_deep`.
 *
 * ```ts
 * canonicalize({ b: [1e21, -0], a: 'é\n' }); // '{"a":"é\\n","b":[1e+21,0]}'
 * ```
 */
export function canonicalize(value: unknown): string {
  try {
    return serialize(value, 0, []);
  } catch (error) {
    if (error instanceof PendingFailure) {
      throw new CanonicalizationError(error.code, error.detail, formatIssuePath(error.segments));
    }
    throw error;
  }
}

/**
 * Returns the UTF-8 bytes of `canonicalize(value)`: the leaf data of the Merkle log (verifiable-log.md §9).
 * Throws `CanonicalizationError` like `canonicalize`.
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return ENCODER.encode(canonicalize(value));
}

/**
 * Returns `true` when `input` is exactly the canonical form of the JSON it contains: it parses with
 * `parseStrictJson` (UTF-8, no duplicate names, no lone surrogates, depth ≤ 64) and re-canonicalizes to the
 * same text, hence the same bytes. Never throws. This is the check an investigator runs on each leaf
 * (verifiable-log.md §9, item 5.2).
 */
export function isCanonicalJson(input: string | Uint8Array): boolean {
  try {
    const text = typeof input === 'string' ? input : decodeUtf8(input);
    return canonicalize(parseStrictJson(text)) === text;
  } catch {
    return false;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  // `fatal` rejects invalid UTF-8; `ignoreBOM` keeps a BOM in the text so it fails as non-canonical.
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

// Recursion is bounded by MAX_JSON_DEPTH, so the stack stays shallow; `ancestors` holds the open containers
// for cycle detection (an event is a handful of levels deep, so a linear scan beats a Set).
function serialize(value: unknown, depth: number, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw failure('non_finite_number', `${String(value)} is not a finite number`);
      }
      // ECMAScript Number::toString is RFC 8785 §3.2.2.3 verbatim; String(-0) is already "0".
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw failure('cycle', 'cyclic reference');
      if (depth >= MAX_JSON_DEPTH) {
        throw failure('too_deep', `nesting deeper than ${MAX_JSON_DEPTH} levels`);
      }
      ancestors.push(value);
      const out = Array.isArray(value)
        ? serializeArray(value, depth, ancestors)
        : serializeObject(value, depth, ancestors);
      ancestors.pop();
      return out;
    }
    case 'undefined':
      throw failure('undefined', 'undefined has no JSON form');
    case 'function':
      throw failure('function', 'functions have no JSON form');
    case 'bigint':
      throw failure('bigint', 'bigint has no I-JSON form; send it as a string');
    case 'symbol':
      throw failure('symbol', 'symbols have no JSON form');
  }
  throw failure('non_plain_object', 'unsupported value');
}

function serializeString(text: string): string {
  if (!NEEDS_ESCAPE_OR_CHECK.test(text)) return `"${text}"`;
  if (!isWellFormedString(text)) {
    throw failure('lone_surrogate', 'string contains a lone surrogate');
  }
  // For well-formed strings JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires.
  return JSON.stringify(text);
}

function serializeArray(array: readonly unknown[], depth: number, ancestors: object[]): string {
  const length = array.length;
  if (length === 0) return '[]';
  let out = '[';
  for (let index = 0; index < length; index++) {
    if (index > 0) out += ',';
    try {
      out += serialize(array[index], depth + 1, ancestors);
    } catch (error) {
      throw withSegment(error, index);
    }
  }
  return `${out}]`;
}

function serializeObject(object: object, depth: number, ancestors: object[]): string {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw failure('non_plain_object', `${describeType(object)} is not a plain object`);
  }
  // Default sort compares UTF-16 code units: RFC 8785 §3.2.3.
  const keys = Object.keys(object).sort();
  const record = object as Record<string, unknown>;
  let out = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    if (index > 0) out += ',';
    try {
      out += serializeString(key);
      out += ':';
      out += serialize(record[key], depth + 1, ancestors);
    } catch (error) {
      throw withSegment(error, key);
    }
  }
  return `${out}}`;
}

// Paths are collected while the error unwinds, so the happy path pays nothing for them.
class PendingFailure extends Error {
  readonly segments: PropertyKey[] = [];
  constructor(
    readonly code: CanonicalizationError['code'],
    readonly detail: string,
  ) {
    super(detail);
  }
}

function failure(code: CanonicalizationError['code'], detail: string): PendingFailure {
  return new PendingFailure(code, detail);
}

function withSegment(error: unknown, segment: PropertyKey): unknown {
  if (error instanceof PendingFailure) error.segments.unshift(segment);
  return error;
}
