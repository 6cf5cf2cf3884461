/**
 * The contract between the viewer's data engine (a Web Worker over verified evidence bundles) and the
 * UI components. Components never fetch or parse: they ask a `TViewerDataSource` for views, windows
 * of rows, histograms and facets. The desktop viewer implements it in a Worker; tests implement it
 * in memory. Everything crossing it is plain, structured-clone-able data.
 */

/** Where an event stands after verification. Only `verified` may ever be shown as verified. */
export type TRowStatus =
  /** Not yet checked (verification still running): never styled as verified. */
  | 'pending'
  /** Its leaf hash is proven in a checkpoint signed by a trusted key, and its line is canonical. */
  | 'verified'
  /** Some check failed for this event (see the event's `problems`). */
  | 'failed';

/** One row of the timeline grid: the columns, already extracted. */
export interface TViewerRow {
  /** Engine-wide stable id (unique across every open bundle). */
  readonly rowId: number;
  /** Which open bundle the event comes from. */
  readonly bundleId: string;
  /** The event's leaf index in its organization's log. */
  readonly seq: number;
  readonly controlNumber: string | null;
  /** `occurred_at`, ms since the epoch (UTC). */
  readonly time: number;
  readonly action: string;
  readonly actorType: string;
  readonly actorId: string;
  readonly actorName: string | null;
  /** `type:id` of each target, joined with `; `. */
  readonly targets: string;
  readonly ip: string;
  readonly userAgent: string | null;
  readonly status: TRowStatus;
  /** Reviewer annotations from the case file (never from the bundle). */
  readonly tags: readonly string[];
  readonly starred: boolean;
  readonly hasNote: boolean;
}

/** Fields the query language and facets know. `meta.<key>` addresses root metadata. */
export type TQueryField =
  | 'action'
  | 'actor.id'
  | 'actor.type'
  | 'actor.name'
  | 'target.id'
  | 'target.type'
  | 'ip'
  | 'ua'
  | 'bundle'
  | 'control'
  | 'seq'
  | 'status'
  | 'tag'
  | `meta.${string}`;

/** One clause; a query is the AND of its terms. */
export type TQueryTerm =
  /** Full text: every word must appear (a phrase: the words in this order). */
  | { readonly kind: 'text'; readonly value: string; readonly negate?: boolean }
  /**
   * `field:value`. `eq` exact (case-insensitive for text fields), `prefix` for `value*`
   * (`action:user.*`), `cidr` for `ip:10.0.0.0/8`.
   */
  | { readonly kind: 'field'; readonly field: TQueryField; readonly op: 'eq' | 'prefix' | 'cidr'; readonly value: string; readonly negate?: boolean }
  /** `after:` (inclusive) / `before:` (exclusive), ms UTC. */
  | { readonly kind: 'time'; readonly after?: number; readonly before?: number }
  /** `is:starred`, `is:noted`, `is:tagged`. */
  | { readonly kind: 'flag'; readonly flag: 'starred' | 'noted' | 'tagged'; readonly negate?: boolean };

export interface TQuery {
  readonly terms: readonly TQueryTerm[];
}

export type TSortColumn = 'time' | 'seq' | 'action' | 'actor' | 'ip' | 'control';

export interface TSort {
  readonly column: TSortColumn;
  readonly direction: 'asc' | 'desc';
}

/** A materialized, sorted view: rows are addressed by position `0 … total-1`. */
export interface TViewHandle {
  readonly viewId: string;
  readonly total: number;
}

export interface THistogram {
  readonly from: number;
  readonly to: number;
  readonly bucketMs: number;
  /** Count per bucket `[from + i·bucketMs, from + (i+1)·bucketMs)`. */
  readonly counts: readonly number[];
  /** Of those, rows whose status is `failed` (an integrity overlay). */
  readonly failed: readonly number[];
}

export interface TFacetValue {
  readonly value: string;
  readonly count: number;
}

/** Loading and verification state, pushed to subscribers. */
export interface TSourceState {
  readonly bundles: readonly TBundleState[];
  /** Rows loaded so far, across bundles. */
  readonly rows: number;
}

