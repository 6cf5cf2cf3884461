/**
 * Evaluates a `TQuery` over the columnar store into a row mask (1 = matches). Terms are ANDed; each term is
 * computed as its own mask (dictionary terms first mark matching dictionary values, then test one Int32 per
 * row), so a query over a million rows is a few linear passes over typed arrays.
 */
import { MAX_SEARCH_WORD_LENGTH, tokenTerms } from '@custody/schema';
import type { TQuery, TQueryField, TQueryTerm } from '@custody/ui';

import type { Dictionary } from './dictionary';
import { cidrRange, ipWords, type IpKeys } from './ip';
import { FLAG_NOTED, FLAG_STARRED, FLAG_TAGGED, type ColumnStore } from './store';
import { findTerm } from './tokenize';

const encoder = new TextEncoder();

/** What a query needs besides the columns. */
export interface QueryContext {
  readonly store: ColumnStore;
  readonly ipKeys: IpKeys;
  /** Status code per bundle index: 0 pending, 1 verified, 2 failed. */
  readonly bundleStatus: Uint8Array;
  /** Bundle indexes matching a `bundle:` value. */
  matchBundles(value: string, op: 'eq' | 'prefix'): Set<number>;
  /** Rows whose control number matches, as a mask (op eq or prefix, value already uppercased). */
  markControl(value: string, op: 'eq' | 'prefix', mask: Uint8Array): void;
  /** Rows with a tag matching. */
  taggedRows(value: string, op: 'eq' | 'prefix'): Iterable<number>;
  /** Whether a row's phrase text holds `words` in order, for fields not in a dictionary (request/session ids). */
  phraseInLine(row: number, words: readonly string[]): boolean;
}

/** A query the engine cannot evaluate (bad CIDR, unknown field, wrong operator). */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

const STATUS_CODES: Record<string, number> = { pending: 0, verified: 1, failed: 2 };

/** The mask of rows matching every term (`undefined` when the query has no terms). */
export function evaluateQuery(query: TQuery, context: QueryContext): Uint8Array | undefined {
  const terms: unknown = (query as { terms?: unknown } | null)?.terms;
  if (!Array.isArray(terms)) throw new QueryError('a query is { terms: [...] }');
  const n = context.store.rows;
  let result: Uint8Array | undefined;
  for (const term of terms as readonly TQueryTerm[]) {
    const mask = evaluateTerm(term, context, n);
    if (mask === undefined) continue;
    if ('negate' in term && term.negate === true) for (let i = 0; i < n; i++) mask[i] = (mask[i] as number) ^ 1;
    if (result === undefined) result = mask;
    else for (let i = 0; i < n; i++) result[i] = (result[i] as number) & (mask[i] as number);
  }
  return result;
}

function evaluateTerm(term: TQueryTerm, context: QueryContext, n: number): Uint8Array | undefined {
  const { store } = context;
  switch (term.kind) {
    case 'text':
      return textMask(String(term.value), context, n);
    case 'time': {
      const mask = new Uint8Array(n);
      const after = typeof term.after === 'number' ? term.after : Number.NEGATIVE_INFINITY;
      const before = typeof term.before === 'number' ? term.before : Number.POSITIVE_INFINITY;
      const time = store.time.array;
      for (let i = 0; i < n; i++) {
        const t = time[i] as number;
        if (t >= after && t < before) mask[i] = 1;
      }
      return mask;
    }
    case 'flag': {
      const bit = term.flag === 'starred' ? FLAG_STARRED : term.flag === 'noted' ? FLAG_NOTED : term.flag === 'tagged' ? FLAG_TAGGED : 0;
      if (bit === 0) throw new QueryError(`unknown flag ${JSON.stringify(term.flag)}`);
      const mask = new Uint8Array(n);
      const flags = store.flags.array;
      for (let i = 0; i < n; i++) if (((flags[i] as number) & bit) !== 0) mask[i] = 1;
      return mask;
    }
    case 'field':
      return fieldMask(term.field, term.op, String(term.value), context, n);
    default:
      throw new QueryError(`unknown term kind ${JSON.stringify((term as { kind: unknown }).kind)}`);
  }
}

// ------------------------------------------------------------------------------------------------ fields

function valueMask(dictionary: Dictionary, op: 'eq' | 'prefix', value: string): Uint8Array {
  const lower = dictionary.lowerValues();
  const mask = new Uint8Array(dictionary.size);
  const v = value.toLowerCase();
  if (op === 'eq') {
    for (let id = 0; id < lower.length; id++) if (lower[id] === v) mask[id] = 1;
  } else {
    for (let id = 0; id < lower.length; id++) if ((lower[id] as string).startsWith(v)) mask[id] = 1;
  }
  return mask;
}

