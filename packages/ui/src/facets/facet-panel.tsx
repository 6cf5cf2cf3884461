/**
 * Top values with counts per field (Splunk's fields sidebar, Timesketch's aggregations) for the current
 * view. Clicking a value filters to it (`field:value`); the − button filters it out (`-field:value`); a
 * value already in the filter shows as such and clicking it again removes it. Each field can be searched
 * (among the values fetched: the `top` most frequent).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { ReactElement } from 'react';

import type { TFacetValue, TQuery, TQueryField, TViewHandle, TViewerDataSource } from '../data-source';
import { formatCount } from '../common/format';
import { Icon } from '../common/icon';
import { StatusBadge } from '../common/status-badge';
import { addTerm, fieldTerm, hasTerm, removeTerm } from '../query/edit-query';
import { fieldLabel } from '../query/query-fields';

/** Default fields of `FacetPanel`. */
export const DEFAULT_FACET_FIELDS: readonly TQueryField[] = ['action', 'actor.id', 'actor.type', 'target.type', 'ip', 'status', 'bundle', 'tag'];

/** Props of `FacetPanel`. */
export interface TFacetPanelProps {
  readonly source: TViewerDataSource;
  readonly view: TViewHandle | null;
  /** The query in force: values it includes or excludes are marked, and edits start from it. */
  readonly query: TQuery;
  /** The query with a value included, excluded or removed. */
  readonly onQueryChange: (query: TQuery) => void;
  /** Fields shown, in order. Default `DEFAULT_FACET_FIELDS`. */
  readonly fields?: readonly TQueryField[];
  /** Values fetched per field (searchable). Default is 50. */
  readonly top?: number;
  /** Values listed before "Show all". Default is 6. */
  readonly collapsedCount?: number;
  /** The panel's heading. Default is `'Fields'`. */
  readonly title?: string;
}

/**
 * The facets sidebar.
 *
 * ```tsx
 * <FacetPanel source={source} view={view} query={query} onQueryChange={history.push} />
 * ```
 */
