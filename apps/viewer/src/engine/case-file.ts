/**
 * The case file: the reviewer's work beside the evidence (never inside it). Annotations (tags, stars, notes)
 * keyed by the bundle's SHA-256 and the event's seq, saved views, and an append-only reviewer action log in
 * which every entry carries the SHA-256 of the previous one, so editing, removing or reordering an entry is
 * detected by {@link verifyCaseFileLog}.
 */
import { encodeHex, nobleSha256 } from '@custody/ledger';
import { canonicalize } from '@custody/schema';
import type { TSort } from '@custody/ui';

export const CASE_FILE_FORMAT = 'custody.viewer.case/v1';
/** The `prev` of the first log entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Reviewer actions recorded in the log. */
export type TCaseAction =
  | 'case.open' | 'bundle.open' | 'bundle.verify' | 'bundle.close' | 'key.trust' | 'view.filter' | 'annotate.tag'
  | 'annotate.star' | 'annotate.note' | 'view.save' | 'view.delete' | 'export.csv' | 'report.findings';

/** One entry of the reviewer action log. */
export interface TCaseLogEntry {
  /** 0-based position in the log. */
  readonly index: number;
  /** RFC 3339 UTC with milliseconds. */
  readonly at: string;
  readonly reviewer: string | null;
  readonly action: TCaseAction;
  /** What was done (JSON). */
  readonly details: Readonly<Record<string, unknown>>;
  /** SHA-256 (hex) of the previous entry; 64 zeros for the first. */
  readonly prev: string;
  /** SHA-256 (hex) of this entry's RFC 8785 form without `hash`. */
  readonly hash: string;
}

/** Annotations of one event. */
export interface TCaseAnnotation {
  /** SHA-256 of the bundle file (hex). */
  readonly bundle: string;
  readonly seq: number;
  /** For people reading the file: the control number and leaf hash at the time. */
  readonly controlNumber: string | null;
  readonly leafHash: string | null;
  readonly tags: readonly string[];
  readonly starred: boolean;
  readonly note: string | null;
}

/** A saved view: the query as the reviewer typed it, the sort and the visible columns. */
export interface TSavedView {
  readonly name: string;
  readonly query: string;
  readonly sort: TSort;
  readonly columns: readonly string[];
}

export interface TCaseFile {
  readonly format: typeof CASE_FILE_FORMAT;
  readonly reviewer: string | null;
  /** Bundles the case has opened (identity for annotations). */
  readonly bundles: readonly { readonly sha256: string; readonly fileName: string; readonly bagName: string | null }[];
  readonly annotations: readonly TCaseAnnotation[];
  readonly views: readonly TSavedView[];
  readonly log: readonly TCaseLogEntry[];
}

/** Hash of an entry without its `hash` field. */
export function hashLogEntry(entry: Omit<TCaseLogEntry, 'hash'>): string {
  const { index, at, reviewer, action, details, prev } = entry;
  return encodeHex(nobleSha256(new TextEncoder().encode(canonicalize({ index, at, reviewer, action, details, prev }))));
}

/** Appends an entry to a log (returns the new entry). */
export function appendLogEntry(log: TCaseLogEntry[], entry: { at: string; reviewer: string | null; action: TCaseAction; details: Record<string, unknown> }): TCaseLogEntry {
  const prev = log.length === 0 ? GENESIS_HASH : (log[log.length - 1] as TCaseLogEntry).hash;
  const details = JSON.parse(JSON.stringify(entry.details)) as Record<string, unknown>;
  const body = { index: log.length, at: entry.at, reviewer: entry.reviewer, action: entry.action, details, prev };
  const full: TCaseLogEntry = { ...body, hash: hashLogEntry(body) };
  log.push(full);
  return full;
}

export interface TLogVerification {
  readonly valid: boolean;
  readonly entries: number;
  /** Hash of the last entry (the log's head), or the genesis hash. */
  readonly head: string;
  readonly problems: readonly { readonly index: number; readonly message: string }[];
}

