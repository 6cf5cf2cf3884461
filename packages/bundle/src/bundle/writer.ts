/**
 * The evidence-bundle writer: streams a custody.evidence/v1 bundle (docs/bundle-format.md) into a ZIP in one
 * pass, in bounded memory, from a database cursor.
 *
 * How it stays one-pass: `data/events.ndjson` is the ZIP entry being streamed while events arrive. Everything
 * produced at the same time is compressed into spools (injected temporary stores; in memory by default) and
 * copied into the ZIP by `finish()`: `leaves.txt`, `purges.ndjson`, the proof ranges, and files opened with
 * {@link BundleWriter.openFile} (a CSV or DAT written row by row beside the events). Files added with
 * {@link BundleWriter.addFile} are written during `finish()` in the order added; an async iterable given there is
 * consumed only then, so it can be a second pass over the database instead of a spool. Every file is hashed
 * (SHA-256) as it is written, for the manifests.
 *
 * Memory: a few buffers of 256 KiB, O(log n) subtree hashes for the self-check, one ZIP central record per file,
 * plus whatever the spools keep: with the default memory spool, the compressed size of `leaves.txt` (~40 bytes
 * per leaf), `purges.ndjson` and opened files. Inject a file-backed spool to make that disk.
 *
 * ```ts
 * const writer = createBundleWriter({ sink, bagName: 'ACME-2026-001', origin, mode: 'complete-range',
 *   treeSize: checkpoint.size, range: { from: 1000n, to: 5000n }, exportedAt: new Date(),
 *   controlNumbers: { prefix: 'ACME', width: 6 } });
 * const csv = writer.openFile('data/events.csv');
 * for await (const row of cursor) {                       // ascending seq over [from, to)
 *   if (row.matches) {
 *     const control = await writer.addEvent(row.seq, row.bytes, row.leafHash);
 *     await csv.write(csvRow(control, row));
 *   } else await writer.addWithheld(row.seq, row.leafHash);
 * }
 * await csv.close();
 * const result = await writer.finish({ checkpoints, proofHashes, custody, keys: [vkey], signer: skey });
 * ```
 */
import {
  createHasher, decodeBase64, encodeBase64, encodeHex, openCheckpoint, parseSignerKey, parseVerifierKey, signNote,
  verifyCheckpointConsistent, type OpenedCheckpoint,
} from '@custody/ledger';
import { canonicalize, isCanonicalTimestamp } from '@custody/schema';

import {
  BAGIT_TXT, formatBagInfo, formatBagSize, formatManifest, formatPayloadOxum, type BagInfoField,
} from '../bagit/bagit';
import { BundleError, describeType } from '../errors';
import { portableCrc32, resolveCrypto, webDeflateRaw, type ResolvedCrypto } from '../platform/defaults';
import type { BundleCrypto, ByteSink, ByteTransform, Crc32, IncrementalSha256 } from '../platform/types';
import { ChunkBuffer } from '../stream-utils';
import { utf8 } from '../text';
import { checkEntryName } from '../zip/names';
import { createEntryEncoder, createZipWriter, type EncodedEntry, type EntryEncoder, type ZipEntryWriter, type ZipMethod, type ZipWriter } from '../zip/writer';
import {
  BAG_NAME_PATTERN, BUNDLE_FORMAT, CUSTODY_FORMAT, PATHS, PROOF_FORMAT, checkpointPath, sealText, type BundleMode, type ChainRecord, type ControlNumbers, type CustodyRecord,
  type ExportedBy, type ProofRecord,
} from './format';
import { CONTROL_PREFIX_PATTERN, DEFAULT_CONTROL_WIDTH, MAX_CONTROL_WIDTH, formatControlNumber } from '../production/control-number';
import { memorySpool, type Spool, type SpoolFactory } from './spool';
import { MAX_TREE_SIZE, SubtreeReducer, TreeTiling, coverRange, createNodeHasher } from './tree';

/** Options of {@link createBundleWriter}. */
export interface BundleWriterOptions {
  /** Where the ZIP goes. */
  readonly sink: ByteSink;
  /** The bag's folder name (also in the seal): `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`. */
  readonly bagName: string;
  /** The log's origin (the checkpoints' first line). */
  readonly origin: string;
  readonly mode: BundleMode;
  /** Size of the checkpoint the proofs verify against (the last link of the chain). At most 2^53 - 1. */
  readonly treeSize: bigint;
  /** The seq range `[from, to)`: required in `complete-range` mode, absent in `selected` mode. */
  readonly range?: { readonly from: bigint; readonly to: bigint };
  /** Control numbers of the shown events (`CONTROL_PREFIX_PATTERN`). `first` defaults to 1, `width` to 6. */
  readonly controlNumbers: { readonly prefix: string; readonly first?: number; readonly width?: number };
  /** The export time: custody record, `Bagging-Date`, and every ZIP timestamp (so output is reproducible). */
  readonly exportedAt: Date;
  readonly crypto?: BundleCrypto;
  /** Compression of every entry. Defaults: `deflate` with `CompressionStream('deflate-raw')`. */
  readonly compression?: { readonly method?: ZipMethod; readonly deflateRaw?: ByteTransform };
  /** CRC-32 for the ZIP. Default: portable; Node callers may pass `zlib.crc32`. */
  readonly crc32?: Crc32;
  /** Temporary stores for entries produced beside `events.ndjson`. Default: {@link memorySpool}. */
  readonly spool?: SpoolFactory;
  /** ZIP64 records everywhere (tests). Default is `false`; ZIP64 is used automatically when needed. */
  readonly forceZip64?: boolean;
  /**
   * Before sealing, reduce the leaves and proof hashes to a root and compare it with the last checkpoint's
   * (complete-range mode; O(log n) memory). Default is `true`.
   */
  readonly verifyProof?: boolean;
}

