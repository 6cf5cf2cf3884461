/**
 * A hand-written I-JSON (RFC 7493) parser. `JSON.parse` silently keeps the last of duplicate member names
 * and accepts lone surrogates, so two parties can read different data from the same bytes; this parser
 * rejects everything that would make canonical bytes ambiguous (verifiable-log.md §5.3, §8 item 10).
 */
import { StrictJsonError } from './errors';
import type { TStrictJsonErrorCode } from './errors';

/** A JSON value as produced by `parseStrictJson`. */
export type TJsonValue = null | boolean | number | string | TJsonValue[] | { [key: string]: TJsonValue };

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// The plain run of a string: no quote, backslash, control character or surrogate.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PLAIN_RUN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;

/**
 * Parses JSON text (RFC 8259) under the I-JSON rules, returning the same values `JSON.parse` would.
 *
 * Rejects, with a `StrictJsonError` carrying a closed `code` and the position (`offset`, 1-based `line` and
 * `column`):
 * - `duplicate_key`: a member name that appears twice in one object (RFC 7493 §2.3);
 * - `lone_surrogate`: a lone surrogate, raw or escaped (`"\ud800"`) (RFC 7493 §2.1);
 * - `invalid_escape`, `control_character` (unescaped U+0000–U+001F inside a string);
 * - `invalid_number` (`01`, `1.`, `+1`, `.5`), `number_out_of_range` (magnitude beyond IEEE-754 double,
 *   e.g. `1e400`, which `JSON.parse` would turn into `Infinity`; RFC 7493 §2.2);
 * - `too_deep`: arrays/objects nested deeper than 64 levels;
 * - `trailing_content`, `unexpected_token`, `unexpected_end`;
 * - `invalid_utf8`: byte input that is not valid UTF-8. A byte-order mark is not skipped: it is an
 *   `unexpected_token`, since canonical JSON never starts with one.
 *
 * Members named `__proto__` become ordinary own properties (as with `JSON.parse`), never prototypes.
 *
 * ```ts
 * parseStrictJson('{"a":1,"a":2}'); // throws StrictJsonError: duplicate member name "a" at line 1, column 8
 * ```
 */
export function parseStrictJson(input: string | Uint8Array): TJsonValue {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new StrictJsonError('invalid_utf8', 'input is not valid UTF-8', 0, 1, 1);
    }
  }
  return new Parser(text).parseDocument();
}

class Parser {
  readonly #text: string;
  #pos = 0;
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parseDocument(): TJsonValue {
    this.#skipWhitespace();
    const value = this.#parseValue();
    this.#skipWhitespace();
    if (this.#pos < this.#text.length) {
      this.#fail('trailing_content', 'unexpected content after the JSON value', this.#pos);
    }
    return value;
  }

