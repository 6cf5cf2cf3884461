/** Helpers of the Exports page's downloads. */
import { formatCount } from './format';

/** The file name of `attachment; filename="…"` (or `filename*=UTF-8''…`), else null. */
export function fileNameOf(disposition: string | null): string | null {
  if (disposition === null) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1] !== undefined) {
    try {
      return baseName(decodeURIComponent(extended[1].trim()));
    } catch {
      // Fall through to the plain name.
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/i.exec(disposition);
  return baseName(plain?.[1] ?? plain?.[2] ?? '');
}

/** Never a path: the browser strips one anyway, but say only the name. */
function baseName(name: string): string | null {
  const base = name.split(/[/\\]/).pop() ?? '';
  return base === '' ? null : base;
}

/** A byte count for people: `512 B`, `15 KB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? 'TB'}`;
}