/** Details of a purged leaf, written to `data/purges.ndjson` with `seq` and `leaf_hash` added. */
export type PurgeDetails = Readonly<Record<string, unknown>>;

/** The caller's part of the chain-of-custody record (the writer adds mode, range, counts, control numbers). */
export interface CustodyInput {
  readonly exportId: string;
  readonly exportedBy: ExportedBy;
  readonly reason: string;
  readonly matter: { readonly name: string; readonly number: string };
  readonly custodian: string;
  /** `Source-Organization` in `bag-info.txt`. */
  readonly sourceOrganization: string;
  /** Default: the last `/`-separated segment of the origin. */
  readonly organizationId?: string;
  /** The exact export filter (any JSON value). */
  readonly filter: unknown;
  readonly toolVersion: string;
  /** Custody entries of the bundle this one was re-exported from, oldest first. */
  readonly previous?: readonly Readonly<Record<string, unknown>>[];
}

/** A checkpoint of the chain, oldest first; `consistencyProof` proves the previous link's tree is a prefix. */
export interface CheckpointInput {
  readonly note: string;
  /** Omit for the first link (and for equal sizes). */
  readonly consistencyProof?: readonly Uint8Array[];
}

/** Input of {@link BundleWriter.finish}. */
export interface BundleFinishInput {
  /** Signed checkpoints, oldest first; the last one has size `treeSize`. */
  readonly checkpoints: readonly CheckpointInput[];
  /**
   * The multi-leaf proof of every leaf added, against the last checkpoint, in the ledger's order (from
   * `planMultiLeaf`/`planRange` + `resolvePlanAsync`, or `proveMultiLeafAsync`/`proveRangeAsync`).
   */
  readonly proofHashes: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  readonly custody: CustodyInput;
  /** Verifier keys to include in `data/keys.txt` as hints (the signer's vkey is added if missing). */
  readonly keys: readonly string[];
  /** The key(s) that sign the seal (C2SP skey text). */
  readonly signer: string | readonly string[];
}

/** One file of the bundle with its manifest hash. */
export interface BundleFileInfo {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** The result of {@link BundleWriter.finish}. */
export interface BundleWriteResult {
  readonly bagName: string;
  /** Size of the ZIP. */
  readonly bytesWritten: number;
  /** Lowercase hex SHA-256 of the whole ZIP (for the custody form and the cover letter). */
  readonly sha256: string;
  readonly counts: { readonly events: number; readonly withheld: number; readonly purged: number; readonly leaves: number };
  readonly controlNumbers: ControlNumbers | null;
  /** Every file in the bag (payload and tag files, `seal.txt` last). */
  readonly files: readonly BundleFileInfo[];
  readonly tagManifestSha256: string;
  readonly seal: string;
  readonly zip64: boolean;
}

/** A streamed side file opened with {@link BundleWriter.openFile}. */
export interface BundleFileWriter {
  /** Appends bytes or UTF-8 text. */
  write(chunk: Uint8Array | string): Promise<void>;
  /** Ends the file; it is copied into the ZIP by `finish()`. */
  close(): Promise<void>;
}

const RESERVED = new Set<string>([
  PATHS.events, PATHS.leaves, PATHS.proof, PATHS.proofHashes, PATHS.chain, PATHS.purges, PATHS.custody, PATHS.keys,
]);
const BUFFER_SIZE = 1 << 18;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NEWLINE = 0x0a;

/** Hash and size of a file as it is written. */
class FileStats {
  readonly hash: IncrementalSha256;
  size = 0;
  constructor(crypto: ResolvedCrypto) {
    this.hash = crypto.createSha256();
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }
}

/** An entry compressed into a spool while other entries stream. */
class SpooledEntry {
  readonly path: string;
  readonly spool: Spool;
  readonly encoder: EntryEncoder;
  readonly stats: FileStats;
  encoded: EncodedEntry | undefined;

  constructor(path: string, spool: Spool, stats: FileStats, options: { method: ZipMethod; deflateRaw: ByteTransform; crc32: Crc32 }) {
    this.path = path;
    this.spool = spool;
    this.stats = stats;
    this.encoder = createEntryEncoder((chunk) => spool.write(chunk), options);
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.stats.update(chunk);
    await this.encoder.write(chunk);
  }

  async close(): Promise<void> {
    this.encoded ??= await this.encoder.close();
  }
}

type DeferredFile =
  | { readonly kind: 'spooled'; readonly entry: SpooledEntry }
  | { readonly kind: 'content'; readonly path: string; readonly content: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> };

function requireBigint(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint') throw new BundleError('INVALID_ARGUMENT', `${what} must be a bigint, got ${describeType(value)}`);
  return value;
}

function requireText(value: unknown, what: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw new BundleError('INVALID_ARGUMENT', `${what} must be a${allowEmpty ? '' : ' non-empty'} string`);
  }
  return value;
}

function requireHash(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32) throw new BundleError('INVALID_ARGUMENT', `${what} must be 32 bytes`);
  return value;
}

