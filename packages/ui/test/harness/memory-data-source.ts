/**
 * An in-memory `TViewerDataSource` for tests and the demo page: the query semantics done simply (a scan
 * per view), so components can be exercised without the real engine (a Worker over verified bundles).
 *
 * Rows are either an array or a lazy `{ length, at(i) }` (2,000,000 synthetic rows never exist as objects
 * at once). A view over every row in time order is an identity mapping, so huge sources open instantly;
 * any other query or sort materializes the matching positions in a `Uint32Array`.
 */
import { canonicalize, ipSortKey, isIpInCidr } from '@custody/schema';

import type {
  TBundleState,
  TEventDetail,
  TFacetValue,
  THistogram,
  TQuery,
  TQueryField,
  TQueryTerm,
  TSort,
  TSourceState,
  TViewHandle,
  TViewerDataSource,
  TViewerRow,
} from '../../src/data-source';

/** A row plus the root metadata the `meta.<key>` field addresses. */
export interface TMemoryRow extends TViewerRow {
  readonly meta?: Readonly<Record<string, string>>;
}

/** Rows produced on demand. Row `i` must have `rowId === i`; `sortedByTime` enables the identity view. */
export interface TLazyRows {
  readonly length: number;
  at(index: number): TMemoryRow;
  readonly sortedByTime?: boolean;
}

/** Options of `createMemoryDataSource`. */
export interface TMemoryDataSourceOptions {
  /** Delay every answer by this many ms (a Worker's round trip). Default 0. */
  readonly latencyMs?: number;
  /** The checkpoint origin put in proofs. Default `custody.example/acme`. */
  readonly origin?: string;
}

/** The source plus test controls. */
export interface TMemoryDataSource extends TViewerDataSource {
  /** Replaces the bundles and pushes the new state to subscribers. */
  setBundles(bundles: readonly TBundleState[]): void;
  /** Every call made, in order (method name and arguments). */
  readonly calls: { readonly method: string; readonly args: readonly unknown[] }[];
}

interface TPositions {
  readonly length: number;
  at(i: number): number;
}

interface TViewRecord {
  readonly positions: TPositions;
  readonly facets: Map<string, readonly TFacetValue[]>;
}

interface TAnnotation {
  tags: string[];
  starred: boolean;
  note: string | null;
}

/**
 * Builds the source. `bundles` is the initial `TSourceState.bundles`.
 *
 * ```ts
 * const source = createMemoryDataSource(rows, [validBundle]);
 * const view = await source.view({ terms: [] }, { column: 'time', direction: 'asc' });
 * ```
 */