/** Verifies the hash chain of a case file's log (a case file object, its JSON text, or the log itself). */
export function verifyCaseFileLog(input: TCaseFile | string | readonly unknown[]): TLogVerification {
  let log: unknown;
  try {
    log = typeof input === 'string' ? (JSON.parse(input) as { log?: unknown }).log : Array.isArray(input) ? input : (input as TCaseFile).log;
  } catch (error) {
    return { valid: false, entries: 0, head: GENESIS_HASH, problems: [{ index: -1, message: `not JSON: ${(error as Error).message}` }] };
  }
  if (!Array.isArray(log)) return { valid: false, entries: 0, head: GENESIS_HASH, problems: [{ index: -1, message: 'the case file has no log' }] };
  const problems: { index: number; message: string }[] = [];
  let prev = GENESIS_HASH;
  log.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object') {
      problems.push({ index: i, message: 'entry is not an object' });
      return;
    }
    const entry = raw as Partial<TCaseLogEntry>;
    if (entry.index !== i) problems.push({ index: i, message: `entry index is ${String(entry.index)}, expected ${i} (removed or reordered entries)` });
    if (entry.prev !== prev) problems.push({ index: i, message: 'prev does not match the hash of the previous entry (an entry was changed, removed or inserted)' });
    let computed: string | undefined;
    try {
      computed = hashLogEntry({
        index: entry.index as number, at: entry.at as string, reviewer: entry.reviewer ?? null, action: entry.action as TCaseAction,
        details: entry.details as Record<string, unknown>, prev: entry.prev as string,
      });
    } catch (error) {
      problems.push({ index: i, message: `entry cannot be hashed: ${(error as Error).message}` });
    }
    if (computed !== undefined && computed !== entry.hash) problems.push({ index: i, message: 'hash does not match the entry: it was edited' });
    prev = typeof entry.hash === 'string' ? entry.hash : prev;
  });
  return { valid: problems.length === 0, entries: log.length, head: prev, problems };
}

const SORT_COLUMNS = new Set(['time', 'seq', 'action', 'actor', 'ip', 'control']);

/** Parses and checks a case file (throws `Error` with a message for anything malformed). */
export function parseCaseFile(input: string | TCaseFile): TCaseFile {
  const value: unknown = typeof input === 'string' ? JSON.parse(input) : input;
  if (value === null || typeof value !== 'object') throw new Error('a case file is a JSON object');
  const c = value as Record<string, unknown>;
  if (c.format !== CASE_FILE_FORMAT) throw new Error(`not a ${CASE_FILE_FORMAT} case file`);
  const list = (name: string): unknown[] => {
    const v = c[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`${name} must be a list`);
    return v;
  };
  const annotations = list('annotations').map((a, i): TCaseAnnotation => {
    const r = a as Record<string, unknown>;
    if (typeof r.bundle !== 'string' || !/^[0-9a-f]{64}$/.test(r.bundle) || typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq)) {
      throw new Error(`annotation ${i} needs a bundle SHA-256 and a seq`);
    }
    const tags = Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : [];
    return {
      bundle: r.bundle, seq: r.seq, controlNumber: typeof r.controlNumber === 'string' ? r.controlNumber : null,
      leafHash: typeof r.leafHash === 'string' ? r.leafHash : null, tags, starred: r.starred === true,
      note: typeof r.note === 'string' ? r.note : null,
    };
  });
  const views = list('views').map((v, i): TSavedView => {
    const r = v as Record<string, unknown>;
    const sort = r.sort as Record<string, unknown> | undefined;
    if (typeof r.name !== 'string' || typeof r.query !== 'string' || sort === undefined || !SORT_COLUMNS.has(sort.column as string) ||
      (sort.direction !== 'asc' && sort.direction !== 'desc')) {
      throw new Error(`view ${i} needs a name, a query text and a sort`);
    }
    return {
      name: r.name, query: r.query, sort: { column: sort.column as TSort['column'], direction: sort.direction },
      columns: Array.isArray(r.columns) ? r.columns.filter((x): x is string => typeof x === 'string') : [],
    };
  });
  const bundles = list('bundles').flatMap((b) => {
    const r = b as Record<string, unknown>;
    return typeof r.sha256 === 'string' ? [{ sha256: r.sha256, fileName: typeof r.fileName === 'string' ? r.fileName : '', bagName: typeof r.bagName === 'string' ? r.bagName : null }] : [];
  });
  return {
    format: CASE_FILE_FORMAT, reviewer: typeof c.reviewer === 'string' ? c.reviewer : null, bundles, annotations, views,
    log: list('log') as TCaseLogEntry[],
  };
}
