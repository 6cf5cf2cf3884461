/**
 * The investigation workspace, top to bottom: the bar (bundles, open, export, report, case file), verification,
 * the query bar with history and saved views, the filter chips, the histogram (brush to zoom), then facets, the
 * timeline grid and the detail panel (context, tags, star, note). Every part reads the engine through the same
 * `TViewerDataSource`; the CSV export writes exactly the grid's view (its rows, order and visible columns).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactElement } from 'react';

import {
  DEFAULT_GRID_COLUMNS, DetailPanel, EMPTY_QUERY, FacetPanel, FilterChips, Histogram, QueryBar, TimelineGrid, addTerm, formatQuery,
  normalizeGridColumns, parseQuery, timeRangeOf, useFilterHistory, useView, verificationOutcome, withTimeRange,
} from '@custody/ui';
import type { TGridColumnId, TGridColumnState, TSort, TTimeZone, TTimelineGridHandle, TViewerRow } from '@custody/ui';

import type { TExportColumn } from '../../engine';
import type { TSavedView } from '../../engine';
import { SavedViews } from '../parts/saved-views';
import { VerificationSection } from '../parts/verification-section';
import { describeError } from '../session/describe-error';
import type { TViewerSession } from '../session/use-viewer-session';

const DEFAULT_SORT: TSort = { column: 'time', direction: 'asc' };

/** Grid columns → export columns: the CSV has the grid's visible columns, in its order. */
const EXPORT_OF: Readonly<Record<TGridColumnId, readonly TExportColumn[]>> = {
  row: [],
  marks: ['starred', 'note'],
  status: ['status'],
  time: ['time'],
  action: ['action'],
  actor: ['actor'],
  targets: ['targets'],
  ip: ['ip'],
  ua: ['userAgent'],
  control: ['controlNumber'],
  seq: ['seq'],
  bundle: ['file'],
  tags: ['tags'],
};

function stamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
}