export function createMemoryDataSource(rows: readonly TMemoryRow[] | TLazyRows, bundles: readonly TBundleState[] = [], options: TMemoryDataSourceOptions = {}): TMemoryDataSource {
  const base: TLazyRows = Array.isArray(rows)
    ? { length: rows.length, at: (i) => rows[i] as TMemoryRow, sortedByTime: isSortedByTime(rows as readonly TMemoryRow[]) }
    : (rows as TLazyRows);
  const byRowId = Array.isArray(rows) ? new Map((rows as readonly TMemoryRow[]).map((row, index) => [row.rowId, index])) : null;
  const indexOf = (rowId: number): number | undefined => (byRowId === null ? (rowId >= 0 && rowId < base.length ? rowId : undefined) : byRowId.get(rowId));
  const annotations = new Map<number, TAnnotation>();
  const views = new Map<string, TViewRecord>();
  const listeners = new Set<(state: TSourceState) => void>();
  const calls: { method: string; args: readonly unknown[] }[] = [];
  const latency = options.latencyMs ?? 0;
  const origin = options.origin ?? 'custody.example/acme';
  let state: TSourceState = { bundles, rows: base.length };
  let nextView = 1;
  let timeOrder: TPositions | null = null;

  const answer = <T>(method: string, args: readonly unknown[], compute: () => T): Promise<T> => {
    calls.push({ method, args });
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        try {
          resolve(compute());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      if (latency > 0) setTimeout(run, latency);
      else queueMicrotask(run);
    });
  };

  const rowAt = (index: number): TMemoryRow => {
    const row = base.at(index);
    const note = annotations.get(row.rowId);
    return note === undefined ? row : { ...row, tags: note.tags, starred: note.starred, hasNote: note.note !== null };
  };

  const getView = (viewId: string): TViewRecord => {
    const view = views.get(viewId);
    if (view === undefined) throw new Error(`unknown view ${viewId}`);
    return view;
  };

  const getTimeOrder = (): TPositions => {
    if (timeOrder !== null) return timeOrder;
    if (base.sortedByTime === true) timeOrder = { length: base.length, at: (i) => i };
    else {
      const order = Uint32Array.from({ length: base.length }, (_, i) => i);
      order.sort((a, b) => base.at(a).time - base.at(b).time || base.at(a).rowId - base.at(b).rowId);
      timeOrder = { length: order.length, at: (i) => order[i] ?? 0 };
    }
    return timeOrder;
  };

  const source: TMemoryDataSource = {
    calls,
    setBundles(next) {
      state = { bundles: next, rows: base.length };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      queueMicrotask(() => {
        if (listeners.has(listener)) listener(state);
      });
      return () => {
        listeners.delete(listener);
      };
    },
    view(query, sort) {
      return answer('view', [query, sort], (): TViewHandle => {
        const viewId = `v${nextView++}`;
        views.set(viewId, { positions: materialize(query, sort), facets: new Map() });
        return { viewId, total: getView(viewId).positions.length };
      });
    },
    rows(viewId, offset, limit) {
      return answer('rows', [viewId, offset, limit], () => {
        const { positions } = getView(viewId);
        const out: TViewerRow[] = [];
        const end = Math.min(positions.length, Math.max(0, offset) + Math.max(0, limit));
        for (let i = Math.max(0, offset); i < end; i++) out.push(stripMeta(rowAt(positions.at(i))));
        return out;
      });
    },
    histogram(viewId, opts = {}) {
      return answer('histogram', [viewId, opts], (): THistogram => {
        const { positions } = getView(viewId);
        let min = Infinity;
        let max = -Infinity;
        if (opts.from === undefined || opts.to === undefined) {
          for (let i = 0; i < positions.length; i++) {
            const t = base.at(positions.at(i)).time;
            if (t < min) min = t;
            if (t > max) max = t;
          }
        }
        const from = opts.from ?? (Number.isFinite(min) ? min : 0);
        const to = Math.max(from + 1, opts.to ?? (Number.isFinite(max) ? max + 1 : from + 1));
        const buckets = Math.max(1, Math.min(10_000, Math.floor(opts.buckets ?? 100)));
        const bucketMs = Math.max(1, Math.ceil((to - from) / buckets));
        const n = Math.ceil((to - from) / bucketMs);
        const counts = new Array<number>(n).fill(0);
        const failed = new Array<number>(n).fill(0);
        for (let i = 0; i < positions.length; i++) {
          const row = base.at(positions.at(i));
          if (row.time < from || row.time >= to) continue;
          const b = Math.floor((row.time - from) / bucketMs);
          counts[b] = (counts[b] ?? 0) + 1;
          if (row.status === 'failed') failed[b] = (failed[b] ?? 0) + 1;
        }
        return { from, to, bucketMs, counts, failed };
      });
    },
    facets(viewId, fields, top = 10) {
      return answer('facets', [viewId, fields, top], () => {
        const view = getView(viewId);
        const out: Record<string, readonly TFacetValue[]> = {};
        for (const field of fields) {
          const key = `${field}\u0000${top}`;
          let values = view.facets.get(key);
          if (values === undefined) {
            const counts = new Map<string, number>();
            for (let i = 0; i < view.positions.length; i++) {
              for (const value of new Set(fieldValues(field, rowAt(view.positions.at(i))))) counts.set(value, (counts.get(value) ?? 0) + 1);
            }
            values = [...counts]
              .map(([value, count]) => ({ value, count }))
              .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
              .slice(0, top);
            view.facets.set(key, values);
          }
          out[field] = values;
        }
        return out;
      });
    },
    event(rowId) {
      calls.push({ method: 'event', args: [rowId] });
      const index = indexOf(rowId);
      if (index === undefined) return Promise.reject(new Error(`unknown row ${rowId}`));
      const row = rowAt(index);
      const event = eventOf(row);
      const canonical = canonicalize(event);
      return leafHash(canonical).then((hash): TEventDetail => {
        const bundle = state.bundles.find((b) => b.bundleId === row.bundleId);
        const size = bundle?.checkpoint?.size ?? String(base.length);
        return {
          row: stripMeta(row),
          event,
          canonical,
          leafHash: hash,
          proof:
            row.status === 'pending'
              ? null
              : { origin: bundle?.checkpoint?.origin ?? origin, treeSize: size, root: bundle?.checkpoint?.root ?? 'n/a', mode: 'complete-range', proofHashes: Math.ceil(Math.log2(Math.max(2, Number(size)))) },
          problems:
            row.status === 'failed'
              ? [`inclusion proof for seq ${row.seq} does not lead to the checkpoint root (leaf hash mismatch)`, 'the canonical line differs from the bytes that were logged']
              : row.status === 'pending'
                ? ['verification has not reached this event yet']
                : [],
          note: annotations.get(row.rowId)?.note ?? null,
        };
      });
    },
    locate(viewId, rowId) {
      return answer('locate', [viewId, rowId], () => {
        const { positions } = getView(viewId);
        const index = indexOf(rowId);
        if (index === undefined) return null;
        for (let i = 0; i < positions.length; i++) if (positions.at(i) === index) return i;
        return null;
      });
    },
    context(rowId, around) {
      return answer('context', [rowId, around], () => {
        const order = getTimeOrder();
        const index = indexOf(rowId);
        if (index === undefined) throw new Error(`unknown row ${rowId}`);
        let at = -1;
        if (base.sortedByTime === true) at = index;
        else for (let i = 0; i < order.length; i++) if (order.at(i) === index) at = i;
        const first = Math.max(0, at - Math.max(0, around.before));
        const last = Math.min(order.length - 1, at + Math.max(0, around.after));
        const out: TViewerRow[] = [];
        for (let i = first; i <= last; i++) out.push(stripMeta(rowAt(order.at(i))));
        return { rows: out, index: at - first };
      });
    },
    annotate(rowIds, change) {
      return answer('annotate', [rowIds, change], () => {
        const out: TViewerRow[] = [];
        for (const rowId of rowIds) {
          const index = indexOf(rowId);
          if (index === undefined) continue;
          const row = rowAt(index);
          const current: TAnnotation = annotations.get(rowId) ?? { tags: [...row.tags], starred: row.starred, note: row.hasNote ? '(note from the case file)' : null };
          let tags = current.tags.filter((tag) => !(change.removeTags ?? []).includes(tag));
          for (const tag of change.addTags ?? []) if (!tags.includes(tag)) tags = [...tags, tag];
          annotations.set(rowId, { tags, starred: change.starred ?? current.starred, note: change.note === undefined ? current.note : change.note });
          out.push(stripMeta(rowAt(index)));
        }
        // Facet counts over tags/flags may have changed.
        for (const view of views.values()) view.facets.clear();
        return out;
      });
    },
  };

  function materialize(query: TQuery, sort: TSort): TPositions {
    const n = base.length;
    if (query.terms.length === 0 && sort.column === 'time' && base.sortedByTime === true) {
      return sort.direction === 'asc' ? { length: n, at: (i) => i } : { length: n, at: (i) => n - 1 - i };
    }
    const matches: number[] = [];
    for (let i = 0; i < n; i++) if (query.terms.every((term) => matchTerm(term, rowAt(i)))) matches.push(i);
    const key = sortKey(sort.column);
    const keys = new Map(matches.map((i) => [i, key(base.at(i))]));
    const sign = sort.direction === 'asc' ? 1 : -1;
    matches.sort((a, b) => {
      const ka = keys.get(a) ?? '';
      const kb = keys.get(b) ?? '';
      const c = ka < kb ? -1 : ka > kb ? 1 : 0;
      return c !== 0 ? sign * c : sign * (base.at(a).rowId - base.at(b).rowId);
    });
    const positions = Uint32Array.from(matches);
    return { length: positions.length, at: (i) => positions[i] ?? 0 };
  }

  return source;
}