  #parseValue(): TJsonValue {
    const text = this.#text;
    const pos = this.#pos;
    if (pos >= text.length) this.#fail('unexpected_end', 'unexpected end of input, expected a value', pos);
    const c = text.charCodeAt(pos);
    switch (c) {
      case 0x7b: // {
        return this.#parseObject();
      case 0x5b: // [
        return this.#parseArray();
      case 0x22: // "
        return this.#parseString();
      case 0x74: // t
        return this.#parseLiteral('true', true);
      case 0x66: // f
        return this.#parseLiteral('false', false);
      case 0x6e: // n
        return this.#parseLiteral('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#parseNumber();
        return this.#fail('unexpected_token', `unexpected ${describeChar(text, pos)}, expected a value`, pos);
    }
  }

  #enter(pos: number): void {
    this.#depth++;
    if (this.#depth > MAX_DEPTH) this.#fail('too_deep', `nesting deeper than ${MAX_DEPTH} levels`, pos);
  }

  #parseObject(): TJsonValue {
    const start = this.#pos;
    this.#enter(start);
    const text = this.#text;
    const object: Record<string, TJsonValue> = {};
    this.#pos++;
    this.#skipWhitespace();
    if (text.charCodeAt(this.#pos) === 0x7d) {
      this.#pos++;
      this.#depth--;
      return object;
    }
    for (;;) {
      const keyPos = this.#pos;
      if (keyPos >= text.length) this.#fail('unexpected_end', 'unexpected end of input inside an object', keyPos);
      if (text.charCodeAt(keyPos) !== 0x22) {
        this.#fail('unexpected_token', `unexpected ${describeChar(text, keyPos)}, expected a member name`, keyPos);
      }
      const key = this.#parseString();
      if (Object.hasOwn(object, key)) {
        this.#fail('duplicate_key', `duplicate member name ${JSON.stringify(key)}`, keyPos);
      }
      this.#skipWhitespace();
      this.#expect(0x3a, '":"');
      this.#skipWhitespace();
      const value = this.#parseValue();
      if (key === '__proto__') {
        // A plain assignment would call the Object.prototype.__proto__ setter and change the prototype.
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        object[key] = value;
      }
      this.#skipWhitespace();
      const c = text.charCodeAt(this.#pos);
      if (c === 0x2c) {
        this.#pos++;
        this.#skipWhitespace();
        continue;
      }
      if (c === 0x7d) {
        this.#pos++;
        this.#depth--;
        return object;
      }
      if (this.#pos >= text.length) this.#fail('unexpected_end', 'unexpected end of input inside an object', this.#pos);
      this.#fail('unexpected_token', `unexpected ${describeChar(text, this.#pos)}, expected "," or "}"`, this.#pos);
    }
  }

  #parseArray(): TJsonValue {
    this.#enter(this.#pos);
    const text = this.#text;
    const array: TJsonValue[] = [];
    this.#pos++;
    this.#skipWhitespace();
    if (text.charCodeAt(this.#pos) === 0x5d) {
      this.#pos++;
      this.#depth--;
      return array;
    }
    for (;;) {
      array.push(this.#parseValue());
      this.#skipWhitespace();
      const c = text.charCodeAt(this.#pos);
      if (c === 0x2c) {
        this.#pos++;
        this.#skipWhitespace();
        continue;
      }
      if (c === 0x5d) {
        this.#pos++;
        this.#depth--;
        return array;
      }
      if (this.#pos >= text.length) this.#fail('unexpected_end', 'unexpected end of input inside an array', this.#pos);
      this.#fail('unexpected_token', `unexpected ${describeChar(text, this.#pos)}, expected "," or "]"`, this.#pos);
    }
  }

  #parseString(): string {
    const text = this.#text;
    const start = this.#pos;
    let pos = start + 1;
    let out = '';
    // Index of a high surrogate (raw or escaped) still waiting for its low half, or -1.
    let pendingHigh = -1;
    for (;;) {
      PLAIN_RUN.lastIndex = pos;
      PLAIN_RUN.test(text);
      const runEnd = PLAIN_RUN.lastIndex;
      if (runEnd > pos) {
        if (pendingHigh >= 0) this.#loneSurrogate(pendingHigh);
        out += text.slice(pos, runEnd);
        pos = runEnd;
      }
      if (pos >= text.length) this.#fail('unexpected_end', 'unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        if (pendingHigh >= 0) this.#loneSurrogate(pendingHigh);
        this.#pos = pos + 1;
        return out;
      }
      let unit: number;
      let width: number;
      if (c === 0x5c) {
        [unit, width] = this.#parseEscape(pos);
      } else if (c < 0x20) {
        return this.#fail(
          'control_character',
          `unescaped control character U+${hex4(c)} in a string`,
          pos,
        );
      } else {
        unit = c; // a raw surrogate
        width = 1;
      }
      if (pendingHigh >= 0) {
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          pendingHigh = -1;
        } else {
          this.#loneSurrogate(pendingHigh);
        }
      } else if (unit >= 0xd800 && unit <= 0xdbff) {
        pendingHigh = pos;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        this.#loneSurrogate(pos);
      }
      out += String.fromCharCode(unit);
      pos += width;
    }
  }

  #parseEscape(pos: number): [number, number] {
    const text = this.#text;
    const c = text.charCodeAt(pos + 1);
    switch (c) {
      case 0x22:
        return [0x22, 2];
      case 0x5c:
        return [0x5c, 2];
      case 0x2f:
        return [0x2f, 2];
      case 0x62:
        return [0x08, 2];
      case 0x66:
        return [0x0c, 2];
      case 0x6e:
        return [0x0a, 2];
      case 0x72:
        return [0x0d, 2];
      case 0x74:
        return [0x09, 2];
      case 0x75: {
        const digits = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
          return this.#fail('invalid_escape', 'invalid \\u escape: expected four hex digits', pos);
        }
        return [Number.parseInt(digits, 16), 6];
      }
      default:
        if (pos + 1 >= text.length) return this.#fail('unexpected_end', 'unterminated string', pos);
        return this.#fail('invalid_escape', `invalid escape \\${describeChar(text, pos + 1, false)}`, pos);
    }
  }

  #loneSurrogate(pos: number): never {
    return this.#fail('lone_surrogate', 'lone surrogate in a string (I-JSON requires well-formed Unicode)', pos);
  }

  #parseNumber(): number {
    const text = this.#text;
    const start = this.#pos;
    NUMBER.lastIndex = start;
    if (!NUMBER.test(text)) return this.#fail('invalid_number', 'invalid number', start);
    const end = NUMBER.lastIndex;
    const next = text.charCodeAt(end);
    // A digit, dot or exponent right after a valid prefix means the number itself is malformed ("01", "1.", "1e").
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) {
      return this.#fail('invalid_number', `invalid number ${JSON.stringify(text.slice(start, end + 1))}`, start);
    }
    const value = Number(text.slice(start, end));
    if (!Number.isFinite(value)) {
      return this.#fail('number_out_of_range', 'number is out of the IEEE-754 double range', start);
    }
    this.#pos = end;
    return value;
  }

  #parseLiteral<T extends TJsonValue>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.#pos)) {
      return this.#fail('unexpected_token', `invalid literal, expected ${word}`, this.#pos);
    }
    this.#pos += word.length;
    return value;
  }

  #expect(code: number, what: string): void {
    const pos = this.#pos;
    if (pos >= this.#text.length) this.#fail('unexpected_end', `unexpected end of input, expected ${what}`, pos);
    if (this.#text.charCodeAt(pos) !== code) {
      this.#fail('unexpected_token', `unexpected ${describeChar(this.#text, pos)}, expected ${what}`, pos);
    }
    this.#pos++;
  }

  #skipWhitespace(): void {
    const text = this.#text;
    let pos = this.#pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        pos++;
      } else {
        break;
      }
    }
    this.#pos = pos;
  }

  #fail(code: TStrictJsonErrorCode, detail: string, offset: number): never {
    let line = 1;
    let lineStart = 0;
    const text = this.#text;
    for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
      line++;
      lineStart = index + 1;
    }
    throw new StrictJsonError(code, detail, offset, line, offset - lineStart + 1);
  }
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

function describeChar(text: string, pos: number, quoted = true): string {
  const c = text.charCodeAt(pos);
  if (Number.isNaN(c)) return 'end of input';
  if (c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff) || c === 0xfeff) return `U+${hex4(c)}`;
  return quoted ? `"${text[pos] ?? ''}"` : (text[pos] ?? '');
}
