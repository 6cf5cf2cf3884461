/**
 * The viewer's query language → `TQuery` (an AND of terms).
 *
 * ```text
 * action:user.* actor.id:u_123 ip:10.0.0.0/8 after:2026-01-01 before:2026-02-01T12:00Z
 * -action:user.viewed "exact phrase" word meta.plan:enterprise tag:important is:starred status:failed
 * ```
 *
 * Grammar (whitespace separates terms; every term must hold):
 * - `word` / `"a phrase"`: full text (`\"` and `\\` escape inside quotes);
 * - `field:value`: exact, case-insensitive match (`QUERY_FIELDS`, `meta.<key>`; aliases `actor`, `target`,
 *   `tags`); `field:"value with spaces"` quotes a value;
 * - `field:value*` or `field:"quoted value"*`: prefix match (a quoted value never has a wildcard inside);
 * - `ip:a.b.c.d/n` / `ip:2001:db8::/32`: CIDR block (unquoted, host bits zero, as `@custody/schema`'s `parseCidr`);
 * - `after:T` (inclusive) / `before:T` (exclusive): a UTC date or an RFC 3339 time with offset (see `parseQueryTime`);
 * - `is:starred|noted|tagged`, `status:verified|pending|failed`;
 * - `-` before any term except `after:`/`before:` negates it.
 *
 * The parser never throws: a malformed term is reported in `errors` (with its character offsets) and left
 * out of the query; the rest still parses.
 */
import { parseCidr } from '@custody/schema';

import type { TQuery, TQueryField, TQueryTerm } from '../data-source';
import { META_KEY_PATTERN, QUERY_FIELDS, QUERY_FIELD_ALIASES, QUERY_FLAGS, ROW_STATUSES } from './query-fields';
import { parseQueryTime } from './query-time';

/** A problem in the query text: `at` … `end` are UTF-16 offsets (0-based, `end` exclusive). */
export interface TQueryError {
  readonly at: number;
  readonly end: number;
  readonly message: string;
}

/** The terms that parsed, and the errors of those that did not. */
export interface TParseQueryResult {
  readonly query: TQuery;
  readonly errors: readonly TQueryError[];
}

/** Whitespace as the parser splits on it; `formatQuery` quotes any value containing it. */
export const QUERY_SPACE = /\s/;

interface TValue {
  readonly text: string;
  readonly quoted: boolean;
  /** A `*` right after a closing quote (`"a b"*`). */
  readonly star: boolean;
  readonly at: number;
  readonly end: number;
}

class QueryScanner {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  get pos(): number {
    return this.#pos;
  }

  get done(): boolean {
    return this.#pos >= this.#text.length;
  }

  peek(offset = 0): string {
    return this.#text.charAt(this.#pos + offset);
  }

  advance(count = 1): void {
    this.#pos = Math.min(this.#text.length, this.#pos + count);
  }

  skipSpace(): void {
    while (!this.done && QUERY_SPACE.test(this.peek())) this.#pos++;
  }

  /** Skips to the next whitespace (error recovery). */
  skipToken(): void {
    while (!this.done && !QUERY_SPACE.test(this.peek())) this.#pos++;
  }

  /** Reads characters until whitespace, a `"` or (when `stopAtColon`) the first `:`. */
  readBare(stopAtColon: boolean): string {
    const start = this.#pos;
    while (!this.done) {
      const ch = this.peek();
      if (QUERY_SPACE.test(ch) || ch === '"' || (stopAtColon && ch === ':')) break;
      this.#pos++;
    }
    return this.#text.slice(start, this.#pos);
  }

  /** Reads a quoted string starting at `"`; `null` when it is never closed (position then at the end). */
  readQuoted(): string | null {
    this.#pos++; // opening quote
    let out = '';
    while (!this.done) {
      const ch = this.peek();
      if (ch === '\\' && this.#pos + 1 < this.#text.length) {
        out += this.#text.charAt(this.#pos + 1);
        this.#pos += 2;
        continue;
      }
      this.#pos++;
      if (ch === '"') return out;
      out += ch;
    }
    return null;
  }

