/**
 * The viewer's data engine: opens evidence bundles from random-access sources, streams their events into a
 * columnar store while `verifyBundle` runs, and answers the UI's `TViewerDataSource` calls (views, windows of
 * rows, histograms, facets, details, context, annotations) plus the engine-only operations (trust a key, export
 * a view, the findings report, the case file). Pure: runs in a Web Worker (no Node built-ins).
 *
 * The one rule: a row is `verified` only when its bundle's verification report is valid with trusted keys and
 * the rows read are exactly the events verified. Until then it is `pending`; after any failure it is `failed`.
 */
import {
  openZip, verifyBundle, createPortableSha256, isBundleError, type BundleCrypto, type BundleLimits, type ByteSource,
  type ByteTransform, type CheckedInflate, type Crc32, type LeafBatchChecker, type VerificationReport, type VerifyBundleOptions, type VerifyProgress,
} from '@custody/bundle';
import { encodeBase64, encodeHex, keyFingerprint, nobleSha256, parseVerifierKey } from '@custody/ledger';
import { searchWords } from '@custody/schema';
import type {
  TBundleState, TEventDetail, TFacetValue, THistogram, TQuery, TQueryField, TRowStatus, TSort, TSourceState, TViewHandle,
  TViewerDataSource, TViewerRow,
} from '@custody/ui';

import { formatControl, readBundleInfo, type TBundleInfo } from './bundle-info';
import { ByteFeed } from './byte-feed';
import {
  CASE_FILE_FORMAT, appendLogEntry, parseCaseFile, verifyCaseFileLog, type TCaseAction, type TCaseAnnotation, type TCaseFile,
  type TCaseLogEntry, type TLogVerification, type TSavedView,
} from './case-file';
import { Utf8Builder, csvRecord } from './csv';
import type { Dictionary } from './dictionary';
import { renderFindingsReport, type TFindingsEvent } from './findings-report';
import { GrowInt32 } from './growable';
import { IpKeys } from './ip';
import { QueryError, evaluateQuery, type QueryContext } from './query';
import { countingSortRows, extendTimeOrder, radixSortRows } from './sort';
import { ColumnStore, FLAG_NOTED, FLAG_STARRED, FLAG_TAGGED } from './store';

/** Verifies a bundle (default `verifyBundle`; the app may run it in another Worker). */
export type TVerifyFunction = (source: ByteSource, options: VerifyBundleOptions) => Promise<VerificationReport>;

export interface TViewerEngineOptions {
  /** Keys trusted for every bundle (vkeys obtained out of band). */
  readonly trustedKeys?: readonly string[];
  /** The reviewer's name, recorded in the action log. */
  readonly reviewer?: string;
  /** Crypto for the verifier and key fingerprints (default: portable, pure TypeScript). */
  readonly crypto?: BundleCrypto;
  /** Raw DEFLATE decompressor (default `DecompressionStream('deflate-raw')`). */
  readonly inflateRaw?: ByteTransform;
  /**
   * Decompressor that also checks an entry's CRC-32 and size, for `data/events.ndjson` when its bytes go to the
   * verifier (default `DecompressionStream('gzip')` unless `inflateRaw` is given; else `inflateRaw` and `crc32`).
   */
  readonly inflateChecked?: CheckedInflate;
  readonly crc32?: Crc32;
  /**
   * Hand the verifier the bytes of `data/events.ndjson` the rows are read from (`eventsContent`), on a bundle's
   * first verification, instead of letting it inflate the entry again: the rows shown are then the bytes verified,
   * and the entry is inflated once. Default `true`. A `verify` function that runs elsewhere passes them on; one that
   * does not read them must come with `false`, or the loader waits for it once it is 32 MiB ahead.
   */
  readonly shareEventBytes?: boolean;
  /** Runs the verifier's per-leaf work elsewhere (e.g. a Worker pool). */
  readonly checker?: LeafBatchChecker;
  /** Replaces `verifyBundle` (e.g. one running in a second Worker). */
  readonly verify?: TVerifyFunction;
  readonly limits?: Partial<BundleLimits>;
  /** Largest `events.ndjson` (uncompressed) the engine loads into memory. Default 3 GiB. */
  readonly maxEventBytes?: number;
  /** Clock (ms since the epoch) for the action log and the report. */
  readonly now?: () => number;
  /**
   * Least time between two pushed states while loading (changes of phase and verdict are pushed at once). Default
   * 1,000 ms: each push re-renders the page's progress, which takes CPU from loading and verification on a small
   * machine (1M events, 2 cores: verified in 9.5-9.95 s against 10.1-11.2 s at 250 ms, back to back); the progress
   * bar glides in between.
   */
  readonly notifyIntervalMs?: number;
}

export interface TOpenBundleOptions {
  /** The name shown (the file's name). */
  readonly fileName: string;
  /** Keys trusted for this bundle only, in addition to the engine's. */
  readonly trustedKeys?: readonly string[];
}

/** Columns `exportView` can write, in the order given. */
export type TExportColumn =
  | 'rowId' | 'bundle' | 'file' | 'seq' | 'controlNumber' | 'time' | 'action' | 'actor' | 'actorType' | 'actorId' | 'actorName'
  | 'targets' | 'ip' | 'userAgent' | 'status' | 'tags' | 'starred' | 'note' | 'leafHash';

export const EXPORT_COLUMNS: Readonly<Record<TExportColumn, string>> = {
  rowId: 'Row',
  bundle: 'Bundle',
  file: 'File',
  seq: 'Seq',
  controlNumber: 'Control number',
  time: 'Time (UTC)',
  action: 'Action',
  actor: 'Actor',
  actorType: 'Actor type',
  actorId: 'Actor id',
  actorName: 'Actor name',
  targets: 'Targets',
  ip: 'IP',
  userAgent: 'User agent',
  status: 'Status',
  tags: 'Tags',
  starred: 'Starred',
  note: 'Note',
  leafHash: 'Leaf hash',
};

