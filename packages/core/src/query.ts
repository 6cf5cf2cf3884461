/**
 * Queries over event bodies: `list` with filters and keyset cursors, `get`, and `stats`.
 *
 * Results are identical on SQLite and Postgres: filters are plain comparisons on indexed columns,
 * full-text search goes through the dialect with words normalized the same way on both, and the
 * order is always `(occurred_at, seq)`, a total order.
 */
import { createHash } from 'node:crypto';

import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';

import type { CustodyDialect, Database } from '@custody/db';
import { searchWords } from '@custody/db';
import { cidrSortKeyRange, ipSortKey, parseLoggedEvent } from '@custody/schema';
import type { TLoggedEvent } from '@custody/schema';

import { AppError } from './errors';

/** A filter over one organization's events. Every field narrows the result (AND). */
export interface TEventFilter {
  /** Exact actions (`user.signed_in`) or prefixes (`user.*`); any of them matches. */
  actions?: readonly string[];
  actorId?: string;
  actorType?: string;
  targetId?: string;
  targetType?: string;
  /** Inclusive lower bound on `occurred_at` (RFC 3339). */
  occurredAfter?: string;
  /** Exclusive upper bound on `occurred_at` (RFC 3339). */
  occurredBefore?: string;
  /** An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
  ip?: string;
  /** Root metadata `key = value`; non-string values compare by their JSON text (`42`, `true`). */
  metadata?: Readonly<Record<string, string>>;
  /** Full-text: events containing every word. */
  q?: string;
  /** Events with `seq` in `[seqFrom, seqTo)`. */
  seqFrom?: number;
  seqTo?: number;
}

export type TSortOrder = 'asc' | 'desc';

export interface TListOptions {
  order?: TSortOrder;
  /** 1 to 1,000. Default is 100. */
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string | null;
}

/** An event as queries return it. */
export type TEventRecord = TLoggedEvent;

export interface TEventPage {
  events: TEventRecord[];
  /** Pass back to get the next page, or null at the end. */
  nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 1_000;

const HOUR = 3_600_000;

/** What `events.stats` returns. */
export interface TEventStats {
  total: number;
  bucketMs: number;
  buckets: { start: string; count: number }[];
  topActions: { action: string; count: number }[];
  topActors: { type: string; id: string; count: number }[];
}

/** Keyset cursor: the last row's sort key, the log size when pagination began, and the filter it belongs to. */
interface TCursor {
  v: 1;
  o: number;
  s: number;
  /** Only events with seq below this were visible when the first page was read: later pages never shift. */
  m: number;
  d: TSortOrder;
  f: string;
}

function filterFingerprint(filter: TEventFilter): string {
  const ordered = JSON.stringify(filter, Object.keys(filter).sort());
  return createHash('sha256').update(ordered + JSON.stringify(filter.metadata ?? {})).digest('base64url').slice(0, 16);
}

function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(text: string): TCursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<TCursor>;
    if (
      c.v === 1 && Number.isSafeInteger(c.o) && Number.isSafeInteger(c.s) && Number.isSafeInteger(c.m) &&
      (c.d === 'asc' || c.d === 'desc') && typeof c.f === 'string'
    ) {
      return c as TCursor;
    }
  } catch {
    // fall through
  }
  throw new AppError('BAD_REQUEST', 'invalid cursor: pass the nextCursor of the previous page unchanged');
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(value) || Number.isNaN(ms)) {
    throw new AppError('BAD_REQUEST', `${what} must be an RFC 3339 time such as 2026-01-31T00:00:00Z, got "${value}"`);
  }
  return ms;
}

/** Filters matching fewer events than this are read filter-first and sorted (see #chooseStrategy). */
const SEEK_LIMIT = 1_000;
/**
 * The same for a filter on one column whose index also holds `(occurred_at, seq)` (an action, an
 * actor, an IP block): counting and sorting those matches reads no event rows, so seeking pays off
 * up to many more of them.
 */
const COVERED_SEEK_LIMIT = 50_000;

const ACTION_PREFIX = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.\*$/;

type TEventsEb = ExpressionBuilder<Database, 'events'>;