  atTermEnd(): boolean {
    return this.done || QUERY_SPACE.test(this.peek());
  }
}

/**
 * Parses query text into terms, collecting errors with positions. Never throws.
 *
 * ```ts
 * parseQuery('action:user.* -is:starred');
 * // { query: { terms: [
 * //     { kind: 'field', field: 'action', op: 'prefix', value: 'user.' },
 * //     { kind: 'flag', flag: 'starred', negate: true } ] }, errors: [] }
 * parseQuery('foo:bar').errors; // [{ at: 0, end: 3, message: 'unknown field "foo" (quote the word to search for it as text)' }]
 * ```
 */
export function parseQuery(text: string): TParseQueryResult {
  const scanner = new QueryScanner(text);
  const terms: TQueryTerm[] = [];
  const errors: TQueryError[] = [];
  const fail = (at: number, end: number, message: string): void => {
    errors.push({ at, end: Math.max(end, at + 1), message });
  };

  for (;;) {
    scanner.skipSpace();
    if (scanner.done) break;
    const start = scanner.pos;
    let negate = false;
    if (scanner.peek() === '-') {
      scanner.advance();
      if (scanner.atTermEnd()) {
        fail(start, start + 1, 'nothing to exclude after "-"');
        continue;
      }
      negate = true;
    }
    const termStart = scanner.pos;

    // "a phrase"
    if (scanner.peek() === '"') {
      const phrase = scanner.readQuoted();
      if (phrase === null) {
        fail(termStart, text.length, 'unclosed quote');
        break;
      }
      if (!scanner.atTermEnd()) {
        const junk = scanner.pos;
        scanner.skipToken();
        fail(junk, scanner.pos, 'expected a space after the closing quote');
        continue;
      }
      if (phrase.trim() === '') {
        fail(termStart, scanner.pos, 'empty phrase');
        continue;
      }
      terms.push(withNegate({ kind: 'text', value: phrase }, negate));
      continue;
    }

    const head = scanner.readBare(true);
    if (scanner.peek() !== ':') {
      // A plain word (no colon before the next space or quote).
      if (scanner.peek() === '"') {
        const quoteAt = scanner.pos;
        scanner.skipToken();
        fail(quoteAt, scanner.pos, 'unexpected quote inside a word (quote the whole word)');
        continue;
      }
      terms.push(withNegate({ kind: 'text', value: head }, negate));
      continue;
    }

    // field:value
    const nameEnd = scanner.pos;
    scanner.advance(); // ':'
    if (head === '') {
      scanner.skipToken();
      fail(termStart, scanner.pos, 'missing field name before ":" (quote the word to search for it as text)');
      continue;
    }
    const value = readValue(scanner);
    if (value === 'unclosed') {
      fail(nameEnd + 1, text.length, 'unclosed quote');
      break;
    }
    if (value === 'junk') {
      fail(nameEnd + 1, scanner.pos, 'expected a space after the closing quote (use "…"* for a prefix)');
      continue;
    }
    if (value === 'quote') {
      fail(nameEnd + 1, scanner.pos, 'unexpected quote inside a value (quote the whole value)');
      continue;
    }
    const term = buildTerm(head.toLowerCase(), head, value, negate, { termStart, nameEnd }, fail);
    if (term !== null) terms.push(term);
  }
  return { query: { terms }, errors };
}

function readValue(scanner: QueryScanner): TValue | 'unclosed' | 'junk' | 'quote' {
  const at = scanner.pos;
  if (scanner.peek() === '"') {
    const quoted = scanner.readQuoted();
    if (quoted === null) return 'unclosed';
    let star = false;
    if (scanner.peek() === '*') {
      star = true;
      scanner.advance();
    }
    if (!scanner.atTermEnd()) {
      scanner.skipToken();
      return 'junk';
    }
    return { text: quoted, quoted: true, star, at, end: scanner.pos };
  }
  // An unquoted value runs to the next space; colons are part of it (`ip:2001:db8::1`, `target.id:a:b`).
  const bare = scanner.readBare(false);
  if (scanner.peek() === '"') {
    scanner.skipToken();
    return 'quote';
  }
  return { text: bare, quoted: false, star: false, at, end: scanner.pos };
}

