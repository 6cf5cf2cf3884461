/**
 * The timeline grid's columns: ids, labels, default widths, sort keys and cell renderers. The layout a user
 * chose (order, visibility, width) is a plain `TGridColumnState[]` the app can save in its session.
 */
import type { ReactNode } from 'react';

import type { TSortColumn, TViewerRow } from '../data-source';
import type { TTimeZone } from '../common/format';
import { formatTime, timeZoneLabel } from '../common/format';
import { Icon } from '../common/icon';
import { StatusBadge } from '../common/status-badge';

/** Every column the grid can show. */
export type TGridColumnId = 'row' | 'marks' | 'status' | 'time' | 'action' | 'actor' | 'targets' | 'ip' | 'ua' | 'control' | 'seq' | 'bundle' | 'tags';

/** One column's place in the layout. */
export interface TGridColumnState {
  readonly id: TGridColumnId;
  readonly visible: boolean;
  /** Width in CSS pixels (at least the column's minimum). */
  readonly width: number;
}

interface TCellContext {
  readonly timeZone: TTimeZone;
  readonly index: number;
}

/** A column's fixed definition. */
export interface TGridColumnDef {
  readonly id: TGridColumnId;
  /** The name in the column chooser and the header's accessible name. */
  readonly label: string;
  readonly minWidth: number;
  readonly defaultWidth: number;
  readonly defaultVisible: boolean;
  /** The `TSortColumn` a header click sorts by; absent when the column is not sortable. */
  readonly sort?: TSortColumn;
  readonly align?: 'start' | 'end' | 'center';
  readonly mono?: boolean;
  /** The header text (the time column names its zone). */
  header(timeZone: TTimeZone): string;
  /** The cell's plain text (the tooltip and the copy value). */
  text(row: TViewerRow, context: TCellContext): string;
  render(row: TViewerRow, context: TCellContext): ReactNode;
}

const plain = (label: string) => () => label;

/** The definitions, in default order. */
export const GRID_COLUMNS: readonly TGridColumnDef[] = [
  {
    id: 'row', label: 'Row number', minWidth: 40, defaultWidth: 56, defaultVisible: true, align: 'end', mono: true,
    header: plain('#'),
    text: (_row, { index }) => String(index + 1),
    render: (_row, { index }) => (index + 1).toLocaleString('en-US'),
  },
  {
    id: 'marks', label: 'Star and note', minWidth: 44, defaultWidth: 48, defaultVisible: true, align: 'center',
    header: plain('★'),
    text: (row) => [row.starred ? 'starred' : '', row.hasNote ? 'has a note' : ''].filter(Boolean).join(', '),
    render: (row) => (
      <>
        {row.starred ? <span className="cu-mark cu-mark-star" title="Starred"><Icon name="star" size={13} filled /><span className="cu-visually-hidden">Starred</span></span> : null}
        {row.hasNote ? <span className="cu-mark cu-mark-note" title="Has a note"><Icon name="note" size={13} /><span className="cu-visually-hidden">Has a note</span></span> : null}
      </>
    ),
  },
  {
    id: 'status', label: 'Verification status', minWidth: 40, defaultWidth: 104, defaultVisible: true,
    header: plain('Status'),
    text: (row) => row.status,
    render: (row) => <StatusBadge status={row.status} />,
  },
  {
    id: 'time', label: 'Time', minWidth: 120, defaultWidth: 186, defaultVisible: true, sort: 'time', mono: true,
    header: (zone) => `Time (${timeZoneLabel(zone)})`,
    text: (row, { timeZone }) => formatTime(row.time, timeZone),
    render: (row, { timeZone }) => formatTime(row.time, timeZone),
  },
  {
    id: 'action', label: 'Action', minWidth: 80, defaultWidth: 190, defaultVisible: true, sort: 'action', mono: true,
    header: plain('Action'),
    text: (row) => row.action,
    render: (row) => row.action,
  },
  {
    id: 'actor', label: 'Actor', minWidth: 80, defaultWidth: 220, defaultVisible: true, sort: 'actor',
    header: plain('Actor'),
    text: (row) => `${row.actorName === null ? '' : `${row.actorName} `}${row.actorType}:${row.actorId}`,
    render: (row) => (
      <>
        {row.actorName === null ? null : <span className="cu-actor-name">{row.actorName}</span>}
        <span className="cu-actor-id">{row.actorType}:{row.actorId}</span>
      </>
    ),
  },
  {
    id: 'targets', label: 'Targets', minWidth: 80, defaultWidth: 200, defaultVisible: true, mono: true,
    header: plain('Targets'),
    text: (row) => row.targets,
    render: (row) => row.targets,
  },
  {
    id: 'ip', label: 'IP address', minWidth: 70, defaultWidth: 130, defaultVisible: true, sort: 'ip', mono: true,
    header: plain('IP'),
    text: (row) => row.ip,
    render: (row) => row.ip,
  },
  {
    id: 'ua', label: 'User agent', minWidth: 80, defaultWidth: 220, defaultVisible: true,
    header: plain('User agent'),
    text: (row) => row.userAgent ?? '',
    render: (row) => row.userAgent ?? <span className="cu-none">—</span>,
  },
  {
    id: 'control', label: 'Control number', minWidth: 80, defaultWidth: 130, defaultVisible: true, sort: 'control', mono: true,
    header: plain('Control no.'),
    text: (row) => row.controlNumber ?? '',
    render: (row) => row.controlNumber ?? <span className="cu-none">—</span>,
  },
  {
    id: 'seq', label: 'Sequence', minWidth: 50, defaultWidth: 84, defaultVisible: true, sort: 'seq', align: 'end', mono: true,
    header: plain('Seq'),
    text: (row) => String(row.seq),
    render: (row) => row.seq,
  },
  {
    id: 'bundle', label: 'Bundle', minWidth: 60, defaultWidth: 120, defaultVisible: false, mono: true,
    header: plain('Bundle'),
    text: (row) => row.bundleId,
    render: (row) => row.bundleId,
  },
  {
    id: 'tags', label: 'Tags', minWidth: 60, defaultWidth: 160, defaultVisible: true,
    header: plain('Tags'),
    text: (row) => row.tags.join(', '),
    render: (row) => row.tags.map((tag) => <span key={tag} className="cu-tag">{tag}</span>),
  },
];

const BY_ID = new Map(GRID_COLUMNS.map((column) => [column.id, column]));

/** A column's definition. */
export function gridColumn(id: TGridColumnId): TGridColumnDef {
  const def = BY_ID.get(id);
  if (def === undefined) throw new RangeError(`unknown grid column ${id}`);
  return def;
}

/** The default layout: every column in default order, width and visibility. */
export const DEFAULT_GRID_COLUMNS: readonly TGridColumnState[] = GRID_COLUMNS.map((column) => ({
  id: column.id,
  visible: column.defaultVisible,
  width: column.defaultWidth,
}));

/**
 * Repairs a saved layout: drops unknown ids and duplicates, appends columns it lacks (hidden), clamps widths.
 */
export function normalizeGridColumns(columns: readonly TGridColumnState[]): TGridColumnState[] {
  const seen = new Set<TGridColumnId>();
  const out: TGridColumnState[] = [];
  for (const column of columns) {
    const def = BY_ID.get(column.id);
    if (def === undefined || seen.has(column.id)) continue;
    seen.add(column.id);
    out.push({ id: column.id, visible: column.visible, width: Math.max(def.minWidth, Math.round(column.width)) });
  }
  for (const def of GRID_COLUMNS) {
    if (!seen.has(def.id)) out.push({ id: def.id, visible: false, width: def.defaultWidth });
  }
  return out;
}
