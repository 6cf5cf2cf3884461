/**
 * Size limits of events. The metadata limits and the event size are configurable per deployment or
 * organization through `createEventSchemas(limits)`; every value is capped by `MAX_LIMITS`.
 *
 * Lengths are counted in UTF-16 code units (JavaScript `String#length`): a character outside the Basic
 * Multilingual Plane, such as most emoji, counts 2.
 */

/** Configurable limits of an event. */
export interface TEventLimits {
  /** Most keys in one metadata map (event, actor or target). Default 50. */
  readonly maxMetadataKeys: number;
  /** Longest metadata key. Default 40. */
  readonly maxMetadataKeyLength: number;
  /** Longest metadata string value. Default 500. */
  readonly maxMetadataStringLength: number;
  /** Most targets in one event. Default 50. */
  readonly maxTargets: number;
  /**
   * Largest event, in bytes of its canonical UTF-8 JSON as sent (after normalization). Default 64,000, which
   * leaves room for the fields the server adds within the 65,535-byte entry limit of C2SP tlog-tiles entry
   * bundles (verifiable-log.md §3.2, §8 item 9).
   */
  readonly maxEventBytes: number;
}

/** The defaults: 50 metadata keys of ≤ 40 characters, string values ≤ 500, 50 targets, 64,000 bytes. */
export const DEFAULT_LIMITS: TEventLimits = Object.freeze({
  maxMetadataKeys: 50,
  maxMetadataKeyLength: 40,
  maxMetadataStringLength: 500,
  maxTargets: 50,
  maxEventBytes: 64_000,
});

/**
 * Upper bounds for every limit. `maxEventBytes` stays 512 bytes below `MAX_LEAF_BYTES` (65,535) so the
 * server-added fields always fit. Readers of logged events (`ZLoggedEventSchema`) use these bounds, so they
 * accept every event any valid configuration could have written.
 */
export const MAX_LIMITS: TEventLimits = Object.freeze({
  maxMetadataKeys: 1_000,
  maxMetadataKeyLength: 256,
  maxMetadataStringLength: 65_023,
  maxTargets: 50,
  maxEventBytes: 65_023,
});

/**
 * Returns complete limits: `DEFAULT_LIMITS` overridden by `overrides`. Throws `RangeError` when a value is
 * not a positive integer no greater than its `MAX_LIMITS` bound (`maxTargets` may be 0).
 */
export function resolveLimits(overrides: Partial<TEventLimits> = {}): TEventLimits {
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(overrides) };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof TEventLimits)[]) {
    const value = limits[key];
    const min = key === 'maxTargets' ? 0 : 1;
    if (!Number.isInteger(value) || value < min || value > MAX_LIMITS[key]) {
      throw new RangeError(`limit ${key} must be an integer in ${min}..${MAX_LIMITS[key]}, got ${String(value)}`);
    }
  }
  return Object.freeze(limits);
}

function stripUndefined(overrides: Partial<TEventLimits>): Partial<TEventLimits> {
  const out: Partial<Record<keyof TEventLimits, number>> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && key in DEFAULT_LIMITS) out[key as keyof TEventLimits] = value;
  }
  return out;
}
