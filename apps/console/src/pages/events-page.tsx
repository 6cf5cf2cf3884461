import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';

import { Histogram } from '../components/histogram';
import { Icon } from '../components/icon';
import { EmptyState, ErrorBanner, LoadingState, PageHeader, Spinner } from '../components/states';
import { TopValues } from '../components/top-values';
import type { TEventRecord, TOrganization } from '../lib/api-client';
import { describeError } from '../lib/describe-error';
import { FILTER_LABELS, PAGE_SIZES, clearFilters, filterChips, formatEventView, hasFilters, parseEventView, toApiFilter, withAction } from '../lib/event-view';
import type { TEventView } from '../lib/event-view';
import { formatCount, formatDuration } from '../lib/format';
import { writeEventsSearch } from '../lib/key-storage';
import { navigate, useLocation } from '../lib/router';
import { useAsync } from '../lib/use-async';
import { useOrganizationsRefresh, useSession } from '../session';
import { EventDetailPanel } from './event-detail-panel';
import type { TPivot } from './event-detail-panel';
import { EventFilterForm } from './event-filter-form';
import { EventTable } from './event-table';

interface TListState {
  key: string;
  status: 'loading' | 'ready' | 'error';
  events: TEventRecord[];
  nextCursor: string | null;
  error: unknown;
  loadingMore: boolean;
  moreError: unknown;
}

/**
 * Events: full-text search, structured filters as removable chips, sort, page size, keyset "Load more", a
 * histogram with top actions and actors, the table, and a detail panel with in-browser inclusion
 * verification. Everything but the loaded pages lives in the URL.
 */