export class EventQueries {
  readonly #db: Kysely<Database>;
  readonly #dialect: CustodyDialect;
  readonly #seekLimit: number;

  /** `seekLimit`: see #chooseStrategy. Default is 5,000; tests lower it to exercise both plans. */
  constructor(db: Kysely<Database>, dialect: CustodyDialect, options: { seekLimit?: number } = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#seekLimit = options.seekLimit ?? SEEK_LIMIT;
  }

  /**
   * The filter as a predicate. `mode` only matters where the dialect takes planner hints:
   * `seek` leaves every predicate indexable (a selective filter drives the query, then a sort);
   * `scan` hides the range predicates (action prefixes, CIDR blocks) from the planner so that it
   * walks an index in `(occurred_at, seq)` order and stops after one page.
   */
  #where(eb: TEventsEb, organizationId: string, filter: TEventFilter, mode: 'seek' | 'scan' = 'seek'): Expression<SqlBool> {
    const hide = <T>(expr: Expression<T>): Expression<T> => (mode === 'scan' ? this.#dialect.unindexed(expr) : expr);
    // Without statistics the planner cannot tell an actor or target (few events) from an action
    // (many): when one of those narrows the search, the actions are checked, not used to drive it.
    const narrower = filter.actorId !== undefined || filter.targetId !== undefined;
    const hideAction = <T>(expr: Expression<T>): Expression<T> => (mode === 'scan' || narrower ? this.#dialect.unindexed(expr) : expr);
    const all: Expression<SqlBool>[] = [eb('events.organization_id', '=', organizationId)];
    if (filter.actions !== undefined && filter.actions.length > 0) {
      const any = filter.actions.map((action) => {
        if (action.endsWith('.*')) {
          if (!ACTION_PREFIX.test(action)) throw new AppError('BAD_REQUEST', `invalid action prefix "${action}" (use e.g. user.*)`);
          const prefix = action.slice(0, -1); // keep the dot: `user.` matches `user.x`, not `username.x`
          return eb.and([eb(hideAction(eb.ref('events.action')), '>=', prefix), eb(hideAction(eb.ref('events.action')), '<', `${prefix.slice(0, -1)}/`)]);
        }
        return eb(narrower ? this.#dialect.unindexed(eb.ref('events.action')) : eb.ref('events.action'), '=', action);
      });
      all.push(eb.or(any));
    }
    if (filter.actorId !== undefined) all.push(eb('events.actor_id', '=', filter.actorId));
    if (filter.actorType !== undefined) all.push(eb('events.actor_type', '=', filter.actorType));
    if (filter.targetId !== undefined || filter.targetType !== undefined) {
      let sub = eb.selectFrom('event_targets').select('event_targets.seq').where('event_targets.organization_id', '=', organizationId);
      if (filter.targetId !== undefined) sub = sub.where('event_targets.id', '=', filter.targetId);
      if (filter.targetType !== undefined) sub = sub.where('event_targets.type', '=', filter.targetType);
      if (mode === 'scan') {
        // Checked row by row through the (organization, seq, position) key: no list to build.
        let exists = eb
          .selectFrom('event_targets')
          .select('event_targets.seq')
          .whereRef('event_targets.organization_id', '=', 'events.organization_id')
          .whereRef('event_targets.seq', '=', 'events.seq');
        if (filter.targetId !== undefined) exists = exists.where('event_targets.id', '=', filter.targetId);
        if (filter.targetType !== undefined) exists = exists.where('event_targets.type', '=', filter.targetType);
        all.push(eb.exists(exists));
      } else all.push(eb('events.seq', 'in', sub));
    }
    if (filter.occurredAfter !== undefined) all.push(eb('events.occurred_at', '>=', parseTime(filter.occurredAfter, 'occurredAfter')));
    if (filter.occurredBefore !== undefined) all.push(eb('events.occurred_at', '<', parseTime(filter.occurredBefore, 'occurredBefore')));
    if (filter.ip !== undefined) {
      if (filter.ip.includes('/')) {
        let range: { from: string; to: string };
        try {
          range = cidrSortKeyRange(filter.ip);
        } catch (cause) {
          throw new AppError('BAD_REQUEST', `invalid CIDR block "${filter.ip}"`, { cause });
        }
        all.push(eb.and([eb(hide(eb.ref('events.ip_key')), '>=', range.from), eb(hide(eb.ref('events.ip_key')), '<=', range.to)]));
      } else {
        let key: string;
        try {
          key = ipSortKey(filter.ip);
        } catch (cause) {
          throw new AppError('BAD_REQUEST', `invalid IP address "${filter.ip}"`, { cause });
        }
        all.push(eb('events.ip_key', '=', key));
      }
    }
    for (const [key, value] of Object.entries(filter.metadata ?? {})) {
      if (mode === 'scan') {
        all.push(
          eb.exists(
            eb
              .selectFrom('event_metadata')
              .select('event_metadata.seq')
              .whereRef('event_metadata.organization_id', '=', 'events.organization_id')
              .whereRef('event_metadata.seq', '=', 'events.seq')
              .where('event_metadata.key', '=', key)
              .where('event_metadata.value', '=', value),
          ),
        );
        continue;
      }
      all.push(
        eb(
          'events.seq',
          'in',
          eb
            .selectFrom('event_metadata')
            .select('event_metadata.seq')
            .where('event_metadata.organization_id', '=', organizationId)
            .where('event_metadata.key', '=', key)
            .where('event_metadata.value', '=', value),
        ),
      );
    }
    if (filter.q !== undefined) {
      const words = searchWords(filter.q);
      if (words.length > 0) all.push(this.#dialect.matchesSearch(organizationId, words));
    }
    if (filter.seqFrom !== undefined) all.push(eb('events.seq', '>=', filter.seqFrom));
    if (filter.seqTo !== undefined) all.push(eb('events.seq', '<', filter.seqTo));
    return eb.and(all);
  }

  /**
   * Picks how a page is read where the planner needs help (SQLite without statistics): when the
   * filter matches fewer than `SEEK_LIMIT` events, read them through the filter's own index and sort
   * them (`seek`); otherwise walk the time-ordered index and stop after one page (`scan`). A bounded
   * count decides, so the probe costs at most `SEEK_LIMIT` index entries.
   */
  async #chooseStrategy(filter: TEventFilter, seekPredicate: (eb: TEventsEb) => Expression<SqlBool>): Promise<'seek' | 'scan'> {
    if (!this.#dialect.plannerHints) return 'seek';
    const selective =
      (filter.actions?.length ?? 0) > 0 || filter.actorId !== undefined || filter.targetId !== undefined || filter.targetType !== undefined ||
      filter.ip !== undefined || Object.keys(filter.metadata ?? {}).length > 0 || (filter.q !== undefined && searchWords(filter.q).length > 0) ||
      filter.seqFrom !== undefined || filter.seqTo !== undefined;
    if (!selective) return 'scan';
    // One exact action, or one actor: its index is ordered by (occurred_at, seq) within the value, so
    // reading it in order and stopping after a page is always best.
    const singleAction = filter.actions?.length === 1 && !(filter.actions[0] ?? '').endsWith('.*');
    const exactOnly =
      (singleAction ? 1 : 0) + (filter.actorId !== undefined ? 1 : 0) === 1 && (filter.actions === undefined || singleAction) &&
      filter.actorType === undefined && filter.targetId === undefined && filter.targetType === undefined && filter.ip === undefined &&
      Object.keys(filter.metadata ?? {}).length === 0 && filter.q === undefined && filter.seqFrom === undefined && filter.seqTo === undefined;
    if (exactOnly) return 'scan';
    const columns = [
      (filter.actions?.length ?? 0) === 1,
      filter.actorId !== undefined,
      filter.ip !== undefined,
    ].filter(Boolean).length;
    const others =
      filter.actorType !== undefined || filter.targetId !== undefined || filter.targetType !== undefined || (filter.actions?.length ?? 0) > 1 ||
      Object.keys(filter.metadata ?? {}).length > 0 || filter.q !== undefined || filter.seqFrom !== undefined || filter.seqTo !== undefined;
    // A seek limit set by the caller (tests force the scan plan with a tiny one) applies to every filter.
    const covered = this.#seekLimit === SEEK_LIMIT ? COVERED_SEEK_LIMIT : this.#seekLimit;
    const limit = columns === 1 && !others ? covered : this.#seekLimit;
    const probe = await this.#db
      .selectFrom((eb) => eb.selectFrom('events').select('events.seq').where(seekPredicate).limit(limit).as('probe'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(probe.n) < limit ? 'seek' : 'scan';
  }

  /** One page of events matching `filter`, sorted by `(occurred_at, seq)`. */
  async list(organizationId: string, filter: TEventFilter, options: TListOptions = {}): Promise<TEventPage> {
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new AppError('BAD_REQUEST', `limit must be 1 to ${MAX_PAGE_SIZE}`);
    }
    const fingerprint = filterFingerprint(filter);
    let cursor: TCursor | null = null;
    let order = options.order ?? 'desc';
    if (options.cursor !== undefined && options.cursor !== null) {
      cursor = decodeCursor(options.cursor);
      if (cursor.f !== fingerprint) throw new AppError('BAD_REQUEST', 'this cursor belongs to a different filter');
      order = cursor.d;
    }
    let snapshot = cursor?.m;
    if (snapshot === undefined) {
      const log = await this.#db.selectFrom('logs').select('size').where('organization_id', '=', organizationId).executeTakeFirst();
      if (log === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" not found`);
      snapshot = log.size;
    }
    const m = snapshot;
    const predicate = (eb: TEventsEb, mode: 'seek' | 'scan') => {
      // `+seq`: the snapshot bound must never steer the planner to the (organization, seq) key.
      const parts = [this.#where(eb, organizationId, filter, mode), eb(this.#dialect.unindexed(eb.ref('events.seq')), '<', m)];
      if (cursor !== null) {
        // A row-value comparison, which both engines answer from the index.
        parts.push(eb(eb.refTuple('events.occurred_at', 'events.seq'), order === 'desc' ? '<' : '>', eb.tuple(cursor.o, cursor.s)));
      }
      return eb.and(parts);
    };
    const mode = await this.#chooseStrategy(filter, (eb) => predicate(eb, 'seek'));
    const sortKey = (column: 'events.occurred_at' | 'events.seq') => (eb: TEventsEb) =>
      mode === 'seek' ? this.#dialect.unindexed(eb.ref(column)) : eb.ref(column);
    const rows = await this.#db
      .selectFrom('events')
      .select(['events.seq', 'events.occurred_at', 'events.body'])
      .where((eb) => predicate(eb, mode))
      .orderBy(sortKey('events.occurred_at'), order)
      .orderBy(sortKey('events.seq'), order)
      .limit(limit + 1)
      .execute();
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page.at(-1);
    return {
      events: page.map((r) => this.#decode(r.body)),
      nextCursor: more && last !== undefined ? encodeCursor({ v: 1, o: last.occurred_at, s: last.seq, m, d: order, f: fingerprint }) : null,
    };
  }

  /**
   * Events matching `filter` with `seq` in `[from, to)`, in ascending `seq` order, `chunk` rows at a
   * time (the primary key drives the read: bounded memory whatever the size). Yields each stored
   * canonical body as its UTF-8 text (see `CustodyDialect.utf8Text`): `Buffer.from(text, 'utf8')` is the
   * stored bytes.
   */
  async *scanBySeq(
    organizationId: string,
    filter: TEventFilter,
    from: number,
    to: number,
    chunk = 2_000,
  ): AsyncGenerator<{ seq: number; text: string }[]> {
    let next = from;
    while (next < to) {
      const start = next;
      const rows = await this.#db
        .selectFrom('events')
        .select((eb) => ['events.seq', this.#dialect.utf8Text(eb.ref('events.body')).as('text')])
        .where((eb) => eb.and([this.#where(eb, organizationId, filter), eb('events.seq', '>=', start), eb('events.seq', '<', to)]))
        .orderBy('events.seq')
        .limit(chunk)
        .execute();
      if (rows.length === 0) return;
      yield rows;
      next = (rows.at(-1)?.seq ?? to) + 1;
    }
  }

  /**
   * Every leaf of `[from, to)` with its hash, whether its event body is still stored, and the body (as
   * its UTF-8 text, see `CustodyDialect.utf8Text`) when the event matches `filter`: a page of a
   * complete-range export, in `seq` order. Throws INTERNAL when a leaf of the range is missing.
   */
  async leafPage(
    organizationId: string,
    filter: TEventFilter,
    from: number,
    to: number,
  ): Promise<{ seq: number; leafHash: Uint8Array; present: boolean; text: string | null }[]> {
    // Two range scans instead of a join: the page's leaf hashes as one hex string, then the events' bodies.
    const leaves = await this.#db
      .selectFrom('leaves')
      .select((eb) => [eb.fn.countAll().as('n'), this.#dialect.concatHex(eb.ref('leaves.leaf_hash'), eb.ref('leaves.seq')).as('hex')])
      .where('leaves.organization_id', '=', organizationId)
      .where('leaves.seq', '>=', from)
      .where('leaves.seq', '<', to)
      .executeTakeFirstOrThrow();
    const count = Number(leaves.n);
    const hashes = Buffer.from(leaves.hex ?? '', 'hex');
    // (organization_id, seq) is the key: as many rows as seqs in [from, to) means every one of them.
    if (count !== to - from || hashes.length !== 32 * count) {
      throw new AppError('INTERNAL', `leaves ${from}–${to - 1} of "${organizationId}" are incomplete (${count} of ${to - from})`);
    }
    const events = await this.#db
      .selectFrom('events')
      .select((eb) => [
        'events.seq',
        eb.case().when(this.#where(eb, organizationId, filter)).then(this.#dialect.utf8Text(eb.ref('events.body'))).end().as('text'),
      ])
      .where('events.organization_id', '=', organizationId)
      .where('events.seq', '>=', from)
      .where('events.seq', '<', to)
      .orderBy('events.seq')
      .execute();
    const page: { seq: number; leafHash: Uint8Array; present: boolean; text: string | null }[] = [];
    let next = 0;
    for (let seq = from; seq < to; seq++) {
      const row = events[next];
      const present = row !== undefined && Number(row.seq) === seq;
      if (present) next += 1;
      page.push({ seq, leafHash: hashes.subarray(32 * (seq - from), 32 * (seq - from) + 32), present, text: present ? (row.text ?? null) : null });
    }
    return page;
  }

  /** The smallest and largest `seq` below `before` matching `filter`, and how many match. */
  async seqBounds(organizationId: string, filter: TEventFilter, before: number): Promise<{ min: number | null; max: number | null; count: number }> {
    const row = await this.#db
      .selectFrom('events')
      .select((eb) => [eb.fn.min('events.seq').as('lo'), eb.fn.max('events.seq').as('hi'), eb.fn.countAll().as('n')])
      .where((eb) => eb.and([this.#where(eb, organizationId, filter), eb('events.seq', '<', before)]))
      .executeTakeFirstOrThrow();
    return { min: row.lo === null ? null : Number(row.lo), max: row.hi === null ? null : Number(row.hi), count: Number(row.n) };
  }

  /** One event by id; NOT_FOUND when absent (or purged). */
  async get(organizationId: string, id: string): Promise<TEventRecord> {
    const row = await this.#db.selectFrom('events').select('body').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `event "${id}" not found`);
    return this.#decode(row.body);
  }

  /**
   * Counts per time bucket, and the top actions and actors, for `filter`. `bucketMs` defaults to a
   * width that gives at most about 120 buckets over the filter's time range (or the data's).
   *
   * Filters on actions and whole-hour time bounds (the console's overview) are answered from the
   * counts kept at ingest (`event_counts_hourly`, `actor_counts`) without reading events; other
   * filters read the matching events through their indexes.
   */
  async stats(
    organizationId: string,
    filter: TEventFilter,
    options: { bucketMs?: number; top?: number } = {},
  ): Promise<TEventStats> {
    const top = Math.min(Math.max(options.top ?? 10, 1), 100);
    if (options.bucketMs !== undefined && (!Number.isSafeInteger(options.bucketMs) || options.bucketMs < 1000)) {
      throw new AppError('BAD_REQUEST', 'bucketMs must be an integer of at least 1000');
    }
    const fromRollups = await this.#statsFromRollups(organizationId, filter, options.bucketMs, top);
    if (fromRollups !== null) return fromRollups;
    return this.#statsFromEvents(organizationId, filter, options.bucketMs, top);
  }

  async #statsFromRollups(organizationId: string, filter: TEventFilter, requestedBucket: number | undefined, top: number): Promise<TEventStats | null> {
    const keys = Object.keys(filter).filter((k) => filter[k as keyof TEventFilter] !== undefined);
    if (!keys.every((k) => k === 'actions' || k === 'occurredAfter' || k === 'occurredBefore')) return null;
    const after = filter.occurredAfter === undefined ? undefined : parseTime(filter.occurredAfter, 'occurredAfter');
    const before = filter.occurredBefore === undefined ? undefined : parseTime(filter.occurredBefore, 'occurredBefore');
    if ((after !== undefined && after % HOUR !== 0) || (before !== undefined && before % HOUR !== 0)) return null;
    const actions = filter.actions ?? [];
    const where = (eb: ExpressionBuilder<Database, 'event_counts_hourly'>) => {
      const all: Expression<SqlBool>[] = [eb('event_counts_hourly.organization_id', '=', organizationId)];
      if (after !== undefined) all.push(eb('event_counts_hourly.hour', '>=', after));
      if (before !== undefined) all.push(eb('event_counts_hourly.hour', '<', before));
      if (actions.length > 0) {
        all.push(
          eb.or(
            actions.map((action) => {
              if (!action.endsWith('.*')) return eb('event_counts_hourly.action', '=', action);
              if (!ACTION_PREFIX.test(action)) throw new AppError('BAD_REQUEST', `invalid action prefix "${action}" (use e.g. user.*)`);
              const prefix = action.slice(0, -1);
              return eb.and([eb('event_counts_hourly.action', '>=', prefix), eb('event_counts_hourly.action', '<', `${prefix.slice(0, -1)}/`)]);
            }),
          ),
        );
      }
      return eb.and(all);
    };
    const range = await this.#db
      .selectFrom('event_counts_hourly')
      .select((eb) => [eb.fn.min('event_counts_hourly.hour').as('lo'), eb.fn.max('event_counts_hourly.hour').as('hi'), eb.fn.sum<number>('event_counts_hourly.n').as('n')])
      .where(where)
      .executeTakeFirstOrThrow();
    const total = Number(range.n ?? 0);
    const lo = after ?? Number(range.lo ?? 0);
    const hi = before ?? Number(range.hi ?? 0) + HOUR;
    const bucketMs = requestedBucket ?? Math.max(HOUR, chooseBucket(Math.max(hi - lo, 1)));
    if (bucketMs % HOUR !== 0) return null;
    if (total === 0) return { total, bucketMs, buckets: [], topActions: [], topActors: [] };
    const bucketExpr = sql<number>`(event_counts_hourly.hour / ${sql.raw(String(bucketMs))}) * ${sql.raw(String(bucketMs))}`;
    const buckets = await this.#db
      .selectFrom('event_counts_hourly')
      .select((eb) => [bucketExpr.as('start'), eb.fn.sum<number>('event_counts_hourly.n').as('n')])
      .where(where)
      .groupBy(bucketExpr)
      .orderBy(bucketExpr)
      .execute();
    const topActions = await this.#db
      .selectFrom('event_counts_hourly')
      .select((eb) => ['event_counts_hourly.action', eb.fn.sum<number>('event_counts_hourly.n').as('n')])
      .where(where)
      .groupBy('event_counts_hourly.action')
      .orderBy(sql`sum(event_counts_hourly.n)`, 'desc')
      .orderBy('event_counts_hourly.action')
      .limit(top)
      .execute();
    const topActors =
      keys.length === 0
        ? (
            await this.#db
              .selectFrom('actor_counts')
              .select(['actor_type', 'actor_id', 'n'])
              .where('organization_id', '=', organizationId)
              .orderBy('n', 'desc')
              .orderBy('actor_type')
              .orderBy('actor_id')
              .limit(top)
              .execute()
          ).map((a) => ({ type: a.actor_type, id: a.actor_id, count: Number(a.n) }))
        : await this.#topActors(organizationId, filter, top);
    return {
      total,
      bucketMs,
      buckets: buckets.map((b) => ({ start: new Date(Number(b.start)).toISOString(), count: Number(b.n) })),
      topActions: topActions.map((a) => ({ action: a.action, count: Number(a.n) })),
      topActors,
    };
  }

  async #topActors(organizationId: string, filter: TEventFilter, top: number): Promise<TEventStats['topActors']> {
    const rows = await this.#db
      .selectFrom('events')
      .select((eb) => ['events.actor_type', 'events.actor_id', eb.fn.countAll().as('n')])
      .where((eb) => this.#where(eb, organizationId, filter))
      .groupBy((eb) => [this.#dialect.unindexed(eb.ref('events.actor_type')), this.#dialect.unindexed(eb.ref('events.actor_id'))])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('events.actor_type')
      .orderBy('events.actor_id')
      .limit(top)
      .execute();
    return rows.map((a) => ({ type: a.actor_type, id: a.actor_id, count: Number(a.n) }));
  }

  async #statsFromEvents(organizationId: string, filter: TEventFilter, requestedBucket: number | undefined, top: number): Promise<TEventStats> {
    const where = (eb: TEventsEb) => this.#where(eb, organizationId, filter);
    const range = await this.#db
      .selectFrom('events')
      .select((eb) => [eb.fn.min('events.occurred_at').as('lo'), eb.fn.max('events.occurred_at').as('hi'), eb.fn.countAll().as('n')])
      .where(where)
      .executeTakeFirstOrThrow();
    const total = Number(range.n);
    const lo = filter.occurredAfter !== undefined ? parseTime(filter.occurredAfter, 'occurredAfter') : Number(range.lo ?? 0);
    const hi = filter.occurredBefore !== undefined ? parseTime(filter.occurredBefore, 'occurredBefore') : Number(range.hi ?? 0) + 1;
    const bucketMs = requestedBucket ?? chooseBucket(Math.max(hi - lo, 1));
    if (total === 0) return { total, bucketMs, buckets: [], topActions: [], topActors: [] };

    // bucketMs is a validated safe integer: inlined so both engines do integer division.
    const bucketExpr = sql<number>`(events.occurred_at / ${sql.raw(String(bucketMs))}) * ${sql.raw(String(bucketMs))}`;
    const buckets = await this.#db
      .selectFrom('events')
      .select((eb) => [bucketExpr.as('start'), eb.fn.countAll().as('n')])
      .where(where)
      .groupBy(bucketExpr)
      .orderBy(bucketExpr)
      .execute();
    const topActions = await this.#db
      .selectFrom('events')
      .select((eb) => ['events.action', eb.fn.countAll().as('n')])
      .where(where)
      .groupBy((eb) => this.#dialect.unindexed(eb.ref('events.action')))
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('events.action')
      .limit(top)
      .execute();
    return {
      total,
      bucketMs,
      buckets: buckets.map((b) => ({ start: new Date(Number(b.start)).toISOString(), count: Number(b.n) })),
      topActions: topActions.map((a) => ({ action: a.action, count: Number(a.n) })),
      topActors: await this.#topActors(organizationId, filter, top),
    };
  }

  #decode(body: Uint8Array): TEventRecord {
    const parsed = parseLoggedEvent(body);
    if (!parsed.ok) throw new AppError('INTERNAL', 'a stored event does not parse as a logged event');
    return parsed.event;
  }
}

const BUCKETS = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000, 2_592_000_000];

function chooseBucket(spanMs: number): number {
  for (const b of BUCKETS) if (spanMs / b <= 120) return b;
  return BUCKETS[BUCKETS.length - 1] ?? 2_592_000_000;
}