function columnMask(column: Int32Array, values: Uint8Array, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  markColumn(column, values, n, mask);
  return mask;
}

/** Rows of a multi-valued column (targets, metadata) with any value in `values` (and, given `keys`, of a wanted key). */
function multiMask(ends: Int32Array, column: Int32Array, values: Uint8Array, n: number, keys?: TEntryFilter): Uint8Array {
  const mask = new Uint8Array(n);
  markMulti(ends, column, values, n, mask, keys);
  return mask;
}

function stripStar(op: 'eq' | 'prefix' | 'cidr', value: string): string {
  return op === 'prefix' && value.endsWith('*') ? value.slice(0, -1) : value;
}

function fieldMask(field: TQueryField, op: 'eq' | 'prefix' | 'cidr', rawValue: string, context: QueryContext, n: number): Uint8Array {
  const { store } = context;
  if (op !== 'eq' && op !== 'prefix' && op !== 'cidr') throw new QueryError(`unknown operator ${JSON.stringify(op)}`);
  const value = stripStar(op, rawValue);
  const textOp = (): 'eq' | 'prefix' => {
    if (op === 'cidr') throw new QueryError(`${field}: a CIDR block only applies to ip (and meta.<key>)`);
    return op;
  };
  switch (field) {
    case 'action':
      return columnMask(store.actionCol.array, valueMask(store.action, textOp(), value), n);
    case 'actor.id':
      return columnMask(store.actorIdCol.array, valueMask(store.actorId, textOp(), value), n);
    case 'actor.type':
      return columnMask(store.actorTypeCol.array, valueMask(store.actorType, textOp(), value), n);
    case 'actor.name':
      return columnMask(store.actorNameCol.array, valueMask(store.actorName, textOp(), value), n);
    case 'ua':
      return columnMask(store.uaCol.array, valueMask(store.ua, textOp(), value), n);
    case 'target.id':
      return multiMask(store.targetEnd.array, store.targetIdCol.array, valueMask(store.targetId, textOp(), value), n);
    case 'target.type':
      return multiMask(store.targetEnd.array, store.targetTypeCol.array, valueMask(store.targetType, textOp(), value), n);
    case 'ip':
      return columnMask(store.ipCol.array, ipValueMask(store.ip, op, value, context.ipKeys), n);
    case 'bundle': {
      const bundles = context.matchBundles(value, textOp());
      const mask = new Uint8Array(n);
      const column = store.bundle.array;
      for (let i = 0; i < n; i++) if (bundles.has(column[i] as number)) mask[i] = 1;
      return mask;
    }
    case 'control': {
      const mask = new Uint8Array(n);
      context.markControl(value.trim().toUpperCase(), textOp(), mask);
      return mask;
    }
    case 'seq': {
      const mask = new Uint8Array(n);
      const seq = store.seq.array;
      const o = textOp();
      const v = value.trim();
      if (o === 'eq') {
        const target = /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : Number.NaN;
        for (let i = 0; i < n; i++) if (seq[i] === target) mask[i] = 1;
      } else {
        for (let i = 0; i < n; i++) if (String(seq[i]).startsWith(v)) mask[i] = 1;
      }
      return mask;
    }
    case 'status': {
      const o = textOp();
      const v = value.trim().toLowerCase();
      const codes = new Set(Object.keys(STATUS_CODES).filter((name) => (o === 'eq' ? name === v : name.startsWith(v))).map((name) => STATUS_CODES[name] as number));
      const mask = new Uint8Array(n);
      const column = store.bundle.array;
      for (let i = 0; i < n; i++) if (codes.has(context.bundleStatus[column[i] as number] as number)) mask[i] = 1;
      return mask;
    }
    case 'tag': {
      const mask = new Uint8Array(n);
      for (const row of context.taggedRows(value.trim().toLowerCase(), textOp())) if (row < n) mask[row] = 1;
      return mask;
    }
    default: {
      if (typeof field === 'string' && field.startsWith('meta.') && field.length > 5) {
        const key = field.slice(5);
        const keyMask = new Uint8Array(store.metaKey.size);
        const exact = store.metaKey.find(key);
        if (exact >= 0) keyMask[exact] = 1;
        else {
          const lower = store.metaKey.lowerValues();
          const k = key.toLowerCase();
          for (let id = 0; id < lower.length; id++) if (lower[id] === k) keyMask[id] = 1;
        }
        const values = op === 'cidr' ? ipValueMask(store.metaValue, op, value, undefined) : valueMask(store.metaValue, op, value);
        return multiMask(store.metaEnd.array, store.metaValueCol.array, values, n, { column: store.metaKeyCol.array, mask: keyMask });
      }
      throw new QueryError(`unknown field ${JSON.stringify(field)}`);
    }
  }
}