function buildTerm(
  name: string,
  rawName: string,
  value: TValue,
  negate: boolean,
  where: { termStart: number; nameEnd: number },
  fail: (at: number, end: number, message: string) => void,
): TQueryTerm | null {
  const { termStart, nameEnd } = where;
  const valueError = (message: string): null => {
    fail(value.at, value.end, message);
    return null;
  };
  if (!value.quoted && value.text === '') {
    fail(termStart, nameEnd + 1, `missing value after "${rawName}:"`);
    return null;
  }

  if (name === 'after' || name === 'before') {
    if (negate) {
      fail(termStart - 1, nameEnd, `"${name}:" cannot be negated (use ${name === 'after' ? 'before' : 'after'}: instead)`);
      return null;
    }
    if (value.star) return valueError('a time cannot be a prefix');
    const parsed = parseQueryTime(value.text);
    if (!parsed.ok) return valueError(`invalid time "${value.text}": ${parsed.message}`);
    return name === 'after' ? { kind: 'time', after: parsed.ms } : { kind: 'time', before: parsed.ms };
  }

  if (name === 'is') {
    const flag = value.text.toLowerCase();
    if (value.star || !(QUERY_FLAGS as readonly string[]).includes(flag)) {
      return valueError(`unknown flag "${value.text}" (expected ${QUERY_FLAGS.join(', ')})`);
    }
    return withNegate({ kind: 'flag', flag: flag as (typeof QUERY_FLAGS)[number] }, negate);
  }

  const field = resolveField(name, rawName);
  if (field === null) {
    fail(termStart, nameEnd, `unknown field "${rawName}" (quote the word to search for it as text)`);
    return null;
  }
  if (field === 'invalid-meta') {
    fail(termStart, nameEnd, `invalid metadata key "${rawName.slice(5)}" (letters, digits, "_", "-" and "." only)`);
    return null;
  }

  let op: 'eq' | 'prefix' | 'cidr' = 'eq';
  let text = value.text;
  if (value.star) op = 'prefix';
  else if (!value.quoted && text.endsWith('*')) {
    op = 'prefix';
    text = text.slice(0, -1);
  } else if (!value.quoted && field === 'ip' && text.includes('/')) {
    try {
      text = parseCidr(text).text;
      op = 'cidr';
    } catch (error) {
      return valueError(`invalid CIDR block "${value.text}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (field === 'status') {
    const status = text.toLowerCase();
    if (op !== 'eq' || !(ROW_STATUSES as readonly string[]).includes(status)) {
      return valueError(`unknown status "${value.text}" (expected ${ROW_STATUSES.join(', ')})`);
    }
    text = status;
  }
  if (field === 'seq' && op === 'eq' && !/^(?:0|[1-9][0-9]*)$/.test(text)) {
    return valueError(`"seq:" needs a whole number, not "${value.text}"`);
  }
  return withNegate({ kind: 'field', field, op, value: text }, negate);
}

function resolveField(name: string, rawName: string): TQueryField | 'invalid-meta' | null {
  if ((QUERY_FIELDS as readonly string[]).includes(name)) return name as TQueryField;
  const alias = QUERY_FIELD_ALIASES[name];
  if (alias !== undefined) return alias;
  if (name.startsWith('meta.')) {
    // Metadata keys keep their case: `meta.Plan` and `meta.plan` are different keys.
    const key = rawName.slice(5);
    return META_KEY_PATTERN.test(key) ? `meta.${key}` : 'invalid-meta';
  }
  return null;
}

function withNegate<T extends TQueryTerm>(term: T, negate: boolean): T {
  return negate ? { ...term, negate: true } : term;
}