function isSortedByTime(rows: readonly TMemoryRow[]): boolean {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as TMemoryRow;
    const b = rows[i] as TMemoryRow;
    if (a.time > b.time || (a.time === b.time && a.rowId > b.rowId)) return false;
  }
  return true;
}

function stripMeta(row: TMemoryRow): TViewerRow {
  if (row.meta === undefined) return row;
  const { meta: _meta, ...rest } = row;
  return rest;
}

function sortKey(column: TSort['column']): (row: TMemoryRow) => number | string {
  switch (column) {
    case 'time':
      return (row) => row.time;
    case 'seq':
      return (row) => row.seq;
    case 'action':
      return (row) => row.action;
    case 'actor':
      return (row) => `${row.actorType}:${row.actorId}`;
    case 'control':
      // Rows without a control number sort last.
      return (row) => row.controlNumber ?? '\uffff';
    case 'ip':
      return (row) => {
        try {
          return ipSortKey(row.ip);
        } catch {
          return `~${row.ip}`;
        }
      };
  }
}

/** The values a row has for a field (several for tags and targets). */
export function fieldValues(field: TQueryField, row: TMemoryRow): string[] {
  const targets = (): { type: string; id: string }[] =>
    row.targets === ''
      ? []
      : row.targets.split('; ').map((t) => {
          const colon = t.indexOf(':');
          return { type: colon < 0 ? '' : t.slice(0, colon), id: colon < 0 ? t : t.slice(colon + 1) };
        });
  switch (field) {
    case 'action':
      return [row.action];
    case 'actor.id':
      return [row.actorId];
    case 'actor.type':
      return [row.actorType];
    case 'actor.name':
      return [row.actorName ?? ''];
    case 'target.id':
      return targets().map((t) => t.id);
    case 'target.type':
      return targets().map((t) => t.type);
    case 'ip':
      return [row.ip];
    case 'ua':
      return [row.userAgent ?? ''];
    case 'bundle':
      return [row.bundleId];
    case 'control':
      return [row.controlNumber ?? ''];
    case 'seq':
      return [String(row.seq)];
    case 'status':
      return [row.status];
    case 'tag':
      return [...row.tags];
    default: {
      const value = row.meta?.[field.slice(5)];
      return value === undefined ? [] : [value];
    }
  }
}

