/**
 * Queries over event bodies: `list` with filters and keyset cursors, `get`, and `stats`.
 *
 * Results are identical on SQLite and Postgres: filters are plain comparisons on indexed columns,
 * full-text search goes through the dialect with words normalized the same way on both, and the
 * order is always `(occurred_at, seq)`, a total order.
 */
import { createHash } from 'node:crypto';

import { sql } from 'kysely';
import type { AliasedExpression, Expression, ExpressionBuilder, Kysely, RawBuilder, SqlBool } from 'kysely';

import type { CustodyDialect, Database, TCompiledStatement, TFacetReads, TSeqWindow } from '@custody/db';
import {
  ACTION_PATTERN,
  IpAddressError,
  MAX_ACTION_LENGTH,
  MIN_SEARCH_PREFIX_LENGTH,
  TimestampError,
  cidrSortKeyRange,
  ipSortKey,
  parseLoggedEvent,
  parseTimestamp,
  searchTerms,
} from '@custody/schema';
import type { TLoggedEvent } from '@custody/schema';

import { AppError } from './errors';
import { EventFacets, facetIpv4Range } from './event-facets';
import type { TBucketChoice, TFacetMemory } from './event-facets';

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
  /**
   * Full text: events containing every word (`word*`: a word starting so). A term that is an IP address or
   * CIDR block matches the event's IP instead, as `ip` does: IPs are not in the text (see `resolveFilter`).
   */
  q?: string;
  /** Events with `seq` in `[seqFrom, seqTo)`. */
  seqFrom?: number;
  seqTo?: number;
}

export type TSortOrder = 'asc' | 'desc';

