/** UTF-8 and number formatting helpers shared by the package. */
import { isWellFormedString } from '@custody/schema';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding (a BOM is kept); `undefined` for invalid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number | bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bag-Size style: `117.7 MB` (decimal units). */
export function formatByteSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** True for a string of visible text: no C0/C1 control characters (tab excluded too), well-formed. */
export function isSingleLineText(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text) && isWellFormedString(text);
}
