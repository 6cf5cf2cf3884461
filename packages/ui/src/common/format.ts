/**
 * Display formatting shared by the components: times in UTC or the local zone, counts, sizes, durations.
 * Pure functions; the local zone is the runtime's (`Date`), which is what an investigator's machine shows.
 */

/** How times are displayed. The query language is always UTC-or-explicit-offset. */
export type TTimeZone = 'utc' | 'local';

/** The calendar fields of an instant in a zone. `month` is 1–12. */
export interface TTimeParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

/** Splits an instant into calendar fields in `zone`. */
export function timeParts(ms: number, zone: TTimeZone): TTimeParts {
  const d = new Date(ms);
  return zone === 'utc'
    ? { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), millisecond: d.getUTCMilliseconds() }
    : { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds(), millisecond: d.getMilliseconds() };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Which trailing fields `formatTime` writes. */
export type TTimePrecision = 'day' | 'minute' | 'second' | 'millisecond';

/**
 * Formats an instant as `YYYY-MM-DD HH:MM:SS.mmm` in `zone` (no zone suffix: column headers and axis
 * captions say which zone). Default precision is milliseconds.
 *
 * ```ts
 * formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6), 'utc'); // '2026-01-02 03:04:05.006'
 * ```
 */
export function formatTime(ms: number, zone: TTimeZone, precision: TTimePrecision = 'millisecond'): string {
  if (!Number.isFinite(ms)) return '—';
  const p = timeParts(ms, zone);
  const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  if (precision === 'day') return date;
  const minute = `${date} ${pad(p.hour)}:${pad(p.minute)}`;
  if (precision === 'minute') return minute;
  const second = `${minute}:${pad(p.second)}`;
  return precision === 'second' ? second : `${second}.${pad(p.millisecond, 3)}`;
}

/** The local zone's offset at `ms` as `UTC+02:00` / `UTC−05:00` / `UTC`. */
export function localOffsetLabel(ms: number): string {
  const offset = -new Date(ms).getTimezoneOffset();
  if (offset === 0) return 'UTC';
  const sign = offset > 0 ? '+' : '−';
  const abs = Math.abs(offset);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `UTC`, or `Local (UTC+02:00)` with the offset at `atMs` (default now). */
export function timeZoneLabel(zone: TTimeZone, atMs: number = Date.now()): string {
  return zone === 'utc' ? 'UTC' : `Local (${localOffsetLabel(atMs)})`;
}

const COUNT = new Intl.NumberFormat('en-US');

/** `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** Bytes with binary units: `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** A duration in its largest whole unit: `3_600_000` → `1 h`, `90_000` → `90 s`, `250` → `250 ms`. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, 'y'],
    [30 * 86_400_000, 'mo'],
    [7 * 86_400_000, 'wk'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}`;
  }
  for (const [size, name] of units) {
    if (ms >= size) return `${(ms / size).toFixed(1)} ${name}`;
  }
  return `${ms} ms`;
}
