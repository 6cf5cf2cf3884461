/**
 * The component harness: mounts every component over the in-memory data source, wired as the viewer
 * wires them. `?scenario=` picks the page: `viewer` (default: query bar, chips, histogram, facets, grid,
 * details), `big` (the grid over 2,000,000 rows), `histogram` (`&buckets=N&rows=M&zone=local`),
 * `verification` (every verification outcome) and `trust` (the key trust dialog). `?theme=dark` switches the theme. Everything the components emit is appended to
 * `window.__events` for the browser suites.
 */
import { StrictMode, useCallback, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

import '../../src/styles.css';
import './harness.css';
import type { TBundleState, TQuery, TSort, TViewerRow } from '../../src/index';
import {
  DetailPanel,
  EMPTY_QUERY,
  FacetPanel,
  FilterChips,
  Histogram,
  KeyTrustDialog,
  QueryBar,
  TimelineGrid,
  VerificationPanel,
  addTerm,
  formatQuery,
  timeRangeOf,
  useFilterHistory,
  useSourceState,
  useView,
  withTimeRange,
} from '../../src/index';
import type { TKeyTrustCandidate, TTimeZone, TTimelineGridHandle } from '../../src/index';
import { INVALID_BUNDLE, UNTRUSTED_BUNDLE, UNUSABLE_BUNDLE, VALID_BUNDLE, VERIFYING_BUNDLE } from './fixtures';
import type { TMemoryDataSource } from './memory-data-source';
import { createMemoryDataSource } from './memory-data-source';
import { lazySyntheticRows, sampleRows } from './synthetic';

declare global {
  interface Window {
    __events: { type: string; detail: unknown }[];
    __source?: TMemoryDataSource;
    __grid?: TTimelineGridHandle | null;
  }
}

window.__events = [];
const emit = (type: string, detail: unknown): void => {
  window.__events.push({ type, detail });
};

const params = new URLSearchParams(window.location.search);
document.documentElement.dataset.theme = params.get('theme') === 'dark' ? 'dark' : 'light';

function ViewerScenario() {
  const source = useMemo(() => {
    const s = createMemoryDataSource(sampleRows(), [VALID_BUNDLE, INVALID_BUNDLE, VERIFYING_BUNDLE]);
    window.__source = s;
    return s;
  }, []);
  const history = useFilterHistory(EMPTY_QUERY);
  const query = history.query;
  const [sort, setSort] = useState<TSort>({ column: 'time', direction: 'asc' });
  const [zone, setZone] = useState<TTimeZone>('utc');
  const [revision, setRevision] = useState(0);
  const { view } = useView(source, query, sort, revision);
  const [activeRowId, setActiveRowId] = useState<number | null>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const grid = useRef<TTimelineGridHandle | null>(null);
  const state = useSourceState(source);

  const setQuery = useCallback(
    (next: TQuery) => {
      emit('query', formatQuery(next));
      history.push(next);
    },
    [history],
  );

  return (
    <div className="hx-app">
      <header className="hx-top">
        <h1>Custody Viewer</h1>
        <span className="hx-case">Acme v. Initech · {state === null ? '…' : `${state.bundles.length} bundles`}</span>
        <span className="hx-spacer" />
        <button
          type="button"
          className="cu-button cu-button-quiet"
          onClick={() => {
            const root = document.documentElement;
            root.dataset.theme = root.dataset.theme === 'dark' ? 'light' : 'dark';
          }}
        >
          Toggle theme
        </button>
      </header>
      <QueryBar query={query} onQueryChange={setQuery} history={history} />
      <FilterChips query={query} onQueryChange={setQuery} timeZone={zone} />
      <Histogram
        source={source}
        view={view}
        range={timeRangeOf(query)}
        timeZone={zone}
        onRangeChange={(range) => {
          emit('range', range);
          setQuery(withTimeRange(query, range));
        }}
      />
      <div className="hx-main">
        <FacetPanel source={source} view={view} query={query} onQueryChange={setQuery} />
        <TimelineGrid
          ref={(handle) => {
            grid.current = handle;
            window.__grid = handle;
          }}
          source={source}
          view={view}
          sort={sort}
          onSortChange={(next) => {
            emit('sort', next);
            setSort(next);
          }}
          timeZone={zone}
          onTimeZoneChange={setZone}
          onSelectionChange={(ids) => emit('selection', ids)}
          onActiveRowChange={(row: TViewerRow | null) => {
            emit('active', row?.rowId ?? null);
            setActiveRowId(row?.rowId ?? null);
          }}
          onColumnsChange={(columns) => emit('columns', columns)}
          onRowActivate={(row) => emit('activate', row.rowId)}
          highlightRowId={highlight}
        />
        <DetailPanel
          source={source}
          rowId={activeRowId}
          timeZone={zone}
          onAddTerm={(term) => setQuery(addTerm(query, term))}
          onAnnotated={(rows) => {
            emit('annotated', rows.map((r) => ({ rowId: r.rowId, tags: r.tags, starred: r.starred, hasNote: r.hasNote })));
            grid.current?.updateRows(rows);
            if (query.terms.some((t) => t.kind === 'flag' || (t.kind === 'field' && t.field === 'tag'))) setRevision((r) => r + 1);
          }}
          onSelectRow={(rowId) => {
            emit('jump', rowId);
            setHighlight(rowId);
            void grid.current?.scrollToRowId(rowId);
          }}
        />
      </div>
    </div>
  );
}

function BigScenario() {
  const count = Number(params.get('rows') ?? 2_000_000);
  const source = useMemo(() => {
    const s = createMemoryDataSource(lazySyntheticRows(count), [{ ...VALID_BUNDLE, counts: { events: count, withheld: 0, purged: 0 } }]);
    window.__source = s;
    return s;
  }, [count]);
  const [sort, setSort] = useState<TSort>({ column: 'time', direction: 'asc' });
  const [zone, setZone] = useState<TTimeZone>('utc');
  const { view } = useView(source, EMPTY_QUERY, sort);
  return (
    <div className="hx-big">
      <TimelineGrid
        ref={(handle) => {
          window.__grid = handle;
        }}
        source={source}
        view={view}
        sort={sort}
        onSortChange={(next) => {
          emit('sort', next);
          setSort(next);
        }}
        timeZone={zone}
        onTimeZoneChange={setZone}
        onSelectionChange={(ids) => emit('selection', ids.length > 20 ? { count: ids.length, first: ids[0], last: ids[ids.length - 1] } : ids)}
        onActiveRowChange={(row) => emit('active', row?.rowId ?? null)}
        label="Timeline of 2,000,000 events"
      />
    </div>
  );
}

function VerificationScenario() {
  const [bundles, setBundles] = useState<TBundleState[]>([VERIFYING_BUNDLE, VALID_BUNDLE, INVALID_BUNDLE, UNUSABLE_BUNDLE, UNTRUSTED_BUNDLE]);
  const [asking, setAsking] = useState<{ signer: TKeyTrustCandidate; bundleId: string; fileName: string } | null>(null);
  const captions: Record<string, string> = { b3: 'Verifying', b1: 'Verified', b2: 'Failed', b4: 'Unusable', b5: 'Untrusted key' };
  return (
    <div className="hx-stack">
      {bundles.map((bundle) => (
        <div key={bundle.bundleId} data-bundle={bundle.bundleId}>
          <h2 className="hx-caption">{captions[bundle.bundleId] ?? bundle.bundleId}</h2>
          <VerificationPanel
            bundle={bundle}
            onTrustKey={(signer) => {
              emit('trust-request', signer.fingerprint);
              setAsking({ signer, bundleId: bundle.bundleId, fileName: bundle.fileName });
            }}
          />
        </div>
      ))}
      <KeyTrustDialog
        open={asking !== null}
        signer={asking?.signer ?? null}
        seenIn={asking?.fileName}
        onCancel={() => {
          emit('trust-cancel', asking?.signer.fingerprint);
          setAsking(null);
        }}
        onTrust={(signer) => {
          emit('trust', signer.fingerprint);
          // The app records the decision and re-verifies; here the verdict simply becomes valid.
          setBundles((list) =>
            list.map((b) =>
              b.bundleId === asking?.bundleId
                ? { ...b, verdict: 'valid', signers: b.signers.map((s) => (s.vkey === signer.vkey ? { ...s, trusted: true } : s)), checks: b.checks.map((c) => (c.status === 'pending' ? { ...c, status: 'valid', summary: `signed by ${signer.vkey.split('+')[0] ?? ''} (trusted just now)` } : c)) }
                : b,
            ),
          );
          setAsking(null);
        }}
      />
    </div>
  );
}

function TrustScenario() {
  const [open, setOpen] = useState(true);
  return (
    <div className="hx-stack">
      <button type="button" className="cu-button" onClick={() => setOpen(true)}>
        Open dialog
      </button>
      <KeyTrustDialog
        open={open}
        signer={UNTRUSTED_BUNDLE.signers[0] ?? null}
        seenIn={UNTRUSTED_BUNDLE.fileName}
        onTrust={(signer) => {
          emit('trust', signer.fingerprint);
          setOpen(false);
        }}
        onCancel={() => {
          emit('trust-cancel', null);
          setOpen(false);
        }}
      />
    </div>
  );
}

function HistogramScenario() {
  const count = Number(params.get('rows') ?? 2_000_000);
  const buckets = params.get('buckets');
  const source = useMemo(() => createMemoryDataSource(lazySyntheticRows(count)), [count]);
  const [zone, setZone] = useState<TTimeZone>(params.get('zone') === 'local' ? 'local' : 'utc');
  const [range, setRange] = useState<{ after: number; before: number } | null>(null);
  const query = useMemo(() => withTimeRange(EMPTY_QUERY, range), [range]);
  const { view } = useView(source, query, { column: 'time', direction: 'asc' });
  return (
    <div className="hx-stack hx-wide">
      <div className="cu-segmented" role="group" aria-label="Axis time zone">
        {(['utc', 'local'] as const).map((z) => (
          <button key={z} type="button" aria-pressed={zone === z} onClick={() => setZone(z)}>
            {z === 'utc' ? 'UTC' : 'Local'}
          </button>
        ))}
      </div>
      <Histogram
        source={source}
        view={view}
        range={range}
        timeZone={zone}
        {...(buckets === null ? {} : { buckets: Number(buckets) })}
        onRangeChange={(next) => {
          emit('range', next);
          setRange(next);
        }}
      />
    </div>
  );
}

const SCENARIOS = { viewer: ViewerScenario, big: BigScenario, histogram: HistogramScenario, verification: VerificationScenario, trust: TrustScenario } as const;
const Scenario = SCENARIOS[(params.get('scenario') ?? 'viewer') as keyof typeof SCENARIOS] ?? ViewerScenario;

const root = document.getElementById('root');
if (root === null) throw new Error('no #root');
createRoot(root).render(
  <StrictMode>
    <Scenario />
  </StrictMode>,
);