/** One open bundle. */
export interface TBundleState {
  readonly bundleId: string;
  readonly fileName: string;
  /** SHA-256 of the whole file (hex), once read. */
  readonly sha256: string | null;
  readonly phase: 'reading' | 'verifying' | 'done' | 'unusable';
  readonly progress: { readonly bytes: number; readonly totalBytes: number; readonly events: number; readonly proofs: number };
  /** The verifier's verdict once done: `valid` only if every check passed with a trusted key. */
  readonly verdict: 'pending' | 'valid' | 'invalid' | 'unusable';
  /** The checks, in order (name, valid/INVALID, summary), as the verifier reported them. */
  readonly checks: readonly { readonly name: string; readonly status: 'valid' | 'invalid' | 'skipped' | 'pending'; readonly summary: string }[];
  /** Failures with location, expected vs found. */
  readonly failures: readonly { readonly check: string; readonly code: string; readonly message: string; readonly file?: string; readonly line?: number; readonly seq?: string; readonly expected?: string; readonly found?: string }[];
  /** Keys that signed the seal/checkpoints: trusted or not, with fingerprints. */
  readonly signers: readonly { readonly vkey: string; readonly fingerprint: string; readonly trusted: boolean }[];
  readonly checkpoint: { readonly origin: string; readonly size: string; readonly root: string; readonly note: string } | null;
  readonly counts: { readonly events: number; readonly withheld: number; readonly purged: number };
  readonly matter: { readonly name: string; readonly number: string } | null;
}

/** Everything about one event, for the detail panel. */
export interface TEventDetail {
  readonly row: TViewerRow;
  /** The logged event (parsed from the canonical line). */
  readonly event: Readonly<Record<string, unknown>>;
  /** The exact canonical line (the leaf data). */
  readonly canonical: string;
  /** Base64 SHA-256(0x00 ‖ line). */
  readonly leafHash: string;
  /** How it is proven: the checkpoint (origin, size, root) and the proof's shape. */
  readonly proof: { readonly origin: string; readonly treeSize: string; readonly root: string; readonly mode: 'complete-range' | 'selected'; readonly proofHashes: number } | null;
  /** Why it is not verified, when it is not. */
  readonly problems: readonly string[];
  readonly note: string | null;
}

/** What the UI may ask of the data engine. All methods are async (a Worker answers). */
export interface TViewerDataSource {
  /** Current loading/verification state; `listener` is called on every change. Returns an unsubscribe. */
  subscribe(listener: (state: TSourceState) => void): () => void;
  /** Materializes the rows matching `query` in `sort` order. Superseded views may be released. */
  view(query: TQuery, sort: TSort): Promise<TViewHandle>;
  /** Rows `offset … offset+limit-1` of a view (fewer at the end). */
  rows(viewId: string, offset: number, limit: number): Promise<readonly TViewerRow[]>;
  /** Counts over time of a view's rows, in `buckets` buckets over `[from, to)` (default: the view's extent). */
  histogram(viewId: string, options?: { from?: number; to?: number; buckets?: number }): Promise<THistogram>;
  /** The most frequent values of each field among a view's rows. */
  facets(viewId: string, fields: readonly TQueryField[], top?: number): Promise<Readonly<Record<string, readonly TFacetValue[]>>>;
  /** Full detail of one row. */
  event(rowId: number): Promise<TEventDetail>;
  /** The row's position in a view, or null if the view does not contain it. */
  locate(viewId: string, rowId: number): Promise<number | null>;
  /** Up to `before` rows before and `after` rows after `rowId` in time order, across every open bundle. */
  context(rowId: number, around: { before: number; after: number }): Promise<{ readonly rows: readonly TViewerRow[]; readonly index: number }>;
  /** Sets annotations on rows (the case file); returns the updated rows. */
  annotate(rowIds: readonly number[], change: { addTags?: readonly string[]; removeTags?: readonly string[]; starred?: boolean; note?: string | null }): Promise<readonly TViewerRow[]>;
}