export interface TListOptions {
  /**
   * `desc` (newest first) by default. With a cursor, the order of the page it came from (omit it, or give the
   * same): another is a BAD_REQUEST.
   */
  order?: TSortOrder;
  /** 1 to 1,000. Default is 100. */
  limit?: number;
  /**
   * From the previous page's `nextCursor`, for the same organization, filter and order: a cursor of another
   * organization, filter or order is a BAD_REQUEST.
   */
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
const DAY = 86_400_000;

/** The error of a query stopped at the server's time limit (`EventQueryThreads`, `TimedEventQueries`). */
export function queryTimeout(timeoutMs: number, cause?: unknown): AppError {
  return new AppError('TIMEOUT', `the query ran past the server's limit of ${timeoutMs} ms and was stopped; narrow the filter (a time range, an action, an actor)`, {
    details: { timeoutMs },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The error of a query whose caller went away before it finished (`TQueryControl.signal`); the query was stopped. */
export function queryCancelled(cause?: unknown): AppError {
  return new AppError('CANCELLED', 'the request was closed before its query finished; the query was stopped', cause === undefined ? {} : { cause });
}

/**
 * `events.stats` options: `bucketMs` (at least 1,000; default: the narrowest of `BUCKETS` giving at most 120 buckets over
 * the range, 30 days at most, so a range over 3,600 days has more) and `top` (1 to 100; default 10).
 */
export interface TStatsOptions {
  bucketMs?: number;
  top?: number;
}

/** Lets a caller give up on a query: the API passes its HTTP request's signal, aborted when the client goes away. */
export interface TQueryControl {
  signal?: AbortSignal;
}

/**
 * The read side the API serves: `EventQueries` on the calling thread, `EventQueryThreads`, which runs the
 * same `EventQueries` on reader threads and can give up on a query, or `TimedEventQueries` (Postgres, with a
 * statement time limit).
 */
export interface TEventReader {
  list(organizationId: string, filter: TEventFilter, options?: TListOptions & TQueryControl): Promise<TEventPage>;
  get(organizationId: string, id: string, options?: TQueryControl): Promise<TEventRecord>;
  stats(organizationId: string, filter: TEventFilter, options?: TStatsOptions & TQueryControl): Promise<TEventStats>;
}

/** What `events.stats` returns. */
export interface TEventStats {
  total: number;
  bucketMs: number;
  buckets: { start: string; count: number }[];
  topActions: { action: string; count: number }[];
  topActors: { type: string; id: string; count: number }[];
}

/**
 * Keyset cursor: the last row's sort key, the log size when pagination began, and the organization, filter and
 * order it belongs to (a cursor sent with another of them is refused: its snapshot and sort key mean nothing there).
 */
interface TCursor {
  v: 1;
  o: number;
  s: number;
  /** Only events with seq below this were visible when the first page was read: later pages never shift. */
  m: number;
  d: TSortOrder;
  f: string;
  /** The organization's fingerprint (`organizationFingerprint`); absent from cursors made before it was added. */
  g?: string;
}

function organizationFingerprint(organizationId: string): string {
  return createHash('sha256').update(organizationId).digest('base64url').slice(0, 16);
}

function filterFingerprint(filter: TEventFilter): string {
  // The replacer array lists the filter's own keys, sorted, and applies at every depth: it leaves out the
  // metadata's pairs, appended after it with their keys sorted (the same pairs in any order are one filter).
  const ordered = JSON.stringify(filter, Object.keys(filter).sort());
  const metadata = Object.fromEntries(Object.entries(filter.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(ordered + JSON.stringify(metadata)).digest('base64url').slice(0, 16);
}

function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(text: string): TCursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<TCursor>;
    if (
      c.v === 1 && Number.isSafeInteger(c.o) && Number.isSafeInteger(c.s) && Number.isSafeInteger(c.m) &&
      (c.d === 'asc' || c.d === 'desc') && typeof c.f === 'string' && (c.g === undefined || typeof c.g === 'string')
    ) {
      return c as TCursor;
    }
  } catch {
    // fall through
  }
  throw new AppError('BAD_REQUEST', 'invalid cursor: pass the nextCursor of the previous page unchanged');
}

/** An address/prefix-length token: a CIDR block in a search, or an error if it is not a valid one. */
const CIDR_TOKEN = /^[0-9a-f:.]+\/\d{1,3}$/i;

/** The sort-key range of an IP address or CIDR block, or undefined if `text` is neither. */
function ipRange(text: string): { from: string; to: string } | undefined {
  if (text.includes('/')) {
    try {
      return cidrSortKeyRange(text);
    } catch {
      return undefined;
    }
  }
  if (!text.includes('.') && !text.includes(':')) return undefined;
  try {
    const key = ipSortKey(text);
    return { from: key, to: key };
  } catch {
    return undefined;
  }
}

/** Never matches: `seq` is never negative. */
const NOTHING: TEventFilter = { seqFrom: 0, seqTo: 0 };

/**
 * The filter as the queries run it (every public read starts here). Event IPs are not words of the full-text
 * index (they have their own index), so a term of `q` that is an IP address or CIDR block (`10.1.2.3`,
 * `2001:db8::/32`) becomes an IP condition, ANDed with `ip` and any other such terms like every term of a
 * search. Blocks are nested or disjoint, so the narrowest of them is the condition, and disjoint ones match
 * nothing. Refused here, before any read: a term shaped like a block that is not one (`10.0.0.1/8`), as `ip`
 * refuses it, and a prefix shorter than MIN_SEARCH_PREFIX_LENGTH, which would read the match lists of a large
 * part of the index's words. Reads call it through `checkFilter`, which checks the filter's other parts too.
 */
function resolveFilter(filter: TEventFilter): TEventFilter {
  if (filter.q === undefined) return filter;
  const blocks: { text: string; from: string; to: string }[] = [];
  const words: string[] = [];
  for (const token of filter.q.split(/\s+/u)) {
    if (token === '') continue;
    const range = ipRange(token);
    if (range !== undefined) {
      blocks.push({ text: token, ...range });
      continue;
    }
    if (CIDR_TOKEN.test(token)) {
      const reason = `search term "${token}" is not a valid CIDR block (host bits must be zero, e.g. 10.0.0.0/8)`;
      throw filterRefusal('q', 'invalid_cidr', `q: ${reason}`, { reason });
    }
    const prefix = searchTerms(token).find((term) => term.endsWith('*'))?.slice(0, -1);
    // Counted in code points (`𐐨` is one letter, two UTF-16 units), and not counting combining marks (`क्` is one letter).
    const letters = prefix === undefined ? 0 : [...prefix].filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
    if (prefix !== undefined && letters < MIN_SEARCH_PREFIX_LENGTH) {
      const reason =
        `search term "${token}": a prefix needs at least ${MIN_SEARCH_PREFIX_LENGTH} letters or digits before the *, and "${prefix}" ` +
        `has ${letters} (words are split at anything but letters, digits and combining marks)`;
      throw filterRefusal('q', 'too_short', `q: ${reason}`, { reason });
    }
    words.push(token);
  }
  if (blocks.length === 0) return filter;
  if (filter.ip !== undefined) {
    const range = ipRange(filter.ip);
    // An invalid `ip` is reported by the query with its own message.
    if (range === undefined) return filter;
    blocks.push({ text: filter.ip, ...range });
  }
  const { q: _q, ip: _ip, ...rest } = filter;
  const narrowest = blocks.reduce((a, b) => (b.from >= a.from && b.to <= a.to ? b : a));
  if (blocks.some((b) => narrowest.from < b.from || narrowest.to > b.to)) return { ...rest, ...NOTHING };
  return { ...rest, ip: narrowest.text, ...(words.length > 0 ? { q: words.join(' ') } : {}) };
}

/** The full-text terms of `q` (`searchTerms`), of a filter `resolveFilter` has checked. */
function queryTerms(q: string | undefined): string[] {
  return q === undefined ? [] : searchTerms(q);
}

/**
 * A filter's time bound in Unix ms, parsed as ingest parses `occurred_at` (`parseTimestamp`): RFC 3339 with an
 * explicit offset (`Z` or `±hh:mm`), a real date and time, the fraction truncated to milliseconds. So a bound
 * never depends on the server's time zone, and a bound ingest would refuse as an event's time is refused here.
 */
function parseTime(value: string, what: 'occurredAfter' | 'occurredBefore'): number {
  try {
    return parseTimestamp(value);
  } catch (cause) {
    if (!(cause instanceof TimestampError)) throw cause;
    const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
    throw filterRefusal(what, cause.code, `${what} "${shown}" is not a valid RFC 3339 time: ${cause.message}`, { reason: cause.message, cause });
  }
}

/**
 * The BAD_REQUEST refusing one field of a filter, the one shape every filter refusal has: `message` names the field
 * and the value, and `details.issues` holds one issue whose `path` is the field's (`filter.ip`, `filter.actions[2]`)
 * written as the API writes the paths of its zod input errors, so clients show every refusal by field alike.
 * `reason`: the issue's message, the field left out (default: `message`).
 */
function filterRefusal(field: string, code: string, message: string, options: { reason?: string; cause?: unknown } = {}): AppError {
  const issue = { path: `filter.${field}`, code, message: options.reason ?? message };
  return new AppError('BAD_REQUEST', message, { ...(options.cause === undefined ? {} : { cause: options.cause }), details: { issues: [issue] } });
}

/** What an IP filter compares `ip_key` with: one key (an address), or a range of keys (a CIDR block). */
type TIpCondition = { readonly key: string } | { readonly from: string; readonly to: string };

/**
 * The condition of the filter's IP address or CIDR block `ip`; BAD_REQUEST naming `filter.ip` and the reason when
 * it is neither (`ip: invalid CIDR block "10.0.0.5/24": host bits are set; did you mean 10.0.0.0/24?`).
 */
function ipCondition(ip: string): TIpCondition {
  const block = ip.includes('/');
  try {
    return block ? cidrSortKeyRange(ip) : { key: ipSortKey(ip) };
  } catch (cause) {
    if (!(cause instanceof IpAddressError)) throw cause;
    const shown = ip.length > 64 ? `${ip.slice(0, 64)}…` : ip;
    const message = `ip: invalid ${block ? 'CIDR block' : 'IP address'} "${shown}": ${cause.message}`;
    throw filterRefusal('ip', cause.code, message, { reason: cause.message, cause });
  }
}

/**
 * `filter` as the queries run it (`resolveFilter`), once every part of it a query checks is known to be valid:
 * the search's terms, action prefixes, time bounds and the IP address or block. Throws BAD_REQUEST for the first
 * that is not, before anything is read. Every read of events starts here, and an export job's filter is checked
 * with it when the job is created (`ExportService.create`), so a filter `events.list` refuses never queues a job.
 */
export function checkFilter(filter: TEventFilter): TEventFilter {
  // Before anything reads the metadata: an own `__proto__` key (JSON.parse makes one) is easily dropped by object
  // handling, which would silently widen the filter to every event. Ingest refuses the key in events, so no event
  // can hold it: refused as ingest refuses it, rather than matching nothing without a word.
  if (filter.metadata !== undefined && Object.hasOwn(filter.metadata, '__proto__')) {
    throw filterRefusal('metadata', 'not_allowed', `metadata: ${RESERVED_METADATA_KEY}`, { reason: RESERVED_METADATA_KEY });
  }
  const resolved = resolveFilter(filter);
  (resolved.actions ?? []).forEach(checkAction);
  if (resolved.occurredAfter !== undefined) parseTime(resolved.occurredAfter, 'occurredAfter');
  if (resolved.occurredBefore !== undefined) parseTime(resolved.occurredBefore, 'occurredBefore');
  if (resolved.ip !== undefined) ipCondition(resolved.ip);
  return resolved;
}

/** Why a filter on the metadata key `__proto__` is refused (`checkFilter`; the API's filter schema says the same). */
export const RESERVED_METADATA_KEY = 'key "__proto__" is reserved: ingest refuses it in events, so no event can match it';

/** A part of a filter matching fewer events than this drives the query, and its matches are sorted (see `#choosePlan`). */
const SEEK_LIMIT = 1_000;
/**
 * The same for a filter on one column whose index also holds `(occurred_at, seq)` (an action, an
 * actor, an IP block): counting and sorting those matches reads no event rows, so seeking pays off
 * up to many more of them.
 */
const COVERED_SEEK_LIMIT = 50_000;
/**
 * A search matching fewer index entries than this may drive a page or `stats` (its matches looked up by
 * rowid); a larger one is read with the other indexes. Measured for stats: one match among 1M events took
 * 290 ms the indexed way (the organization's events walked four times) and 2 ms by rowid; 33,274 matches
 * spread over 1M, 460 → 306 ms; 47,989 matches together among 10M, 3.0 s → 159 ms.
 */
const SEARCH_SEEK_LIMIT = 50_000;

/** The first window of a full-text scan, in seqs (see `#searchPage`). */
const SEARCH_WINDOW = 50_000;

/** Which part of a filter drives a seek (see `#choosePlan`). */
type TDriver = 'actions' | 'actor' | 'ip' | 'target' | 'q' | 'seq' | `metadata:${string}`;

/** How a page is read: see `#where`. */
type TPlan = { readonly kind: 'scan' } | { readonly kind: 'seek'; readonly driver?: TDriver };

/**
 * Full-text index entries already read while planning, newest first (`searchEntries`: rowids on SQLite):
 * all of the search's matches when `complete`, else the newest of them.
 */
interface TKnownEntries {
  readonly entries: readonly number[];
  readonly complete: boolean;
}

interface TPlanChoice {
  readonly plan: TPlan;
  readonly known?: TKnownEntries;
}

const SCAN: TPlan = { kind: 'scan' };
const SEEK: TPlan = { kind: 'seek' };

const ACTION_PREFIX = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.\*$/;

type TEventsEb = ExpressionBuilder<Database, 'events'>;

/** Planner thresholds; tests lower them to exercise every plan on a few hundred events (see the constructor). */
export interface TEventQueriesOptions {
  seekLimit?: number;
  searchWindow?: number;
  statsSearchSeekLimit?: number;
  /**
   * Keep a copy of every event's statistics columns in memory (`EventFacets`) where the dialect offers
   * `facetReads` (SQLite), for statistics; filled by `warmFacets`. `true`: a copy of its
   * own; a `TFacetMemory`: the copy shared with other threads given the same memory. For long-lived
   * query threads, not for one-off uses. Default is `false`.
   */
  facets?: boolean | TFacetMemory;
  /** With `facets`: the least number of matches that gives a search a bitmap (`isBroad`; default 65,536). */
  broadSearchMatches?: number;
  /** With `facets`: see `EventFacets` (tests set 0 to read each metadata pair's whole list). */
  metadataRangeByEvents?: number;
  /** With `facets`: matches more than one in this many events are counted by a scan of the copy (default 512). */
  facetScanRatio?: number;
  /**
   * With `facets`: a file the complete copy is saved to (`EventFacets.saveSnapshot`) and the next start's copy is
   * restored from, then brought up to date from the events committed since. None: the copy is made from every event.
   */
  facetSnapshot?: string;
}

/**
 * A scan of the in-memory copy checks every event (a few nanoseconds each); SQL looks each match up (about
 * 1.5 µs): the copy answers once the matches are more than one in this many events.
 */
const FACET_SCAN_RATIO = 512;

/**
 * An IPv4 block holding more than one in this many events is checked in a scan of the in-memory copy (about
 * 3.5 ns an event at 10M); a smaller one is read from the IP index as rowids (about 0.2 µs a match).
 */
const IP_SCAN_RATIO = 32;

/**
 * The filter parts `EventFacets` checks itself (a search and metadata pairs as sets of rowids, which broad ones
 * keep as bitmaps; a broad IPv4 block too, `#broadIpv4`); the events matching the others (targets, other IP
 * blocks) are read in SQL (`TFacetReads.rowidBits`).
 */
const FACET_KEYS: ReadonlySet<keyof TEventFilter> = new Set(['q', 'metadata', 'actions', 'actorId', 'actorType', 'occurredAfter', 'occurredBefore']);

export class EventQueries implements TEventReader {
  readonly #db: Kysely<Database>;
  readonly #dialect: CustodyDialect;
  readonly #seekLimit: number;
  readonly #searchWindow: number;
  readonly #statsSearchSeekLimit: number;
  readonly #facets: EventFacets | null;
  readonly #facetScanRatio: number;

  /**
   * `seekLimit`: see `#choosePlan`, default 1,000; `searchWindow`: see `#searchPage`, default 50,000;
   * `statsSearchSeekLimit`: see `#statsWhere`, default 50,000. Tests set them to exercise every plan on a
   * few hundred events.
   */
  constructor(db: Kysely<Database>, dialect: CustodyDialect, options: TEventQueriesOptions = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#seekLimit = options.seekLimit ?? SEEK_LIMIT;
    this.#searchWindow = options.searchWindow ?? SEARCH_WINDOW;
    this.#statsSearchSeekLimit = options.statsSearchSeekLimit ?? SEARCH_SEEK_LIMIT;
    this.#facetScanRatio = options.facetScanRatio ?? FACET_SCAN_RATIO;
    const facets = options.facets ?? false;
    this.#facets =
      facets !== false && dialect.facetReads !== undefined
        ? new EventFacets(dialect.facetReads, facets === true ? undefined : facets, {
            ...(options.broadSearchMatches === undefined ? {} : { broadSearchMatches: options.broadSearchMatches }),
            ...(options.metadataRangeByEvents === undefined ? {} : { metadataRangeByEvents: options.metadataRangeByEvents }),
            ...(options.facetSnapshot === undefined ? {} : { snapshotFile: options.facetSnapshot }),
          })
        : null;
  }

  /**
   * Fills the in-memory copy of the statistics columns (`facets` option), a slice at a time, and resolves
   * once it is complete, this thread's counting compiled (`EventFacets.warmCounting`), its counts of each action's
   * actors made (`EventFacets.warmTallies`) and the common metadata values' bitmaps and whole-log statistics made
   * (`EventFacets.warmMetadata`, one thread a process), and the copy saved to its snapshot file if there is one
   * (`EventFacets.saveSnapshot`, one thread a process); at once without a copy. Through `reads` if given (see
   * `EventFacets.warm`). A statistics query before then completes the copy first if it is nearly complete
   * (`EventFacets.catchUp`), else SQL answers it.
   */
  async warmFacets(reads?: TFacetReads): Promise<void> {
    if (this.#facets === null) return;
    await this.#facets.warm(reads);
    this.#facets.warmCounting(STATS_BUCKETS);
    this.#facets.warmTallies();
    // Failing only leaves the first statistics over a common metadata value to read its list.
    await this.#facets.warmMetadata(reads, { buckets: STATS_BUCKETS }).catch(() => undefined);
    // The next start restores the copy rather than reading every event (one thread; false when not configured).
    this.#facets.saveSnapshot(reads);
  }

  /**
   * Saves the statistics copy to its snapshot file if it has grown enough since (`EventFacets.saveSnapshot`): the
   * query threads ask every minute, between calls. Whether it wrote the file.
   */
  saveFacetSnapshot(): boolean {
    return this.#facets?.saveSnapshot() ?? false;
  }

  /**
   * The filter as a predicate. `plan` only matters where the dialect takes planner hints:
   * - `seek` with a `driver`: that part of the filter drives the query through its index (the
   *   others are hidden from the planner, and lists such as metadata or target matches are checked row
   *   by row instead of being built), then the matches are sorted;
   * - `seek` without one: every predicate stays indexable (`stats`, exports);
   * - `scan`: the range predicates (action prefixes, CIDR blocks) are hidden so that the planner walks
   *   an index in `(occurred_at, seq)` order and stops after one page.
   */
  #where(eb: TEventsEb, organizationId: string, filter: TEventFilter, plan: TPlan = SEEK, searchWindow?: TSeqWindow, knownEntries?: readonly number[]): Expression<SqlBool> {
    const scan = plan.kind === 'scan';
    const driver = plan.kind === 'seek' ? plan.driver : undefined;
    /** Whether part `c` may drive the query: not in a scan, and not when another part was chosen. */
    const drives = (c: TDriver) => !scan && (driver === undefined || driver === c);
    const unindexed = <T>(expr: Expression<T>) => this.#dialect.unindexed(expr);
    // Without statistics the planner cannot tell an actor or target (few events) from an action
    // (many): when one of those narrows the search, the actions are checked, not used to drive it.
    const narrower = filter.actorId !== undefined || filter.targetId !== undefined;
    // When the full text drives, its matches are found by rowid: an indexable organization would let
    // SQLite walk all of the organization's events instead, checking each against the matches (60 ms
    // for one match among 1M events, against 0.2 ms by rowid).
    const organization = driver === 'q' ? unindexed(eb.ref('events.organization_id')) : eb.ref('events.organization_id');
    const all: Expression<SqlBool>[] = [eb(organization, '=', organizationId)];
    if (filter.actions !== undefined && filter.actions.length > 0) {
      // A scan walks one exact action's index in time order; a seek uses it when it drives.
      const exactIndexed = driver === undefined ? !narrower : driver === 'actions';
      const rangeIndexed = driver === undefined ? !scan && !narrower : driver === 'actions';
      all.push(this.#actionsMatch(eb, filter.actions, exactIndexed, rangeIndexed));
    }
    if (filter.actorId !== undefined) all.push(eb(drives('actor') || scan ? eb.ref('events.actor_id') : unindexed(eb.ref('events.actor_id')), '=', filter.actorId));
    if (filter.actorType !== undefined) all.push(eb('events.actor_type', '=', filter.actorType));
    if (filter.targetId !== undefined || filter.targetType !== undefined) {
      if (drives('target')) all.push(eb('events.seq', 'in', this.#targetEntries(organizationId, filter)));
      else {
        // Checked row by row, each event's targets looked up by its seq: no list to build. The seq is compared as an
        // expression (`+seq` on SQLite): as a plain column, SQLite carried the filter's seq range over to the targets
        // (a transitive constraint) and looked each event's targets up by that range instead of its seq, reading
        // every target of the range for each event: 11-14 s for a page of 7 among 38,000 events.
        let exists = eb
          .selectFrom('event_targets')
          .select('event_targets.seq')
          .whereRef('event_targets.organization_id', '=', 'events.organization_id')
          .where('event_targets.seq', '=', unindexed(eb.ref('events.seq')));
        if (filter.targetId !== undefined) exists = exists.where('event_targets.id', '=', filter.targetId);
        if (filter.targetType !== undefined) exists = exists.where('event_targets.type', '=', filter.targetType);
        all.push(eb.exists(exists));
      }
    }
    if (filter.occurredAfter !== undefined) all.push(eb('events.occurred_at', '>=', parseTime(filter.occurredAfter, 'occurredAfter')));
    if (filter.occurredBefore !== undefined) all.push(eb('events.occurred_at', '<', parseTime(filter.occurredBefore, 'occurredBefore')));
    if (filter.ip !== undefined) all.push(this.#ipMatch(eb, filter.ip, driver === undefined ? !scan : driver === 'ip', driver === undefined || driver === 'ip'));
    for (const [key, value] of Object.entries(filter.metadata ?? {})) {
      if (drives(`metadata:${key}`)) {
        all.push(eb('events.seq', 'in', this.#metadataEntries(organizationId, key, value)));
        continue;
      }
      all.push(
        eb.exists(
          eb
            .selectFrom('event_metadata')
            .select('event_metadata.seq')
            .whereRef('event_metadata.organization_id', '=', 'events.organization_id')
            // An expression, as for targets above: the filter's seq range must not become the lookup.
            .where('event_metadata.seq', '=', unindexed(eb.ref('events.seq')))
            .where('event_metadata.key', '=', key)
            .where('event_metadata.value', '=', value),
        ),
      );
    }
    const words = queryTerms(filter.q);
    if (words.length > 0) all.push(this.#dialect.matchesSearch(organizationId, words, searchWindow, knownEntries));
    const seq = scan || drives('seq') ? eb.ref('events.seq') : unindexed(eb.ref('events.seq'));
    if (filter.seqFrom !== undefined) all.push(eb(seq, '>=', filter.seqFrom));
    if (filter.seqTo !== undefined) all.push(eb(seq, '<', filter.seqTo));
    return eb.and(all);
  }

  /** Any of `actions` (exact, or `prefix.*`); `exactIndexed`/`rangeIndexed`: whether the planner may use the action index. */
  #actionsMatch(eb: TEventsEb, actions: readonly string[], exactIndexed: boolean, rangeIndexed: boolean): Expression<SqlBool> {
    return actionsMatch(eb, actions, (range) => ((range ? rangeIndexed : exactIndexed) ? eb.ref('events.action') : this.#dialect.unindexed(eb.ref('events.action'))));
  }

  /** The IP address or CIDR block `ip`; `rangeIndexed`/`exactIndexed`: whether the planner may use the IP index. */
  #ipMatch(eb: TEventsEb, ip: string, rangeIndexed: boolean, exactIndexed: boolean): Expression<SqlBool> {
    const column = (indexed: boolean) => (indexed ? eb.ref('events.ip_key') : this.#dialect.unindexed(eb.ref('events.ip_key')));
    const condition = ipCondition(ip);
    if ('key' in condition) return eb(column(exactIndexed), '=', condition.key);
    return eb.and([eb(column(rangeIndexed), '>=', condition.from), eb(column(rangeIndexed), '<=', condition.to)]);
  }

  #targetEntries(organizationId: string, filter: TEventFilter) {
    let sub = this.#db.selectFrom('event_targets').select('event_targets.seq').where('event_targets.organization_id', '=', organizationId);
    if (filter.targetId !== undefined) sub = sub.where('event_targets.id', '=', filter.targetId);
    if (filter.targetType !== undefined) sub = sub.where('event_targets.type', '=', filter.targetType);
    return sub;
  }

  #metadataEntries(organizationId: string, key: string, value: string) {
    return this.#db
      .selectFrom('event_metadata')
      .select('event_metadata.seq')
      .where('event_metadata.organization_id', '=', organizationId)
      .where('event_metadata.key', '=', key)
      .where('event_metadata.value', '=', value);
  }

  /**
   * Picks how a page is read where the planner needs help (SQLite without statistics). Each indexed
   * part of the filter (actions, actor, IP, target, each metadata pair, the words, a seq range) is
   * counted on its own index, up to a bound: when one matches fewer than `SEEK_LIMIT` events, it
   * drives the query and its matches are sorted (`seek`); otherwise the query walks a time-ordered
   * index and stops after one page (`scan`). So a probe reads at most `SEEK_LIMIT` index entries per
   * part, and never builds a list of a common value's matches (a metadata value held by 20 % of the
   * events, a common word) just to learn that it is common.
   */
  async #choosePlan(organizationId: string, filter: TEventFilter): Promise<TPlanChoice> {
    if (!this.#dialect.plannerHints) return { plan: SEEK };
    /** A prefix search's newest index entries, read while counting them (see below). */
    let known: TKnownEntries | undefined;
    const db = this.#db;
    /** Each indexed part, with a count of its index entries up to a bound. */
    const parts: [TDriver, (bound: number) => Promise<number>][] = [];
    const counted = async (entries: { as(alias: 'entries'): AliasedExpression<unknown, 'entries'> }) => {
      const row = await db.selectFrom(entries.as('entries')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    };
    const events = () => db.selectFrom('events').select('events.seq').where('events.organization_id', '=', organizationId);
    const actions = filter.actions ?? [];
    if (actions.length > 0) parts.push(['actions', (b) => counted(events().where((eb) => this.#actionsMatch(eb, actions, true, true)).limit(b))]);
    const actorId = filter.actorId;
    if (actorId !== undefined) parts.push(['actor', (b) => counted(events().where('events.actor_id', '=', actorId).limit(b))]);
    const ip = filter.ip;
    if (ip !== undefined) parts.push(['ip', (b) => counted(events().where((eb) => this.#ipMatch(eb, ip, true, true)).limit(b))]);
    if (filter.targetId !== undefined || filter.targetType !== undefined) parts.push(['target', (b) => counted(this.#targetEntries(organizationId, filter).limit(b))]);
    for (const [key, value] of Object.entries(filter.metadata ?? {})) {
      parts.push([`metadata:${key}`, (b) => counted(this.#metadataEntries(organizationId, key, value).limit(b))]);
    }
    const words = queryTerms(filter.q);
    if (words.length > 0) {
      parts.push([
        'q',
        async (b) => {
          const size = await this.#searchSize(organizationId, words, b);
          known = size.known;
          return size.n;
        },
      ]);
    }
    if (filter.seqFrom !== undefined || filter.seqTo !== undefined) {
      let range = events();
      if (filter.seqFrom !== undefined) range = range.where('events.seq', '>=', filter.seqFrom);
      if (filter.seqTo !== undefined) range = range.where('events.seq', '<', filter.seqTo);
      const bounded = range;
      parts.push(['seq', (b) => counted(bounded.limit(b))]);
    }
    if (parts.length === 0) return { plan: SCAN };
    // One exact action, or one actor: its index is ordered by (occurred_at, seq) within the value, so
    // reading it in order and stopping after a page is always best.
    const [only] = parts;
    const singleExactAction = actions.length === 1 && !(actions[0] ?? '').endsWith('.*');
    if (parts.length === 1 && filter.actorType === undefined && (only?.[0] === 'actor' || (only?.[0] === 'actions' && singleExactAction))) return { plan: SCAN };
    // One action (or prefix), actor or IP block alone: its index also holds (occurred_at, seq), so
    // counting and sorting its matches reads no event rows, and seeking pays off up to many more. A
    // seek limit set by the caller (tests force the scan plan with a tiny one) applies to every filter.
    const covered = parts.length === 1 && filter.actorType === undefined && (only?.[0] === 'ip' || only?.[0] === 'actor' || (only?.[0] === 'actions' && actions.length === 1));
    const limit = covered && this.#seekLimit === SEEK_LIMIT ? COVERED_SEEK_LIMIT : this.#seekLimit;
    // The words' matches are looked up by rowid, the page's keys sorted and only its rows read: cheap per
    // match, while a scan for words that are rare but not that rare walks the time index a long way when
    // their matches sit together (a partial request id: 1,333 matches among 10M events, 2.2 s to scan).
    const bound = (driver: TDriver) => (driver === 'q' && this.#seekLimit === SEEK_LIMIT ? SEARCH_SEEK_LIMIT : limit);
    let best: { driver: TDriver; n: number } | null = null;
    for (const [driver, count] of parts) {
      const n = await count(bound(driver));
      if (n < bound(driver) && (best === null || n < best.n)) best = { driver, n };
      if (n === 0) break;
    }
    const plan: TPlan = best === null ? SCAN : { kind: 'seek', driver: best.driver };
    return known === undefined ? { plan } : { plan, known };
  }

  /** One page of events matching `filter`, sorted by `(occurred_at, seq)`. */
  async list(organizationId: string, requested: TEventFilter, options: TListOptions = {}): Promise<TEventPage> {
    const filter = checkFilter(requested);
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new AppError('BAD_REQUEST', `limit must be 1 to ${MAX_PAGE_SIZE}`);
    }
    const fingerprint = filterFingerprint(filter);
    const organization = organizationFingerprint(organizationId);
    const cursor = options.cursor === undefined || options.cursor === null ? null : decodeCursor(options.cursor);
    // The organization exists, with or without a cursor (a cursor's snapshot is its log size when pagination began).
    const size = await this.#logSize(organizationId);
    if (cursor !== null) {
      // A cursor made before cursors named their organization (no `g`) is checked against the log's size alone: a log
      // never shrinks, so a snapshot past its size is another log's. One that names this organization and such a
      // snapshot was not made by this server.
      if (cursor.g === undefined ? cursor.m > size : cursor.g !== organization) {
        throw new AppError('BAD_REQUEST', 'this cursor belongs to a different organization');
      }
      if (cursor.m > size) {
        throw new AppError('BAD_REQUEST', `invalid cursor: it continues a snapshot of ${cursor.m} events, and this log holds ${size}; pass the nextCursor of the previous page unchanged`);
      }
      if (cursor.f !== fingerprint) throw new AppError('BAD_REQUEST', 'this cursor belongs to a different filter');
      if (options.order !== undefined && options.order !== cursor.d) {
        throw new AppError(
          'BAD_REQUEST',
          `this cursor belongs to a different order: it continues a page in "${cursor.d}" order, so pass order "${cursor.d}" (or none) with it, or start again without a cursor`,
        );
      }
    }
    // Without a cursor, newest first unless asked; with one, its page's order.
    const order = cursor?.d ?? options.order ?? 'desc';
    const m = cursor?.m ?? size;
    const { plan, known } = await this.#choosePlan(organizationId, filter);
    // All of a search's matches, when planning read them: the page checks against the list.
    const allKnown = known?.complete === true ? known.entries : undefined;
    const unindexedSeq = (eb: TEventsEb) => this.#dialect.unindexed(eb.ref('events.seq'));
    const predicate = (eb: TEventsEb, window?: TSeqWindow, entries = allKnown) => {
      // `+seq`: the snapshot bound must never steer the planner to the (organization, seq) key.
      const parts = [this.#where(eb, organizationId, filter, plan, window, entries), eb(unindexedSeq(eb), '<', m)];
      if (window !== undefined) parts.push(eb(unindexedSeq(eb), '>=', window.from), eb(unindexedSeq(eb), '<', window.to));
      if (cursor !== null) parts.push(this.#afterCursor(eb, cursor, order));
      return eb.and(parts);
    };
    const seek = plan.kind === 'seek';
    const sortKey = (column: 'events.occurred_at' | 'events.seq') => (eb: TEventsEb) =>
      seek ? this.#dialect.unindexed(eb.ref(column)) : eb.ref(column);
    // A seek driven by an action, actor or IP: the page is chosen from that index alone (each ends with
    // (occurred_at, seq)), and only its own rows are read, by key, so sorting the matches never reads the
    // body of one that does not make the page (an IP block matching 10,000 events read 10,000 rows to
    // keep 101). One statement, so both halves see the same snapshot. The same for words, whose matches are
    // looked up by rowid (see `#where`): a search with 48,000 matches among 10M events took 100 ms sorting
    // whole rows, 33 ms sorting keys. `CROSS JOIN` keeps SQLite's join order, page first: without statistics
    // it would walk the organization's events probing the page (550 ms for a one-event page). Not for the
    // other drivers: their matches are a list of seqs, and the key-only query would walk the time index
    // (which holds both keys) checking every event against the list, instead of looking the listed events up.
    const keysFirst = plan.kind === 'seek' && (plan.driver === 'actions' || plan.driver === 'actor' || plan.driver === 'ip' || plan.driver === 'q');
    const pageQuery = (window?: TSeqWindow, entries?: readonly number[]) =>
      this.#db
        .selectFrom('events')
        .select(['events.seq', 'events.occurred_at'])
        .where((eb) => predicate(eb, window, entries))
        .orderBy(sortKey('events.occurred_at'), order)
        .orderBy(sortKey('events.seq'), order)
        .limit(limit + 1);
    const read = (window?: TSeqWindow, entries?: readonly number[]) =>
      keysFirst
        ? this.#db
            .selectFrom(pageQuery(window, entries).as('page'))
            .crossJoin('events')
            .where('events.organization_id', '=', organizationId)
            .whereRef('events.seq', '=', 'page.seq')
            .select(['events.seq', 'events.occurred_at', 'events.body'])
            .orderBy('page.occurred_at', order)
            .orderBy('page.seq', order)
            .execute()
        : pageQuery(window, entries).select('events.body').execute();
    const words = queryTerms(filter.q);
    const rows = !seek && words.length > 0 && this.#dialect.plannerHints ? await this.#searchPage(organizationId, filter, cursor, order, m, limit, read, known) : await read();
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page.at(-1);
    return {
      events: page.map((r) => this.#decode(r.body)),
      nextCursor: more && last !== undefined ? encodeCursor({ v: 1, o: last.occurred_at, s: last.seq, m, d: order, f: fingerprint, g: organization }) : null,
    };
  }

  /** Events after `cursor` in the page order: a row-value comparison, which both engines answer from the index. */
  #afterCursor(eb: TEventsEb, cursor: { o: number; s: number }, order: TSortOrder): Expression<SqlBool> {
    return eb(eb.refTuple('events.occurred_at', 'events.seq'), order === 'desc' ? '<' : '>', eb.tuple(cursor.o, cursor.s));
  }

  /**
   * A page of a full-text scan, read through a window of seqs first. Scanning in time order checks each
   * event against the list of the words' matches, and building that list reads every match of a
   * common word (2,000,000 of 10,000,000 events). Events mostly arrive in time order, so the page
   * usually lies among the seqs next to where it starts: the cursor's, else the time bound's (one seek
   * on the time index), else the newest (newest first) or the oldest. The page is read with the list
   * restricted to `searchWindow` seqs on each side of that point, and kept if no event outside the
   * window lies between the page's start and its last row (one walk of the time index over the span the
   * page covers). Otherwise the window grows eightfold, up to the whole log; the result is always
   * exactly the unwindowed page.
   */
  async #searchPage<T extends { seq: number; occurred_at: number }>(
    organizationId: string,
    filter: TEventFilter,
    cursor: TCursor | null,
    order: TSortOrder,
    size: number,
    limit: number,
    read: (window?: TSeqWindow, entries?: readonly number[]) => Promise<T[]>,
    known?: TKnownEntries,
  ): Promise<T[]> {
    const after = filter.occurredAfter === undefined ? undefined : parseTime(filter.occurredAfter, 'occurredAfter');
    const before = filter.occurredBefore === undefined ? undefined : parseTime(filter.occurredBefore, 'occurredBefore');
    let anchor = order === 'desc' ? size : 0;
    if (cursor !== null) anchor = cursor.s;
    else if (order === 'desc' ? before !== undefined : after !== undefined) {
      // The newest event before the bound (newest first), or the oldest from it (oldest first).
      const edge = await this.#db
        .selectFrom('events')
        .select('events.seq')
        .where('events.organization_id', '=', organizationId)
        .where((eb) => eb.and([order === 'desc' ? eb('events.occurred_at', '<', before ?? 0) : eb('events.occurred_at', '>=', after ?? 0), eb(this.#dialect.unindexed(eb.ref('events.seq')), '<', size)]))
        .orderBy('events.occurred_at', order)
        .orderBy('events.seq', order)
        .limit(1)
        .executeTakeFirst();
      if (edge === undefined) return read(); // nothing on that side of the bound: an empty page, read as it is
      anchor = Number(edge.seq);
    }
    anchor = Math.min(size, Math.max(0, anchor));
    /** The page read inside `window`, if it is whole and no event outside the window could sit between its rows. */
    const attempt = async (window: TSeqWindow, entries?: readonly number[]): Promise<T[] | undefined> => {
      const rows = await read(window, entries);
      // A whole page and one more row inside the window (the extra row tells that there are more).
      const last = rows[limit - 1];
      if (last === undefined || rows.length <= limit) return undefined;
      const outside = await this.#db
        .selectFrom('events')
        .select('events.seq')
        .where('events.organization_id', '=', organizationId)
        .where((eb) => {
          const seq = this.#dialect.unindexed(eb.ref('events.seq'));
          const parts = [
            // Between the page's start and its last row in page order, and outside the window (but in the snapshot).
            this.#afterCursor(eb, { o: last.occurred_at, s: last.seq }, order === 'desc' ? 'asc' : 'desc'),
            eb.or([eb(seq, '<', window.from), eb(seq, '>=', window.to)]),
            eb(seq, '<', size),
          ];
          if (cursor !== null) parts.push(this.#afterCursor(eb, cursor, order));
          if (order === 'desc' && before !== undefined) parts.push(eb('events.occurred_at', '<', before));
          if (order === 'asc' && after !== undefined) parts.push(eb('events.occurred_at', '>=', after));
          return eb.and(parts);
        })
        .limit(1)
        .executeTakeFirst();
      return outside === undefined ? rows : undefined;
    };
    // The newest matches of a prefix search, read while planning (`known`): the newest page is looked for
    // among them first, in the window from the oldest of them to the end, without reading the index again.
    const oldest = known?.entries.at(-1);
    if (known !== undefined && !known.complete && oldest !== undefined && cursor === null && order === 'desc' && before === undefined) {
      const row = await this.#dialect.searchEntrySeq(organizationId, oldest).execute(this.#db);
      const from = row.rows[0]?.seq;
      if (from !== undefined && Number(from) < size) {
        const rows = await attempt({ from: Number(from), to: size }, known.entries);
        if (rows !== undefined) return rows;
      }
    }
    for (let width = this.#searchWindow; ; width *= 8) {
      const window = { from: Math.max(0, anchor - width), to: Math.min(size, anchor + width + 1) };
      if (window.from === 0 && window.to === size) return read();
      const rows = await attempt(window);
      if (rows !== undefined) return rows;
    }
  }


  /**
   * Events matching `filter` with `seq` in `[from, to)`, in ascending `seq` order, `chunk` rows at a
   * time (the primary key drives the read: bounded memory whatever the size). Yields each stored
   * canonical body as its UTF-8 text (see `CustodyDialect.utf8Text`): `Buffer.from(text, 'utf8')` is the
   * stored bytes.
   */
  async *scanBySeq(
    organizationId: string,
    requested: TEventFilter,
    from: number,
    to: number,
    chunk = 2_000,
  ): AsyncGenerator<{ seq: number; text: string }[]> {
    const filter = checkFilter(requested);
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
    requested: TEventFilter,
    from: number,
    to: number,
  ): Promise<{ seq: number; leafHash: Uint8Array; present: boolean; text: string | null }[]> {
    const filter = checkFilter(requested);
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
  async seqBounds(organizationId: string, requested: TEventFilter, before: number): Promise<{ min: number | null; max: number | null; count: number }> {
    const filter = checkFilter(requested);
    const row = await this.#db
      .selectFrom('events')
      .select((eb) => [eb.fn.min('events.seq').as('lo'), eb.fn.max('events.seq').as('hi'), eb.fn.countAll().as('n')])
      .where((eb) => eb.and([this.#where(eb, organizationId, filter), eb('events.seq', '<', before)]))
      .executeTakeFirstOrThrow();
    return { min: row.lo === null ? null : Number(row.lo), max: row.hi === null ? null : Number(row.hi), count: Number(row.n) };
  }

  /** One event by id; NOT_FOUND when absent (or purged), or when the organization does not exist. */
  async get(organizationId: string, id: string): Promise<TEventRecord> {
    // Ids are stored as lowercase UUIDs (RFC 9562 §4: compared case-insensitively); a UUID typed in capitals finds its event.
    const key = /^[0-9A-Fa-f-]{36}$/.test(id) ? id.toLowerCase() : id;
    const row = await this.#db.selectFrom('events').select('body').where('organization_id', '=', organizationId).where('id', '=', key).executeTakeFirst();
    if (row === undefined) {
      await this.#logSize(organizationId);
      throw new AppError('NOT_FOUND', `event "${id}" not found`);
    }
    return this.#decode(row.body);
  }

  /** The size of `organizationId`'s log: NOT_FOUND when the organization does not exist, as every read answers then. */
  async #logSize(organizationId: string): Promise<number> {
    const log = await this.#db.selectFrom('logs').select('size').where('organization_id', '=', organizationId).executeTakeFirst();
    if (log === undefined) throw new AppError('NOT_FOUND', `organization "${organizationId}" not found`);
    return Number(log.size);
  }

  /**
   * Counts per time bucket, and the top actions and actors, for `filter`. `bucketMs` defaults to the narrowest
   * width of `BUCKETS` that gives at most 120 buckets over the filter's time range (or the matches'), and never
   * more than 30 days, the widest (a range over 3,600 days has more buckets); at least an hour from the counts.
   *
   * Filters on actions and whole-hour time bounds (the console's overview) are answered from the
   * counts kept at ingest (`event_counts_hourly`, `actor_counts`) without reading events; other
   * filters read the matching events through their indexes.
   */
  async stats(
    organizationId: string,
    requested: TEventFilter,
    options: TStatsOptions = {},
  ): Promise<TEventStats> {
    const filter = checkFilter(requested);
    const top = Math.min(Math.max(options.top ?? 10, 1), 100);
    if (options.bucketMs !== undefined && (!Number.isSafeInteger(options.bucketMs) || options.bucketMs < 1000)) {
      throw new AppError('BAD_REQUEST', 'bucketMs must be an integer of at least 1000');
    }
    // An organization that does not exist has no statistics to give, not zero events.
    await this.#logSize(organizationId);
    const fromRollups = await this.#statsFromRollups(organizationId, filter, options.bucketMs, top);
    if (fromRollups !== null) return fromRollups;
    return this.#statsFromEvents(organizationId, filter, options.bucketMs, top);
  }

  async #statsFromRollups(organizationId: string, filter: TEventFilter, requestedBucket: number | undefined, top: number): Promise<TEventStats | null> {
    if (!definedKeys(filter).every((k) => k === 'actions' || k === 'occurredAfter' || k === 'occurredBefore')) return null;
    const after = filter.occurredAfter === undefined ? undefined : parseTime(filter.occurredAfter, 'occurredAfter');
    const before = filter.occurredBefore === undefined ? undefined : parseTime(filter.occurredBefore, 'occurredBefore');
    if ((after !== undefined && after % HOUR !== 0) || (before !== undefined && before % HOUR !== 0)) return null;
    const actions = filter.actions ?? [];
    const dayAligned = (after === undefined || after % DAY === 0) && (before === undefined || before % DAY === 0);
    // The same conditions over the hourly or the daily counts (`time` is their `hour` or `day`).
    const where = (table: 'event_counts_hourly' | 'event_counts_daily', time: 'hour' | 'day') => (eb: ExpressionBuilder<Database, typeof table>) => {
      const column = <T>(name: string) => sql.ref<T>(`${table}.${name}`);
      const all: Expression<SqlBool>[] = [eb(column<string>('organization_id'), '=', organizationId)];
      if (after !== undefined) all.push(eb(column<number>(time), '>=', after));
      if (before !== undefined) all.push(eb(column<number>(time), '<', before));
      if (actions.length > 0) all.push(actionsMatch(eb, actions, () => column<string>('action')));
      return eb.and(all);
    };
    const hourly = where('event_counts_hourly', 'hour');
    // The first and last hour, each its own query: one seek on the (organization, hour, action) key.
    const edge = async (fn: 'min' | 'max') => {
      const row = await this.#db
        .selectFrom('event_counts_hourly')
        .select((eb) => eb.fn[fn]<number | null>('event_counts_hourly.hour').as('t'))
        .where(hourly)
        .executeTakeFirst();
      return row?.t === null || row?.t === undefined ? null : Number(row.t);
    };
    const lo = after ?? (await edge('min')) ?? 0;
    const hi = before ?? ((await edge('max')) ?? lo) + HOUR;
    const bucketMs = requestedBucket ?? Math.max(HOUR, chooseBucket(Math.max(hi - lo, 1)));
    if (bucketMs % HOUR !== 0) return null;
    // Day buckets over whole days come from the daily counts, 24 times fewer rows.
    const daily = bucketMs % DAY === 0 && dayAligned;
    const table = daily ? 'event_counts_daily' : 'event_counts_hourly';
    const timeColumn = daily ? 'event_counts_daily.day' : 'event_counts_hourly.hour';
    const counts = daily ? where('event_counts_daily', 'day') : hourly;
    const bucketExpr = bucketStart(sql.ref(timeColumn), bucketMs);
    const buckets = await this.#db
      .selectFrom(table as 'event_counts_hourly')
      .select((eb) => [bucketExpr.as('start'), eb.fn.sum<number>(sql.ref(`${table}.n`)).as('n')])
      .where(counts)
      .groupBy(bucketExpr)
      .orderBy(bucketExpr)
      .execute();
    const total = buckets.reduce((sum, b) => sum + Number(b.n), 0);
    if (total === 0) return { total, bucketMs, buckets: [], topActions: [], topActors: [] };
    const topActions = await this.#db
      .selectFrom(table as 'event_counts_hourly')
      .select((eb) => [sql.ref<string>(`${table}.action`).as('action'), eb.fn.sum<number>(sql.ref(`${table}.n`)).as('n')])
      .where(counts)
      .groupBy(sql.ref(`${table}.action`))
      .orderBy(sql`sum(${sql.ref(`${table}.n`)})`, 'desc')
      .orderBy(sql.ref(`${table}.action`))
      .limit(top)
      .execute();
    // Many events: their actors from the in-memory copy, every event checked in one pass (10M events: tens of
    // milliseconds), rather than each looked up in the events table (about 1.5 µs each).
    const many = definedKeys(filter).length > 0 && total * this.#facetScanRatio > (this.#facets?.size ?? Infinity);
    const fromFacets = many ? this.#statsFromFacets(organizationId, filter, top, { only: 'topActors' }) : null;
    const topActors = fromFacets?.topActors ?? (await this.#topActors(organizationId, filter, top));
    return {
      total,
      bucketMs,
      buckets: buckets.map((b) => ({ start: new Date(Number(b.start)).toISOString(), count: Number(b.n) })),
      topActions: topActions.map((a) => ({ action: a.action, count: Number(a.n) })),
      topActors,
    };
  }

  /**
   * The actors with the most events matching `filter`: from the counts kept at ingest for the whole log
   * or one actor alone (`actor_counts`, indexed by organization and by actor id), else from the events.
   */
  async #topActors(
    organizationId: string,
    filter: TEventFilter,
    top: number,
    where: (eb: TEventsEb) => Expression<SqlBool> = (eb) => this.#where(eb, organizationId, filter),
  ): Promise<TEventStats['topActors']> {
    const keys = definedKeys(filter);
    if (keys.length === 0 || (keys.length === 1 && filter.actorId !== undefined)) {
      let counts = this.#db.selectFrom('actor_counts').select(['actor_type', 'actor_id', 'n']).where('organization_id', '=', organizationId);
      if (filter.actorId !== undefined) counts = counts.where('actor_id', '=', filter.actorId);
      const rows = await counts.orderBy('n', 'desc').orderBy('actor_type').orderBy('actor_id').limit(top).execute();
      return rows.map((a) => ({ type: a.actor_type, id: a.actor_id, count: Number(a.n) }));
    }
    const rows = await this.#db
      .selectFrom('events')
      .select((eb) => ['events.actor_type', 'events.actor_id', eb.fn.countAll().as('n')])
      .where(where)
      .groupBy((eb) => [this.#dialect.unindexed(eb.ref('events.actor_type')), this.#dialect.unindexed(eb.ref('events.actor_id'))])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('events.actor_type')
      .orderBy('events.actor_id')
      .limit(top)
      .execute();
    return rows.map((a) => ({ type: a.actor_type, id: a.actor_id, count: Number(a.n) }));
  }

  /**
   * The IPv4 addresses of the block or address `ip` as the in-memory copy checks them (`facetIpv4Range`), if it
   * can and the block is broad (more than one in `IP_SCAN_RATIO` events of the log, as a sample of the copy
   * tells: `EventFacets.ipv4Share`); otherwise `undefined`: its matches are read from the index. An invalid `ip`
   * too: the SQL reports it.
   */
  #broadIpv4(organizationId: string, ip: string): readonly [number, number] | undefined {
    const range = ipRange(ip);
    const ipv4 = range === undefined ? null : facetIpv4Range(range.from, range.to);
    if (this.#facets?.ready !== true || ipv4 === null) return undefined;
    return this.#facets.ipv4Share(organizationId, ipv4) * IP_SCAN_RATIO >= 1 ? ipv4 : undefined;
  }

  /** Whether actor `actorId` (any type) has more events than a scan of the in-memory copy costs (`facetScanRatio`). */
  async #isFrequent(organizationId: string, actorId: string): Promise<boolean> {
    const size = this.#facets?.size;
    if (size === undefined) return false;
    const row = await this.#db
      .selectFrom('actor_counts')
      .select((eb) => eb.fn.sum<number | null>('n').as('n'))
      .where('organization_id', '=', organizationId)
      .where('actor_id', '=', actorId)
      .executeTakeFirst();
    return Number(row?.n ?? 0) * this.#facetScanRatio > size;
  }

  /**
   * How many full-text index entries match `words`, counted up to `bound`. A prefix term reads the lists of
   * all the words it starts in full, however few entries are asked for (FTS5 has no prefix index here), so
   * for a prefix search the newest entries themselves are read (`known`), for the reads that follow to check
   * against instead of reading the index again (fire* at 10M: 170 ms a read).
   */
  async #searchSize(organizationId: string, words: readonly string[], bound: number): Promise<{ n: number; known?: TKnownEntries }> {
    const entries = this.#dialect.searchEntries(organizationId, words);
    if (words.some((w) => w.endsWith('*'))) {
      const result = await sql<Record<string, number | bigint>>`${entries} ORDER BY 1 DESC LIMIT ${bound}`.execute(this.#db);
      const list = result.rows.map((row) => Number(Object.values(row)[0]));
      return { n: list.length, known: { entries: list, complete: list.length < bound } };
    }
    const result = await sql<{ n: number }>`SELECT count(*) AS n FROM (${entries} LIMIT ${bound}) AS entries`.execute(this.#db);
    return { n: Number(result.rows[0]?.n ?? 0) };
  }

  /**
   * The predicate of `stats`' reads: the full text drives them (its matches looked up by rowid, or checked
   * against the entries already read) when it matches fewer than `statsSearchSeekLimit` entries; otherwise
   * every part stays indexable and the planner picks.
   */
  #statsWhere(organizationId: string, filter: TEventFilter, size: { n: number; known?: TKnownEntries } | undefined): (eb: TEventsEb) => Expression<SqlBool> {
    const limit = this.#statsSearchSeekLimit;
    if (size === undefined || size.n >= limit) return (eb) => this.#where(eb, organizationId, filter);
    const plan: TPlan = { kind: 'seek', driver: 'q' };
    return (eb) => this.#where(eb, organizationId, filter, plan, undefined, size.known?.entries);
  }

  /**
   * `filter`'s statistics from the in-memory copy (`EventFacets`), or `null` when there is none or it cannot
   * be brought up to date. The copy checks the parts it holds, and reads the search's `words` if given (none when
   * `entries` already applied them); `entries` reads the events matching the others.
   */
  #statsFromFacets(
    organizationId: string,
    filter: TEventFilter,
    top: number,
    read: {
      words?: readonly string[];
      requestedBucket?: number | undefined;
      entries?: (after: number, to: number) => TCompiledStatement;
      ipv4?: readonly [number, number] | undefined;
      only?: 'topActors';
    },
  ): TEventStats | null {
    if (this.#facets?.usable !== true) return null;
    (filter.actions ?? []).forEach(checkAction);
    return this.#facets.stats(
      organizationId,
      {
        words: read.words ?? [],
        ...(filter.metadata === undefined ? {} : { metadata: Object.entries(filter.metadata) }),
        ...(read.entries === undefined ? {} : { entries: read.entries }),
        ...(read.ipv4 === undefined ? {} : { ipv4: read.ipv4 }),
        ...(filter.actions === undefined ? {} : { actions: filter.actions }),
        ...(filter.actorId === undefined ? {} : { actorId: filter.actorId }),
        ...(filter.actorType === undefined ? {} : { actorType: filter.actorType }),
        ...(filter.occurredAfter === undefined ? {} : { after: parseTime(filter.occurredAfter, 'occurredAfter') }),
        ...(filter.occurredBefore === undefined ? {} : { before: parseTime(filter.occurredBefore, 'occurredBefore') }),
      },
      read.requestedBucket,
      top,
      STATS_BUCKETS,
      read.only,
    );
  }

  async #statsFromEvents(organizationId: string, filter: TEventFilter, requestedBucket: number | undefined, top: number): Promise<TEventStats> {
    const words = queryTerms(filter.q);
    // A broad IPv4 block is checked in the copy too; a narrow one is read from its index, as targets are.
    const ipv4 =
      filter.ip !== undefined && definedKeys(filter).every((k) => k === 'ip' || FACET_KEYS.has(k)) ? this.#broadIpv4(organizationId, filter.ip) : undefined;
    const held = definedKeys(filter).every((k) => FACET_KEYS.has(k) || (k === 'ip' && ipv4 !== undefined));
    // From the in-memory copy, where there is one: a search, metadata, or parts it holds, are counted there,
    // every event or the sets' matches checked in one pass; except an actor with few events, whose index is cheaper.
    // Even a few thousand matches cost a lookup each, four times over, in SQL (30,000 matches: 200 ms at 1M).
    const sets = words.length > 0 || filter.metadata !== undefined;
    if (held && (sets || filter.actorId === undefined || (await this.#isFrequent(organizationId, filter.actorId)))) {
      const fromFacets = this.#statsFromFacets(organizationId, filter, top, { words, requestedBucket, ipv4 });
      if (fromFacets !== null) return fromFacets;
    }
    const size = !this.#dialect.plannerHints || words.length === 0 ? undefined : await this.#searchSize(organizationId, words, this.#statsSearchSeekLimit);
    let where = this.#statsWhere(organizationId, filter, size);
    // Parts the copy does not hold (targets, IPs): the matching events are read once, as rowids, and counted in
    // the copy, instead of four aggregations each reading them.
    if (!held) {
      // The bounds only check: the filter's own indexes drive the read; a target id's first (an action prefix
      // beside it drove a walk of the action's 1.25M events at 10,000,000, checking each against the target's list).
      const rowid = this.#dialect.unindexed(sql<number>`events.rowid`);
      const byTarget: TPlan = { kind: 'seek', driver: 'target' };
      const matching =
        size === undefined && filter.targetId !== undefined && this.#dialect.plannerHints ? (eb: TEventsEb) => this.#where(eb, organizationId, filter, byTarget) : where;
      const entries = (after: number, to: number) =>
        this.#db
          .selectFrom('events')
          .select(sql<number>`events.rowid`.as('r'))
          .where(matching)
          .where((eb) => eb.and([eb(rowid, '>', after), eb(rowid, '<=', to)]))
          .compile();
      const fromFacets = this.#statsFromFacets(organizationId, filter, top, { requestedBucket, entries });
      if (fromFacets !== null) return fromFacets;
      // No copy to count them in (SQLite without one, or while it is made): the rowids read the same way, and the
      // aggregations below look those events up alone when they are not too many. Left to the planner, each
      // aggregation walked a covering index of all the organization's events, checking every one against the
      // target's list: 0.6-1 s each, 3.2 s in all for 11 matches at 10,000,000 events.
      const rowidsIn = this.#dialect.rowidsIn;
      if (rowidsIn !== undefined) {
        const rows = await this.#db.selectFrom('events').select(sql<number>`events.rowid`.as('r')).where(matching).limit(STATS_ROWIDS_LISTED + 1).execute();
        if (rows.length <= STATS_ROWIDS_LISTED) {
          const listed = rows.map((row) => Number(row.r));
          where = () => rowidsIn(listed);
        }
      }
    }
    // One actor alone: its first and last times are two seeks on the actor index, the total is the sum of
    // the buckets and its top actors come from the counts kept at ingest, so the actor's index entries
    // are read twice (buckets, top actions) instead of four times.
    const actorOnly = filter.actorId !== undefined && definedKeys(filter).length === 1;
    let range: { lo: number | null; hi: number | null; n: number | null };
    if (actorOnly) {
      const edge = async (fn: 'min' | 'max') => {
        const row = await this.#db.selectFrom('events').select((eb) => eb.fn[fn]<number | null>('events.occurred_at').as('t')).where(where).executeTakeFirst();
        return row?.t === null || row?.t === undefined ? null : Number(row.t);
      };
      const first = await edge('min');
      range = { lo: first, hi: first === null ? null : await edge('max'), n: first === null ? 0 : null };
    } else {
      const row = await this.#db
        .selectFrom('events')
        .select((eb) => [eb.fn.min('events.occurred_at').as('lo'), eb.fn.max('events.occurred_at').as('hi'), eb.fn.countAll().as('n')])
        .where(where)
        .executeTakeFirstOrThrow();
      range = { lo: row.lo === null ? null : Number(row.lo), hi: row.hi === null ? null : Number(row.hi), n: Number(row.n) };
    }
    const lo = filter.occurredAfter !== undefined ? parseTime(filter.occurredAfter, 'occurredAfter') : (range.lo ?? 0);
    const hi = filter.occurredBefore !== undefined ? parseTime(filter.occurredBefore, 'occurredBefore') : (range.hi ?? 0) + 1;
    const bucketMs = requestedBucket ?? chooseBucket(Math.max(hi - lo, 1));
    if (range.n === 0) return { total: 0, bucketMs, buckets: [], topActions: [], topActors: [] };

    const bucketExpr = bucketStart(sql.ref('events.occurred_at'), bucketMs);
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
    const topActors = await this.#topActors(organizationId, filter, top, where);
    return {
      total: range.n ?? buckets.reduce((sum, b) => sum + Number(b.n), 0),
      bucketMs,
      buckets: buckets.map((b) => ({ start: new Date(Number(b.start)).toISOString(), count: Number(b.n) })),
      topActions: topActions.map((a) => ({ action: a.action, count: Number(a.n) })),
      topActors,
    };
  }

  #decode(body: Uint8Array): TEventRecord {
    const parsed = parseLoggedEvent(body);
    if (!parsed.ok) throw new AppError('INTERNAL', 'a stored event does not parse as a logged event');
    return parsed.event;
  }
}

/**
 * Any of `actions`: exact (`user.signed_in`) or a prefix of whole segments (`user.*` matches `user.x`, not
 * `username.x`), compared with `column(isPrefix)`. Throws BAD_REQUEST for an entry that can match no action (`checkAction`).
 */
function actionsMatch<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  actions: readonly string[],
  column: (isPrefix: boolean) => Expression<string>,
): Expression<SqlBool> {
  return eb.or(
    actions.map((action, index) => {
      checkAction(action, index);
      if (!action.endsWith('.*')) return eb(column(false), '=', action);
      const prefix = action.slice(0, -1); // keep the dot
      return eb.and([eb(column(true), '>=', prefix), eb(column(true), '<', `${prefix.slice(0, -1)}/`)]);
    }),
  );
}

/**
 * Throws BAD_REQUEST, naming `filter.actions[index]` and the rule, for an entry of an action filter that can never
 * match an event: ingest accepts only actions of lowercase dot-separated segments `[a-z][a-z0-9_]*`, at least two,
 * at most MAX_ACTION_LENGTH characters (`ACTION_PATTERN`). So an entry is an exact such name (`user.signed_in`), or
 * one or more whole segments then `.*` (`user.*`, `user.sso.*`) short enough for an action to follow; anything
 * else (`*`, `user*`, `user.**`, `*.login`, `User.Login`) once matched nothing, in silence.
 */
function checkAction(action: string, index: number): void {
  const field = `actions[${index}]`;
  const shown = JSON.stringify(action.length > 110 ? `${action.slice(0, 110)}…` : action);
  if (action.includes('*')) {
    if (!ACTION_PREFIX.test(action)) {
      const reason = 'a prefix is one or more whole segments then ".*", such as "user.*" (each segment [a-z][a-z0-9_]*; omit actions for every action)';
      throw filterRefusal(field, 'invalid_format', `${field}: invalid action prefix ${shown}: ${reason}`, { reason });
    }
    // `user.*` matches actions of at least `user.` and one letter: one character more than the prefix's `*`.
    if (action.length > MAX_ACTION_LENGTH) {
      const reason = `actions are at most ${MAX_ACTION_LENGTH} characters, so a prefix is at most ${MAX_ACTION_LENGTH} with its ".*"; got ${action.length}`;
      throw filterRefusal(field, 'too_long', `${field}: invalid action prefix ${shown}: ${reason}`, { reason });
    }
    return;
  }
  if (!ACTION_PATTERN.test(action)) {
    const reason = 'action names are lowercase dot-separated segments such as "user.signed_in" (each [a-z][a-z0-9_]*, at least two), or a prefix such as "user.*"';
    throw filterRefusal(field, 'invalid_format', `${field}: invalid action name ${shown}: ${reason}`, { reason });
  }
  if (action.length > MAX_ACTION_LENGTH) {
    const reason = `actions are at most ${MAX_ACTION_LENGTH} characters; got ${action.length}`;
    throw filterRefusal(field, 'too_long', `${field}: invalid action name ${shown}: ${reason}`, { reason });
  }
}

/**
 * The start of the `bucketMs` bucket holding the time `column`: `floor(column / bucketMs) * bucketMs`, so that a
 * time before 1970 falls in the bucket starting at or before it, as it does in the in-memory copy (`TimeHistogram`)
 * and in the counts kept at ingest (whole hours and days, floored). Both engines' `/` and `%` truncate toward zero on
 * integers, so the remainder is made non-negative first (`((t % b) + b) % b`). `bucketMs` is a validated safe
 * integer, inlined so both engines do integer arithmetic (no bigint overflow: times are within ±2^48).
 */
export function bucketStart(column: Expression<unknown>, bucketMs: number): RawBuilder<number> {
  const b = sql.raw(String(bucketMs));
  return sql<number>`(${column} - (((${column} % ${b}) + ${b}) % ${b}))`;
}

/** The fields of `filter` that are set. */
function definedKeys(filter: TEventFilter): (keyof TEventFilter)[] {
  return (Object.keys(filter) as (keyof TEventFilter)[]).filter((k) => filter[k] !== undefined);
}

/**
 * The widths `events.stats` chooses from by default (`chooseBucket`). The widest, 30 days, is the cap: a range over
 * 120 of them (3,600 days) gets more than 120 buckets. The in-memory copy's histograms and summaries are made for
 * exactly these widths (`TimeHistogram`, `summaryKey`), so a wider one would change them too.
 */
const BUCKETS = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000, 2_592_000_000];

/** At most this many matching rowids are listed for the SQL statistics over targets or IPs (`#statsFromEvents`). */
const STATS_ROWIDS_LISTED = 100_000;

/** How `events.stats` chooses its buckets' width from a range (`chooseBucket`), and every width it may choose. */
export const STATS_BUCKETS: TBucketChoice = { widths: BUCKETS, choose: (lo, hi) => chooseBucket(Math.max(hi - lo, 1)) };

function chooseBucket(spanMs: number): number {
  for (const b of BUCKETS) if (spanMs / b <= 120) return b;
  return BUCKETS[BUCKETS.length - 1] ?? 2_592_000_000;
}