export function EventsPage({ organization }: { organization: TOrganization }) {
  const { client, reportError } = useSession();
  const location = useLocation();
  const view = useMemo(() => parseEventView(location.search), [location.search]);
  const filter = useMemo(() => toApiFilter(view), [view]);
  const basePath = `/orgs/${encodeURIComponent(organization.id)}/events`;
  // Remembered for the Exports page's "use the current Events filter".
  useEffect(() => writeEventsSearch(organization.id, location.search), [organization.id, location.search]);
  const [showFilters, setShowFilters] = useState(false);

  const go = useCallback(
    (next: TEventView, options: { replace?: boolean } = {}) => navigate(`${basePath}${formatEventView(next)}`, options),
    [basePath],
  );
  /** A filter change: new history entry, selection cleared. */
  const applyView = (next: TEventView) => go({ ...next, event: null });

  // --- the list, page by page (keyset cursor)
  const listKey = JSON.stringify([organization.id, filter, view.order, view.limit]);
  const [list, setList] = useState<TListState>({ key: '', status: 'loading', events: [], nextCursor: null, error: null, loadingMore: false, moreError: null });
  const [reloads, setReloads] = useState(0);
  // Aborted when the list it loads is replaced (another filter, a refresh) or the page closes: the request
  // closes and the server stops the query. "Load more" requests are aborted with it.
  const listAbort = useRef<AbortController | null>(null);
  useEffect(() => {
    let current = true;
    const abort = new AbortController();
    listAbort.current = abort;
    setList({ key: listKey, status: 'loading', events: [], nextCursor: null, error: null, loadingMore: false, moreError: null });
    client.events.list.query({ organizationId: organization.id, filter, order: view.order, limit: view.limit }, { signal: abort.signal }).then(
      (page) => current && setList((s) => ({ ...s, status: 'ready', events: page.events, nextCursor: page.nextCursor })),
      (error: unknown) => {
        if (!current) return;
        setList((s) => ({ ...s, status: 'error', error }));
        reportError(error);
      },
    );
    return () => {
      current = false;
      abort.abort();
    };
    // listKey captures organization, filter, order and limit.
  }, [listKey, reloads]);

  const loadMore = () => {
    const cursor = list.nextCursor;
    if (cursor === null || list.loadingMore) return;
    const key = list.key;
    setList((s) => ({ ...s, loadingMore: true, moreError: null }));
    const signal = listAbort.current?.signal;
    client.events.list.query({ organizationId: organization.id, filter, order: view.order, limit: view.limit, cursor }, { signal }).then(
      (page) =>
        setList((s) => {
          if (s.key !== key) return s;
          const seen = new Set(s.events.map((e) => e.id));
          return { ...s, loadingMore: false, events: [...s.events, ...page.events.filter((e) => !seen.has(e.id))], nextCursor: page.nextCursor };
        }),
      (error: unknown) => {
        setList((s) => (s.key === key ? { ...s, loadingMore: false, moreError: error } : s));
        reportError(error);
      },
    );
  };

  // The sidebar's event count comes from the organization list: reload it with the events (on opening the
  // page, Refresh, Retry), or it keeps the count from sign-in.
  useOrganizationsRefresh(organization.id, reloads);

  // --- histogram and facets
  const statsKey = JSON.stringify([organization.id, filter, reloads]);
  const stats = useAsync((signal) => client.events.stats.query({ organizationId: organization.id, filter, top: 8 }, { signal }), statsKey);

  // --- the selected event: from the loaded rows, else fetched by id (shared links)
  const selectedFromList = view.event === null ? undefined : list.events.find((e) => e.id === view.event);
  const needFetch = view.event !== null && selectedFromList === undefined && list.status !== 'loading';
  const fetched = useAsync(
    (signal) => (needFetch && view.event !== null ? client.events.get.query({ organizationId: organization.id, id: view.event }, { signal }) : Promise.resolve(null)),
    needFetch ? `${organization.id}:${view.event}` : 'none',
  );
  const selected = selectedFromList ?? (needFetch ? (fetched.data ?? null) : null);

  // --- search box (submitted on Enter)
  const [query, setQuery] = useState(view.q ?? '');
  useEffect(() => setQuery(view.q ?? ''), [view.q]);
  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    applyView({ ...view, q: q === '' ? null : q });
  };

  const chips = filterChips(view);
  const filtered = hasFilters(view);
  // Closing the panel (Escape, ✕) returns focus to the row it was opened from, where keyboard users left off.
  const returnFocusTo = useRef<string | null>(null);
  const closeDetail = useCallback(() => {
    returnFocusTo.current = view.event;
    go({ ...view, event: null }, { replace: true });
  }, [go, view]);
  useEffect(() => {
    const id = returnFocusTo.current;
    if (view.event !== null || id === null) return;
    returnFocusTo.current = null;
    document.querySelector<HTMLElement>(`[data-testid=events-table] tr[data-id="${CSS.escape(id)}"]`)?.focus();
  }, [view.event]);

  const pivots: TPivot[] = selected === null
    ? []
    : [
        { label: `Action ${selected.action}`, apply: () => applyView(withAction(view, selected.action)) },
        { label: `Actor ${selected.actor.type}:${selected.actor.id}`, apply: () => applyView({ ...view, actorType: selected.actor.type, actorId: selected.actor.id }) },
        { label: `IP ${selected.context.location}`, apply: () => applyView({ ...view, ip: selected.context.location }) },
      ];

  const total = stats.status === 'success' ? stats.data.total : null;
  // When the list and the statistics fail alike (the server stopped answering), one banner says so; its Retry
  // reloads both. A list refused for its input (a filter the server rejects, a key without events:read) stands
  // for both too: the statistics are asked the same question.
  const listFailure = list.status === 'error' ? describeError(list.error) : null;
  const oneBanner = listFailure !== null && (!listFailure.retryable || (stats.status === 'error' && listFailure.code === describeError(stats.error).code));
  const badFilter = listFailure?.code === 'BAD_REQUEST';
  return (
    <div className={view.event !== null ? 'page page-with-panel' : 'page'}>
      <PageHeader
        title="Events"
        subtitle={<>Logged events of <strong>{organization.name}</strong>, newest first unless you change the order. Times are UTC.</>}
        actions={
          <>
            <label className="inline-field">
              <span>Order</span>
              <select
                className="select"
                aria-label="Sort order"
                value={view.order}
                onChange={(e) => applyView({ ...view, order: e.target.value === 'asc' ? 'asc' : 'desc' })}
              >
                <option value="desc">Newest first</option>
                <option value="asc">Oldest first</option>
              </select>
            </label>
            <label className="inline-field">
              <span>Page size</span>
              <select className="select" aria-label="Page size" value={view.limit} onChange={(e) => applyView({ ...view, limit: Number(e.target.value) })}>
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>{n}</option>
                ))}
              </select>
            </label>
            <button type="button" className="button" onClick={() => setReloads((r) => r + 1)}>Refresh</button>
          </>
        }
      />

      <div className="search-bar">
        <form className="search-form" role="search" onSubmit={submitSearch}>
          <span className="search-icon"><Icon name="search" /></span>
          <input
            type="search"
            name="q"
            className="input search-input"
            placeholder="Search actors, targets, IPs, user agents, metadata…"
            aria-label="Full-text search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <button type="submit" className="button button-primary">Search</button>
        </form>
        <button type="button" className={showFilters ? 'button button-active' : 'button'} onClick={() => setShowFilters((s) => !s)} aria-expanded={showFilters}>
          Filters{chips.length > 0 ? ` (${chips.length})` : ''}
        </button>
      </div>

      {showFilters && (
        <EventFilterForm
          key={location.search}
          view={view}
          onClose={() => setShowFilters(false)}
          onApply={(next) => {
            setShowFilters(false);
            applyView(next);
          }}
        />
      )}

      {chips.length > 0 && (
        <div className="chips" aria-label="Active filters" data-testid="chips">
          {chips.map((chip) => (
            <span className="chip" key={chip.id} data-chip={chip.id}>
              <span className="chip-label">{chip.label}</span>
              <span className="chip-value mono">{chip.value}</span>
              <button type="button" className="chip-remove" aria-label={`Remove filter ${chip.label} ${chip.value}`} onClick={() => applyView(chip.remove(view))}>
                ×
              </button>
            </span>
          ))}
          <button type="button" className="button button-ghost button-small" onClick={() => applyView(clearFilters(view))}>
            Clear all
          </button>
        </div>
      )}

      {!oneBanner && <section className="card overview" aria-label="Events over time">
        {stats.status === 'error' ? (
          <ErrorBanner error={stats.error} title="Could not load the histogram" onRetry={stats.reload} labels={FILTER_LABELS} />
        ) : stats.data === undefined ? (
          <LoadingState label="Counting events…" />
        ) : (
          <div className="overview-grid">
            <div className="overview-chart">
              <div className="overview-head">
                <h2>
                  <span data-testid="total-count">{formatCount(stats.data.total)}</span> {stats.data.total === 1 ? 'event' : 'events'}
                  {filtered ? ' match' : ''}
                </h2>
                <span className="muted small">
                  {stats.data.buckets.length > 0 && `Buckets of ${formatDuration(stats.data.bucketMs)} · click a bar to zoom in`}
                </span>
              </div>
              <Histogram stats={stats.data} after={view.after} before={view.before} onSelect={(after, before) => applyView({ ...view, after, before })} />
            </div>
            <TopValues
              title="Top actions"
              testId="top-actions"
              emptyText="No actions."
              items={stats.data.topActions.map((a) => ({
                key: a.action,
                label: a.action,
                count: a.count,
                hint: `Filter by action ${a.action}`,
                onSelect: () => applyView(withAction(view, a.action)),
              }))}
            />
            <TopValues
              title="Top actors"
              testId="top-actors"
              emptyText="No actors."
              items={stats.data.topActors.map((a) => ({
                key: `${a.type}:${a.id}`,
                label: a.id,
                sub: a.type,
                count: a.count,
                hint: `Filter by actor ${a.type}:${a.id}`,
                onSelect: () => applyView({ ...view, actorType: a.type, actorId: a.id }),
              }))}
            />
          </div>
        )}
      </section>}

      <section className="card" aria-label="Events">
        {list.status === 'error' ? (
          <div className="card-body">
            <ErrorBanner
              error={list.error}
              title={badFilter ? 'The server refused this filter' : 'Could not load events'}
              labels={FILTER_LABELS}
              onRetry={() => setReloads((r) => r + 1)}
              action={badFilter ? <button type="button" className="button button-small" onClick={() => setShowFilters(true)}>Edit filters</button> : undefined}
            />
          </div>
        ) : list.status === 'loading' ? (
          <LoadingState label="Loading events…" />
        ) : list.events.length === 0 ? (
          filtered ? (
            <EmptyState
              title="No events match these filters"
              action={<button type="button" className="button" onClick={() => applyView(clearFilters(view))}>Clear all filters</button>}
            >
              Remove a filter chip, widen the time range, or search for fewer words.
            </EmptyState>
          ) : (
            <EmptyState title="No events yet">
              Send events to <code>{organization.id}</code> with an <code>events:write</code> key (SDK, <code>events.create</code>, or{' '}
              <code>POST /audit_logs/events</code>); they appear here once committed.
            </EmptyState>
          )
        ) : (
          <>
            <EventTable
              compact={view.event !== null}
              events={list.events}
              order={view.order}
              selectedId={view.event}
              onSelect={(e) => go({ ...view, event: e.id }, { replace: true })}
              onToggleOrder={() => applyView({ ...view, order: view.order === 'asc' ? 'desc' : 'asc' })}
            />
            <div className="table-footer">
              <span className="muted" data-testid="shown-count">
                Showing {formatCount(list.events.length)}
                {total !== null && ` of ${formatCount(total)}`}
              </span>
              {list.moreError !== null && <ErrorBanner error={list.moreError} title="Could not load the next page" onRetry={loadMore} />}
              {list.nextCursor !== null ? (
                <button type="button" className="button" onClick={loadMore} disabled={list.loadingMore}>
                  {list.loadingMore ? <><Spinner /> Loading…</> : `Load ${view.limit} more`}
                </button>
              ) : (
                <span className="muted small" data-testid="end-of-list">End of results</span>
              )}
            </div>
          </>
        )}
      </section>

      {view.event !== null && (
        <EventDetailPanel
          organization={organization}
          eventId={view.event}
          event={selected}
          loading={list.status === 'loading' || fetched.status === 'loading'}
          error={fetched.status === 'error' ? fetched.error : null}
          pivots={pivots}
          onClose={closeDetail}
        />
      )}
    </div>
  );
}