/** Whether a row satisfies one term (the contract's semantics, done simply). */
export function matchTerm(term: TQueryTerm, row: TMemoryRow): boolean {
  switch (term.kind) {
    case 'text': {
      const haystack = [row.action, row.actorType, row.actorId, row.actorName ?? '', row.targets, row.ip, row.userAgent ?? '', row.controlNumber ?? '', row.bundleId, ...row.tags, ...Object.values(row.meta ?? {})]
        .join('\n')
        .toLowerCase();
      const words = term.value.toLowerCase().trim().split(/\s+/).join(' ');
      return haystack.includes(words) !== (term.negate === true);
    }
    case 'field': {
      const values = fieldValues(term.field, row);
      const wanted = term.value.toLowerCase();
      let hit: boolean;
      if (term.op === 'cidr') {
        hit = values.some((v) => {
          try {
            return isIpInCidr(v, term.value);
          } catch {
            return false;
          }
        });
      } else if (term.op === 'prefix') hit = values.some((v) => v.toLowerCase().startsWith(wanted));
      else hit = values.some((v) => v.toLowerCase() === wanted);
      return hit !== (term.negate === true);
    }
    case 'time':
      return (term.after === undefined || row.time >= term.after) && (term.before === undefined || row.time < term.before);
    case 'flag': {
      const hit = term.flag === 'starred' ? row.starred : term.flag === 'noted' ? row.hasNote : row.tags.length > 0;
      return hit !== (term.negate === true);
    }
  }
}

/** The logged event a row stands for (what the engine would parse from the canonical line). */
export function eventOf(row: TMemoryRow): Record<string, unknown> {
  const targets = row.targets === '' ? [] : row.targets.split('; ').map((t) => ({ type: t.slice(0, Math.max(0, t.indexOf(':'))), id: t.slice(t.indexOf(':') + 1) }));
  return {
    action: row.action,
    occurred_at: new Date(row.time).toISOString(),
    actor: row.actorName === null ? { id: row.actorId, type: row.actorType } : { id: row.actorId, type: row.actorType, name: row.actorName },
    targets,
    context: row.userAgent === null ? { location: row.ip } : { location: row.ip, user_agent: row.userAgent },
    metadata: { ...(row.meta ?? {}) },
    seq: row.seq,
  };
}

async function leafHash(line: string): Promise<string> {
  const bytes = new TextEncoder().encode(line);
  const data = new Uint8Array(bytes.length + 1);
  data.set(bytes, 1); // RFC 6962 leaf prefix 0x00
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
