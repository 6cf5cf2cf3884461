/**
 * `@custody/ui`: the React components of the forensics viewer and the console, over the
 * `TViewerDataSource` contract (`data-source.ts`). Import the stylesheet once: `import '@custody/ui/styles.css'`.
 */
export type * from './data-source';

// Query language
export { parseQuery, QUERY_SPACE } from './query/parse-query';
export type { TParseQueryResult, TQueryError } from './query/parse-query';
export { formatQuery, formatTerm } from './query/format-query';
export { formatQueryTime, parseQueryTime } from './query/query-time';
export type { TParseQueryTimeResult } from './query/query-time';
export { QUERY_FIELDS, QUERY_FIELD_ALIASES, QUERY_FLAGS, ROW_STATUSES, fieldLabel, isQueryField } from './query/query-fields';
export { EMPTY_QUERY, addTerm, fieldTerm, hasTerm, invertTerm, removeTerm, termKey, timeRangeOf, withTimeRange } from './query/edit-query';
export { describeTerm } from './query/describe-term';
export type { TTermDescription } from './query/describe-term';

// Query bar, chips, history
export { QueryBar } from './query/query-bar';
export type { TQueryBarHistory, TQueryBarProps } from './query/query-bar';
export { FilterChips } from './query/filter-chips';
export type { TFilterChipsProps } from './query/filter-chips';
export { MAX_FILTER_HISTORY, createFilterHistory, currentFilter, moveFilterHistory, pushFilterHistory } from './query/filter-history';
export type { TFilterHistory } from './query/filter-history';
export { useFilterHistory } from './query/use-filter-history';
export type { TFilterHistoryControls, TUseFilterHistoryOptions } from './query/use-filter-history';

// Timeline grid
export { TimelineGrid, MAX_RANGE_SELECTION } from './grid/timeline-grid';
export type { TTimelineGridHandle, TTimelineGridProps } from './grid/timeline-grid';
export { DEFAULT_GRID_COLUMNS, GRID_COLUMNS, gridColumn, normalizeGridColumns } from './grid/grid-columns';
export type { TGridColumnDef, TGridColumnId, TGridColumnState } from './grid/grid-columns';
export { DEFAULT_MAX_SCROLL_HEIGHT, createScrollMapping } from './grid/scroll-mapping';
export type { TRowRange, TScrollGeometry, TScrollMapping } from './grid/scroll-mapping';
export { RowPageCache } from './grid/row-page-cache';
export { findTimeIndex } from './grid/find-time-index';

// Histogram
export { Histogram } from './histogram/histogram';
export type { THistogramProps, TTimeRange } from './histogram/histogram';
export { binHistogram, histogramDomain, niceBucketPlan, snapRange, timeTicks, zoomOutRange } from './histogram/histogram-math';
export type { THistogramColumn, TTimeStep } from './histogram/histogram-math';

// Facets, details, verification
export { FacetPanel, DEFAULT_FACET_FIELDS } from './facets/facet-panel';
export type { TFacetPanelProps } from './facets/facet-panel';
export { DetailPanel } from './detail/detail-panel';
export type { TDetailPanelProps } from './detail/detail-panel';
export { flattenEvent } from './detail/flatten-event';
export type { TEventField } from './detail/flatten-event';
export { VerificationPanel, verificationOutcome } from './verification/verification-panel';
export type { TBundleSigner, TVerificationOutcome, TVerificationPanelProps } from './verification/verification-panel';
export { KeyTrustDialog } from './verification/key-trust-dialog';
export type { TKeyTrustCandidate, TKeyTrustDialogProps } from './verification/key-trust-dialog';
export { vkeyName } from './verification/vkey';

// Shared
export { StatusBadge } from './common/status-badge';
export { useSourceState, useView } from './common/use-view';
export type { TUseViewResult } from './common/use-view';
export { formatCount, formatTime, timeZoneLabel } from './common/format';
export type { TTimeZone } from './common/format';
