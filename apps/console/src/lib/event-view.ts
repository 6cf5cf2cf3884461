/**
 * The Events screen's state, kept in the URL query string so a view can be bookmarked and shared:
 *
 * ```text
 * /orgs/acme/events?q=invoice&action=user.*&action=billing.invoice_paid&actor_type=user&actor_id=u_1
 *   &target_type=document&target_id=doc_9&after=2026-03-01T00:00:00Z&before=2026-03-02T00:00:00Z
 *   &ip=10.0.0.0/8&meta=method:sso&order=asc&limit=100&event=<event id>
 * ```
 *
 * Every filter narrows the result (AND); several `action` values match any of them (OR).
 */
import type { TEventFilter } from './api-client';
import { formatUtcInput } from './format';

export type TSortOrder = 'asc' | 'desc';

/** Page sizes offered (the API allows 1 to 1,000). */
export const PAGE_SIZES = [25, 50, 100, 250, 500, 1000] as const;
export const DEFAULT_PAGE_SIZE = 50;

/** The filters, sort and selection of the Events screen. */
export interface TEventView {
  q: string | null;
  actions: string[];
  actorType: string | null;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  /** Inclusive lower bound on the occurrence time (RFC 3339, UTC). */
  after: string | null;
  /** Exclusive upper bound on the occurrence time (RFC 3339, UTC). */
  before: string | null;
  /** An IP address or CIDR block. */
  ip: string | null;
  /** Root metadata `key = value` pairs. */
  metadata: [string, string][];
  order: TSortOrder;
  limit: number;
  /** The event open in the detail panel. */
  event: string | null;
}

/** The filters that hold one text value. */
type TTextField = 'q' | 'actorType' | 'actorId' | 'targetType' | 'targetId' | 'after' | 'before' | 'ip';

/** A view without filters, newest first. */
export const EMPTY_VIEW: TEventView = {
  q: null,
  actions: [],
  actorType: null,
  actorId: null,
  targetType: null,
  targetId: null,
  after: null,
  before: null,
  ip: null,
  metadata: [],
  order: 'desc',
  limit: DEFAULT_PAGE_SIZE,
  event: null,
};

const SINGLE = [
  ['q', 'q'],
  ['actorType', 'actor_type'],
  ['actorId', 'actor_id'],
  ['targetType', 'target_type'],
  ['targetId', 'target_id'],
  ['after', 'after'],
  ['before', 'before'],
  ['ip', 'ip'],
  ['event', 'event'],
] as const;

