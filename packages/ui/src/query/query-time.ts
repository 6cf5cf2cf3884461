/**
 * Time values of `after:` / `before:`: a UTC date (`2026-01-01`, midnight UTC) or an RFC 3339 date-time
 * with an explicit offset, seconds optional (`2026-02-01T12:00Z`, `2026-02-01T12:00:00.250+02:00`).
 * Parsing delegates to `@custody/schema`'s strict `parseTimestamp`, so the query bar accepts exactly the
 * instants the engine stores (0000-01-01 … 9999-12-31, no leap seconds, no offset-less local times).
 */
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS, parseTimestamp } from '@custody/schema';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NO_SECONDS = /^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2})([Zz]|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/** The outcome of `parseQueryTime`: the instant in ms UTC, or why the text is not one. */
export type TParseQueryTimeResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

/**
 * Parses a query time value. Never throws.
 *
 * ```ts
 * parseQueryTime('2026-01-01');          // { ok: true, ms: 1767225600000 }
 * parseQueryTime('2026-02-01T12:00Z');   // { ok: true, ms: 1769947200000 }
 * parseQueryTime('2026-02-30');          // { ok: false, message: 'day 30 is out of range for February 2026 (28 days)' }
 * ```
 */
export function parseQueryTime(text: string): TParseQueryTimeResult {
  let full = text;
  if (DATE_ONLY.test(text)) full = `${text}T00:00:00Z`;
  else {
    const match = NO_SECONDS.exec(text);
    if (match !== null) full = `${match[1] ?? ''}:00${match[2] ?? ''}`;
  }
  try {
    return { ok: true, ms: parseTimestamp(full) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/expected e\.g\./.test(reason)) {
      return { ok: false, message: 'expected a date (2026-01-31) or an RFC 3339 time (2026-01-31T12:00Z)' };
    }
    return { ok: false, message: reason };
  }
}

/**
 * Formats an instant as the shortest query time that parses back to it: `2026-01-01` at midnight UTC,
 * `2026-01-01T12:00Z` on a whole minute, `…T12:00:05Z` on a whole second, else milliseconds.
 * Requires an integer in the schema's representable range; throws `RangeError` otherwise.
 */
export function formatQueryTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
    throw new RangeError(`${String(ms)} is not a representable instant`);
  }
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ for years 0000-9999
  if (mod(ms, DAY_MS) === 0) return iso.slice(0, 10);
  if (mod(ms, 60_000) === 0) return `${iso.slice(0, 16)}Z`;
  if (mod(ms, 1000) === 0) return `${iso.slice(0, 19)}Z`;
  return iso;
}

function mod(value: number, by: number): number {
  return ((value % by) + by) % by;
}
