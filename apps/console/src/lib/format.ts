/** Display formats. Times are always UTC: an audit log is read by people in several time zones. */

/** `2026-03-01 10:00:00.123` (UTC), or the input unchanged when it is not a date. */
export function formatUtc(iso: string, options: { ms?: boolean } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString().replace('T', ' ').replace('Z', '');
  return options.ms === false ? text.slice(0, 19) : text;
}

/** `2026-03-01 10:00 UTC`: dates of administrative objects (keys, organizations, checkpoints). */
export function formatUtcMinutes(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `3 minutes ago`, `in 2 days`: for "last used" style columns, next to the absolute time. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return '';
  const seconds = Math.round((ms - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** `1,234`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A human bucket width: `1 h`, `15 min`, `1 d`. */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

/** `abcd…wxyz` for long hashes in tables (the full value goes in a title or a copy button). */
export function shorten(text: string, head = 10, tail = 6): string {
  return text.length <= head + tail + 1 ? text : `${text.slice(0, head)}…${text.slice(-tail)}`;
}

const TIME_INPUT = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2}(?:\.\d{1,3})?)?)?\s*(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Reads a time typed in a filter (`2026-03-01`, `2026-03-01 10:00`, `2026-03-01T10:00:30Z`,
 * `2026-03-01 12:00+02:00`) as RFC 3339 UTC (`2026-03-01T10:00:00Z`). Without an offset the time is UTC.
 * Returns null when the text is not such a time.
 */
export function parseUtcInput(value: string): string | null {
  const match = TIME_INPUT.exec(value.trim());
  if (match === null) return null;
  const [, date, hm, seconds, zone] = match;
  const iso = `${date ?? ''}T${hm ?? '00:00'}${seconds ?? ':00'}${zone === undefined ? 'Z' : zone.toUpperCase()}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The inverse of {@link parseUtcInput} for display: RFC 3339 → `2026-03-01 10:00:00` (UTC), `''` for null. */
export function formatUtcInput(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString().replace('T', ' ').replace('Z', '');
  return text.endsWith('.000') ? text.slice(0, 19) : text;
}