/**
 * Writes one bundle; see the module header. Leaves must be added in strictly increasing seq order (all seqs of
 * the range in complete-range mode). Not reusable; call {@link BundleWriter.abort} to release spools after an
 * error.
 */
export class BundleWriter {
  readonly #options: BundleWriterOptions;
  readonly #crypto: ResolvedCrypto;
  readonly #spoolFactory: SpoolFactory;
  readonly #method: ZipMethod;
  readonly #deflateRaw: ByteTransform;
  readonly #crc32: Crc32;
  readonly #zip: ZipWriter;
  readonly #zipHash: IncrementalSha256;
  readonly #root: string;
  readonly #treeSize: number;
  readonly #from: number;
  readonly #to: number;
  readonly #prefix: string;
  readonly #firstControl: number;
  readonly #width: number;
  readonly #eventsEntry: ZipEntryWriter;
  readonly #eventsStats: FileStats;
  readonly #events: ChunkBuffer;
  readonly #leaves: SpooledEntry;
  readonly #leafLines: ChunkBuffer;
  readonly #purges: SpooledEntry;
  readonly #purgeLines: ChunkBuffer;
  readonly #ranges: Spool;
  readonly #rangeLines: ChunkBuffer;
  readonly #reducer: SubtreeReducer | undefined;
  readonly #deferred: DeferredFile[] = [];
  readonly #openFiles = new Set<string>();
  readonly #paths = new Set<string>(RESERVED);
  readonly #spools: Spool[] = [];
  #next = 0;
  #eventCount = 0;
  #withheldCount = 0;
  #purgedCount = 0;
  #state: 'open' | 'finishing' | 'done' | 'failed' = 'open';

