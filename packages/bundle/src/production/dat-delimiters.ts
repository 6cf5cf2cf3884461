/**
 * Concordance/Relativity DAT delimiters (viewer.md §2.1). Defaults are the Relativity set: field `¶` = U+0014
 * (ASCII 20, DC4), quote (text qualifier) `þ` = U+00FE, newline-in-field `®` = U+00AE, multi-value `;`, nested
 * value `\`. Each is one character; in windows-1252 each is one byte (0x14, 0xFE, 0xAE, 0x3B, 0x5C), in UTF-8 þ and ®
 * are two bytes (C3 BE, C2 AE): state the encoding in the cover letter, a reader that assumes the other one misses
 * every qualifier.
 */
import { isCp1252CodePoint } from './cp1252';
import { ProductionError } from './production-error';

/** The five characters a DAT load file is defined by. */
export interface TDatDelimiters {
  /** Between fields. Default U+0014 (shown as `¶` by Concordance). */
  readonly field: string;
  /** Around every value (text qualifier). Default `þ` (U+00FE). */
  readonly quote: string;
  /** Stands for a line break inside a value. Default `®` (U+00AE). */
  readonly newline: string;
  /** Between the items of a multi-value field (`TARGETS`). Default `;`. */
  readonly multiValue: string;
  /** Between levels of a nested value. Default `\`. Declared for the load settings; no field here is nested. */
  readonly nestedValue: string;
}

/** The Relativity defaults. */
export const DEFAULT_DAT_DELIMITERS: TDatDelimiters = Object.freeze({
  field: '\u0014',
  quote: '\u00fe',
  newline: '\u00ae',
  multiValue: ';',
  nestedValue: '\\',
});

/** The encodings a DAT file can be written in. */
export type TDatEncoding = 'utf-8' | 'cp1252';

/**
 * The delimiters with the defaults filled in, checked: each is exactly one UTF-16 code unit (not a surrogate), none
 * is CR or LF, all five are distinct, and, for `cp1252`, each is a windows-1252 character.
 * Throws `INVALID_DELIMITERS` otherwise.
 */
export function resolveDatDelimiters(delimiters: Partial<TDatDelimiters> = {}, encoding: TDatEncoding = 'utf-8'): TDatDelimiters {
  if (typeof delimiters !== 'object' || delimiters === null) {
    throw new ProductionError('INVALID_DELIMITERS', 'delimiters must be an object');
  }
  const resolved: TDatDelimiters = Object.freeze({ ...DEFAULT_DAT_DELIMITERS, ...definedOnly(delimiters) });
  const seen = new Map<string, string>();
  for (const name of ['field', 'quote', 'newline', 'multiValue', 'nestedValue'] as const) {
    const value = resolved[name];
    if (typeof value !== 'string' || value.length !== 1 || isSurrogate(value.charCodeAt(0))) {
      throw new ProductionError('INVALID_DELIMITERS', `${name} delimiter must be exactly one character`, { details: { option: name } });
    }
    if (value === '\r' || value === '\n') {
      throw new ProductionError('INVALID_DELIMITERS', `${name} delimiter cannot be CR or LF (records end with CRLF)`, {
        details: { option: name },
      });
    }
    if (encoding === 'cp1252' && !isCp1252CodePoint(value.charCodeAt(0))) {
      throw new ProductionError('INVALID_DELIMITERS', `${name} delimiter is not a windows-1252 character`, { details: { option: name } });
    }
    const other = seen.get(value);
    if (other !== undefined) {
      throw new ProductionError('INVALID_DELIMITERS', `${name} and ${other} delimiters are the same character`, {
        details: { option: name },
      });
    }
    seen.set(value, name);
  }
  return resolved;
}

/**
 * Names of the delimiters for cover letters and reports: `U+00FE (þ)`, and `U+0014 (ASCII 20, shown as ¶)` for the
 * default field separator. Control characters are named by code point only.
 */
export function describeDatDelimiters(delimiters: TDatDelimiters): Record<keyof TDatDelimiters, string> {
  const describe = (c: string): string => {
    const unit = c.charCodeAt(0);
    const code = `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    if (unit === 0x14) return `${code} (ASCII 20, shown as \u00b6)`;
    if (unit < 0x21 || (unit >= 0x7f && unit < 0xa0)) return code;
    return `${code} (${c})`;
  };
  return {
    field: describe(delimiters.field),
    quote: describe(delimiters.quote),
    newline: describe(delimiters.newline),
    multiValue: describe(delimiters.multiValue),
    nestedValue: describe(delimiters.nestedValue),
  };
}

function definedOnly(value: Partial<TDatDelimiters>): Partial<TDatDelimiters> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out;
}

function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}