/**
 * The values an IP term matches. An address (in any notation: 2001:DB8::1 = 2001:db8::1) is the block
 * [address, address]; blocks are compared as 4×32-bit words, read from `keys` (the IP column's parsed addresses,
 * cached) or parsed here (metadata values). A value that is not an address is compared as text, case-insensitively.
 */
function ipValueMask(dictionary: Dictionary, op: 'eq' | 'prefix' | 'cidr', value: string, keys: IpKeys | undefined): Uint8Array {
  if (op === 'prefix') return valueMask(dictionary, 'prefix', value);
  let range: { first: Uint32Array; last: Uint32Array };
  if (op === 'cidr') {
    try {
      range = cidrRange(value);
    } catch (error) {
      throw new QueryError(`${JSON.stringify(value)} is not a CIDR block: ${(error as Error).message}`);
    }
  } else {
    const wanted = new Uint32Array(4);
    if (!ipWords(value.trim(), wanted, 0)) return valueMask(dictionary, 'eq', value.trim());
    range = { first: wanted, last: wanted };
  }
  const mask = new Uint8Array(dictionary.size);
  if (keys !== undefined) {
    keys.matchCidr(dictionary, range, mask);
    return mask;
  }
  const words = new Uint32Array(4);
  const inRange = (bound: Uint32Array, sign: number): boolean => {
    for (let w = 0; w < 4; w++) {
      if (words[w] !== bound[w]) return ((words[w] as number) < (bound[w] as number) ? -1 : 1) * sign > 0;
    }
    return true;
  };
  for (let id = 0; id < dictionary.size; id++) {
    if (ipWords(dictionary.values[id] as string, words, 0) && inRange(range.first, 1) && inRange(range.last, -1)) mask[id] = 1;
  }
  return mask;
}

// -------------------------------------------------------------------------------------------- full text

/** Parses a text term: `"a b"` is a phrase; a word ending in `*` is a prefix. */
export function parseTextTerm(value: string): { words: { word: string; prefix: boolean }[]; phrase: boolean } {
  const trimmed = value.trim();
  const phrase = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"');
  const body = phrase ? trimmed.slice(1, -1) : trimmed;
  const words: { word: string; prefix: boolean }[] = [];
  for (const chunk of body.split(/\s+/)) {
    if (chunk === '') continue;
    // The server's rule (`searchTerms`, token by token): `foo-*` is the word `foo`, `re\u0301*` the prefix `ré`.
    const { words: tokens, prefix } = tokenTerms(chunk);
    tokens.forEach((word, i) => words.push({ word, prefix: prefix && i === tokens.length - 1 }));
  }
  return { words, phrase };
}

function textMask(value: string, context: QueryContext, n: number): Uint8Array | undefined {
  const { store } = context;
  const { words, phrase } = parseTextTerm(value);
  if (words.length === 0) return undefined;
  let result: Uint8Array | undefined;
  const phraseTerms: number[][] = [];
  for (const { word, prefix } of words) {
    let terms: number[];
    if (prefix) {
      terms = prefixTerms(word, store);
    } else {
      const id = findTerm(word.slice(0, MAX_SEARCH_WORD_LENGTH), store.terms);
      terms = id < 0 ? [] : [id];
    }
    phraseTerms.push(terms);
    const mask = wordRows(store, terms, n);
    store.freeText.markWord(word.slice(0, MAX_SEARCH_WORD_LENGTH), prefix, n, mask);
    if (result === undefined) result = mask;
    else for (let i = 0; i < n; i++) result[i] = (result[i] as number) & (mask[i] as number);
  }
  const mask = result ?? new Uint8Array(n);
  if (phrase && words.length > 1) {
    const check = new PhraseCheck(store, phraseTerms);
    const wanted = words.map((w) => w.word);
    for (let row = 0; row < n; row++) if (mask[row] === 1 && !check.row(row) && !context.phraseInLine(row, wanted)) mask[row] = 0;
  }
  return mask;
}

/** Rows whose dictionary values (action, actor, user agent, targets, metadata strings) hold one of `terms` (term ids). */
function wordRows(store: ColumnStore, terms: readonly number[], n: number): Uint8Array {
  const mask = new Uint8Array(n);
  if (terms.length === 0) return mask;
  const wanted = new Uint8Array(store.terms.size);
  for (const term of terms) wanted[term] = 1;
  const valuesOf = (dictionary: Dictionary): Uint8Array | undefined => {
    const values = new Uint8Array(dictionary.size);
    return dictionary.markValuesWithTerms(wanted, values) ? values : undefined;
  };
  const single: [Dictionary, Int32Array][] = [
    [store.action, store.actionCol.array], [store.actorId, store.actorIdCol.array], [store.actorName, store.actorNameCol.array],
    [store.actorType, store.actorTypeCol.array], [store.ua, store.uaCol.array],
  ];
  for (const [dictionary, column] of single) {
    const values = valuesOf(dictionary);
    if (values !== undefined) markColumn(column, values, n, mask);
  }
  const targets: [Dictionary, Int32Array][] = [
    [store.targetId, store.targetIdCol.array], [store.targetName, store.targetNameCol.array], [store.targetType, store.targetTypeCol.array],
  ];
  for (const [dictionary, column] of targets) {
    const values = valuesOf(dictionary);
    if (values !== undefined) markMulti(store.targetEnd.array, column, values, n, mask);
  }
  const metaValues = valuesOf(store.metaValue);
  if (metaValues !== undefined) {
    markMulti(store.metaEnd.array, store.metaValueCol.array, metaValues, n, mask, { column: store.metaString.array, mask: STRING_ENTRIES });
  }
  return mask;
}