/** The workspace. */
export function Workspace({ session }: { session: TViewerSession }): ReactElement {
  const { engine } = session;
  const history = useFilterHistory(EMPTY_QUERY);
  const query = history.query;
  const [sort, setSort] = useState<TSort>(DEFAULT_SORT);
  const [timeZone, setTimeZone] = useState<TTimeZone>('utc');
  const [columns, setColumns] = useState<readonly TGridColumnState[]>(DEFAULT_GRID_COLUMNS);
  const [activeRowId, setActiveRowId] = useState<number | null>(null);
  const [detailRevision, setDetailRevision] = useState(0);
  /** Bumped after annotations when the query depends on them (tag:, is:starred, …). */
  const [annotationRevision, setAnnotationRevision] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const grid = useRef<TTimelineGridHandle>(null);
  /** Bumped while rows stream in, one view at a time (see below). */
  const [growthRevision, setGrowthRevision] = useState(0);
  const { view, loading, error } = useView(engine, query, sort, session.revision + annotationRevision + growthRevision);

  // While bundles load, re-materialize the view as rows arrive, but only once the previous view has arrived (the
  // Worker is busy loading: stacked requests would all be superseded before they finish). Each new view sorts
  // every row so far and refreshes the histogram and facets, work taken from loading and verification, so views
  // follow the rows geometrically: once the rows have doubled (at most once a second), else every 5 s. A million
  // rows take a handful of views instead of one a second (a view each time they grew by half cost the engine more
  // of the CPU that verification needs: 10.05 against 9.81 s to verified, means of four alternating runs).
  const rowsRequested = useRef(0);
  const rowsNow = useRef(0);
  rowsNow.current = session.state.rows;
  // Once no bundle is reading, its phase change has re-materialized the view with every row (session.revision).
  const reading = session.state.bundles.some((b) => b.phase === 'reading');
  const growing = reading && view !== null && !loading && session.state.rows > rowsRequested.current;
  const grownEnough = session.state.rows >= rowsRequested.current * 2;
  useEffect(() => {
    if (!growing) return undefined;
    const delay = rowsRequested.current === 0 ? 0 : grownEnough ? 1000 : 5000;
    const timer = setTimeout(() => {
      rowsRequested.current = rowsNow.current;
      setGrowthRevision((r) => r + 1);
    }, delay);
    return () => clearTimeout(timer);
  }, [view, growing, grownEnough]);

  const timeRange = useMemo(() => timeRangeOf(query), [query]);
  const pdf = session.platform?.pdf === true;

  const { changed, notify } = session;
  const onAnnotated = useCallback(
    (rows: readonly TViewerRow[]) => {
      grid.current?.updateRows(rows);
      // Re-filter only when the filter reads annotations: otherwise the rows stay where they are (and selected).
      if (query.terms.some((term) => term.kind === 'flag' || (term.kind === 'field' && term.field === 'tag'))) setAnnotationRevision((r) => r + 1);
      changed();
    },
    [query, changed],
  );

  const exportView = useCallback(async () => {
    if (view === null) return;
    setBusy('Exporting the view…');
    try {
      const exportColumns = normalizeGridColumns(columns).filter((c) => c.visible).flatMap((c) => EXPORT_OF[c.id]);
      const result = await engine.exportView(view.viewId, exportColumns.length === 0 ? ['time', 'action'] : exportColumns, 'csv');
      const saved = await session.api.saveExport({ suggestedName: `custody-view-${stamp()}.csv`, kind: 'csv', data: new TextDecoder().decode(result.bytes) });
      if (saved !== null) session.notify('success', `Exported ${result.rows.toLocaleString('en-US')} rows (SHA-256 ${result.sha256.slice(0, 16)}…) to ${saved.location}`);
      session.changed();
    } catch (e) {
      session.notify('error', `Export failed: ${describeError(e)}`);
    } finally {
      setBusy(null);
    }
  }, [columns, engine, session, view]);

  const report = useCallback(
    async (kind: 'html' | 'pdf') => {
      setBusy('Writing the findings report…');
      try {
        const html = await engine.findingsReport({ title: 'Findings report' });
        const suggestedName = `custody-findings-${stamp()}.html`;
        const saved = kind === 'pdf' ? await session.api.printReportToPdf({ suggestedName, html }) : await session.api.saveExport({ suggestedName, kind: 'html', data: html });
        if (saved !== null) session.notify('success', `Findings report: ${saved.location}`);
        session.changed();
      } catch (e) {
        session.notify('error', `The report failed: ${describeError(e)}`);
      } finally {
        setBusy(null);
      }
    },
    [engine, session],
  );

  // Menu commands (Electron) that act on the workspace.
  useEffect(
    () =>
      session.api.onMenuCommand((command) => {
        if (command === 'export-view') void exportView();
        else if (command === 'report-html') void report('html');
        else if (command === 'report-pdf') void report('pdf');
      }),
    [exportView, report, session.api],
  );

  const currentView = useCallback(
    (): Omit<TSavedView, 'name'> => ({ query: formatQuery(query), sort, columns: normalizeGridColumns(columns).filter((c) => c.visible).map((c) => c.id) }),
    [columns, query, sort],
  );
  const applyView = useCallback(
    (saved: TSavedView) => {
      const parsed = parseQuery(saved.query);
      if (parsed.errors.length > 0) {
        session.notify('error', `The saved view “${saved.name}” has a query this version cannot read.`);
        return;
      }
      history.push(parsed.query);
      setSort(saved.sort);
      const visible = new Set(saved.columns);
      if (visible.size > 0) setColumns(normalizeGridColumns(columns).map((c) => ({ ...c, visible: visible.has(c.id) })));
    },
    [columns, history, session],
  );

  // While bundles load, the engine's state (progress, row counts) arrives ten times a second and re-renders this
  // workspace. The panels below read the view, not that state: each element is rebuilt only when its own inputs
  // change, and React skips an element it rendered before, so progress no longer re-renders (and repaints) them.
  const { push } = history;
  const revision = session.revision;
  const queryBar = useMemo(() => <QueryBar query={query} onQueryChange={push} history={history} />, [query, push, history]);
  const chips = useMemo(() => <FilterChips query={query} onQueryChange={push} timeZone={timeZone} />, [query, push, timeZone]);
  const histogram = useMemo(
    () => (
      <Histogram
        source={engine}
        view={view}
        range={timeRange.after === undefined && timeRange.before === undefined ? null : timeRange}
        onRangeChange={(range) => push(withTimeRange(query, range))}
        timeZone={timeZone}
        height={96}
      />
    ),
    [engine, view, timeRange, push, query, timeZone],
  );
  const facets = useMemo(() => <FacetPanel source={engine} view={view} query={query} onQueryChange={push} />, [engine, view, query, push]);
  const timeline = useMemo(
    () => (
      <TimelineGrid
        ref={grid}
        source={engine}
        view={view}
        sort={sort}
        onSortChange={setSort}
        timeZone={timeZone}
        onTimeZoneChange={setTimeZone}
        columns={columns}
        onColumnsChange={setColumns}
        onActiveRowChange={(row) => setActiveRowId(row?.rowId ?? null)}
      />
    ),
    [engine, view, sort, timeZone, columns],
  );
  const detail = useMemo(
    () => (
      <DetailPanel
        source={engine}
        rowId={activeRowId}
        timeZone={timeZone}
        revision={detailRevision + revision}
        onAnnotated={onAnnotated}
        onSelectRow={(rowId) => {
          void grid.current?.scrollToRowId(rowId).then((found) => {
            if (!found) notify('info', 'That event is outside the current filter: clear filters to jump to it.');
          });
          setDetailRevision((r) => r + 1);
        }}
        onAddTerm={(term) => push(addTerm(query, term))}
      />
    ),
    [engine, activeRowId, timeZone, detailRevision, revision, onAnnotated, notify, push, query],
  );

  const bundles = session.state.bundles;
  return (
    <div className="vw-workspace">
      <header className="vw-topbar">
        <div className="vw-brand">Custody Viewer</div>
        <ul className="vw-bundle-tabs" aria-label="Open bundles">
          {bundles.map((bundle) => {
            const outcome = verificationOutcome(bundle);
            return (
              <li key={bundle.bundleId} className={`vw-bundle-tab is-${outcome}`} data-outcome={outcome} title={bundle.sha256 === null ? bundle.fileName : `${bundle.fileName}\nSHA-256 ${bundle.sha256}`}>
                <span className="vw-bundle-dot" aria-hidden="true" />
                <span className="vw-bundle-name">{bundle.fileName}</span>
                <span className="vw-bundle-outcome">{outcome.replace('-', ' ')}</span>
                <button type="button" className="vw-bundle-close" aria-label={`Close ${bundle.fileName}`} onClick={() => void session.closeBundle(bundle.bundleId)}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
        <div className="vw-actions">
          <button type="button" className="cu-button" onClick={() => void session.openWithDialog()}>
            Open…
          </button>
          <button type="button" className="cu-button" disabled={view === null || busy !== null} onClick={() => void exportView()}>
            Export CSV
          </button>
          <button type="button" className="cu-button" disabled={busy !== null} onClick={() => void report('html')}>
            Findings report
          </button>
          {pdf ? (
            <button type="button" className="cu-button" disabled={busy !== null} onClick={() => void report('pdf')}>
              Report PDF
            </button>
          ) : null}
          <details className="vw-menu">
            <summary className="cu-button">Case file</summary>
            <div className="vw-menu-list" role="menu">
              <p className="vw-muted vw-small">
                {session.caseFile.location === null ? 'Not saved yet: it is written when you annotate.' : `Saved at ${session.caseFile.location}`}
              </p>
              <button type="button" role="menuitem" className="cu-button cu-button-quiet" onClick={() => void session.importCaseFile()}>
                Load a case file…
              </button>
              <button type="button" role="menuitem" className="cu-button cu-button-quiet" onClick={() => void session.exportCaseFile()}>
                Save a copy…
              </button>
              <button type="button" role="menuitem" className="cu-button cu-button-quiet" onClick={() => void session.closeAll()}>
                Close all bundles
              </button>
            </div>
          </details>
        </div>
      </header>

      <VerificationSection session={session} />

      <div className="vw-query-row">
        <div className="vw-query-bar">
          {queryBar}
        </div>
        <SavedViews session={session} current={currentView} onApply={applyView} />
      </div>
      <div className="vw-chips-row">
        {chips}
        {error === null ? null : <p className="vw-error vw-small">{error.message}</p>}
      </div>

      {histogram}

      <div className={`vw-body${activeRowId === null ? ' is-without-detail' : ''}`}>
        <aside className="vw-facets">{facets}</aside>
        <main className="vw-grid">{timeline}</main>
        {/* The details pane opens with the first selected event, leaving the grid the room until then. */}
        <aside className="vw-detail" hidden={activeRowId === null}>
          {detail}
        </aside>
      </div>
      <footer className="vw-footer vw-small">
        <span>
          {session.state.rows.toLocaleString('en-US')} events in {bundles.length} bundle{bundles.length === 1 ? '' : 's'}
        </span>
        <span>
          Case file:{' '}
          {session.caseFile.state === 'saving' ? 'saving…' : session.caseFile.location ?? 'not saved yet'}
          {session.caseFile.logProblems.length > 0 ? ' · ACTION LOG DOES NOT VERIFY' : ''}
        </span>
        {busy === null ? null : <span className="vw-busy">{busy}</span>}
      </footer>
    </div>
  );
}
