/**
 * RFC 3339 timestamps, parsed strictly and normalized to UTC with millisecond precision: the one form
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, as `Date.prototype.toISOString` writes it) used in logged events.
 *
 * Policy decisions:
 * - An explicit offset is required (`Z`, `z` or `±hh:mm`); `-00:00` ("offset unknown", RFC 3339 §4.3) is
 *   read as UTC. A local time without offset is ambiguous and rejected.
 * - `T`/`t` and `Z`/`z` are accepted (RFC 3339 §5.6 allows lowercase); a space separator is not.
 * - Years have exactly 4 digits; dates are real Gregorian dates (leap years per the 4/100/400 rule).
 * - Hours 00–23, minutes 00–59, seconds 00–59. **Leap seconds (`:60`) are rejected**: Unix/JavaScript time
 *   cannot represent them, mapping them onto `:59.999` would make two instants collide, no leap second has
 *   been inserted since 2016, and they are being abolished (CGPM 2022, Resolution 4).
 * - Any number of fractional digits is accepted and **truncated** (not rounded) to milliseconds, so a time
 *   never moves into the next second, minute or day.
 * - The UTC result must lie in 0000-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z.
 */
import { TimestampError } from './errors';

/** The earliest representable instant, 0000-01-01T00:00:00.000Z, in Unix milliseconds. */
export const MIN_TIMESTAMP_MS = -62_167_219_200_000;
/** The latest representable instant, 9999-12-31T23:59:59.999Z, in Unix milliseconds. */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;

/** Longer inputs are rejected before any parsing (no legitimate timestamp needs more). */
const MAX_TIMESTAMP_LENGTH = 64;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/**
 * Parses an RFC 3339 date-time with an explicit offset into Unix milliseconds (fraction truncated).
 * Throws `TimestampError` with code `invalid_format`, `missing_offset`, `invalid_date`, `invalid_time`,
 * `leap_second`, `invalid_offset` or `out_of_range`; the message is the reason, without a subject
 * (`day 30 is out of range for February 2026 (28 days)`), so callers can prefix the value.
 *
 * ```ts
 * parseTimestamp('2026-01-01T10:00:00.123456+02:00'); // 1767254400123 (2026-01-01T08:00:00.123Z)
 * ```
 */
export function parseTimestamp(text: string): number {
  if (text.length > MAX_TIMESTAMP_LENGTH) {
    throw new TimestampError('invalid_format', `longer than ${MAX_TIMESTAMP_LENGTH} characters`);
  }
  const match = RFC3339.exec(text);
  if (match === null) {
    if (NO_OFFSET.test(text)) {
      throw new TimestampError('missing_offset', 'no UTC offset; add "Z" or an offset such as "+02:00"');
    }
    throw new TimestampError(
      'invalid_format',
      'expected e.g. "2026-01-01T10:00:00Z" or "2026-01-01T10:00:00.123+02:00"',
    );
  }
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) throw new TimestampError('invalid_date', `month ${mo} is out of range 01-12`);
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    throw new TimestampError(
      'invalid_date',
      `day ${d} is out of range for ${MONTHS[month - 1] ?? ''} ${y} (${days} days)`,
    );
  }
  if (hour > 23) throw new TimestampError('invalid_time', `hour ${h} is out of range 00-23`);
  if (minute > 59) throw new TimestampError('invalid_time', `minute ${mi} is out of range 00-59`);
  if (second === 60) {
    throw new TimestampError(
      'leap_second',
      'leap second :60 is not supported (Unix time cannot represent it); use :59.999 instead',
    );
  }
  if (second > 59) throw new TimestampError('invalid_time', `second ${s} is out of range 00-59`);
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offsetHour = Number(oh);
    const offsetMinute = Number(om);
    if (offsetHour > 23 || offsetMinute > 59) {
      throw new TimestampError('invalid_offset', `offset ${sign ?? ''}${oh ?? ''}:${om ?? ''} is out of range`);
    }
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const local =
    daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  const utc = local - offsetMinutes * 60_000;
  if (utc < MIN_TIMESTAMP_MS || utc > MAX_TIMESTAMP_MS) {
    throw new TimestampError(
      'out_of_range',
      'outside the supported range 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z (in UTC)',
    );
  }
  return utc;
}

/**
 * Formats Unix milliseconds as the canonical UTC form `YYYY-MM-DDTHH:MM:SS.sssZ`.
 * Requires an integer in `MIN_TIMESTAMP_MS … MAX_TIMESTAMP_MS`; throws `TimestampError('out_of_range')`.
 */
export function formatTimestamp(epochMs: number): string {
  if (!Number.isInteger(epochMs) || epochMs < MIN_TIMESTAMP_MS || epochMs > MAX_TIMESTAMP_MS) {
    throw new TimestampError('out_of_range', `${String(epochMs)} is not a representable instant in ms`);
  }
  return new Date(epochMs).toISOString();
}

/**
 * Normalizes an RFC 3339 string (see `parseTimestamp`) or a valid `Date` to the canonical UTC millisecond
 * form. Throws `TimestampError`.
 *
 * ```ts
 * normalizeTimestamp('2026-01-01T10:00:00.123456+02:00'); // '2026-01-01T08:00:00.123Z'
 * normalizeTimestamp(new Date(0));                         // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function normalizeTimestamp(input: string | Date): string {
  if (typeof input === 'string') return formatTimestamp(parseTimestamp(input));
  const ms = input.getTime();
  if (Number.isNaN(ms)) throw new TimestampError('invalid_date', 'invalid Date');
  return formatTimestamp(ms);
}

/**
 * Returns `true` when `text` is already in canonical form (`normalizeTimestamp(text) === text`): the exact
 * shape `YYYY-MM-DDTHH:MM:SS.sssZ` with a real date. Used to check logged events.
 */
export function isCanonicalTimestamp(text: string): boolean {
  if (!CANONICAL.test(text)) return false;
  // The shape fixes a `Z` offset and 3 fraction digits, and 4-digit years in UTC lie within MIN/MAX_TIMESTAMP_MS,
  // so the text parses, and formats back to itself, exactly when its date and time fields are in range. Checking
  // them directly avoids a parse and a Date round trip (this runs once per ingested event).
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(twoDigits(text, 0) * 100 + twoDigits(text, 2), month) &&
    twoDigits(text, 11) <= 23 &&
    twoDigits(text, 14) <= 59 &&
    twoDigits(text, 17) <= 59
  );
}

/** The value of the two ASCII digits at `index` (the caller has checked they are digits). */
function twoDigits(text: string, index: number): number {
  return (text.charCodeAt(index) - 48) * 10 + (text.charCodeAt(index + 1) - 48);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). Avoids
// Date.UTC, which maps years 0-99 to 1900-1999.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
