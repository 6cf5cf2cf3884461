/**
 * The active filter as removable chips, in sync with the query bar (both edit the same `TQuery`).
 * Each chip can be inverted (include ⇄ exclude) or removed; Delete/Backspace on a chip removes it.
 */
import type { ReactElement } from 'react';

import type { TQuery } from '../data-source';
import type { TTimeZone } from '../common/format';
import { Icon } from '../common/icon';
import { describeTerm } from './describe-term';
import { invertTerm, termKey } from './edit-query';

/** Props of `FilterChips`. */
export interface TFilterChipsProps {
  readonly query: TQuery;
  readonly onQueryChange: (query: TQuery) => void;
  /** How time chips are shown. Default is `'utc'`. */
  readonly timeZone?: TTimeZone;
  /** The list's accessible name. Default is `'Active filters'`. */
  readonly label?: string;
}

/** The chips row; renders "No filters" when the query is empty. */
export function FilterChips({ query, onQueryChange, timeZone = 'utc', label = 'Active filters' }: TFilterChipsProps): ReactElement {
  const remove = (index: number): void => onQueryChange({ terms: query.terms.filter((_, i) => i !== index) });
  return (
    <div className="cu-chips">
      <ul className="cu-chip-list" aria-label={label}>
        {query.terms.length === 0 ? <li className="cu-chips-empty">No filters: showing every event.</li> : null}
        {query.terms.map((term, index) => {
          const d = describeTerm(term, timeZone);
          return (
            <li
              key={`${termKey(term)}#${index}`}
              className={`cu-chip cu-chip-${term.kind}${d.negated ? ' is-negated' : ''}`}
              title={d.syntax}
              onKeyDown={(event) => {
                if (event.key === 'Delete' || event.key === 'Backspace') {
                  event.preventDefault();
                  remove(index);
                }
              }}
            >
              {d.negated ? <span className="cu-chip-not">NOT</span> : null}
              <span className="cu-chip-field">{d.field}</span>
              {d.operator === '' ? null : <span className="cu-chip-op">{d.operator}</span>}
              <span className="cu-chip-value">{d.value}</span>
              {term.kind === 'time' ? null : (
                <button type="button" className="cu-chip-button" aria-label={`${d.negated ? 'Include' : 'Exclude'} instead: ${d.sentence}`} title={d.negated ? 'Include instead' : 'Exclude instead'} onClick={() => onQueryChange({ terms: query.terms.map((t, i) => (i === index ? invertTerm(t) : t)) })}>
                  <Icon name={d.negated ? 'plus' : 'minus'} size={12} />
                </button>
              )}
              <button type="button" className="cu-chip-button" aria-label={`Remove filter: ${d.sentence}`} title="Remove" onClick={() => remove(index)}>
                <Icon name="x" size={12} />
              </button>
            </li>
          );
        })}
      </ul>
      {query.terms.length > 1 ? (
        <button type="button" className="cu-link-button" onClick={() => onQueryChange({ terms: [] })}>
          Clear all
        </button>
      ) : null}
    </div>
  );
}