function text(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Reads the view from a query string (`?…`). Unknown or malformed parameters are ignored. */
export function parseEventView(search: string | URLSearchParams): TEventView {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const view: TEventView = { ...EMPTY_VIEW, actions: [], metadata: [] };
  for (const [field, param] of SINGLE) view[field] = text(params.get(param));
  view.actions = unique(params.getAll('action').map((a) => a.trim()).filter((a) => a !== ''));
  for (const pair of params.getAll('meta')) {
    const at = pair.indexOf(':');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    if (key !== '' && !view.metadata.some(([k]) => k === key)) view.metadata.push([key, pair.slice(at + 1)]);
  }
  view.order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const limit = Number(params.get('limit'));
  view.limit = Number.isSafeInteger(limit) && limit >= 1 && limit <= 1000 ? limit : DEFAULT_PAGE_SIZE;
  return view;
}

/** Writes the view as a query string (`?…`, or `''` for the default view). Defaults are left out. */
export function formatEventView(view: TEventView): string {
  const params = new URLSearchParams();
  if (view.q !== null) params.set('q', view.q);
  for (const action of view.actions) params.append('action', action);
  for (const [field, param] of SINGLE) {
    const value = view[field];
    if (field !== 'q' && field !== 'event' && value !== null) params.set(param, value);
  }
  for (const [key, value] of view.metadata) params.append('meta', `${key}:${value}`);
  if (view.order !== 'desc') params.set('order', view.order);
  if (view.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(view.limit));
  if (view.event !== null) params.set('event', view.event);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/**
 * What the Events screen calls each API filter field, by the issue path the server reports (`filter.ip`;
 * indexes removed): the filter form's labels, also used to name a field in the server's refusals.
 */
export const FILTER_LABELS: Readonly<Record<string, string>> = {
  'filter.q': 'Search',
  'filter.actions': 'Actions',
  'filter.actorType': 'Actor type',
  'filter.actorId': 'Actor ID',
  'filter.targetType': 'Target type',
  'filter.targetId': 'Target ID',
  'filter.occurredAfter': 'From (UTC, inclusive)',
  'filter.occurredBefore': 'Before (UTC, exclusive)',
  'filter.ip': 'IP address or CIDR block',
  'filter.metadata': 'Metadata',
};

/** The API filter of a view (the sort, page size and selection are not part of it). */
export function toApiFilter(view: TEventView): TEventFilter {
  const filter: TEventFilter = {};
  if (view.actions.length > 0) filter.actions = [...view.actions];
  if (view.actorId !== null) filter.actorId = view.actorId;
  if (view.actorType !== null) filter.actorType = view.actorType;
  if (view.targetId !== null) filter.targetId = view.targetId;
  if (view.targetType !== null) filter.targetType = view.targetType;
  if (view.after !== null) filter.occurredAfter = view.after;
  if (view.before !== null) filter.occurredBefore = view.before;
  if (view.ip !== null) filter.ip = view.ip;
  if (view.metadata.length > 0) filter.metadata = Object.fromEntries(view.metadata);
  if (view.q !== null) filter.q = view.q;
  return filter;
}

/** One active filter, shown as a removable chip. */
export interface TFilterChip {
  /** Stable id (`action:user.*`), also used in tests. */
  id: string;
  label: string;
  value: string;
  /** The view without this filter. */
  remove: (view: TEventView) => TEventView;
}

/** The chips of a view's active filters, in a fixed order. */
export function filterChips(view: TEventView): TFilterChip[] {
  const chips: TFilterChip[] = [];
  const single = (id: TTextField, label: string, value: string | null) => {
    if (value !== null) chips.push({ id, label, value, remove: (v) => ({ ...v, [id]: null }) });
  };
  single('q', 'Search', view.q);
  for (const action of view.actions) {
    chips.push({
      id: `action:${action}`,
      label: action.endsWith('.*') ? 'Action prefix' : 'Action',
      value: action,
      remove: (v) => ({ ...v, actions: v.actions.filter((a) => a !== action) }),
    });
  }
  single('actorType', 'Actor type', view.actorType);
  single('actorId', 'Actor', view.actorId);
  single('targetType', 'Target type', view.targetType);
  single('targetId', 'Target', view.targetId);
  single('after', 'From', view.after === null ? null : `${formatUtcInput(view.after)} UTC`);
  single('before', 'Before', view.before === null ? null : `${formatUtcInput(view.before)} UTC`);
  single('ip', view.ip?.includes('/') === true ? 'IP range' : 'IP', view.ip);
  for (const [key, value] of view.metadata) {
    chips.push({
      id: `meta:${key}`,
      label: `metadata.${key}`,
      value,
      remove: (v) => ({ ...v, metadata: v.metadata.filter(([k]) => k !== key) }),
    });
  }
  return chips;
}

/** True if the view has any filter. */
export function hasFilters(view: TEventView): boolean {
  return filterChips(view).length > 0;
}

/** The view with every filter removed (sort and page size kept). */
export function clearFilters(view: TEventView): TEventView {
  return { ...EMPTY_VIEW, actions: [], metadata: [], order: view.order, limit: view.limit };
}

/** Adds an action (exact or `prefix.*`) unless present. */
export function withAction(view: TEventView, action: string): TEventView {
  return view.actions.includes(action) ? view : { ...view, actions: [...view.actions, action] };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