export function FacetPanel(props: TFacetPanelProps): ReactElement {
  const { source, view, query, onQueryChange, fields = DEFAULT_FACET_FIELDS, top = 50, collapsedCount = 6, title = 'Fields' } = props;
  const [facets, setFacets] = useState<Readonly<Record<string, readonly TFacetValue[]>> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const viewId = view?.viewId ?? null;
  const fieldsKey = fields.join('\u0000');

  useEffect(() => {
    if (viewId === null) return undefined;
    let live = true;
    source.facets(viewId, fields, top).then(
      (result) => {
        if (!live) return;
        setFacets(result);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
    // `fieldsKey` stands for `fields` by value.
  }, [source, viewId, fieldsKey, top]);

  return (
    <section className="cu-facets" aria-label={title}>
      <h2 className="cu-panel-title cu-facets-title">{title}</h2>
      {error === null ? null : (
        <p className="cu-inline-error" role="alert">
          Could not load field values: {error}
        </p>
      )}
      {fields.map((field) => (
        <FacetField
          key={field}
          field={field}
          values={facets?.[field] ?? null}
          total={view?.total ?? 0}
          query={query}
          onQueryChange={onQueryChange}
          collapsedCount={collapsedCount}
          top={top}
        />
      ))}
    </section>
  );
}

function FacetField(props: {
  field: TQueryField;
  values: readonly TFacetValue[] | null;
  total: number;
  query: TQuery;
  onQueryChange: (query: TQuery) => void;
  collapsedCount: number;
  top: number;
}): ReactElement {
  const { field, values, total, query, onQueryChange, collapsedCount, top } = props;
  const id = useId();
  const [open, setOpen] = useState(true);
  const [showAll, setShowAll] = useState(false);
  const [search, setSearch] = useState('');
  const label = fieldLabel(field);

  const matching = useMemo(() => {
    if (values === null) return [];
    const needle = search.trim().toLowerCase();
    return needle === '' ? values : values.filter((v) => v.value.toLowerCase().includes(needle));
  }, [values, search]);
  const listed = showAll || search.trim() !== '' ? matching : matching.slice(0, collapsedCount);
  const max = values?.reduce((m, v) => Math.max(m, v.count), 0) ?? 0;

  return (
    <div className="cu-facet" data-field={field}>
      <h3 className="cu-facet-heading">
        <button type="button" className="cu-facet-toggle" aria-expanded={open} aria-controls={`${id}-body`} onClick={() => setOpen(!open)}>
          <Icon name={open ? 'down' : 'forward'} size={12} />
          <span>{label}</span>
          <span className="cu-facet-distinct">{values === null ? '' : values.length === 0 ? 'none' : `${formatCount(values.length)}${values.length >= top ? '+' : ''} ${values.length === 1 ? 'value' : 'values'}`}</span>
        </button>
      </h3>
      {open ? (
        <div id={`${id}-body`} className="cu-facet-body">
          {values !== null && values.length > collapsedCount ? (
            <input
              type="search"
              className="cu-input cu-input-small cu-facet-search"
              placeholder={`Search ${label.toLowerCase()}…`}
              aria-label={`Search ${label} values`}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
          ) : null}
          {values === null ? <div className="cu-facet-loading">Loading…</div> : null}
          {values !== null && matching.length === 0 ? <div className="cu-facet-none">{search === '' ? 'No values' : 'No matching values'}</div> : null}
          <ul className="cu-facet-values" aria-label={`${label} values`}>
            {listed.map((v) => {
              const include = fieldTerm(field, v.value);
              const exclude = fieldTerm(field, v.value, true);
              const included = hasTerm(query, include);
              const excluded = hasTerm(query, exclude);
              const display = v.value === '' ? '(empty)' : v.value;
              const share = total > 0 ? v.count / total : 0;
              return (
                <li key={v.value} className={`cu-facet-value${included ? ' is-included' : ''}${excluded ? ' is-excluded' : ''}`}>
                  <button
                    type="button"
                    className="cu-facet-include"
                    aria-pressed={included}
                    aria-label={`${included ? 'Remove filter' : 'Filter to'} ${label} ${display}, ${formatCount(v.count)} events`}
                    title={`${field}:${v.value}`}
                    onClick={() => onQueryChange(included ? removeTerm(query, include) : addTerm(query, include))}
                  >
                    <span className="cu-facet-bar" style={{ width: `${max > 0 ? (v.count / max) * 100 : 0}%` }} aria-hidden="true" />
                    <span className="cu-facet-label">
                      {included ? <Icon name="check" size={12} /> : null}
                      {field === 'status' && (v.value === 'verified' || v.value === 'failed' || v.value === 'pending') ? <StatusBadge status={v.value} /> : <span className="cu-facet-text">{display}</span>}
                    </span>
                    <span className="cu-facet-count">
                      {formatCount(v.count)}
                      <span className="cu-facet-share">{share >= 0.995 ? '100%' : share >= 0.001 ? `${(share * 100).toFixed(1)}%` : '<0.1%'}</span>
                    </span>
                  </button>
                  <button
                    type="button"
                    className="cu-icon-button cu-facet-exclude"
                    aria-pressed={excluded}
                    aria-label={`${excluded ? 'Stop excluding' : 'Exclude'} ${label} ${display}`}
                    title={excluded ? `Stop excluding ${display}` : `Exclude ${display} (-${field}:…)`}
                    onClick={() => onQueryChange(excluded ? removeTerm(query, exclude) : addTerm(query, exclude))}
                  >
                    <Icon name="minus" size={14} />
                  </button>
                </li>
              );
            })}
          </ul>
          {search.trim() === '' && matching.length > collapsedCount ? (
            <button type="button" className="cu-link-button" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Show fewer' : `Show all ${formatCount(matching.length)}`}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