  constructor(options: BundleWriterOptions) {
    if (options === null || typeof options !== 'object') throw new BundleError('INVALID_ARGUMENT', 'options must be an object');
    this.#options = options;
    if (typeof options.bagName !== 'string' || !BAG_NAME_PATTERN.test(options.bagName)) {
      throw new BundleError('INVALID_ARGUMENT', `bag name must match ${BAG_NAME_PATTERN.source}`);
    }
    requireText(options.origin, 'origin');
    if (options.mode !== 'complete-range' && options.mode !== 'selected') throw new BundleError('INVALID_ARGUMENT', 'mode must be complete-range or selected');
    const treeSize = requireBigint(options.treeSize, 'treeSize');
    if (treeSize < 1n || treeSize > BigInt(MAX_TREE_SIZE)) throw new BundleError('INVALID_ARGUMENT', 'treeSize must be between 1 and 2^53 - 1');
    this.#treeSize = Number(treeSize);
    if (options.mode === 'complete-range') {
      const from = requireBigint(options.range?.from, 'range.from');
      const to = requireBigint(options.range?.to, 'range.to');
      if (!(from >= 0n && from < to && to <= treeSize)) throw new BundleError('INVALID_ARGUMENT', 'range must satisfy 0 <= from < to <= treeSize');
      this.#from = Number(from);
      this.#to = Number(to);
    } else {
      if (options.range !== undefined) throw new BundleError('INVALID_ARGUMENT', 'selected mode has no range');
      this.#from = 0;
      this.#to = this.#treeSize;
    }
    if (!(options.exportedAt instanceof Date) || Number.isNaN(options.exportedAt.getTime())) {
      throw new BundleError('INVALID_ARGUMENT', 'exportedAt must be a valid Date');
    }
    const control = options.controlNumbers;
    if (control === null || typeof control !== 'object' || typeof control.prefix !== 'string' || !CONTROL_PREFIX_PATTERN.test(control.prefix)) {
      throw new BundleError('INVALID_ARGUMENT', `control number prefix must match ${CONTROL_PREFIX_PATTERN.source}`);
    }
    this.#prefix = control.prefix;
    this.#firstControl = control.first ?? 1;
    this.#width = control.width ?? DEFAULT_CONTROL_WIDTH;
    if (!Number.isSafeInteger(this.#firstControl) || this.#firstControl < 0 || !Number.isInteger(this.#width) || this.#width < 1 || this.#width > MAX_CONTROL_WIDTH) {
      throw new BundleError('INVALID_ARGUMENT', `control numbers need a non-negative integer first and a width of 1 to ${MAX_CONTROL_WIDTH}`);
    }
    this.#crypto = resolveCrypto(options.crypto);
    this.#spoolFactory = options.spool ?? memorySpool;
    this.#method = options.compression?.method ?? 'deflate';
    this.#deflateRaw = options.compression?.deflateRaw ?? webDeflateRaw;
    this.#crc32 = options.crc32 ?? portableCrc32;
    this.#zipHash = this.#crypto.createSha256();
    const sink = options.sink;
    if (sink === null || typeof sink !== 'object' || typeof sink.write !== 'function') throw new BundleError('INVALID_ARGUMENT', 'sink must have a write(chunk) method');
    const zipHash = this.#zipHash;
    this.#zip = createZipWriter(
      { write: (chunk) => { zipHash.update(chunk); return sink.write(chunk); } },
      { deflateRaw: this.#deflateRaw, crc32: this.#crc32, forceZip64: options.forceZip64 === true, modifiedAt: options.exportedAt },
    );
    this.#root = `${options.bagName}/`;
    this.#eventsStats = new FileStats(this.#crypto);
    this.#eventsEntry = this.#zip.openEntry(this.#root + PATHS.events, { method: this.#method });
    this.#events = new ChunkBuffer(BUFFER_SIZE, (chunk) => {
      this.#eventsStats.update(chunk);
      return this.#eventsEntry.write(chunk);
    });
    this.#leaves = this.#spooled(PATHS.leaves);
    this.#leafLines = new ChunkBuffer(BUFFER_SIZE, (chunk) => this.#leaves.write(chunk));
    this.#purges = this.#spooled(PATHS.purges);
    this.#purgeLines = new ChunkBuffer(1 << 16, (chunk) => this.#purges.write(chunk));
    this.#ranges = this.#spoolFactory('proof-ranges');
    this.#spools.push(this.#ranges);
    // Spools keep what they are given: hand them copies.
    this.#rangeLines = new ChunkBuffer(1 << 16, async (chunk) => {
      await this.#ranges.write(chunk.slice());
    });
    this.#reducer = options.mode === 'complete-range' && options.verifyProof !== false
      ? new SubtreeReducer(this.#crypto.sha256Into)
      : undefined;
  }

  #spooled(path: string): SpooledEntry {
    const spool = this.#spoolFactory(path.slice(path.lastIndexOf('/') + 1));
    this.#spools.push(spool);
    return new SpooledEntry(path, spool, new FileStats(this.#crypto), { method: this.#method, deflateRaw: this.#deflateRaw, crc32: this.#crc32 });
  }

  /** Shown events so far. */
  get eventCount(): number {
    return this.#eventCount;
  }

  /** The control number the next shown event gets. */
  get nextControlNumber(): string {
    return formatControlNumber(this.#prefix, this.#firstControl + this.#eventCount, this.#width);
  }

  #requireOpen(): void {
    if (this.#state !== 'open') throw new BundleError('INVALID_ARGUMENT', `bundle writer is ${this.#state}`);
  }

  /** Validates the next seq and records the proof ranges of the gap before it. */
  async #advance(seq: bigint): Promise<number> {
    this.#requireOpen();
    requireBigint(seq, 'seq');
    if (seq < BigInt(this.#next) || seq >= BigInt(this.#treeSize)) {
      throw new BundleError('INVALID_ARGUMENT', seq >= BigInt(this.#treeSize)
        ? `seq ${seq} is outside the tree of size ${this.#treeSize}`
        : `seq ${seq} is not after the previous leaf (${this.#next - 1}): leaves must be strictly increasing`);
    }
    const n = Number(seq);
    if (this.#options.mode === 'complete-range') {
      if (n < this.#from || n >= this.#to) throw new BundleError('INVALID_ARGUMENT', `seq ${n} is outside the range [${this.#from}, ${this.#to})`);
      const expected = this.#next === 0 ? this.#from : this.#next;
      if (n !== expected) throw new BundleError('INVALID_ARGUMENT', `complete-range export is missing seq ${expected}: every leaf of the range must be added`);
    }
    let ranges = '';
    coverRange(this.#next, n, this.#treeSize, (lo, hi) => {
      ranges += `${lo} ${hi}\n`;
    });
    this.#next = n + 1;
    if (ranges !== '') await this.#rangeLines.addText(ranges);
    return n;
  }

  async #addLeaf(seq: number, kind: 'event' | 'withheld' | 'purged', leafHash: Uint8Array): Promise<void> {
    this.#reducer?.push(seq, leafHash, 0);
    await this.#leafLines.addText(`${seq} ${kind} ${encodeBase64(leafHash)}\n`);
  }

  /**
   * Adds a shown event: `bytes` are its exact canonical leaf bytes (no newline). `leafHash` (SHA-256(0x00 ||
   * bytes)) is computed when omitted. Returns the event's control number.
   */
  async addEvent(seq: bigint, bytes: Uint8Array, leafHash?: Uint8Array): Promise<string> {
    const n = await this.#advance(seq);
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw this.#fail(new BundleError('INVALID_ARGUMENT', `event ${n} must be non-empty bytes`));
    if (bytes.indexOf(NEWLINE) >= 0) throw this.#fail(new BundleError('INVALID_ARGUMENT', `event ${n} contains a newline byte: not canonical JSON`));
    const hash = leafHash === undefined ? this.#crypto.sha256(LEAF_PREFIX, bytes) : requireHash(leafHash, `leaf hash of ${n}`);
    const number = this.#firstControl + this.#eventCount;
    if (String(number).length > this.#width) throw this.#fail(new BundleError('INVALID_ARGUMENT', `control number ${number} needs more than ${this.#width} digits`));
    const control = formatControlNumber(this.#prefix, number, this.#width);
    this.#eventCount += 1;
    try {
      await this.#events.add(bytes, true);
      await this.#addLeaf(n, 'event', hash);
    } catch (error) {
      throw this.#fail(error);
    }
    return control;
  }

  /** Adds a withheld leaf (complete-range mode: a leaf of the range that does not match the filter). */
  async addWithheld(seq: bigint, leafHash: Uint8Array): Promise<void> {
    const n = await this.#advance(seq);
    if (this.#options.mode !== 'complete-range') throw this.#fail(new BundleError('INVALID_ARGUMENT', 'withheld leaves exist only in complete-range mode'));
    this.#withheldCount += 1;
    try {
      await this.#addLeaf(n, 'withheld', requireHash(leafHash, `leaf hash of ${n}`));
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Adds a purged leaf (its body was removed by retention); `record` goes to `data/purges.ndjson`. */
  async addPurged(seq: bigint, leafHash: Uint8Array, record: PurgeDetails): Promise<void> {
    const n = await this.#advance(seq);
    const hash = requireHash(leafHash, `leaf hash of ${n}`);
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw this.#fail(new BundleError('INVALID_ARGUMENT', 'purge record must be an object'));
    if ('seq' in record || 'leaf_hash' in record) throw this.#fail(new BundleError('INVALID_ARGUMENT', 'purge record must not set seq or leaf_hash'));
    let line: string;
    try {
      line = canonicalize({ ...record, seq: n, leaf_hash: encodeBase64(hash) });
    } catch (error) {
      throw this.#fail(new BundleError('INVALID_ARGUMENT', 'purge record is not JSON', { cause: error }));
    }
    this.#purgedCount += 1;
    try {
      await this.#purgeLines.addText(`${line}\n`);
      await this.#addLeaf(n, 'purged', hash);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  #claimPath(path: string): void {
    this.#requireOpen();
    if (typeof path !== 'string' || !path.startsWith('data/')) throw new BundleError('INVALID_ARGUMENT', 'bundle files go under data/');
    checkEntryName(path, 512);
    if (path.endsWith('/')) throw new BundleError('INVALID_ARGUMENT', 'file path must not end with /');
    if (path.startsWith(PATHS.checkpointsDir)) throw new BundleError('INVALID_ARGUMENT', 'data/checkpoints/ is written by the writer');
    const key = path.normalize('NFC').toLowerCase();
    if (this.#paths.has(path) || this.#paths.has(key)) throw new BundleError('INVALID_ARGUMENT', `${path} is reserved or already added`);
    this.#paths.add(path);
    this.#paths.add(key);
  }

  /**
   * Opens a side file written while events stream (e.g. `data/events.csv`); it is compressed into a spool and
   * copied into the ZIP by `finish()`. Close it before `finish()`.
   */
  openFile(path: string): BundleFileWriter {
    this.#claimPath(path);
    const entry = this.#spooled(path);
    this.#deferred.push({ kind: 'spooled', entry });
    this.#openFiles.add(path);
    const buffer = new ChunkBuffer(BUFFER_SIZE, (chunk) => entry.write(chunk));
    let closed = false;
    return {
      write: async (chunk) => {
        if (closed) throw new BundleError('INVALID_ARGUMENT', `${path} is closed`);
        if (typeof chunk === 'string') await buffer.addText(chunk);
        else if (chunk instanceof Uint8Array) await buffer.add(chunk);
        else throw new BundleError('INVALID_ARGUMENT', 'write takes bytes or a string');
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await buffer.end();
        await entry.close();
        this.#openFiles.delete(path);
      },
    };
  }

  /**
   * Adds a file written during `finish()`, in the order added. An (async) iterable is consumed only then, so it
   * may be a second pass over the database.
   */
  addFile(path: string, content: Uint8Array | string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): void {
    this.#claimPath(path);
    const value = typeof content === 'string' ? utf8(content) : content;
    if (!(value instanceof Uint8Array) && (value === null || typeof value !== 'object' ||
      (typeof (value as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function' && typeof (value as Iterable<Uint8Array>)[Symbol.iterator] !== 'function'))) {
      throw new BundleError('INVALID_ARGUMENT', 'file content must be bytes, a string or an (async) iterable of bytes');
    }
    this.#deferred.push({ kind: 'content', path, content: value });
  }

  #fail(error: unknown): unknown {
    if (this.#state === 'open' || this.#state === 'finishing') this.#state = 'failed';
    return error;
  }

  /** Releases the spools (after an error, or to give up). The sink is left as it is. */
  async abort(): Promise<void> {
    if (this.#state !== 'done') this.#state = 'failed';
    for (const spool of this.#spools.splice(0)) await spool.dispose?.();
  }

  /** Writes everything else, signs the seal and ends the ZIP. */
  async finish(input: BundleFinishInput): Promise<BundleWriteResult> {
    this.#requireOpen();
    if (this.#openFiles.size > 0) throw new BundleError('INVALID_ARGUMENT', `close ${[...this.#openFiles].join(', ')} before finish()`);
    this.#state = 'finishing';
    try {
      const result = await this.#finish(input);
      this.#state = 'done';
      return result;
    } catch (error) {
      throw this.#fail(error);
    } finally {
      for (const spool of this.#spools.splice(0)) await spool.dispose?.();
    }
  }

  async #finish(input: BundleFinishInput): Promise<BundleWriteResult> {
    const o = this.#options;
    if (input === null || typeof input !== 'object') throw new BundleError('INVALID_ARGUMENT', 'finish input must be an object');
    const leafCount = this.#eventCount + this.#withheldCount + this.#purgedCount;
    if (leafCount === 0) throw new BundleError('INVALID_ARGUMENT', 'a bundle needs at least one leaf');
    if (o.mode === 'complete-range' && this.#next !== this.#to) {
      throw new BundleError('INVALID_ARGUMENT', `complete-range export ends at seq ${this.#next - 1}, the range ends at ${this.#to - 1}`);
    }
    const signers = typeof input.signer === 'string' ? [input.signer] : input.signer;
    if (!Array.isArray(signers) || signers.length === 0) throw new BundleError('INVALID_ARGUMENT', 'signer must be an skey or a list of skeys');
    const signerVkeys = signers.map((skey: string) => parseSignerKey(skey, this.#crypto).vkey);
    if (!Array.isArray(input.keys)) throw new BundleError('INVALID_ARGUMENT', 'keys must be a list of vkeys');
    const keys = [...new Set([...input.keys.map((k: string) => parseVerifierKey(k, this.#crypto).vkey), ...signerVkeys])];
    const checkpoints = this.#checkCheckpoints(input.checkpoints, keys);
    const custody = this.#custodyRecord(input.custody);
    const files: BundleFileInfo[] = [];
    const add = (path: string, stats: FileStats): void => {
      files.push({ path, size: stats.size, sha256: encodeHex(stats.hash.digest()) });
    };

    // 1. events.ndjson (streamed since the start).
    await this.#events.end();
    await this.#eventsEntry.close();
    add(PATHS.events, this.#eventsStats);
    // 2. spooled entries.
    await this.#leafLines.end();
    await this.#purgeLines.end();
    await this.#rangeLines.end();
    for (const entry of [this.#leaves, this.#purges]) {
      await this.#copySpooled(entry);
      add(entry.path, entry.stats);
    }
    // 3. side files, in the order added.
    for (const file of this.#deferred) {
      if (file.kind === 'spooled') {
        await this.#copySpooled(file.entry);
        add(file.entry.path, file.entry.stats);
      } else {
        add(file.path, await this.#writeFile(file.path, file.content));
      }
    }
    // 4. proof hashes with their ranges, then proof.json.
    const { count: proofCount, stats: proofStats, tiling } = await this.#writeProofHashes(input.proofHashes);
    add(PATHS.proofHashes, proofStats);
    const lastCheckpoint = checkpoints[checkpoints.length - 1] as OpenedCheckpoint;
    if (tiling !== undefined) {
      const root = tiling.finish();
      if (root === undefined || encodeHex(root) !== encodeHex(lastCheckpoint.root)) {
        throw new BundleError('INVALID_ARGUMENT', 'leaves and proof hashes do not reduce to the root of the last checkpoint');
      }
    }
    const proof: ProofRecord = {
      format: PROOF_FORMAT, origin: o.origin, mode: o.mode, tree_size: String(this.#treeSize),
      range: o.mode === 'complete-range' ? { from: String(this.#from), to: String(this.#to) } : null,
      leaf_count: leafCount, proof_hash_count: proofCount,
    };
    add(PATHS.proof, await this.#writeFile(PATHS.proof, utf8(`${JSON.stringify(proof, null, 2)}\n`)));
    // 5. checkpoints and chain.
    const chain: ChainRecord = {
      links: input.checkpoints.map((link, i) => ({
        size: String((checkpoints[i] as OpenedCheckpoint).size),
        file: checkpointPath((checkpoints[i] as OpenedCheckpoint).size).slice('data/'.length),
        consistency_proof: i === 0 ? [] : (link.consistencyProof ?? []).map((h) => encodeBase64(h)),
      })),
    };
    for (let i = 0; i < checkpoints.length; i++) {
      const path = checkpointPath((checkpoints[i] as OpenedCheckpoint).size);
      if (files.some((f) => f.path === path)) continue;
      add(path, await this.#writeFile(path, utf8((input.checkpoints[i] as CheckpointInput).note)));
    }
    add(PATHS.chain, await this.#writeFile(PATHS.chain, utf8(`${JSON.stringify(chain, null, 2)}\n`)));
    // 6. custody record and key hints.
    add(PATHS.custody, await this.#writeFile(PATHS.custody, utf8(`${JSON.stringify(custody, null, 2)}\n`)));
    add(PATHS.keys, await this.#writeFile(PATHS.keys, utf8(keys.map((k) => `${k}\n`).join(''))));

    // 7. tag files: manifest, bagit.txt, bag-info.txt, tag manifest, seal.
    const payload = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const octets = payload.reduce((sum, f) => sum + f.size, 0);
    const manifest = utf8(formatManifest(payload.map((f) => ({ path: f.path, sha256: f.sha256 }))));
    const tagFiles: BundleFileInfo[] = [];
    tagFiles.push(await this.#writeTag(PATHS.manifest, manifest));
    tagFiles.push(await this.#writeTag(PATHS.bagit, utf8(BAGIT_TXT)));
    const bagInfo = utf8(formatBagInfo(this.#bagInfo(custody, octets, payload.length)));
    tagFiles.push(await this.#writeTag(PATHS.bagInfo, bagInfo));
    const tagOrder = [PATHS.bagit, PATHS.bagInfo, PATHS.manifest];
    const tagManifest = utf8(formatManifest(tagOrder.map((path) => ({ path, sha256: (tagFiles.find((f) => f.path === path) as BundleFileInfo).sha256 }))));
    const tagManifestInfo = await this.#writeTag(PATHS.tagManifest, tagManifest);
    tagFiles.push(tagManifestInfo);
    const seal = signNote(sealText(o.bagName, tagManifestInfo.sha256), signers, this.#crypto);
    tagFiles.push(await this.#writeTag(PATHS.seal, utf8(seal)));
    const finished = await this.#zip.finish();
    const controlNumbers = custody.control_numbers;
    return {
      bagName: o.bagName,
      bytesWritten: finished.bytesWritten,
      sha256: encodeHex(this.#zipHash.digest()),
      counts: { events: this.#eventCount, withheld: this.#withheldCount, purged: this.#purgedCount, leaves: leafCount },
      controlNumbers,
      files: [...payload, ...tagFiles],
      tagManifestSha256: tagManifestInfo.sha256,
      seal,
      zip64: finished.zip64,
    };
  }

  #checkCheckpoints(links: readonly CheckpointInput[], keys: readonly string[]): OpenedCheckpoint[] {
    if (!Array.isArray(links) || links.length === 0) throw new BundleError('INVALID_ARGUMENT', 'at least one checkpoint is required');
    const opened: OpenedCheckpoint[] = [];
    links.forEach((link: CheckpointInput, i) => {
      let checkpoint: OpenedCheckpoint;
      try {
        checkpoint = openCheckpoint(link.note, keys, { ...this.#crypto, origin: this.#options.origin });
      } catch (error) {
        throw new BundleError('INVALID_ARGUMENT', `checkpoint ${i} does not open with the given keys and origin`, { cause: error });
      }
      const previous = opened[i - 1];
      if (previous !== undefined) {
        if (checkpoint.size <= previous.size) throw new BundleError('INVALID_ARGUMENT', 'checkpoints must be given oldest first with growing sizes');
        try {
          verifyCheckpointConsistent(previous, checkpoint, link.consistencyProof, { hasher: createHasher(this.#crypto.sha256) });
        } catch (error) {
          throw new BundleError('INVALID_ARGUMENT', `consistency proof of checkpoint ${i} does not verify`, { cause: error });
        }
      }
      opened.push(checkpoint);
    });
    const last = opened[opened.length - 1] as OpenedCheckpoint;
    if (last.size !== BigInt(this.#treeSize)) throw new BundleError('INVALID_ARGUMENT', `the last checkpoint has size ${last.size}, not treeSize ${this.#treeSize}`);
    return opened;
  }

  #custodyRecord(input: CustodyInput): CustodyRecord {
    const o = this.#options;
    if (input === null || typeof input !== 'object') throw new BundleError('INVALID_ARGUMENT', 'custody must be an object');
    const by = input.exportedBy;
    if (by === null || typeof by !== 'object' || !['api_key', 'cli', 'user'].includes(by.type)) {
      throw new BundleError('INVALID_ARGUMENT', 'custody.exportedBy.type must be api_key, cli or user');
    }
    const exportedAt = o.exportedAt.toISOString();
    if (!isCanonicalTimestamp(exportedAt)) throw new BundleError('INVALID_ARGUMENT', 'exportedAt is out of range');
    const organizationId = input.organizationId ?? o.origin.slice(o.origin.lastIndexOf('/') + 1);
    const record: CustodyRecord = {
      format: CUSTODY_FORMAT,
      export_id: requireText(input.exportId, 'custody.exportId'),
      exported_at: exportedAt,
      exported_by: { type: by.type, id: requireText(by.id, 'custody.exportedBy.id'), name: requireText(by.name, 'custody.exportedBy.name', true) },
      reason: requireText(input.reason, 'custody.reason', true),
      matter: { name: requireText(input.matter?.name, 'custody.matter.name', true), number: requireText(input.matter?.number, 'custody.matter.number', true) },
      custodian: requireText(input.custodian, 'custody.custodian', true),
      source_organization: requireText(input.sourceOrganization, 'custody.sourceOrganization'),
      organization_id: requireText(organizationId, 'custody.organizationId'),
      origin: o.origin,
      filter: input.filter ?? null,
      mode: o.mode,
      range: o.mode === 'complete-range' ? { from: String(this.#from), to: String(this.#to) } : null,
      tree_size: String(this.#treeSize),
      counts: {
        shown: this.#eventCount, withheld: this.#withheldCount, purged: this.#purgedCount,
        total: this.#eventCount + this.#withheldCount + this.#purgedCount,
      },
      control_numbers: this.#eventCount === 0 ? null : {
        prefix: this.#prefix, first: this.#firstControl, last: this.#firstControl + this.#eventCount - 1, width: this.#width,
      },
      tool_version: requireText(input.toolVersion, 'custody.toolVersion'),
      previous: input.previous ?? [],
    };
    try {
      canonicalize(record);
    } catch (error) {
      throw new BundleError('INVALID_ARGUMENT', 'custody record (filter, previous) must be plain JSON', { cause: error });
    }
    return record;
  }

  #bagInfo(custody: CustodyRecord, octets: number, streams: number): BagInfoField[] {
    const o = this.#options;
    const control = custody.control_numbers;
    const fields: BagInfoField[] = [
      { label: 'Source-Organization', value: custody.source_organization },
      { label: 'Bagging-Date', value: custody.exported_at.slice(0, 10) },
      { label: 'Payload-Oxum', value: formatPayloadOxum(octets, streams) },
      { label: 'Bag-Size', value: formatBagSize(octets) },
    ];
    if (custody.matter.number !== '') fields.push({ label: 'External-Identifier', value: custody.matter.number });
    if (custody.matter.name !== '') fields.push({ label: 'External-Description', value: custody.matter.name });
    fields.push(
      { label: 'Custody-Format', value: BUNDLE_FORMAT },
      { label: 'Custody-Origin', value: o.origin },
      { label: 'Custody-Mode', value: o.mode },
      { label: 'Custody-Range', value: o.mode === 'complete-range' ? `${this.#from}-${this.#to - 1}` : 'none' },
      { label: 'Custody-Checkpoint-Size', value: String(this.#treeSize) },
      { label: 'Custody-Events-Shown', value: String(custody.counts.shown) },
      { label: 'Custody-Events-Withheld', value: String(custody.counts.withheld) },
      { label: 'Custody-Events-Purged', value: String(custody.counts.purged) },
      { label: 'Custody-Export-Id', value: custody.export_id },
      {
        label: 'Custody-Control-Numbers',
        value: control === null ? 'none' : `${formatControlNumber(control.prefix, control.first, control.width)}-${formatControlNumber(control.prefix, control.last, control.width)}`,
      },
    );
    return fields;
  }

  async #copySpooled(entry: SpooledEntry): Promise<void> {
    await entry.close();
    const encoded = entry.encoded as EncodedEntry;
    await this.#zip.addPrepared(this.#root + entry.path, { ...encoded, data: entry.spool.read() });
  }

  async #writeFile(path: string, content: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<FileStats> {
    const stats = new FileStats(this.#crypto);
    if (content instanceof Uint8Array) {
      stats.update(content);
      await this.#zip.addEntry(this.#root + path, content, { method: this.#method });
      return stats;
    }
    const entry = this.#zip.openEntry(this.#root + path, { method: this.#method });
    const buffer = new ChunkBuffer(BUFFER_SIZE, (chunk) => {
      stats.update(chunk);
      return entry.write(chunk);
    });
    for await (const chunk of content) {
      if (!(chunk instanceof Uint8Array)) throw new BundleError('INVALID_ARGUMENT', `${path}: content must yield Uint8Array chunks`);
      await buffer.add(chunk);
    }
    await buffer.end();
    await entry.close();
    return stats;
  }

  async #writeTag(path: string, bytes: Uint8Array): Promise<BundleFileInfo> {
    await this.#zip.addEntry(this.#root + path, bytes, { method: this.#method });
    const hash = this.#crypto.createSha256();
    hash.update(bytes);
    return { path, size: bytes.length, sha256: encodeHex(hash.digest()) };
  }

  /** Writes `proof-hashes.txt`: `<base64> <lo> <hi>` per hash, ranges from the spool; feeds the self-check. */
  async #writeProofHashes(hashes: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<{ count: number; stats: FileStats; tiling: TreeTiling | undefined }> {
    const stats = new FileStats(this.#crypto);
    const entry = this.#zip.openEntry(this.#root + PATHS.proofHashes, { method: this.#method });
    const lines = new ChunkBuffer(1 << 16, (chunk) => {
      stats.update(chunk);
      return entry.write(chunk);
    });
    // The ranges of the trailing gap are not in the spool yet.
    const trailing: { lo: number; hi: number }[] = [];
    coverRange(this.#next, this.#treeSize, this.#treeSize, (lo, hi) => trailing.push({ lo, hi }));
    const ranges = this.#rangeIterator(trailing);
    const nodes = this.#reducer?.finish();
    const tiling = nodes === undefined ? undefined : new TreeTiling(this.#treeSize, createNodeHasher(this.#crypto.sha256));
    let leafNode = 0;
    const pushLeavesBefore = (lo: number): void => {
      if (nodes === undefined || tiling === undefined) return;
      while (leafNode < nodes.lo.length && (nodes.lo[leafNode] as number) < lo) {
        tiling.push(nodes.lo[leafNode] as number, nodes.hi[leafNode] as number, nodes.hashes.subarray(32 * leafNode, 32 * leafNode + 32), true);
        leafNode += 1;
      }
    };
    let count = 0;
    for await (const hash of hashes) {
      requireHash(hash, `proof hash ${count}`);
      const range = await ranges.next();
      if (range.done === true) throw new BundleError('INVALID_ARGUMENT', `proof has more than the ${count} hashes the leaves need`);
      pushLeavesBefore(range.value.lo);
      tiling?.push(range.value.lo, range.value.hi, hash, false);
      await lines.addText(`${encodeBase64(hash)} ${range.value.lo} ${range.value.hi}\n`);
      count += 1;
    }
    if ((await ranges.next()).done !== true) throw new BundleError('INVALID_ARGUMENT', `proof has ${count} hashes, the leaves need more`);
    pushLeavesBefore(Number.POSITIVE_INFINITY);
    await lines.end();
    await entry.close();
    return { count, stats, tiling };
  }

  async *#rangeIterator(trailing: readonly { lo: number; hi: number }[]): AsyncGenerator<{ lo: number; hi: number }> {
    const decoder = new TextDecoder();
    let carry = '';
    for await (const chunk of this.#ranges.read()) {
      const text = carry + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        const [lo, hi] = line.split(' ');
        yield { lo: Number(lo), hi: Number(hi) };
      }
    }
    yield* trailing;
  }
}

/** Creates a {@link BundleWriter}; see the module header for the flow and memory bounds. */
export function createBundleWriter(options: BundleWriterOptions): BundleWriter {
  return new BundleWriter(options);
}

/** Decodes a base64 leaf hash (for callers holding hashes as text). Throws `INVALID_ARGUMENT`. */
export function leafHashFromBase64(text: string): Uint8Array {
  try {
    return requireHash(decodeBase64(text), 'leaf hash');
  } catch (error) {
    throw new BundleError('INVALID_ARGUMENT', 'leaf hash must be base64 of 32 bytes', { cause: error });
  }
}
