/**
 * `TQuery` → query text, the inverse of `parseQuery`: for every query the parser can produce,
 * `parseQuery(formatQuery(q)).query` deep-equals `q` (property-tested), so the text box and the chips can be
 * kept in sync both ways. Values are quoted only when they must be.
 */
import type { TQuery, TQueryTerm } from '../data-source';
import { QUERY_SPACE } from './parse-query';
import { formatQueryTime } from './query-time';

/**
 * Formats a whole query: its terms separated by single spaces.
 *
 * ```ts
 * formatQuery({ terms: [{ kind: 'field', field: 'action', op: 'prefix', value: 'user.' }, { kind: 'text', value: 'two words' }] });
 * // 'action:user.* "two words"'
 * ```
 */
export function formatQuery(query: TQuery): string {
  return query.terms.map(formatTerm).filter((text) => text !== '').join(' ');
}

/**
 * Formats one term. A time term with both bounds becomes two tokens (`after:… before:…`), which parse back as
 * two single-bound terms; a time term with neither bound formats as `''`.
 */
export function formatTerm(term: TQueryTerm): string {
  switch (term.kind) {
    case 'text': {
      const needsQuotes = mustQuote(term.value) || term.value.startsWith('-') || term.value.includes(':');
      return `${term.negate === true ? '-' : ''}${needsQuotes ? quote(term.value) : term.value}`;
    }
    case 'field': {
      const sign = term.negate === true ? '-' : '';
      if (term.op === 'cidr') return `${sign}${term.field}:${term.value}`;
      if (term.op === 'prefix') {
        const bare = term.value === '' || !mustQuote(term.value);
        return `${sign}${term.field}:${bare ? term.value : quote(term.value)}*`;
      }
      const quoted = mustQuote(term.value) || term.value.endsWith('*') || (term.field === 'ip' && term.value.includes('/'));
      return `${sign}${term.field}:${quoted ? quote(term.value) : term.value}`;
    }
    case 'time': {
      const parts: string[] = [];
      if (term.after !== undefined) parts.push(`after:${formatQueryTime(term.after)}`);
      if (term.before !== undefined) parts.push(`before:${formatQueryTime(term.before)}`);
      return parts.join(' ');
    }
    case 'flag':
      return `${term.negate === true ? '-' : ''}is:${term.flag}`;
  }
}

function mustQuote(value: string): boolean {
  return value === '' || value.includes('"') || QUERY_SPACE.test(value);
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}
