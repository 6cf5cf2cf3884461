/**
 * The query text box: type the query language (`parseQuery`), press Enter to apply. Errors are shown
 * inline with the offending text marked, and nothing is applied until the text parses. When the query
 * changes elsewhere (chips, facets, histogram, history) the text follows it. Back/forward buttons drive a
 * `useFilterHistory`.
 */
import { useEffect, useId, useState } from 'react';
import type { ReactElement } from 'react';

import type { TQuery } from '../data-source';
import { Icon } from '../common/icon';
import { formatQuery } from './format-query';
import type { TQueryError } from './parse-query';
import { parseQuery } from './parse-query';

/** The part of `useFilterHistory`'s result the bar uses. */
export interface TQueryBarHistory {
  readonly back: () => void;
  readonly forward: () => void;
  readonly canBack: boolean;
  readonly canForward: boolean;
}

/** Props of `QueryBar`. */
export interface TQueryBarProps {
  readonly query: TQuery;
  /** The text parsed without errors and was applied. */
  readonly onQueryChange: (query: TQuery) => void;
  /** Shows back/forward buttons (Alt+←/→ are handled by `useFilterHistory`). */
  readonly history?: TQueryBarHistory;
  readonly placeholder?: string;
  /** The input's accessible name. Default is `'Filter query'`. */
  readonly label?: string;
}

const EXAMPLES: readonly (readonly [readonly string[], string])[] = [
  [['action:user.*'], 'action starts with "user."'],
  [['-action:user.viewed'], 'exclude a value (any term)'],
  [['actor.id:u_123', 'actor:u_123'], 'actor id (and its alias)'],
  [['ip:10.0.0.0/8'], 'IP address in a CIDR block'],
  [['after:2026-01-01', 'before:2026-02-01T12:00Z'], 'time range: a UTC date, or RFC 3339 with an offset'],
  [['"exact phrase"', 'word'], 'full text'],
  [['meta.plan:enterprise'], 'root metadata key'],
  [['tag:important', 'is:starred', 'is:noted'], 'your annotations'],
  [['status:failed'], 'verification status: verified, pending, failed'],
];

/**
 * The filter text box with inline errors and history buttons.
 *
 * ```tsx
 * const history = useFilterHistory(EMPTY_QUERY);
 * <QueryBar query={history.query} onQueryChange={history.push} history={history} />
 * ```
 */
export function QueryBar(props: TQueryBarProps): ReactElement {
  const { query, onQueryChange, history, placeholder = 'Filter: action:user.* -ip:10.0.0.0/8 after:2026-01-01 "phrase"', label = 'Filter query' } = props;
  const id = useId();
  const formatted = formatQuery(query);
  const [text, setText] = useState(formatted);
  const [errors, setErrors] = useState<readonly TQueryError[]>([]);
  const [checkedText, setCheckedText] = useState('');

  // The query changed outside (chips, facets, history): show it.
  useEffect(() => {
    setText(formatted);
    setErrors([]);
  }, [formatted]);

  const apply = (): void => {
    const parsed = parseQuery(text);
    setCheckedText(text);
    setErrors(parsed.errors);
    if (parsed.errors.length > 0) return;
    onQueryChange(parsed.query);
    // Normalize what was typed (aliases, spacing) even when the query is unchanged.
    setText(formatQuery(parsed.query));
  };

  const dirty = text !== formatted;
  return (
    <div className="cu-query-bar">
      <form
        className="cu-query-form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          apply();
        }}
      >
        {history === undefined ? null : (
          <div className="cu-button-row cu-history-buttons" role="group" aria-label="Filter history">
            <button type="button" className="cu-icon-button" aria-label="Back to the previous filter (Alt+Left)" title="Back (Alt+←)" disabled={!history.canBack} onClick={history.back}>
              <Icon name="back" />
            </button>
            <button type="button" className="cu-icon-button" aria-label="Forward to the next filter (Alt+Right)" title="Forward (Alt+→)" disabled={!history.canForward} onClick={history.forward}>
              <Icon name="forward" />
            </button>
          </div>
        )}
        <div className={`cu-query-field${errors.length > 0 ? ' is-invalid' : ''}`}>
          <Icon name="search" className="cu-query-icon" />
          <input
            id={`${id}-input`}
            className="cu-query-input"
            type="text"
            spellCheck={false}
            autoComplete="off"
            aria-label={label}
            aria-invalid={errors.length > 0}
            aria-describedby={errors.length > 0 ? `${id}-errors` : `${id}-hint`}
            placeholder={placeholder}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              if (errors.length > 0) setErrors([]);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && dirty) {
                event.preventDefault();
                setText(formatted);
                setErrors([]);
              }
            }}
          />
          {dirty ? <span className="cu-query-dirty" id={`${id}-hint`}>Enter to apply · Esc to revert</span> : <span className="cu-visually-hidden" id={`${id}-hint`}>Press Enter to apply the filter</span>}
        </div>
        <button type="submit" className="cu-button cu-button-primary">
          Apply
        </button>
        <details className="cu-query-help">
          <summary className="cu-button cu-button-quiet">Syntax</summary>
          <div className="cu-popover cu-query-help-body">
            <p>Every term must match. Prefix a term with <code>-</code> to exclude it; quote values with spaces.</p>
            <dl>
              {EXAMPLES.map(([tokens, meaning]) => (
                <div key={tokens.join(' ')}>
                  <dt>
                    {tokens.map((token) => (
                      <code key={token}>{token}</code>
                    ))}
                  </dt>
                  <dd>{meaning}</dd>
                </div>
              ))}
            </dl>
          </div>
        </details>
      </form>
      {errors.length > 0 ? (
        <div role="alert">
          <ul id={`${id}-errors`} className="cu-query-errors" aria-label="Query errors">
            {errors.map((error) => (
              <li key={`${error.at}-${error.message}`}>
                <span className="cu-query-error-where">
                  {checkedText.slice(Math.max(0, error.at - 12), error.at)}
                  <mark>{checkedText.slice(error.at, error.end) || ' '}</mark>
                  {checkedText.slice(error.end, error.end + 12)}
                </span>
                <span className="cu-query-error-message">
                  column {error.at + 1}: {error.message}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
