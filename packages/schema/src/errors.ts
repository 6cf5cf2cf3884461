/**
 * The typed errors of `@custody/schema` (house style §8.6): one generic base whose `code` is a closed
 * string-literal union, and a one-line subclass per area. Only programming and configuration mistakes
 * throw; event validation never throws (see `validateEvent`).
 */

/**
 * Base of every error thrown by this package. `code` is a closed union chosen by the subclass, so callers
 * can `switch` on it exhaustively; `message` is short, lowercase and specific.
 */
export class SchemaError<TCode extends string> extends Error {
  /** Machine-readable reason, from the subclass's closed union. */
  readonly code: TCode;

  constructor(code: TCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Why a value has no RFC 8785 canonical form. */
export type TCanonicalizationErrorCode =
  | 'non_finite_number'
  | 'lone_surrogate'
  | 'non_plain_object'
  | 'undefined'
  | 'function'
  | 'bigint'
  | 'symbol'
  | 'cycle'
  | 'too_deep';

/**
 * Thrown by `canonicalize`/`canonicalBytes` for values that are not I-JSON (RFC 7493) data.
 * `path` locates the offending value (`metadata.amount`, `targets[1]`; `''` for the root).
 */
export class CanonicalizationError extends SchemaError<TCanonicalizationErrorCode> {
  /** Where the offending value sits, formatted like validation issue paths (`a.b[2].c`). */
  readonly path: string;

  constructor(code: TCanonicalizationErrorCode, message: string, path: string) {
    super(code, path === '' ? message : `${message} at ${path}`);
    this.path = path;
  }
}

/** Why `parseStrictJson` rejected a text. */
export type TStrictJsonErrorCode =
  | 'invalid_utf8'
  | 'unexpected_token'
  | 'unexpected_end'
  | 'invalid_escape'
  | 'control_character'
  | 'lone_surrogate'
  | 'invalid_number'
  | 'number_out_of_range'
  | 'duplicate_key'
  | 'too_deep'
  | 'trailing_content';

/**
 * Thrown by `parseStrictJson`. `offset` is the UTF-16 index into the text (for byte input: into the
 * decoded text); `line` and `column` are 1-based, columns counted in UTF-16 code units.
 */
export class StrictJsonError extends SchemaError<TStrictJsonErrorCode> {
  readonly offset: number;
  readonly line: number;
  readonly column: number;

  constructor(code: TStrictJsonErrorCode, detail: string, offset: number, line: number, column: number) {
    super(code, `${detail} at line ${line}, column ${column}`);
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

/** Why a timestamp was rejected (see `parseTimestamp`). */
export type TTimestampErrorCode =
  | 'invalid_format'
  | 'missing_offset'
  | 'invalid_date'
  | 'invalid_time'
  | 'leap_second'
  | 'invalid_offset'
  | 'out_of_range';

/** Thrown by `parseTimestamp`, `normalizeTimestamp` and `formatTimestamp`. */
export class TimestampError extends SchemaError<TTimestampErrorCode> {}

/** Why an IP address or CIDR block was rejected. */
export type TIpAddressErrorCode =
  | 'invalid_ipv4'
  | 'invalid_ipv6'
  | 'leading_zero'
  | 'zone_id'
  | 'invalid_cidr'
  | 'invalid_prefix'
  | 'host_bits_set';

/** Thrown by `parseIpAddress`, `normalizeIpAddress`, `ipSortKey`, `parseCidr` and friends. */
export class IpAddressError extends SchemaError<TIpAddressErrorCode> {}

/** Why `createLoggedEvent` refused to build a leaf. */
export type TLoggedEventErrorCode =
  | 'invalid_organization_id'
  | 'invalid_seq'
  | 'invalid_id'
  | 'invalid_received_at'
  | 'invalid_salt'
  | 'invalid_event'
  | 'too_large';

/** Thrown by `createLoggedEvent`: the server-side inputs are wrong (never the sender's fault). */
export class LoggedEventError extends SchemaError<TLoggedEventErrorCode> {}

/** Why an action registry was rejected. */
export type TRegistryErrorCode = 'invalid_registry';

/**
 * Thrown when an action registry is itself invalid where a valid one is required (`validateEvent` given raw
 * registry JSON, `defineActions`). `issues` lists every problem, in the same shape as event issues.
 */
export class RegistryError extends SchemaError<TRegistryErrorCode> {
  readonly issues: readonly { readonly path: string; readonly code: string; readonly message: string }[];

  constructor(issues: readonly { readonly path: string; readonly code: string; readonly message: string }[]) {
    const first = issues[0]?.message ?? 'unknown problem';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('invalid_registry', `invalid action registry: ${first}${more}`);
    this.issues = issues;
  }
}
