/**
 * Small, pure edits of a `TQuery` shared by the facet panel, the chips, the histogram brush and the detail
 * panel's "filter in / out" actions. Terms are compared by `termKey`.
 */
import type { TQuery, TQueryField, TQueryTerm } from '../data-source';
import { formatTerm } from './format-query';

/** The empty query (matches every row). */
export const EMPTY_QUERY: TQuery = { terms: [] };

/** A stable identity of a term (its formatted text, with the sign). Two terms with equal keys are the same filter. */
export function termKey(term: TQueryTerm): string {
  return term.kind === 'time' ? `time:${String(term.after ?? '')}:${String(term.before ?? '')}` : formatTerm(term);
}

/** The same term with the opposite sign (`negate` omitted when `false`). Time terms are returned unchanged. */
export function invertTerm(term: TQueryTerm): TQueryTerm {
  if (term.kind === 'time') return term;
  if (term.negate === true) {
    const { negate: _negate, ...rest } = term;
    return rest;
  }
  return { ...term, negate: true };
}

/**
 * Adds a term. If the query already has it, the query is returned unchanged; if it has the opposite term
 * (`-action:x` when adding `action:x`), that one is replaced, so a value is never both included and excluded.
 */
export function addTerm(query: TQuery, term: TQueryTerm): TQuery {
  const key = termKey(term);
  if (query.terms.some((existing) => termKey(existing) === key)) return query;
  const opposite = termKey(invertTerm(term));
  const index = query.terms.findIndex((existing) => termKey(existing) === opposite);
  if (index >= 0 && term.kind !== 'time') return { terms: query.terms.map((existing, i) => (i === index ? term : existing)) };
  return { terms: [...query.terms, term] };
}

/** Removes every term equal to `term`. */
export function removeTerm(query: TQuery, term: TQueryTerm): TQuery {
  const key = termKey(term);
  return { terms: query.terms.filter((existing) => termKey(existing) !== key) };
}

/** Whether the query has exactly this term. */
export function hasTerm(query: TQuery, term: TQueryTerm): boolean {
  const key = termKey(term);
  return query.terms.some((existing) => termKey(existing) === key);
}

/** `field:value` (exact), optionally negated: what facet and detail "filter in / out" actions add. */
export function fieldTerm(field: TQueryField, value: string, negate = false): TQueryTerm {
  return negate ? { kind: 'field', field, op: 'eq', value, negate: true } : { kind: 'field', field, op: 'eq', value };
}

/** The time window the query restricts to: the latest `after` and the earliest `before` of its time terms. */
export function timeRangeOf(query: TQuery): { after?: number; before?: number } {
  let after: number | undefined;
  let before: number | undefined;
  for (const term of query.terms) {
    if (term.kind !== 'time') continue;
    if (term.after !== undefined) after = after === undefined ? term.after : Math.max(after, term.after);
    if (term.before !== undefined) before = before === undefined ? term.before : Math.min(before, term.before);
  }
  return { ...(after === undefined ? {} : { after }), ...(before === undefined ? {} : { before }) };
}

/**
 * Replaces the query's time terms with `after:` / `before:` for `range` (as two single-bound terms, the
 * form the parser produces), or removes them when `range` is `null`. Other terms keep their order.
 */
export function withTimeRange(query: TQuery, range: { after?: number; before?: number } | null): TQuery {
  const terms: TQueryTerm[] = query.terms.filter((term) => term.kind !== 'time');
  if (range?.after !== undefined) terms.push({ kind: 'time', after: range.after });
  if (range?.before !== undefined) terms.push({ kind: 'time', before: range.before });
  return { terms };
}