/** Sets `mask[i]` for rows whose value is marked in `values`. */
function markColumn(column: Int32Array, values: Uint8Array, n: number, mask: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const v = column[i] as number;
    if (v >= 0 && values[v] === 1) mask[i] = 1;
  }
}

/** Entries of a multi-valued column that count: those whose `column[j]` is marked in `mask`. */
interface TEntryFilter {
  readonly column: Int32Array | Uint8Array;
  readonly mask: Uint8Array;
}

/** Metadata entries whose value is a JSON string (`metaString` is 1): the only ones that are full-text words. */
const STRING_ENTRIES = Uint8Array.of(0, 1);

/** Sets `mask[i]` for rows of a multi-valued column with a value marked in `values`, among the entries `filter` keeps. */
function markMulti(ends: Int32Array, column: Int32Array, values: Uint8Array, n: number, mask: Uint8Array, filter?: TEntryFilter): void {
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[i] as number;
    for (let j = start; j < end; j++) {
      const v = column[j] as number;
      if (v >= 0 && values[v] === 1 && (filter === undefined || filter.mask[filter.column[j] as number] === 1)) {
        mask[i] = 1;
        break;
      }
    }
    start = end;
  }
}

/**
 * The terms that start with `prefix`, compared as UTF-8 bytes in the term dictionary's pool (a string starts with
 * another exactly when its UTF-8 encoding does). Decoding every term instead cost over a second and a string per
 * term on a 1M-event bundle, whose request ids make about a million distinct terms.
 */
function prefixTerms(prefix: string, store: ColumnStore): number[] {
  return store.terms.idsWithPrefix(encoder.encode(prefix));
}

/** Phrase matching over the word lists of dictionary values, memoized per value for one query. */
class PhraseCheck {
  readonly #store: ColumnStore;
  readonly #terms: readonly Set<number>[];
  readonly #memo = new Map<Dictionary, Uint8Array>();

  constructor(store: ColumnStore, terms: readonly number[][]) {
    this.#store = store;
    this.#terms = terms.map((list) => new Set(list));
  }

  #has(dictionary: Dictionary, id: number): boolean {
    if (id < 0) return false;
    let memo = this.#memo.get(dictionary);
    if (memo === undefined || memo.length < dictionary.size) {
      const next = new Uint8Array(dictionary.size);
      if (memo !== undefined) next.set(memo);
      memo = next;
      this.#memo.set(dictionary, memo);
    }
    const known = memo[id] as number;
    if (known !== 0) return known === 1;
    const words = dictionary.words(id);
    const terms = this.#terms;
    let found = false;
    for (let start = 0; start + terms.length <= words.length && !found; start++) {
      let k = 0;
      while (k < terms.length && (terms[k] as Set<number>).has(words[start + k] as number)) k++;
      if (k === terms.length) found = true;
    }
    memo[id] = found ? 1 : 2;
    return found;
  }

  row(row: number): boolean {
    const s = this.#store;
    if (this.#has(s.action, s.actionCol.array[row] as number)) return true;
    if (this.#has(s.actorId, s.actorIdCol.array[row] as number)) return true;
    if (this.#has(s.actorName, s.actorNameCol.array[row] as number)) return true;
    if (this.#has(s.actorType, s.actorTypeCol.array[row] as number)) return true;
    if (this.#has(s.ua, s.uaCol.array[row] as number)) return true;
    for (let j = s.targetStart(row); j < (s.targetEnd.array[row] as number); j++) {
      if (this.#has(s.targetId, s.targetIdCol.array[j] as number) || this.#has(s.targetName, s.targetNameCol.array[j] as number) ||
        this.#has(s.targetType, s.targetTypeCol.array[j] as number)) return true;
    }
    for (let j = s.metaStart(row); j < (s.metaEnd.array[row] as number); j++) {
      if (s.metaString.array[j] === 1 && this.#has(s.metaValue, s.metaValueCol.array[j] as number)) return true;
    }
    return false;
  }
}