export interface TExportResult {
  /** The file: UTF-8 without BOM, RFC 4180 (CRLF). */
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes` (hex), also written to the action log. */
  readonly sha256: string;
  readonly rows: number;
  readonly columns: readonly TExportColumn[];
  readonly mediaType: 'text/csv; charset=utf-8';
}

export interface TFindingsOptions {
  readonly title?: string;
  /** Overrides the engine's reviewer. */
  readonly reviewer?: string;
  /** Events to include (default: every tagged, starred or noted event). */
  readonly rowIds?: readonly number[];
}

/** The engine: the UI's data source plus what only the app calls. */
export interface TViewerEngine extends TViewerDataSource {
  /** Opens a bundle (rows stream in; verification starts at once). Resolves with its id right away. */
  openBundle(source: ByteSource, options: TOpenBundleOptions): Promise<string>;
  /** Closes a bundle: its rows leave every view; its bytes are released. Row ids are never reused. */
  closeBundle(bundleId: string): Promise<void>;
  /** Trusts a key for every bundle and re-verifies the bundles it signed. Resolves with their ids. */
  trustKey(vkey: string): Promise<readonly string[]>;
  /** Keys the engine trusts (for every bundle). */
  trustedKeys(): Promise<readonly { readonly vkey: string; readonly fingerprint: string }[]>;
  /** The rows of a view, in its order, as CSV: exactly what the grid shows (filters, columns, order). */
  exportView(viewId: string, columns: readonly TExportColumn[], format: 'csv'): Promise<TExportResult>;
  /** A self-contained, printable HTML report of the findings (every value escaped). */
  findingsReport(options?: TFindingsOptions): Promise<string>;
  /** Loads a case file (annotations, saved views, the action log); resolves with the log's verification. */
  loadCaseFile(json: string | TCaseFile): Promise<TLogVerification>;
  /** The case file as JSON, for the app to write beside the bundle. */
  caseFile(): Promise<string>;
  saveView(view: TSavedView): Promise<void>;
  deleteView(name: string): Promise<void>;
  savedViews(): Promise<readonly TSavedView[]>;
  setReviewer(name: string | null): Promise<void>;
  /** Releases a view's memory. */
  releaseView(viewId: string): Promise<void>;
  /** The current state (what `subscribe` pushes). */
  state(): TSourceState;
  /** Resolves when loading and verification of every open bundle (or of one) have settled. */
  whenIdle(bundleId?: string): Promise<void>;
  /** Approximate memory held, in bytes. */
  memory(): { readonly columns: number; readonly raw: number; readonly index: number; readonly rows: number };
}

type TCheck = TBundleState['checks'][number];
type TFailure = TBundleState['failures'][number];

const CHECK_NAMES = ['structure', 'manifests', 'seal', 'checkpoints', 'chain', 'proof', 'completeness', 'canonical'] as const;
const STATUS_NAMES: readonly TRowStatus[] = ['pending', 'verified', 'failed'];
const BLOCK_SIZE = 8 << 20;
/** Bytes of data/events.ndjson the loader may be ahead of the verifier reading them. */
const FEED_BYTES = 32 << 20;
const MAX_LINE = 1 << 20;
const NICE_BUCKETS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000, 1_209_600_000, 2_592_000_000,
  7_776_000_000, 15_552_000_000, 31_536_000_000,
];

interface BundleRecord {
  readonly id: string;
  readonly index: number;
  readonly fileName: string;
  readonly source: ByteSource;
  readonly trustedKeys: readonly string[];
  closed: boolean;
  info: TBundleInfo | undefined;
  /** Why the viewer cannot use the bundle at all. */
  unusable: { code: string; message: string } | undefined;
  /** Problems while reading rows (the rows read so far stay, as failed). */
  loadProblems: string[];
  loadDone: boolean;
  loadPromise: Promise<void>;
  bytesRead: number;
  eventBytes: number;
  rowCount: number;
  /** rowId by line of events.ndjson. */
  readonly lineRows: GrowInt32;
  seqAscending: boolean;
  lastSeq: number;
  blocks: number[];
  generation: number;
  verifyDone: boolean;
  verifyPromise: Promise<void>;
  verifyError: string | undefined;
  report: VerificationReport | undefined;
  progress: { events: number; proofs: number };
  /** Final: 0 pending, 1 verified, 2 failed. */
  status: number;
  verdict: TBundleState['verdict'];
  sha256: string | null;
  /** Problems of named rows (by line) and of the whole bundle. */
  lineProblems: Map<number, string[]>;
  bundleProblems: string[];
  seqToRow: Map<number, number> | undefined;
  snapshot: TBundleState | undefined;
}

interface View {
  readonly id: string;
  readonly rows: Int32Array;
  readonly query: TQuery;
  readonly sort: TSort;
  readonly minTime: number;
  readonly maxTime: number;
}

const isoTime = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates the engine. */
export function createViewerEngine(options: TViewerEngineOptions = {}): TViewerEngine {
  return new ViewerEngine(options);
}

class ViewerEngine implements TViewerEngine {
  readonly #options: TViewerEngineOptions;
  readonly #now: () => number;
  #store = new ColumnStore();
  #ipKeys = new IpKeys();
  readonly #bundles: BundleRecord[] = [];
  readonly #bundleStatus = new Uint8Array(1 << 16);
  readonly #closed = new Uint8Array(1 << 16);
  readonly #listeners = new Set<(state: TSourceState) => void>();
  #notifyTimer: ReturnType<typeof setTimeout> | undefined;
  #lastNotify = 0;
  readonly #trusted = new Map<string, string>();
  #reviewer: string | null;
  readonly #views = new Map<string, View>();
  #viewCounter = 0;
  #timeOrder: { n: number; order: Int32Array; pos: Int32Array } | undefined;
  readonly #tags = new Map<number, string[]>();
  readonly #notes = new Map<number, string>();
  readonly #annotated = new Set<number>();
  /** Case-file annotations for bundles not open (or not yet hashed), by bundle SHA-256. */
  readonly #pendingAnnotations = new Map<string, Map<number, TCaseAnnotation>>();
  readonly #savedViews = new Map<string, TSavedView>();
  #log: TCaseLogEntry[] = [];
  #lastFilter = '';
  #knownBundles = new Map<string, { sha256: string; fileName: string; bagName: string | null }>();

  constructor(options: TViewerEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#reviewer = options.reviewer ?? null;
    for (const vkey of options.trustedKeys ?? []) this.#addTrusted(vkey);
  }

  // ------------------------------------------------------------------------------------------- state

  subscribe(listener: (state: TSourceState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.state());
    return () => {
      this.#listeners.delete(listener);
    };
  }

  state(): TSourceState {
    const bundles = this.#bundles.filter((b) => !b.closed).map((b) => this.#bundleState(b));
    return { bundles, rows: bundles.reduce((sum, b) => sum + (this.#bundleById(b.bundleId)?.rowCount ?? 0), 0) };
  }

  #notify(now = false): void {
    const interval = this.#options.notifyIntervalMs ?? 1000;
    const elapsed = this.#now() - this.#lastNotify;
    if (now || elapsed >= interval) {
      if (this.#notifyTimer !== undefined) clearTimeout(this.#notifyTimer);
      this.#notifyTimer = undefined;
      this.#lastNotify = this.#now();
      const state = this.state();
      for (const listener of this.#listeners) listener(state);
      return;
    }
    this.#notifyTimer ??= setTimeout(() => {
      this.#notifyTimer = undefined;
      this.#notify(true);
    }, interval - elapsed);
  }

  #phase(b: BundleRecord): TBundleState['phase'] {
    if (b.unusable !== undefined || b.verdict === 'unusable') return 'unusable';
    if (!b.loadDone) return 'reading';
    if (!b.verifyDone) return 'verifying';
    return 'done';
  }

  #signers(b: BundleRecord): TBundleState['signers'] {
    const info = b.info;
    if (info === undefined) return [];
    const verifiedBy = new Set((b.report?.bundle.signedBy ?? []).map((s) => s.vkey));
    const trusted = new Set([...this.#trusted.keys(), ...b.trustedKeys]);
    const trustedIds = new Set([...trusted].map((vkey) => {
      const key = parseVerifierKey(vkey, this.#options.crypto);
      return `${key.name}+${key.keyId}`;
    }));
    return info.signatures.map((signature) => {
      const hint = info.keyHints.find((k) => k.name === signature.name && k.keyId === signature.keyId);
      const id = `${signature.name}+${signature.keyId}`;
      if (hint === undefined) return { vkey: id, fingerprint: 'unknown (the key is not in data/keys.txt)', trusted: trustedIds.has(id) };
      return { vkey: hint.vkey, fingerprint: hint.fingerprint, trusted: trusted.has(hint.vkey) || verifiedBy.has(hint.vkey) };
    });
  }

  #bundleState(b: BundleRecord): TBundleState {
    const report = b.report;
    const failures: TFailure[] = [];
    if (b.unusable !== undefined) failures.push({ check: 'structure', code: b.unusable.code, message: b.unusable.message });
    for (const problem of b.loadProblems) failures.push({ check: 'structure', code: 'VIEWER_READ', message: problem });
    for (const check of report?.checks ?? []) {
      for (const f of check.failures) {
        failures.push({
          check: check.name, code: f.code, message: f.message,
          ...(f.file === undefined ? {} : { file: f.file }), ...(f.line === undefined ? {} : { line: f.line }),
          ...(f.seq === undefined ? {} : { seq: f.seq }), ...(f.expected === undefined ? {} : { expected: f.expected }),
          ...(f.found === undefined ? {} : { found: f.found }),
        });
      }
    }
    if (b.verifyError !== undefined) failures.push({ check: 'structure', code: 'VERIFIER_ERROR', message: b.verifyError });
    const checks: TCheck[] = report === undefined
      ? CHECK_NAMES.map((name) => ({ name, status: b.unusable !== undefined ? 'skipped' : 'pending', summary: b.unusable !== undefined ? 'not checked: the input is unusable' : 'not checked yet' }))
      : report.checks.map((c) => ({ name: c.name, status: c.status, summary: c.summary }));
    const info = b.info;
    return {
      bundleId: b.id,
      fileName: b.fileName,
      sha256: b.sha256,
      phase: this.#phase(b),
      progress: { bytes: b.bytesRead, totalBytes: b.eventBytes, events: b.progress.events, proofs: b.progress.proofs },
      verdict: b.unusable !== undefined ? 'unusable' : b.verdict,
      checks,
      failures,
      signers: this.#signers(b),
      checkpoint: info?.checkpoint ?? null,
      counts: report !== undefined && !report.unusable
        ? { events: report.counts.events, withheld: report.counts.withheld, purged: report.counts.purged }
        : { events: b.rowCount, withheld: 0, purged: 0 },
      matter: info?.matter ?? null,
    };
  }

  #bundleById(id: string): BundleRecord | undefined {
    return this.#bundles.find((b) => b.id === id && !b.closed);
  }

  memory(): { columns: number; raw: number; index: number; rows: number } {
    return { ...this.#store.byteSize(), rows: this.#store.rows };
  }

  async whenIdle(bundleId?: string): Promise<void> {
    for (;;) {
      const bundles = this.#bundles.filter((b) => !b.closed && (bundleId === undefined || b.id === bundleId));
      const pending = bundles.filter((b) => !b.loadDone || !b.verifyDone);
      if (pending.length === 0) return;
      await Promise.all(pending.flatMap((b) => [b.loadPromise, b.verifyPromise]));
    }
  }

  // ------------------------------------------------------------------------------------------- bundles

  #addTrusted(vkey: string): string {
    const key = parseVerifierKey(vkey, this.#options.crypto);
    this.#trusted.set(key.vkey, keyFingerprint(key, this.#options.crypto));
    return key.vkey;
  }

  openBundle(source: ByteSource, options: TOpenBundleOptions): Promise<string> {
    if (source === null || typeof source !== 'object' || typeof source.read !== 'function' || !Number.isSafeInteger(source.size)) {
      return Promise.reject(new TypeError('source must be a ByteSource { size, read(offset, length) }'));
    }
    let trusted: string[];
    try {
      trusted = (options.trustedKeys ?? []).map((vkey) => parseVerifierKey(vkey, this.#options.crypto).vkey);
    } catch (error) {
      return Promise.reject(new TypeError(`a trusted key is not a verifier key: ${errorMessage(error)}`));
    }
    const index = this.#bundles.length;
    if (index >= this.#bundleStatus.length) return Promise.reject(new Error('too many bundles opened in this session'));
    const b: BundleRecord = {
      id: `b${index + 1}`, index, fileName: String(options.fileName ?? ''), source, trustedKeys: trusted, closed: false, info: undefined,
      unusable: undefined, loadProblems: [], loadDone: false, loadPromise: Promise.resolve(), bytesRead: 0, eventBytes: 0, rowCount: 0,
      lineRows: new GrowInt32(1 << 10), seqAscending: true, lastSeq: Number.NEGATIVE_INFINITY, blocks: [], generation: 0,
      verifyDone: false, verifyPromise: Promise.resolve(), verifyError: undefined, report: undefined, progress: { events: 0, proofs: 0 },
      status: 0, verdict: 'pending', sha256: null, lineProblems: new Map(), bundleProblems: [], seqToRow: undefined, snapshot: undefined,
    };
    this.#bundles.push(b);
    this.#bundleStatus[index] = 0;
    this.#record('bundle.open', { bundleId: b.id, fileName: b.fileName, bytes: source.size });
    // The loader's bytes go to the verifier through a bounded queue: the loader waits when the verifier is more
    // than FEED_BYTES behind, and stops feeding once the verification has settled.
    const feed = this.#options.shareEventBytes === false ? undefined : new ByteFeed(FEED_BYTES);
    b.loadPromise = this.#load(b, feed);
    b.verifyPromise = this.#verify(b, feed);
    this.#notify(true);
    return Promise.resolve(b.id);
  }

  async #load(b: BundleRecord, feed: ByteFeed | undefined): Promise<void> {
    // Let openBundle return first.
    await Promise.resolve();
    const store = this.#store;
    let opened = false;
    try {
      const archive = await openZip(b.source, {
        ...(this.#options.limits === undefined ? {} : { limits: this.#options.limits }),
        ...(this.#options.inflateRaw === undefined ? {} : { inflateRaw: this.#options.inflateRaw }),
        ...(this.#options.inflateChecked === undefined ? {} : { inflateChecked: this.#options.inflateChecked }),
        ...(this.#options.crc32 === undefined ? {} : { crc32: this.#options.crc32 }),
      });
      if (b.closed) return;
      const info = await readBundleInfo(archive, this.#options.crypto);
      if (b.closed) return;
      b.info = info;
      const entry = info.events;
      if (entry === undefined) {
        opened = true;
        b.loadProblems.push('data/events.ndjson is missing: there are no events to show');
        return;
      }
      const max = this.#options.maxEventBytes ?? 3 * 2 ** 30;
      if (entry.uncompressedSize > max) {
        b.unusable = {
          code: 'LIMIT_EXCEEDED',
          message: `data/events.ndjson holds ${entry.uncompressedSize} bytes, more than this viewer loads into memory (${max}); verify it with \`custody verify\``,
        };
        return;
      }
      opened = true;
      b.eventBytes = entry.uncompressedSize;
      this.#notify(true);
      let block = new Uint8Array(Math.min(BLOCK_SIZE, Math.max(1024, entry.uncompressedSize)));
      let blockIndex = store.addBlock(block);
      b.blocks.push(blockIndex);
      let used = 0;
      let lineStart = 0;
      let line = 0;
      const rowAdded = (row: number): void => {
        b.lineRows.push(row);
        const seq = store.seq.array[row] as number;
        if (!(seq > b.lastSeq)) b.seqAscending = false;
        b.lastSeq = seq;
        line++;
        b.rowCount++;
      };
      // The verifier checks every byte of this file (its SHA-256 in the manifest and each line's leaf hash), and no
      // row counts as verified before it has. When it gets these bytes (`feed`), the CRC-32 is checked here, natively
      // while inflating where the platform can; otherwise the verifier checks it on its own read, and this pass only
      // cuts the rows (the CRC-32 in JavaScript cost about 0.4 s of CPU per million events).
      for await (const chunk of archive.stream(entry, { verifyCrc: feed !== undefined })) {
        if (b.closed || store !== this.#store) return;
        // Handed over before the rows are cut from it: nothing awaits in between, so a Worker transport that takes
        // the chunk's buffer (transfers it) does so only after this iteration has copied it into the blocks.
        const backpressure = feed?.push(chunk);
        let offset = 0;
        while (offset < chunk.length) {
          if (used === block.length) {
            const partial = used - lineStart;
            if (partial > MAX_LINE) throw new Error(`line ${line + 1} of data/events.ndjson is longer than ${MAX_LINE} bytes`);
            const next = new Uint8Array(Math.min(BLOCK_SIZE, Math.max(1024, entry.uncompressedSize - b.bytesRead + partial, partial * 2)));
            next.set(block.subarray(lineStart, used));
            block = next;
            blockIndex = store.addBlock(block);
            b.blocks.push(blockIndex);
            used = partial;
            lineStart = 0;
          }
          const take = Math.min(block.length - used, chunk.length - offset);
          block.set(chunk.subarray(offset, offset + take), used);
          const scanFrom = used;
          used += take;
          offset += take;
          b.bytesRead += take;
          lineStart = store.addLines(b.index, line, blockIndex, block, lineStart, used, scanFrom, rowAdded);
        }
        this.#notify();
        if (backpressure !== undefined) await backpressure;
      }
      feed?.end();
      if (lineStart < used) {
        // The last line has no newline.
        rowAdded(store.addRow(b.index, line, blockIndex, block, lineStart, used));
      }
      if (block.length - used > 1 << 16) store.replaceBlock(blockIndex, block.slice(0, used));
    } catch (error) {
      feed?.fail(error);
      const message = errorMessage(error);
      if (!opened) {
        b.unusable = { code: isBundleError(error) ? error.code : 'BAD_ZIP', message: `cannot open ${b.fileName || 'the bundle'}: ${message}` };
      } else {
        b.loadProblems.push(`reading data/events.ndjson stopped: ${message}`);
      }
    } finally {
      // Whatever stopped the loader early (a closed bundle, an unusable one) ends the verifier's read too (no-op
      // after end or fail).
      feed?.fail(new Error('data/events.ndjson was not read to the end'));
      b.loadDone = true;
      this.#finish(b);
    }
  }

  #verifyOptions(b: BundleRecord, feed: ByteFeed | undefined): VerifyBundleOptions {
    const o = this.#options;
    return {
      ...(feed === undefined ? {} : { eventsContent: feed }),
      trustedKeys: [...new Set([...this.#trusted.keys(), ...b.trustedKeys])],
      hashArchive: true,
      maxFailuresPerCheck: 10_000,
      ...(o.crypto === undefined ? {} : { crypto: o.crypto }),
      ...(o.inflateRaw === undefined ? {} : { inflate: o.inflateRaw }),
      ...(o.crc32 === undefined ? {} : { crc32: o.crc32 }),
      ...(o.limits === undefined ? {} : { limits: o.limits }),
      ...(o.checker === undefined ? {} : { checker: o.checker }),
      onProgress: (progress: VerifyProgress) => {
        if (b.closed) return;
        b.progress = { events: progress.events, proofs: progress.proofs };
        this.#notify();
      },
    };
  }

  async #verify(b: BundleRecord, feed?: ByteFeed): Promise<void> {
    const generation = ++b.generation;
    b.verifyDone = false;
    b.report = undefined;
    b.verifyError = undefined;
    b.status = 0;
    b.verdict = 'pending';
    b.lineProblems = new Map();
    b.bundleProblems = [];
    this.#bundleStatus[b.index] = 0;
    b.progress = { events: 0, proofs: 0 };
    await Promise.resolve();
    let report: VerificationReport | undefined;
    let failure: string | undefined;
    try {
      report = await (this.#options.verify ?? verifyBundle)(b.source, this.#verifyOptions(b, feed));
    } catch (error) {
      failure = `the verifier stopped: ${errorMessage(error)}`;
    } finally {
      // A verifier that stopped before reading all of events.ndjson must not hold the loader back.
      feed?.cancel();
    }
    if (b.closed || generation !== b.generation) return;
    b.report = report;
    b.verifyError = failure;
    b.verifyDone = true;
    if (report?.archiveSha256 !== undefined) b.sha256 = report.archiveSha256;
    this.#finish(b);
  }

  /** Decides the verdict once both the rows and the report are in. */
  #finish(b: BundleRecord): void {
    if (b.closed) return;
    if (!b.loadDone || !b.verifyDone) {
      this.#notify(true);
      return;
    }
    const report = b.report;
    const problems: string[] = [];
    let verdict: TBundleState['verdict'];
    if (b.unusable !== undefined) {
      verdict = 'unusable';
      problems.push(b.unusable.message);
    } else if (report === undefined) {
      verdict = 'invalid';
      problems.push(b.verifyError ?? 'not verified');
    } else if (report.unusable) {
      verdict = 'unusable';
      problems.push(...report.checks.flatMap((c) => c.failures.map((f) => `${f.message} [${f.code}]`)).slice(0, 3));
    } else {
      verdict = report.valid ? 'valid' : 'invalid';
      if (b.loadProblems.length > 0) {
        verdict = 'invalid';
        problems.push(...b.loadProblems);
      }
      if (report.valid && report.counts.events !== b.rowCount) {
        verdict = 'invalid';
        problems.push(`the viewer read ${b.rowCount} events but the verifier checked ${report.counts.events}: nothing is shown as verified`);
      }
      for (const check of report.checks) {
        if (check.status !== 'invalid') continue;
        const general = check.failures.filter((f) => !(f.file === 'data/events.ndjson' && f.line !== undefined) && f.seq === undefined);
        if (general.length > 0) {
          for (const f of general.slice(0, 3)) problems.push(`${check.title}: ${f.message} [${f.code}]`);
        } else {
          problems.push(`${check.title}: ${check.summary}`);
        }
      }
      this.#nameRows(b, report);
    }
    b.verdict = verdict;
    b.status = verdict === 'valid' ? 1 : 2;
    b.bundleProblems = problems;
    this.#bundleStatus[b.index] = b.status;
    this.#record('bundle.verify', {
      bundleId: b.id, fileName: b.fileName, sha256: b.sha256, verdict, events: report?.counts.events ?? 0,
      failedChecks: report?.checks.filter((c) => c.status === 'invalid').map((c) => c.name) ?? [],
      signers: this.#signers(b).map((s) => ({ fingerprint: s.fingerprint, trusted: s.trusted })),
    });
    if (b.sha256 !== null) {
      this.#knownBundles.set(b.sha256, { sha256: b.sha256, fileName: b.fileName, bagName: b.info?.bagName ?? null });
      this.#applyPending(b);
    }
    this.#notify(true);
  }

  /** Per-row problems from failures that name a line of events.ndjson or a seq. */
  #nameRows(b: BundleRecord, report: VerificationReport): void {
    const add = (line: number, text: string): void => {
      const list = b.lineProblems.get(line);
      if (list === undefined) b.lineProblems.set(line, [text]);
      else if (list.length < 20) list.push(text);
    };
    for (const check of report.checks) {
      for (const f of check.failures) {
        const text = `${check.title}: ${f.message} [${f.code}]${f.expected !== undefined ? ` expected ${f.expected}` : ''}${f.found !== undefined ? `, found ${f.found}` : ''}`;
        if (f.file === 'data/events.ndjson' && f.line !== undefined) {
          add(f.line - 1, text);
        } else if (f.seq !== undefined) {
          const row = this.#rowOfSeq(b, Number(f.seq));
          if (row !== undefined) add(this.#store.line.array[row] as number, text);
        }
      }
    }
  }

  #rowOfSeq(b: BundleRecord, seq: number): number | undefined {
    if (b.seqToRow === undefined || b.seqToRow.size !== b.rowCount) {
      const map = new Map<number, number>();
      const rows = b.lineRows.array;
      for (let line = 0; line < b.rowCount; line++) {
        const row = rows[line] as number;
        const s = this.#store.seq.array[row] as number;
        if (!map.has(s)) map.set(s, row);
      }
      b.seqToRow = map;
    }
    return b.seqToRow.get(seq);
  }

  async closeBundle(bundleId: string): Promise<void> {
    const b = this.#bundleById(bundleId);
    if (b === undefined) throw new Error(`no open bundle ${bundleId}`);
    b.closed = true;
    b.generation++;
    this.#closed[b.index] = 1;
    for (const block of b.blocks) this.#store.replaceBlock(block, undefined);
    for (const row of [...this.#annotated]) {
      if (this.#store.bundle.array[row] === b.index) this.#clearAnnotations(row);
    }
    this.#record('bundle.close', { bundleId: b.id, fileName: b.fileName, sha256: b.sha256 });
    if (this.#bundles.every((x) => x.closed)) {
      this.#store = new ColumnStore();
      this.#ipKeys = new IpKeys();
      this.#timeOrder = undefined;
    }
    this.#views.clear();
    this.#notify(true);
    await Promise.resolve();
  }

  async trustKey(vkey: string): Promise<readonly string[]> {
    let canonical: string;
    try {
      canonical = this.#addTrusted(vkey);
    } catch (error) {
      throw new TypeError(`not a verifier key: ${errorMessage(error)}`);
    }
    const key = parseVerifierKey(canonical, this.#options.crypto);
    this.#record('key.trust', { vkey: canonical, fingerprint: this.#trusted.get(canonical) ?? '' });
    const affected = this.#bundles.filter((b) => !b.closed && b.unusable === undefined && b.verdict !== 'valid' &&
      (b.info?.signatures.some((s) => s.name === key.name && s.keyId === key.keyId) ?? true));
    for (const b of affected) b.verifyPromise = this.#verify(b);
    this.#notify(true);
    await Promise.resolve();
    return affected.map((b) => b.id);
  }

  trustedKeys(): Promise<readonly { vkey: string; fingerprint: string }[]> {
    return Promise.resolve([...this.#trusted].map(([vkey, fingerprint]) => ({ vkey, fingerprint })));
  }

  // --------------------------------------------------------------------------------------------- rows

  #statusOf(row: number): TRowStatus {
    return STATUS_NAMES[this.#bundleStatus[this.#store.bundle.array[row] as number] as number] as TRowStatus;
  }

  #control(row: number): string | null {
    const b = this.#bundles[this.#store.bundle.array[row] as number] as BundleRecord;
    return formatControl(b.info?.controlNumbers ?? null, this.#store.line.array[row] as number);
  }

  #value(dictionary: Dictionary, id: number): string | null {
    return id < 0 ? null : (dictionary.values[id] as string);
  }

  #row(row: number): TViewerRow {
    const s = this.#store;
    const b = this.#bundles[s.bundle.array[row] as number] as BundleRecord;
    const flags = s.flags.array[row] as number;
    return {
      rowId: row,
      bundleId: b.id,
      seq: s.seq.array[row] as number,
      controlNumber: this.#control(row),
      time: s.time.array[row] as number,
      action: this.#value(s.action, s.actionCol.array[row] as number) ?? '',
      actorType: this.#value(s.actorType, s.actorTypeCol.array[row] as number) ?? '',
      actorId: this.#value(s.actorId, s.actorIdCol.array[row] as number) ?? '',
      actorName: this.#value(s.actorName, s.actorNameCol.array[row] as number),
      targets: s.targets(row),
      ip: this.#value(s.ip, s.ipCol.array[row] as number) ?? '',
      userAgent: this.#value(s.ua, s.uaCol.array[row] as number),
      status: this.#statusOf(row),
      tags: this.#tags.get(row) ?? [],
      starred: (flags & FLAG_STARRED) !== 0,
      hasNote: (flags & FLAG_NOTED) !== 0,
    };
  }

  #checkRow(rowId: number): BundleRecord {
    if (!Number.isSafeInteger(rowId) || rowId < 0 || rowId >= this.#store.rows) throw new RangeError(`no row ${rowId}`);
    const b = this.#bundles[this.#store.bundle.array[rowId] as number] as BundleRecord;
    if (b.closed) throw new RangeError(`row ${rowId} belongs to a closed bundle`);
    return b;
  }

  #leafHash(raw: Uint8Array): string {
    const sha256 = this.#options.crypto?.sha256 ?? nobleSha256;
    return encodeBase64(sha256(Uint8Array.of(0), raw));
  }

  async event(rowId: number): Promise<TEventDetail> {
    await Promise.resolve();
    const b = this.#checkRow(rowId);
    const raw = this.#store.raw(rowId);
    if (raw === undefined) throw new RangeError(`row ${rowId} is no longer in memory`);
    const canonical = new TextDecoder().decode(raw);
    let event: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(canonical);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) event = parsed as Record<string, unknown>;
    } catch {
      event = {};
    }
    const problems: string[] = [];
    const line = this.#store.line.array[rowId] as number;
    const readProblem = this.#store.readProblems.get(rowId);
    if (b.status === 0) problems.push(b.loadDone ? 'not verified yet: verification is running' : 'not verified yet: the bundle is still being read');
    if (b.status === 2) {
      problems.push(...(b.lineProblems.get(line) ?? []));
      problems.push(...b.bundleProblems.map((p) => `bundle: ${p}`));
    }
    if (readProblem !== undefined) problems.push(readProblem);
    const info = b.info;
    const proof = info !== null && info !== undefined && (info.checkpoint !== null || info.origin !== null)
      ? {
          origin: info.checkpoint?.origin ?? info.origin ?? '', treeSize: info.checkpoint?.size ?? info.treeSize ?? '', root: info.checkpoint?.root ?? '',
          mode: info.mode ?? 'selected', proofHashes: b.report?.counts.proofHashes ?? 0,
        }
      : null;
    return { row: this.#row(rowId), event, canonical, leafHash: this.#leafHash(raw), proof, problems, note: this.#notes.get(rowId) ?? null };
  }

  // -------------------------------------------------------------------------------------------- views

  #timeOrderOf(): { order: Int32Array; pos: Int32Array } {
    const s = this.#store;
    const n = s.rows;
    const before = this.#timeOrder !== undefined && this.#timeOrder.n <= n ? this.#timeOrder : undefined;
    if (before?.n === n) return before;
    // Rows are only ever appended (closing every bundle starts a new store), so while bundles load, each refresh
    // sorts just the rows added since the last one and merges them in.
    const keys = { time: s.time.array, bundle: s.bundle.array, seq: s.seq.array };
    const seqSorted = this.#bundles.every((b) => b.seqAscending);
    const { order, kept } = extendTimeOrder(before?.order ?? new Int32Array(0), n, keys, this.#bundles.length, seqSorted);
    const pos = new Int32Array(n);
    if (before !== undefined) pos.set(before.pos);
    for (let i = kept; i < n; i++) pos[order[i] as number] = i;
    this.#timeOrder = { n, order, pos };
    return this.#timeOrder;
  }

  #queryContext(): QueryContext {
    const bundles = this.#bundles;
    return {
      store: this.#store,
      ipKeys: this.#ipKeys,
      bundleStatus: this.#bundleStatus,
      matchBundles: (value, op) => {
        const v = value.trim().toLowerCase();
        const out = new Set<number>();
        for (const b of bundles) {
          const names = [b.id, b.fileName, b.info?.bagName ?? '', b.sha256 ?? ''].map((x) => x.toLowerCase());
          if (names.some((name) => name !== '' && (op === 'eq' ? name === v : name.startsWith(v)))) out.add(b.index);
        }
        return out;
      },
      markControl: (value, op, mask) => {
        for (const b of bundles) {
          const c = b.info?.controlNumbers;
          if (b.closed || c === undefined || c === null) continue;
          let lo = 0;
          let hi = b.rowCount - 1;
          if (value.startsWith(c.prefix)) {
            const rest = value.slice(c.prefix.length);
            if (!/^[0-9]*$/.test(rest) || rest.length > c.width || (op === 'eq' && rest.length === 0)) continue;
            if (op === 'eq') {
              lo = hi = Number(rest) - c.first;
            } else {
              const scale = 10 ** (c.width - rest.length);
              lo = Math.max(lo, Number(rest || '0') * scale - c.first);
              hi = Math.min(hi, (Number(rest || '0') + 1) * scale - 1 - c.first);
            }
          } else if (!(op === 'prefix' && c.prefix.startsWith(value))) {
            continue;
          }
          if (op === 'eq' && String(lo + c.first).length > c.width) continue;
          for (let line = Math.max(0, lo); line <= hi && line < b.rowCount; line++) mask[b.lineRows.array[line] as number] = 1;
        }
      },
      taggedRows: (value, op) => {
        const rows: number[] = [];
        for (const [row, tags] of this.#tags) {
          if (tags.some((tag) => (op === 'eq' ? tag.toLowerCase() === value : tag.toLowerCase().startsWith(value)))) rows.push(row);
        }
        return rows;
      },
      phraseInLine: (row, words) => {
        const raw = this.#store.raw(row);
        if (raw === undefined) return false;
        try {
          const event = JSON.parse(new TextDecoder().decode(raw)) as { context?: { request_id?: unknown; session_id?: unknown } };
          return [event.context?.request_id, event.context?.session_id].some((value) => {
            if (typeof value !== 'string') return false;
            const tokens = searchWords(value);
            for (let i = 0; i + words.length <= tokens.length; i++) if (words.every((w, k) => tokens[i + k] === w)) return true;
            return false;
          });
        } catch {
          return false;
        }
      },
    };
  }

  async view(query: TQuery, sort: TSort): Promise<TViewHandle> {
    await Promise.resolve();
    const s = this.#store;
    const n = s.rows;
    const mask = evaluateQuery(query, this.#queryContext());
    const { order } = this.#timeOrderOf();
    const bundle = s.bundle.array;
    const closed = this.#closed;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const row = order[i] as number;
      if ((mask === undefined || mask[row] === 1) && closed[bundle[row] as number] === 0) count++;
    }
    let rows: Int32Array = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const row = order[i] as number;
      if ((mask === undefined || mask[row] === 1) && closed[bundle[row] as number] === 0) rows[k++] = row;
    }
    rows = this.#sortRows(rows, sort);
    if (sort.direction === 'desc') rows.reverse();
    let minTime = Number.POSITIVE_INFINITY;
    let maxTime = Number.NEGATIVE_INFINITY;
    const time = s.time.array;
    for (let i = 0; i < rows.length; i++) {
      const t = time[rows[i] as number] as number;
      if (t < minTime) minTime = t;
      if (t > maxTime) maxTime = t;
    }
    const id = `v${++this.#viewCounter}`;
    this.#views.set(id, { id, rows, query, sort, minTime, maxTime });
    if (this.#views.size > 32) this.#views.delete(this.#views.keys().next().value as string);
    const filter = JSON.stringify({ query, sort });
    if (filter !== this.#lastFilter) {
      this.#lastFilter = filter;
      this.#record('view.filter', { query: query, sort, total: rows.length });
    }
    return { viewId: id, total: rows.length };
  }

  #sortRows(rows: Int32Array, sort: TSort): Int32Array {
    const s = this.#store;
    const n = rows.length;
    const byRank = (column: Int32Array, dictionary: Dictionary): Int32Array => {
      const rank = dictionary.rank();
      const keys = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = column[rows[i] as number] as number;
        keys[i] = v < 0 ? -1 : (rank[v] as number);
      }
      return countingSortRows(rows, keys, dictionary.size);
    };
    switch (sort.column) {
      case 'time':
        return rows;
      case 'seq': {
        const keys = new Float64Array(n);
        for (let i = 0; i < n; i++) keys[i] = s.seq.array[rows[i] as number] as number;
        return radixSortRows(rows, keys);
      }
      case 'action':
        return byRank(s.actionCol.array, s.action);
      case 'actor': {
        // By actor id, then type.
        const byType = byRank(s.actorTypeCol.array, s.actorType);
        const rank = s.actorId.rank();
        const keys = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const v = s.actorIdCol.array[byType[i] as number] as number;
          keys[i] = v < 0 ? -1 : (rank[v] as number);
        }
        return countingSortRows(byType, keys, s.actorId.size);
      }
      case 'ip':
        return byRank(s.ipCol.array, s.ip);
      case 'control': {
        const prefixes = [...new Set(this.#bundles.map((b) => b.info?.controlNumbers?.prefix).filter((p): p is string => p !== undefined))].sort();
        const keys = new Float64Array(n);
        const prefixRank = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const row = rows[i] as number;
          const c = (this.#bundles[s.bundle.array[row] as number] as BundleRecord).info?.controlNumbers;
          keys[i] = c === undefined || c === null ? Number.NaN : c.first + (s.line.array[row] as number);
          prefixRank[i] = c === undefined || c === null ? -1 : prefixes.indexOf(c.prefix);
        }
        const byNumber = radixSortRows(rows, keys);
        const position = new Map<number, number>();
        for (let i = 0; i < n; i++) position.set(rows[i] as number, i);
        const ranks = new Int32Array(n);
        for (let i = 0; i < n; i++) ranks[i] = prefixRank[position.get(byNumber[i] as number) as number] as number;
        return countingSortRows(byNumber, ranks, prefixes.length);
      }
      default:
        throw new QueryError(`unknown sort column ${JSON.stringify((sort as { column: unknown }).column)}`);
    }
  }

  #viewOf(viewId: string): View {
    const view = this.#views.get(viewId);
    if (view === undefined) throw new RangeError(`no view ${viewId} (released or superseded)`);
    return view;
  }

  async releaseView(viewId: string): Promise<void> {
    await Promise.resolve();
    this.#views.delete(viewId);
  }

  async rows(viewId: string, offset: number, limit: number): Promise<readonly TViewerRow[]> {
    await Promise.resolve();
    const view = this.#viewOf(viewId);
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(view.rows.length, start + Math.max(0, Math.floor(limit)));
    const out: TViewerRow[] = [];
    for (let i = start; i < end; i++) {
      const row = view.rows[i] as number;
      if (this.#closed[this.#store.bundle.array[row] as number] === 1) continue;
      out.push(this.#row(row));
    }
    return out;
  }

  async locate(viewId: string, rowId: number): Promise<number | null> {
    await Promise.resolve();
    const at = this.#viewOf(viewId).rows.indexOf(rowId);
    return at < 0 ? null : at;
  }

  async histogram(viewId: string, options: { from?: number; to?: number; buckets?: number } = {}): Promise<THistogram> {
    await Promise.resolve();
    const view = this.#viewOf(viewId);
    const buckets = Math.max(1, Math.min(10_000, Math.floor(options.buckets ?? 100)));
    const lo = options.from ?? view.minTime;
    const hi = options.to ?? (Number.isFinite(view.maxTime) ? view.maxTime + 1 : view.maxTime);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return { from: Number.isFinite(lo) ? lo : 0, to: Number.isFinite(lo) ? lo : 0, bucketMs: 1000, counts: [], failed: [] };
    const wanted = (hi - lo) / buckets;
    const bucketMs = NICE_BUCKETS.find((w) => w >= wanted) ?? Math.ceil(wanted / 31_536_000_000) * 31_536_000_000;
    const from = Math.floor(lo / bucketMs) * bucketMs;
    const count = Math.max(1, Math.ceil((hi - from) / bucketMs));
    const to = from + count * bucketMs;
    const counts = new Array<number>(count).fill(0);
    const failed = new Array<number>(count).fill(0);
    const time = this.#store.time.array;
    const bundle = this.#store.bundle.array;
    for (let i = 0; i < view.rows.length; i++) {
      const row = view.rows[i] as number;
      const t = time[row] as number;
      if (!(t >= lo && t < hi)) continue;
      const k = Math.floor((t - from) / bucketMs);
      counts[k] = (counts[k] as number) + 1;
      if (this.#bundleStatus[bundle[row] as number] === 2) failed[k] = (failed[k] as number) + 1;
    }
    return { from, to, bucketMs, counts, failed };
  }

  async facets(viewId: string, fields: readonly TQueryField[], top = 10): Promise<Readonly<Record<string, readonly TFacetValue[]>>> {
    await Promise.resolve();
    const view = this.#viewOf(viewId);
    const out: Record<string, TFacetValue[]> = {};
    for (const field of fields) out[field] = this.#facet(view.rows, field, Math.max(1, Math.floor(top)));
    return out;
  }

  #facet(rows: Int32Array, field: TQueryField, top: number): TFacetValue[] {
    const s = this.#store;
    const n = rows.length;
    const fromCounts = (counts: Int32Array | number[], value: (id: number) => string): TFacetValue[] => {
      const best: TFacetValue[] = [];
      for (let id = 0; id < counts.length; id++) {
        const count = counts[id] as number;
        if (count === 0) continue;
        const last = best[best.length - 1];
        if (best.length >= top && last !== undefined && count <= last.count) {
          if (count < last.count || value(id) >= last.value) continue;
        }
        const entry = { value: value(id), count };
        let at = best.length;
        while (at > 0) {
          const prev = best[at - 1] as TFacetValue;
          if (prev.count > count || (prev.count === count && prev.value <= entry.value)) break;
          at--;
        }
        best.splice(at, 0, entry);
        if (best.length > top) best.pop();
      }
      return best;
    };
    const single = (column: Int32Array, dictionary: Dictionary): TFacetValue[] => {
      const counts = new Int32Array(dictionary.size);
      for (let i = 0; i < n; i++) {
        const v = column[rows[i] as number] as number;
        if (v >= 0) counts[v] = (counts[v] as number) + 1;
      }
      return fromCounts(counts, (id) => dictionary.values[id] as string);
    };
    const multi = (column: Int32Array, dictionary: Dictionary): TFacetValue[] => {
      const counts = new Int32Array(dictionary.size);
      const seen = new Int32Array(dictionary.size).fill(-1);
      for (let i = 0; i < n; i++) {
        const row = rows[i] as number;
        for (let j = s.targetStart(row); j < (s.targetEnd.array[row] as number); j++) {
          const v = column[j] as number;
          if (v >= 0 && seen[v] !== row) {
            seen[v] = row;
            counts[v] = (counts[v] as number) + 1;
          }
        }
      }
      return fromCounts(counts, (id) => dictionary.values[id] as string);
    };
    switch (field) {
      case 'action':
        return single(s.actionCol.array, s.action);
      case 'actor.id':
        return single(s.actorIdCol.array, s.actorId);
      case 'actor.type':
        return single(s.actorTypeCol.array, s.actorType);
      case 'actor.name':
        return single(s.actorNameCol.array, s.actorName);
      case 'ip':
        return single(s.ipCol.array, s.ip);
      case 'ua':
        return single(s.uaCol.array, s.ua);
      case 'target.id':
        return multi(s.targetIdCol.array, s.targetId);
      case 'target.type':
        return multi(s.targetTypeCol.array, s.targetType);
      case 'bundle':
      case 'status': {
        const counts = new Array<number>(field === 'bundle' ? this.#bundles.length : 3).fill(0);
        for (let i = 0; i < n; i++) {
          const b = s.bundle.array[rows[i] as number] as number;
          const k = field === 'bundle' ? b : (this.#bundleStatus[b] as number);
          counts[k] = (counts[k] as number) + 1;
        }
        return fromCounts(counts, (id) => (field === 'bundle' ? (this.#bundles[id] as BundleRecord).id : (STATUS_NAMES[id] as string)));
      }
      case 'tag': {
        const counts = new Map<string, number>();
        for (let i = 0; i < n; i++) for (const tag of this.#tags.get(rows[i] as number) ?? []) counts.set(tag, (counts.get(tag) ?? 0) + 1);
        const values = [...counts.keys()];
        return fromCounts(values.map((v) => counts.get(v) as number), (id) => values[id] as string);
      }
      case 'seq':
      case 'control': {
        const out: TFacetValue[] = [];
        for (let i = 0; i < n && out.length < top; i++) {
          const row = rows[i] as number;
          const value = field === 'seq' ? String(s.seq.array[row]) : this.#control(row);
          if (value !== null) out.push({ value, count: 1 });
        }
        return out;
      }
      default: {
        if (typeof field === 'string' && field.startsWith('meta.')) {
          const key = s.metaKey.find(field.slice(5));
          const counts = new Int32Array(s.metaValue.size);
          if (key >= 0) {
            for (let i = 0; i < n; i++) {
              const row = rows[i] as number;
              for (let j = s.metaStart(row); j < (s.metaEnd.array[row] as number); j++) {
                if (s.metaKeyCol.array[j] === key) {
                  const v = s.metaValueCol.array[j] as number;
                  counts[v] = (counts[v] as number) + 1;
                  break;
                }
              }
            }
          }
          return fromCounts(counts, (id) => s.metaValue.values[id] as string);
        }
        throw new QueryError(`unknown facet field ${JSON.stringify(field)}`);
      }
    }
  }

  async context(rowId: number, around: { before: number; after: number }): Promise<{ readonly rows: readonly TViewerRow[]; readonly index: number }> {
    await Promise.resolve();
    this.#checkRow(rowId);
    const { order, pos } = this.#timeOrderOf();
    const at = pos[rowId] as number;
    const open = (row: number): boolean => this.#closed[this.#store.bundle.array[row] as number] === 0;
    const before: number[] = [];
    for (let i = at - 1; i >= 0 && before.length < Math.max(0, around.before); i--) if (open(order[i] as number)) before.push(order[i] as number);
    const after: number[] = [];
    for (let i = at + 1; i < order.length && after.length < Math.max(0, around.after); i++) if (open(order[i] as number)) after.push(order[i] as number);
    const rows = [...before.reverse(), rowId, ...after].map((row) => this.#row(row));
    return { rows, index: before.length };
  }

  // -------------------------------------------------------------------------------------- annotations

  #rowRef(row: number): Record<string, unknown> {
    const b = this.#bundles[this.#store.bundle.array[row] as number] as BundleRecord;
    return { bundleId: b.id, bundle: b.sha256, seq: this.#store.seq.array[row], controlNumber: this.#control(row) };
  }

  #setFlag(row: number, bit: number, on: boolean): void {
    const flags = this.#store.flags.array;
    flags[row] = on ? (flags[row] as number) | bit : (flags[row] as number) & ~bit;
    if (flags[row] !== 0) this.#annotated.add(row);
    else this.#annotated.delete(row);
  }

  #clearAnnotations(row: number): void {
    this.#tags.delete(row);
    this.#notes.delete(row);
    this.#store.flags.array[row] = 0;
    this.#annotated.delete(row);
  }

  #applyAnnotation(row: number, annotation: { tags?: readonly string[]; addTags?: readonly string[]; removeTags?: readonly string[]; starred?: boolean; note?: string | null }): void {
    let tags = this.#tags.get(row) ?? [];
    if (annotation.tags !== undefined) tags = [];
    for (const raw of [...(annotation.tags ?? []), ...(annotation.addTags ?? [])]) {
      const tag = String(raw).trim();
      if (tag !== '' && !tags.some((t) => t.toLowerCase() === tag.toLowerCase())) tags = [...tags, tag];
    }
    if (annotation.removeTags !== undefined) {
      const remove = new Set(annotation.removeTags.map((t) => String(t).trim().toLowerCase()));
      tags = tags.filter((t) => !remove.has(t.toLowerCase()));
    }
    if (tags.length > 0) this.#tags.set(row, tags);
    else this.#tags.delete(row);
    this.#setFlag(row, FLAG_TAGGED, tags.length > 0);
    if (annotation.starred !== undefined) this.#setFlag(row, FLAG_STARRED, annotation.starred);
    if (annotation.note !== undefined) {
      const note = annotation.note === null ? '' : String(annotation.note);
      if (note.trim() === '') this.#notes.delete(row);
      else this.#notes.set(row, note);
      this.#setFlag(row, FLAG_NOTED, note.trim() !== '');
    }
  }

  async annotate(
    rowIds: readonly number[], change: { addTags?: readonly string[]; removeTags?: readonly string[]; starred?: boolean; note?: string | null },
  ): Promise<readonly TViewerRow[]> {
    await Promise.resolve();
    for (const row of rowIds) this.#checkRow(row);
    const rows = [...new Set(rowIds)];
    for (const row of rows) this.#applyAnnotation(row, change);
    const refs = rows.slice(0, 1000).map((row) => this.#rowRef(row));
    const more = rows.length > 1000 ? { moreRows: rows.length - 1000 } : {};
    if (change.addTags !== undefined || change.removeTags !== undefined) {
      this.#record('annotate.tag', { rows: refs, ...more, addTags: change.addTags ?? [], removeTags: change.removeTags ?? [] });
    }
    if (change.starred !== undefined) this.#record('annotate.star', { rows: refs, ...more, starred: change.starred });
    if (change.note !== undefined) this.#record('annotate.note', { rows: refs, ...more, note: change.note });
    return rows.map((row) => this.#row(row));
  }

  #applyPending(b: BundleRecord): void {
    if (b.sha256 === null) return;
    const pending = this.#pendingAnnotations.get(b.sha256);
    if (pending === undefined) return;
    for (const [seq, annotation] of pending) {
      const row = this.#rowOfSeq(b, seq);
      if (row === undefined) continue;
      this.#clearAnnotations(row);
      this.#applyAnnotation(row, { tags: annotation.tags, starred: annotation.starred, note: annotation.note });
      pending.delete(seq);
    }
    if (pending.size === 0) this.#pendingAnnotations.delete(b.sha256);
  }

  // --------------------------------------------------------------------------------------- case file

  #record(action: TCaseAction, details: Record<string, unknown>): void {
    appendLogEntry(this.#log, { at: new Date(this.#now()).toISOString(), reviewer: this.#reviewer, action, details });
  }

  async setReviewer(name: string | null): Promise<void> {
    await Promise.resolve();
    this.#reviewer = name === null || name.trim() === '' ? null : name.trim();
  }

  async saveView(view: TSavedView): Promise<void> {
    await Promise.resolve();
    const parsed = parseCaseFile({ format: CASE_FILE_FORMAT, reviewer: null, bundles: [], annotations: [], views: [view], log: [] }).views[0] as TSavedView;
    this.#savedViews.set(parsed.name, parsed);
    this.#record('view.save', { ...parsed });
  }

  async deleteView(name: string): Promise<void> {
    await Promise.resolve();
    if (this.#savedViews.delete(name)) this.#record('view.delete', { name });
  }

  savedViews(): Promise<readonly TSavedView[]> {
    return Promise.resolve([...this.#savedViews.values()]);
  }

  async loadCaseFile(json: string | TCaseFile): Promise<TLogVerification> {
    await Promise.resolve();
    const file = parseCaseFile(json);
    const verification = verifyCaseFileLog(file.log);
    if (this.#reviewer === null) this.#reviewer = file.reviewer;
    for (const known of file.bundles) this.#knownBundles.set(known.sha256, known);
    for (const annotation of file.annotations) {
      let map = this.#pendingAnnotations.get(annotation.bundle);
      if (map === undefined) {
        map = new Map();
        this.#pendingAnnotations.set(annotation.bundle, map);
      }
      map.set(annotation.seq, annotation);
    }
    for (const b of this.#bundles) if (!b.closed && b.loadDone) this.#applyPending(b);
    for (const view of file.views) this.#savedViews.set(view.name, view);
    // The file's log continues; entries of this session so far are chained after it.
    const session = this.#log;
    this.#log = [...file.log];
    for (const entry of session) {
      appendLogEntry(this.#log, { at: entry.at, reviewer: entry.reviewer, action: entry.action, details: entry.details });
    }
    this.#record('case.open', { entries: file.log.length, logValid: verification.valid, problems: verification.problems.slice(0, 10) });
    this.#notify(true);
    return verification;
  }

  async caseFile(): Promise<string> {
    // Annotations are keyed by the bundle's SHA-256, known once its verification has read the whole file.
    const waiting = this.#bundles.filter((b) => !b.closed && b.sha256 === null && [...this.#annotated].some((row) => this.#store.bundle.array[row] === b.index));
    await Promise.all(waiting.map((b) => b.verifyPromise));
    const annotations: TCaseAnnotation[] = [];
    for (const row of [...this.#annotated].sort((a, b) => a - b)) {
      const b = this.#bundles[this.#store.bundle.array[row] as number] as BundleRecord;
      if (b.closed || b.sha256 === null) continue;
      const raw = this.#store.raw(row);
      annotations.push({
        bundle: b.sha256, seq: this.#store.seq.array[row] as number, controlNumber: this.#control(row),
        leafHash: raw === undefined ? null : this.#leafHash(raw), tags: this.#tags.get(row) ?? [],
        starred: ((this.#store.flags.array[row] as number) & FLAG_STARRED) !== 0, note: this.#notes.get(row) ?? null,
      });
    }
    for (const pending of this.#pendingAnnotations.values()) annotations.push(...pending.values());
    for (const b of this.#bundles) {
      if (!b.closed && b.sha256 !== null) this.#knownBundles.set(b.sha256, { sha256: b.sha256, fileName: b.fileName, bagName: b.info?.bagName ?? null });
    }
    const file: TCaseFile = {
      format: CASE_FILE_FORMAT, reviewer: this.#reviewer, bundles: [...this.#knownBundles.values()], annotations,
      views: [...this.#savedViews.values()], log: this.#log,
    };
    return `${JSON.stringify(file, null, 2)}\n`;
  }

  // ------------------------------------------------------------------------------------ export, report

  #cell(row: number, column: TExportColumn): string {
    const s = this.#store;
    const b = this.#bundles[s.bundle.array[row] as number] as BundleRecord;
    switch (column) {
      case 'rowId':
        return String(row);
      case 'bundle':
        return b.id;
      case 'file':
        return b.fileName;
      case 'seq':
        return String(s.seq.array[row]);
      case 'controlNumber':
        return this.#control(row) ?? '';
      case 'time':
        return isoTime(s.time.array[row] as number);
      case 'action':
        return this.#value(s.action, s.actionCol.array[row] as number) ?? '';
      case 'actor': {
        const id = this.#value(s.actorId, s.actorIdCol.array[row] as number) ?? '';
        const type = this.#value(s.actorType, s.actorTypeCol.array[row] as number) ?? '';
        const name = this.#value(s.actorName, s.actorNameCol.array[row] as number);
        return name === null ? `${type}:${id}` : `${name} (${type}:${id})`;
      }
      case 'actorType':
        return this.#value(s.actorType, s.actorTypeCol.array[row] as number) ?? '';
      case 'actorId':
        return this.#value(s.actorId, s.actorIdCol.array[row] as number) ?? '';
      case 'actorName':
        return this.#value(s.actorName, s.actorNameCol.array[row] as number) ?? '';
      case 'targets':
        return s.targets(row);
      case 'ip':
        return this.#value(s.ip, s.ipCol.array[row] as number) ?? '';
      case 'userAgent':
        return this.#value(s.ua, s.uaCol.array[row] as number) ?? '';
      case 'status':
        return this.#statusOf(row);
      case 'tags':
        return (this.#tags.get(row) ?? []).join('; ');
      case 'starred':
        return ((s.flags.array[row] as number) & FLAG_STARRED) !== 0 ? 'yes' : '';
      case 'note':
        return this.#notes.get(row) ?? '';
      case 'leafHash': {
        const raw = s.raw(row);
        return raw === undefined ? '' : this.#leafHash(raw);
      }
      default:
        throw new RangeError(`unknown export column ${JSON.stringify(column)}`);
    }
  }

  async exportView(viewId: string, columns: readonly TExportColumn[], format: 'csv'): Promise<TExportResult> {
    await Promise.resolve();
    if (format !== 'csv') throw new RangeError(`unsupported export format ${JSON.stringify(format)}`);
    const view = this.#viewOf(viewId);
    if (columns.length === 0) throw new RangeError('choose at least one column');
    for (const column of columns) if (!(column in EXPORT_COLUMNS)) throw new RangeError(`unknown export column ${JSON.stringify(column)}`);
    const out = new Utf8Builder();
    out.append(csvRecord(columns.map((c) => EXPORT_COLUMNS[c])));
    let count = 0;
    const fields = new Array<string>(columns.length);
    for (let i = 0; i < view.rows.length; i++) {
      const row = view.rows[i] as number;
      if (this.#closed[this.#store.bundle.array[row] as number] === 1) continue;
      for (let c = 0; c < columns.length; c++) fields[c] = this.#cell(row, columns[c] as TExportColumn);
      out.append(csvRecord(fields));
      count++;
    }
    const bytes = out.bytes();
    const hash = (this.#options.crypto?.createSha256 ?? createPortableSha256)();
    hash.update(bytes);
    const sha256 = encodeHex(hash.digest());
    this.#record('export.csv', { viewId, query: view.query, sort: view.sort, columns: [...columns], rows: count, bytes: bytes.length, sha256 });
    return { bytes, sha256, rows: count, columns: [...columns], mediaType: 'text/csv; charset=utf-8' };
  }

  async findingsReport(options: TFindingsOptions = {}): Promise<string> {
    await Promise.resolve();
    const { pos } = this.#timeOrderOf();
    const chosen = options.rowIds !== undefined
      ? [...new Set(options.rowIds)].filter((row) => Number.isSafeInteger(row) && row >= 0 && row < this.#store.rows)
      : [...this.#annotated];
    const rows = chosen.filter((row) => this.#closed[this.#store.bundle.array[row] as number] === 0).sort((a, b) => (pos[a] as number) - (pos[b] as number));
    const events: TFindingsEvent[] = rows.map((row) => {
      const raw = this.#store.raw(row);
      return { row: this.#row(row), leafHash: raw === undefined ? '' : this.#leafHash(raw), note: this.#notes.get(row) ?? null, fileName: this.#bundles[this.#store.bundle.array[row] as number]?.fileName ?? '' };
    });
    const generatedAt = new Date(this.#now()).toISOString();
    const log = verifyCaseFileLog(this.#log);
    const html = renderFindingsReport({
      title: options.title ?? 'Findings',
      reviewer: options.reviewer ?? this.#reviewer,
      generatedAt,
      bundles: this.#bundles.filter((b) => !b.closed).map((b) => this.#bundleState(b)),
      trustedKeys: [...this.#trusted].map(([vkey, fingerprint]) => ({ vkey, fingerprint })),
      events,
      log: { entries: log.entries, head: log.head, valid: log.valid },
    });
    const sha256 = encodeHex(nobleSha256(new TextEncoder().encode(html)));
    this.#record('report.findings', { events: events.length, sha256, generatedAt });
    return html;
  }
}
