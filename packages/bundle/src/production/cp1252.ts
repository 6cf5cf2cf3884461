/**
 * windows-1252 ("CP1252", "ANSI" on Western Windows) for DAT load files that older Concordance installations
 * expect (viewer.md §2.1). The mapping is the WHATWG Encoding Standard's `windows-1252` index: bytes 0x00–0x7F and
 * 0xA0–0xFF are Latin-1, 0x80–0x9F hold the 27 CP1252 additions (`€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ`)
 * and, for the five bytes Microsoft leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), the C1 control of the same
 * value. So `decodeCp1252` agrees with `new TextDecoder('windows-1252')` and every byte string round-trips.
 */
import { ProductionError } from './production-error';

/** Unicode code points of bytes 0x80–0x9F (WHATWG windows-1252 index). */
const HIGH_C1: readonly number[] = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

/** Code point → byte for the characters outside 0x00–0x7F and 0xA0–0xFF. */
const EXTRA = new Map<number, number>(HIGH_C1.map((codePoint, i) => [codePoint, 0x80 + i]));

/** Whether windows-1252 can represent the code point. */
export function isCp1252CodePoint(codePoint: number): boolean {
  return codePoint < 0x80 || (codePoint >= 0xa0 && codePoint <= 0xff) || EXTRA.has(codePoint);
}

/** The windows-1252 byte of a code point, or -1. */
export function cp1252Byte(codePoint: number): number {
  if (codePoint < 0x80 || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return EXTRA.get(codePoint) ?? -1;
}

/** Options of {@link encodeCp1252}. */
export interface TCp1252EncodeOptions {
  /**
   * Replace each code point windows-1252 cannot represent (an emoji is one code point, so one `?`) with `?` instead
   * of throwing. Default is `false`.
   */
  readonly lossy?: boolean;
}

/**
 * Encodes text as windows-1252 bytes.
 *
 * Throws `UNENCODABLE_CHARACTER` (with `details: { codePoint: 'U+1F600', offset }`, `offset` in UTF-16 code units)
 * at the first code point windows-1252 cannot represent, including lone surrogates, unless `lossy` is set.
 *
 * ```ts
 * encodeCp1252('Café €5');                       // 43 61 66 E9 20 80 35
 * encodeCp1252('ok 😀', { lossy: true });         // 'ok ?'
 * ```
 */
export function encodeCp1252(text: string, options: TCp1252EncodeOptions = {}): Uint8Array {
  const out = new Uint8Array(text.length);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80 || (unit >= 0xa0 && unit <= 0xff)) {
      out[length++] = unit;
      continue;
    }
    const byte = EXTRA.get(unit);
    if (byte !== undefined) {
      out[length++] = byte;
      continue;
    }
    const codePoint = text.codePointAt(i) ?? unit;
    if (options.lossy !== true) throw unencodable(codePoint, i);
    out[length++] = 0x3f; // '?'
    if (codePoint > 0xffff) i++; // one '?' per code point, not per UTF-16 unit
  }
  return length === out.length ? out : out.slice(0, length);
}

/**
 * Decodes windows-1252 bytes. Total: every byte maps to one character (WHATWG index), so it never throws for a
 * `Uint8Array`; anything else is `INVALID_ARGUMENT`.
 */
export function decodeCp1252(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new ProductionError('INVALID_ARGUMENT', 'cp1252 input must be a Uint8Array');
  let out = '';
  const CHUNK = 8192;
  const units = new Array<number>(Math.min(CHUNK, bytes.length));
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    units.length = end - start;
    for (let i = start; i < end; i++) {
      const byte = bytes[i] ?? 0;
      units[i - start] = byte >= 0x80 && byte <= 0x9f ? (HIGH_C1[byte - 0x80] ?? byte) : byte;
    }
    out += String.fromCharCode(...units);
  }
  return out;
}

/** The `UNENCODABLE_CHARACTER` error for a code point at a UTF-16 offset. */
export function unencodable(codePoint: number, offset: number, where = ''): ProductionError {
  const name = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return new ProductionError(
    'UNENCODABLE_CHARACTER',
    `windows-1252 cannot represent ${name}${where === '' ? '' : ` in ${where}`} at offset ${offset}; write UTF-8 or set lossy`,
    { details: where === '' ? { codePoint: name, offset } : { codePoint: name, offset, where } },
  );
}
