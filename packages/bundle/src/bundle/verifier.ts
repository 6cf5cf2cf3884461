/**
 * The bundle verifier: opens a custody.evidence/v1 bundle from a random-access source and reports eight checks
 * in a fixed order, continuing after failures so a tampered bundle shows every symptom:
 *
 * 1. structure: ZIP (hostile-input rules), one top-level bag folder, required files, no files outside the
 *    manifests except `seal.txt`, no files the format does not define;
 * 2. manifests: SHA-256 of every payload file, the tag manifest, Payload-Oxum;
 * 3. seal: opens with a trusted key and names the tag manifest's actual SHA-256;
 * 4. checkpoint signatures (trusted keys, origin, sizes);
 * 5. checkpoint chain: consistency proofs between links (and checkpoints the recipient holds);
 * 6. event proofs: each event's leaf hash (SHA-256(0x00 || line), no JSON parsing) equals the hash listed in
 *    `leaves.txt`, and the listed leaves with the proof hashes reduce to the checkpoint's root (streaming);
 * 7. completeness: in complete-range mode every seq of the range listed exactly once; counts, purge records and
 *    the custody record agree with the leaves;
 * 8. canonical form of every event (RFC 8785), its `seq` equal to its leaf position, its `organization_id` the
 *    origin's organization.
 *
 * Memory is bounded: files are streamed once; events and leaves are checked in batches (inline, or in parallel
 * through an injected {@link LeafBatchChecker}); only small files (JSON, notes, manifests) are read whole.
 */
import {
  VerificationError, checkpointBodyHash, createHasher, decodeBase64, encodeBase64, encodeHex, keyFingerprint,
  openCheckpoint, openNote, parseCheckpoint, parseVerifierKey, verifyCheckpointConsistent, type ParsedCheckpoint,
  type VerifierKey,
} from '@custody/ledger';
import { parseStrictJson, type TJsonValue } from '@custody/schema';

import {
  BAGIT_FILE, BAG_INFO_FILE, PAYLOAD_MANIFEST_FILE, TAG_MANIFEST_FILE, checkBagComplete, checkBagitTxt, getBagInfo,
  parseBagInfo, parseManifest, type BagInfoField, type BagProblem,
} from '../bagit/bagit';
import { BundleError, isBundleError } from '../errors';
import { resolveCrypto, type ResolvedCrypto } from '../platform/defaults';
import type { BundleCrypto, ByteSource, ByteTransform, Crc32, IncrementalSha256 } from '../platform/types';
import { readAhead } from '../stream-utils';
import { decodeUtf8, formatCount } from '../text';
import { DEFAULT_ZIP_LIMITS, openZip, readExactly, type ZipArchive, type ZipEntry, type ZipLimits } from '../zip/reader';
import {
  BUNDLE_FORMAT, CUSTODY_FORMAT, PATHS, PROOF_FORMAT, REQUIRED_PAYLOAD, REQUIRED_TAG_FILES, sealText, type BundleMode,
} from './format';
import { formatControlNumber } from '../production/control-number';
import { createInlineChecker, type LeafBatch, type LeafBatchChecker, type LeafBatchContext, type LeafBatchResult } from './leaf-batch';
import { LineReader } from './line-reader';
import { ReportBuilder } from './report-builder';
import { CHECK_NAMES, type CheckName, type VerificationFailure, type VerificationReport } from './report-types';
import { scanCanonicalJson } from './jcs-scan';
import { MAX_TREE_SIZE, TreeTiling, createNodeHasher, type TilingProblem } from './tree';

/** Limits of the verifier: the ZIP limits plus line and file sizes. */
export interface BundleLimits extends ZipLimits {
  /** Longest line of `events.ndjson`, `leaves.txt`, `proof-hashes.txt`, `purges.ndjson`. Default is 1 MiB. */
  readonly maxLineLength: number;
  /** Largest file read whole (JSON, notes, manifests, keys). Default is 64 MiB. */
  readonly maxSmallFileSize: number;
}

/** The default {@link BundleLimits}. */
export const DEFAULT_BUNDLE_LIMITS: BundleLimits = Object.freeze({
  ...DEFAULT_ZIP_LIMITS,
  maxLineLength: 1 << 20,
  maxSmallFileSize: 64 << 20,
});

/** Progress of {@link verifyBundle}. */
export interface VerifyProgress {
  readonly phase: 'open' | 'tags' | 'events' | 'files' | 'done';
  /** Uncompressed bytes processed so far. */
  readonly bytes: number;
  /** Events checked so far. */
  readonly events: number;
  /** Proof hashes consumed so far. */
  readonly proofs: number;
}

/** Options of {@link verifyBundle}. */
export interface VerifyBundleOptions {
  /** Verifier keys (vkeys) trusted for the seal and the checkpoints, obtained out of band. */
  readonly trustedKeys: readonly string[];
  readonly crypto?: BundleCrypto;
  /**
   * Raw DEFLATE decompressor. Default: `DecompressionStream`, as gzip so that the platform checks each entry's
   * CRC-32 while inflating (`webInflateChecked`), and as `deflate-raw` to name the problem of an entry that fails.
   */
  readonly inflate?: ByteTransform;
  /** CRC-32, with an injected `inflate` or to name a failing entry's problem. Default: portable; Node callers may pass `zlib.crc32`. */
  readonly crc32?: Crc32;
  readonly limits?: Partial<BundleLimits>;
  /** Called after each batch and at phase changes. */
  readonly onProgress?: (progress: VerifyProgress) => void;
  /** The origin the bundle must be for. Default: whatever `proof.json` says (shown in the report). */
  readonly origin?: string;
  /** The organization every event must belong to. Default: the origin's last `/` segment. */
  readonly organizationId?: string;
  /** Signed checkpoints the recipient already holds: each must equal a link of the bundle's chain. */
  readonly heldCheckpoints?: readonly string[];
  /** Runs the per-leaf work (e.g. on Worker threads). Default: inline. */
  readonly checker?: LeafBatchChecker;
  /** Failures kept per check (all are counted). Default is 100. */
  readonly maxFailuresPerCheck?: number;
  /** Also compute the SHA-256 of the whole archive (one more read of the source). Default is `false`. */
  readonly hashArchive?: boolean;
  /**
   * The uncompressed content of `data/events.ndjson` as the caller reads it, to check instead of inflating the entry
   * again: the viewer hands over the bytes its rows come from, so the rows shown are the bytes verified and the
   * entry is inflated once. It must yield the entry's content in order, checked against the entry's CRC-32 and
   * size, and throw what `ZipArchive.stream` throws when they differ (a `BundleError` naming the entry). Every byte
   * is still hashed for the manifest and every line checked. Read only by the main pass; the caller stops feeding
   * when the returned promise settles.
   */
  readonly eventsContent?: AsyncIterable<Uint8Array>;
  /**
   * Payload files allowed besides the format's own: exact paths, or folders ending in `/`. Default:
   * {@link PRODUCTION_FILES}.
   */
  readonly allowedPayloadFiles?: readonly string[];
}

/** Payload files the production layer may add: the CSV, the load file, the README, and anything under `data/production/`. */
export const PRODUCTION_FILES: readonly string[] = ['data/events.csv', 'data/loadfile.dat', 'data/README.txt', 'data/production/'];

const BATCH_LEAVES = 4096;
/** Largest archive whose own SHA-256 is taken in one piece by `digestSha256` (it is read into memory whole). */
const WHOLE_ARCHIVE_DIGEST_BYTES = 256 * 2 ** 20;
const BATCH_EVENT_BYTES = 1 << 20;

/** A growable byte buffer. */
class ByteBuilder {
  buf: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  #ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  append(src: Uint8Array, start: number, end: number, prefix: number, suffix: number): void {
    this.#ensure(end - start + 2);
    const buf = this.buf;
    let at = this.length;
    if (prefix >= 0) buf[at++] = prefix;
    if (end - start < 128) {
      // Short lines (leaves.txt): a loop beats creating a subarray view.
      for (let i = start; i < end; i++) buf[at++] = src[i] as number;
    } else {
      buf.set(src.subarray(start, end), at);
      at += end - start;
    }
    if (suffix >= 0) buf[at++] = suffix;
    this.length = at;
  }
  take(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** The files the main pass streams line by line (hashing them as it goes). */
const MAIN_PASS_FILES = [PATHS.events, PATHS.leaves, PATHS.proofHashes, PATHS.purges] as const;

/** A file hashed by {@link Verification}'s file pass: its SHA-256 (hex), or why it could not be read. */
type FileHashResult = { readonly path: string; readonly sha256: string } | { readonly path: string; readonly error: BundleError };

/**
 * The buffers of one batch; reused when the checker did not transfer them away (inline checking), or handed them
 * back with the result (`LeafBatchResult.returned`, a worker pool).
 */
interface BatchBuffers {
  leafBuf: ByteBuilder;
  eventBuf: ByteBuilder;
  flags: Uint8Array;
  leafEnds: Uint32Array;
  eventEnds: Uint32Array;
}

function newBatchBuffers(): BatchBuffers {
  return {
    leafBuf: new ByteBuilder(BATCH_LEAVES * 72),
    eventBuf: new ByteBuilder(BATCH_EVENT_BYTES + (64 << 10)),
    flags: new Uint8Array(BATCH_LEAVES),
    leafEnds: new Uint32Array(BATCH_LEAVES),
    eventEnds: new Uint32Array(BATCH_LEAVES),
  };
}

/** True when none of the batch's buffers was transferred (detached) to a worker. */
function reusable(buffers: BatchBuffers): boolean {
  return [buffers.leafBuf.buf, buffers.eventBuf.buf, buffers.flags, buffers.leafEnds, buffers.eventEnds].every((array) => array.buffer.byteLength > 0);
}

/**
 * The batch buffers a checker handed back (whole, as they were sent), or undefined when any is missing, shared or
 * not the size a new batch needs: a returned batch is used again only when it is exactly what was lent.
 */
function batchBuffersOf(returned: LeafBatch | undefined): BatchBuffers | undefined {
  if (returned === undefined) return undefined;
  const arrays = [returned.leaves, returned.events, returned.eventFlags, returned.leafEnds, returned.eventEnds];
  const buffers = arrays.map((array) => (array instanceof Uint8Array || array instanceof Uint32Array ? array.buffer : undefined));
  if (buffers.some((buffer, i) => !(buffer instanceof ArrayBuffer) || buffers.indexOf(buffer) !== i)) return undefined;
  const [leaves, events, flags, leafEnds, eventEnds] = buffers as ArrayBuffer[];
  if ((flags as ArrayBuffer).byteLength !== BATCH_LEAVES || (leafEnds as ArrayBuffer).byteLength !== 4 * BATCH_LEAVES || (eventEnds as ArrayBuffer).byteLength !== 4 * BATCH_LEAVES) {
    return undefined;
  }
  const leafBuf = new ByteBuilder(0);
  leafBuf.buf = new Uint8Array(leaves as ArrayBuffer);
  const eventBuf = new ByteBuilder(0);
  eventBuf.buf = new Uint8Array(events as ArrayBuffer);
  return { leafBuf, eventBuf, flags: new Uint8Array(flags as ArrayBuffer).fill(0), leafEnds: new Uint32Array(leafEnds as ArrayBuffer), eventEnds: new Uint32Array(eventEnds as ArrayBuffer) };
}

/** Parsed proof hashes (`<base64> <lo> <hi>` lines), read lazily in order. */
class ProofReader {
  readonly lines: LineReader;
  lo: number[] = [];
  hi: number[] = [];
  hash: Uint8Array[] = [];
  line: number[] = [];
  head = 0;
  count = 0;
  eof = false;
  readonly #onBad: (line: number, text: string) => void;

  constructor(lines: LineReader, onBad: (line: number, text: string) => void) {
    this.lines = lines;
    this.#onBad = onBad;
  }

  get available(): boolean {
    return this.head < this.lo.length;
  }

  /** Buffers lines until the last buffered node starts at or after `x`, or the file ends. */
  async fillUntil(x: number): Promise<void> {
    while (!this.eof && (this.head >= this.lo.length || (this.lo[this.lo.length - 1] as number) < x)) {
      if (!this.lines.next() && !(await this.lines.nextLine())) {
        this.eof = true;
        break;
      }
      this.count += 1;
      const { buf, start, end } = this.lines;
      const text = new TextDecoder().decode(buf.subarray(start, end));
      const match = /^([A-Za-z0-9+/]{43}=) (0|[1-9][0-9]{0,15}) (0|[1-9][0-9]{0,15})$/.exec(text);
      let hash: Uint8Array | undefined;
      if (match !== null) {
        try {
          hash = decodeBase64(match[1] as string);
        } catch {
          hash = undefined;
        }
      }
      const lo = Number(match?.[2]);
      const hi = Number(match?.[3]);
      if (hash?.length !== 32 || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo >= hi) {
        this.#onBad(this.lines.line, text);
        continue;
      }
      if (this.head > 4096 && this.head * 2 > this.lo.length) {
        this.lo = this.lo.slice(this.head);
        this.hi = this.hi.slice(this.head);
        this.hash = this.hash.slice(this.head);
        this.line = this.line.slice(this.head);
        this.head = 0;
      }
      this.lo.push(lo);
      this.hi.push(hi);
      this.hash.push(hash);
      this.line.push(this.lines.line);
    }
  }
}

interface ProofJson {
  origin: string;
  mode: BundleMode;
  treeSize: number;
  range: { from: number; to: number } | null;
  leafCount: number;
  proofHashCount: number;
}

interface ChainLink {
  size: number;
  file: string;
  proof: Uint8Array[];
}

/** A checkpoint of the chain, parsed even when untrusted (so later checks can still run). */
interface LinkState {
  readonly link: ChainLink;
  readonly parsed: ParsedCheckpoint | undefined;
  readonly trusted: boolean;
}

function isObject(value: unknown): value is Record<string, TJsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function decimal(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function plural(n: number, word: string, plural = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : plural}`;
}

function seqRange(lo: number, hi: number): string {
  return hi - lo === 1 ? `seq ${lo}` : `seq ${lo}–${hi - 1}`;
}

/** Verifies a bundle; see the module header. Throws only for caller errors (`INVALID_ARGUMENT`). */
export async function verifyBundle(source: ByteSource, options: VerifyBundleOptions): Promise<VerificationReport> {
  const verification = new Verification(source, options);
  return verification.run();
}

class Verification {
  readonly #source: ByteSource;
  readonly #options: VerifyBundleOptions;
  readonly #crypto: ResolvedCrypto;
  readonly #limits: BundleLimits;
  readonly #trusted: VerifierKey[];
  readonly #report: ReportBuilder;
  readonly #started = Date.now();
  #archive: ZipArchive | undefined;
  #bagName = '';
  /** Files of the bag by path relative to the bag root. */
  readonly #files = new Map<string, ZipEntry>();
  /** Computed SHA-256 (hex) of files read so far. */
  readonly #hashes = new Map<string, string>();
  /** Files that could not be read (corrupt). */
  readonly #corrupt = new Set<string>();
  #manifest = new Map<string, string>();
  #manifestLines = new Map<string, number>();
  #tagManifest = new Map<string, string>();
  #bagInfo: BagInfoField[] = [];
  #keyHints: { vkey: string; name: string; keyId: string; fingerprint: string }[] = [];
  #proof: ProofJson | undefined;
  #links: LinkState[] = [];
  /** The checkpoint note of each link (undefined when unreadable). */
  #linkNotes: (string | undefined)[] = [];
  #seal: string | undefined;
  #organizationId: string | undefined;
  #custody: Record<string, TJsonValue> | undefined;
  #signedBy = new Map<string, string>();
  /** The leaves and proof hashes reduced to the root of a trusted checkpoint. */
  #treeVerified = false;
  readonly #counts = { events: 0, eventsValid: 0, eventsInvalid: 0, withheld: 0, purged: 0, leaves: 0, proofHashes: 0, bytes: 0 };
  /** Bytes read by the main pass, and by everything else (progress is their sum). */
  #mainPassBytes = 0;
  #progressBytes = 0;

  constructor(source: ByteSource, options: VerifyBundleOptions) {
    if (options === null || typeof options !== 'object') throw new BundleError('INVALID_ARGUMENT', 'options must be an object');
    if (!Array.isArray(options.trustedKeys)) throw new BundleError('INVALID_ARGUMENT', 'trustedKeys must be a list of vkeys');
    this.#source = source;
    this.#options = options;
    this.#crypto = resolveCrypto(options.crypto);
    this.#limits = { ...DEFAULT_BUNDLE_LIMITS, ...options.limits };
    this.#trusted = options.trustedKeys.map((vkey: unknown) => {
      try {
        return parseVerifierKey(vkey as string, this.#crypto);
      } catch (error) {
        throw new BundleError('INVALID_ARGUMENT', `trusted key ${JSON.stringify(String(vkey).slice(0, 80))} is not a valid vkey`, { cause: error });
      }
    });
    this.#report = new ReportBuilder(options.maxFailuresPerCheck ?? 100);
  }

  #progress(phase: 'open' | 'tags' | 'events' | 'files' | 'done'): void {
    this.#options.onProgress?.({ phase, bytes: this.#progressBytes + this.#mainPassBytes, events: this.#counts.events, proofs: this.#counts.proofHashes });
  }

  async run(): Promise<VerificationReport> {
    let archiveSha256: string | undefined;
    let archiveHash: Promise<string> | undefined;
    const stopArchiveHash = { requested: false };
    try {
      this.#progress('open');
      await this.#open();
      if (this.#archive !== undefined) {
        this.#progress('tags');
        await this.#readTags();
        await this.#readSmallPayload();
        this.#checkSeal();
        this.#checkCheckpoints();
        this.#checkChain();
        this.#progress('events');
        // The archive's own SHA-256 reads the file as stored, beside the passes that inflate it.
        archiveHash = this.#options.hashArchive === true ? this.#hashArchive(stopArchiveHash) : undefined;
        archiveHash?.catch(() => undefined); // awaited below
        await this.#mainPassWithOtherFiles();
        this.#progress('files');
        // Files the concurrent pass could not take (the main pass's own files when it stopped early).
        await this.#hashOtherFiles();
        this.#checkManifests();
        this.#checkCustody();
        if (archiveHash !== undefined) archiveSha256 = await archiveHash;
      }
    } catch (error) {
      // Nothing reads the source once the verification is over.
      stopArchiveHash.requested = true;
      await archiveHash?.catch(() => undefined);
      if (!isBundleError(error) || error.code === 'INVALID_ARGUMENT' || error.code === 'NOT_FOUND') throw error;
      this.#unusable(error);
    }
    this.#progress('done');
    return this.#build(archiveSha256);
  }

  #unusable(error: BundleError): void {
    this.#report.unusable = true;
    const code = error.code === 'CRC_MISMATCH' ? 'BAD_ZIP' : error.code;
    this.#report.fail('structure', {
      code: code as VerificationFailure['code'],
      message: error.message,
      ...(typeof error.details?.name === 'string' ? { file: error.details.name } : {}),
    });
    for (const name of CHECK_NAMES) if (name !== 'structure') this.#report.skip(name, 'not checked: the input is unusable');
  }

  #build(archiveSha256: string | undefined): VerificationReport {
    const r = this.#report;
    r.bundle.bagName = this.#bagName === '' ? undefined : this.#bagName;
    if (this.#report.unusable) {
      r.summarize('structure', 'unusable input');
    }
    // An event is valid when its own checks passed and the leaves it is listed with reduce to the root of a
    // trusted checkpoint (bundle-level failures such as the seal are reported by their checks).
    const eventsValid = this.#treeVerified && !r.unusable ? this.#counts.eventsValid : 0;
    return r.build(
      {
        events: this.#counts.events,
        eventsValid,
        eventsInvalid: this.#counts.events - eventsValid,
        withheld: this.#counts.withheld,
        purged: this.#counts.purged,
        leaves: this.#counts.leaves,
        proofHashes: this.#counts.proofHashes,
        files: this.#files.size,
        bytes: this.#source.size,
      },
      Date.now() - this.#started,
      archiveSha256,
    );
  }

  // ------------------------------------------------------------------------------------------ 1. structure

  async #open(): Promise<void> {
    const archive = await openZip(this.#source, {
      limits: this.#limits,
      // Injected ones replace the defaults, whose native CRC check (`inflateChecked`) is kept otherwise.
      ...(this.#options.inflate === undefined ? {} : { inflateRaw: this.#options.inflate }),
      ...(this.#options.crc32 === undefined ? {} : { crc32: this.#options.crc32 }),
    });
    const r = this.#report;
    const files = archive.entries.filter((entry) => !entry.isDirectory);
    const tops = new Map<string, number>();
    for (const entry of archive.entries) {
      const slash = entry.name.indexOf('/');
      if (slash < 0) {
        r.fail('structure', { code: 'UNEXPECTED_FILE', file: entry.name, message: `${entry.name} is outside the bag folder` });
        continue;
      }
      const top = entry.name.slice(0, slash);
      tops.set(top, (tops.get(top) ?? 0) + 1);
    }
    const candidates = [...tops.keys()].filter((top) => archive.get(`${top}/${BAGIT_FILE}`) !== undefined);
    if (candidates.length !== 1) {
      throw new BundleError('BAD_ZIP', candidates.length === 0
        ? 'not a bag: no top-level folder with a bagit.txt'
        : `not one bag: ${candidates.length} top-level folders have a bagit.txt`);
    }
    const bagName = candidates[0] as string;
    this.#bagName = bagName;
    for (const top of tops.keys()) {
      if (top !== bagName) r.fail('structure', { code: 'NOT_A_BAG', file: `${top}/`, message: `the archive has a second top-level folder ${top}/; a bundle has exactly one` });
    }
    const prefix = `${bagName}/`;
    for (const entry of files) {
      if (entry.name.startsWith(prefix)) this.#files.set(entry.name.slice(prefix.length), entry);
    }
    this.#archive = archive;
    for (const path of [...REQUIRED_TAG_FILES, ...REQUIRED_PAYLOAD]) {
      if (!this.#files.has(path)) r.fail('structure', { code: 'MISSING_FILE', file: path, message: `required file ${path} is missing` });
    }
    const extra = this.#options.allowedPayloadFiles ?? PRODUCTION_FILES;
    const allowed = new Set<string>([...REQUIRED_TAG_FILES, ...REQUIRED_PAYLOAD, ...extra]);
    const folders = extra.filter((path) => path.endsWith('/'));
    for (const path of this.#files.keys()) {
      if (allowed.has(path) || folders.some((folder) => path.startsWith(folder)) || /^data\/checkpoints\/(0|[1-9][0-9]*)\.txt$/.test(path)) continue;
      if (!path.startsWith('data/') && this.#files.has(TAG_MANIFEST_FILE)) continue; // extra tag files: checked against the tag manifest
      r.fail('structure', { code: 'UNEXPECTED_FILE', file: path, message: `${path} is not a file of the ${BUNDLE_FORMAT} format` });
    }
  }

  /** Reads a whole file (hashing it); `undefined` if missing or corrupt. */
  async #read(path: string, maxBytes = this.#limits.maxSmallFileSize): Promise<Uint8Array | undefined> {
    const entry = this.#files.get(path);
    if (entry === undefined || this.#archive === undefined) return undefined;
    try {
      const bytes = await this.#archive.read(entry, maxBytes);
      const hash = this.#crypto.createSha256();
      hash.update(bytes);
      this.#hashes.set(path, encodeHex(hash.digest()));
      this.#progressBytes += bytes.length;
      return bytes;
    } catch (error) {
      if (isBundleError(error, 'LIMIT_EXCEEDED')) throw error;
      if (!isBundleError(error)) throw error;
      this.#corrupt.add(path);
      this.#report.fail('manifests', { code: 'CORRUPT_FILE', file: path, message: `cannot read ${path}: ${error.message}` });
      return undefined;
    }
  }

  async #readText(path: string, check: CheckName = 'structure'): Promise<string | undefined> {
    const bytes = await this.#read(path);
    if (bytes === undefined) return undefined;
    const text = decodeUtf8(bytes);
    if (text === undefined) this.#report.fail(check, { code: 'BAD_FORMAT', file: path, message: `${path} is not valid UTF-8` });
    return text;
  }

  #bagProblem(problem: BagProblem): void {
    const base = { ...(problem.file === undefined ? {} : { file: problem.file }), ...(problem.line === undefined ? {} : { line: problem.line }) };
    const extra = { ...(problem.expected === undefined ? {} : { expected: problem.expected }), ...(problem.found === undefined ? {} : { found: problem.found }) };
    switch (problem.code) {
      case 'BAD_BAGIT':
        this.#report.fail('structure', { code: 'BAD_BAGIT', ...base, message: problem.message, ...extra });
        break;
      case 'BAD_BAG_INFO':
        this.#report.fail('structure', { code: 'BAD_FORMAT', ...base, message: problem.message, ...extra });
        break;
      case 'MISSING_FILE':
        this.#report.fail('manifests', { code: 'MISSING_FILE', ...base, message: problem.message });
        break;
      case 'UNLISTED_FILE':
        this.#report.fail('structure', { code: 'UNEXPECTED_FILE', ...base, message: problem.message });
        break;
      case 'OXUM_MISMATCH':
        this.#report.fail('manifests', { code: 'OXUM_MISMATCH', ...base, message: problem.message, ...extra });
        break;
      default:
        this.#report.fail('manifests', { code: 'BAD_MANIFEST', ...base, message: problem.message, ...extra });
    }
  }

  async #readTags(): Promise<void> {
    const r = this.#report;
    const bagit = await this.#readText(BAGIT_FILE);
    if (bagit !== undefined) for (const problem of checkBagitTxt(bagit)) this.#bagProblem(problem);
    const info = await this.#readText(BAG_INFO_FILE);
    if (info !== undefined) {
      const parsed = parseBagInfo(info);
      this.#bagInfo = parsed.fields;
      for (const problem of parsed.problems) this.#bagProblem(problem);
      const format = getBagInfo(parsed.fields, 'Custody-Format');
      if (format === undefined) {
        r.fail('structure', { code: 'BAD_FORMAT', file: BAG_INFO_FILE, message: 'bag-info.txt has no Custody-Format', expected: BUNDLE_FORMAT });
      } else if (format !== BUNDLE_FORMAT) {
        throw new BundleError('UNSUPPORTED', `unsupported bundle format ${JSON.stringify(format)}; this verifier reads ${BUNDLE_FORMAT}`);
      }
      r.bundle.format = format;
    }
    const manifest = await this.#readText(PAYLOAD_MANIFEST_FILE, 'manifests');
    if (manifest !== undefined) {
      const parsed = parseManifest(manifest, PAYLOAD_MANIFEST_FILE);
      this.#manifest = parsed.entries;
      this.#manifestLines = parsed.lines;
      for (const problem of parsed.problems) this.#bagProblem(problem);
    }
    this.#seal = await this.#readText(PATHS.seal, 'seal');
    const tagManifest = await this.#readText(TAG_MANIFEST_FILE, 'manifests');
    if (tagManifest !== undefined) {
      const parsed = parseManifest(tagManifest, TAG_MANIFEST_FILE);
      this.#tagManifest = parsed.entries;
      for (const problem of parsed.problems) this.#bagProblem(problem);
      for (const path of [BAGIT_FILE, BAG_INFO_FILE, PAYLOAD_MANIFEST_FILE]) {
        if (!parsed.entries.has(path)) r.fail('manifests', { code: 'BAD_MANIFEST', file: TAG_MANIFEST_FILE, message: `tag manifest does not cover ${path}` });
      }
      if (parsed.entries.has(PATHS.seal)) r.fail('manifests', { code: 'BAD_MANIFEST', file: TAG_MANIFEST_FILE, message: 'tag manifest must not list seal.txt' });
    }
    const listing = [...this.#files].map(([path, entry]) => ({ path, size: entry.uncompressedSize }));
    for (const problem of checkBagComplete({
      files: listing, manifest: this.#manifest, tagManifest: this.#tagManifest, bagInfo: this.#bagInfo,
      unlistedTagFiles: [TAG_MANIFEST_FILE, PATHS.seal],
    })) {
      // Files that are missing altogether were already reported by the structure check.
      if (problem.code === 'MISSING_FILE' && problem.file !== undefined && !this.#manifest.has(problem.file) && !this.#tagManifest.has(problem.file)) continue;
      this.#bagProblem(problem);
    }
  }

  // --------------------------------------------------------------------------------- small payload files

  async #readJson(path: string): Promise<Record<string, TJsonValue> | undefined> {
    const text = await this.#readText(path);
    if (text === undefined) return undefined;
    try {
      const value = parseStrictJson(text);
      if (isObject(value)) return value;
      this.#report.fail('structure', { code: 'BAD_FORMAT', file: path, message: `${path} is not a JSON object` });
    } catch (error) {
      this.#report.fail('structure', { code: 'BAD_FORMAT', file: path, message: `${path} is not valid JSON: ${(error as Error).message}` });
    }
    return undefined;
  }

  async #readSmallPayload(): Promise<void> {
    const r = this.#report;
    // proof.json
    const proof = await this.#readJson(PATHS.proof);
    if (proof !== undefined) {
      const bad = (message: string): void => r.fail('structure', { code: 'BAD_FORMAT', file: PATHS.proof, message });
      const treeSize = decimal(proof.tree_size);
      const mode = proof.mode;
      const rangeValue = proof.range;
      let range: { from: number; to: number } | null | undefined = null;
      if (rangeValue !== null) {
        const from = isObject(rangeValue) ? decimal(rangeValue.from) : undefined;
        const to = isObject(rangeValue) ? decimal(rangeValue.to) : undefined;
        range = from !== undefined && to !== undefined && from < to ? { from, to } : undefined;
      }
      const known = new Set(['format', 'origin', 'mode', 'tree_size', 'range', 'leaf_count', 'proof_hash_count']);
      for (const key of Object.keys(proof)) if (!known.has(key)) bad(`unknown field ${key}`);
      if (proof.format !== PROOF_FORMAT) bad(`format must be ${PROOF_FORMAT}`);
      if (typeof proof.origin !== 'string' || proof.origin === '') bad('origin must be a non-empty string');
      if (mode !== 'complete-range' && mode !== 'selected') bad('mode must be complete-range or selected');
      if (treeSize === undefined || treeSize < 1 || treeSize > MAX_TREE_SIZE) bad('tree_size must be a decimal string from 1 to 2^53 - 1');
      if (range === undefined || (mode === 'complete-range') !== (range !== null) || (range !== null && treeSize !== undefined && range.to > treeSize)) {
        bad('range must be {"from","to"} with from < to <= tree_size in complete-range mode, null in selected mode');
      }
      const leafCount = proof.leaf_count;
      const proofHashCount = proof.proof_hash_count;
      if (!Number.isSafeInteger(leafCount) || (leafCount as number) < 1) bad('leaf_count must be a positive integer');
      if (!Number.isSafeInteger(proofHashCount) || (proofHashCount as number) < 0) bad('proof_hash_count must be a non-negative integer');
      const usable = typeof proof.origin === 'string' && proof.origin !== '' && treeSize !== undefined && treeSize >= 1 && treeSize <= MAX_TREE_SIZE &&
        range !== undefined && (range === null || range.to <= treeSize) && (mode === 'complete-range') === (range !== null) && (mode === 'complete-range' || mode === 'selected');
      if (usable) {
        this.#proof = {
          origin: proof.origin as string, mode, treeSize, range: range as { from: number; to: number } | null,
          leafCount: Number.isSafeInteger(leafCount) ? (leafCount as number) : -1,
          proofHashCount: Number.isSafeInteger(proofHashCount) ? (proofHashCount as number) : -1,
        };
      }
    }
    if (this.#proof !== undefined) {
      r.bundle.origin = this.#proof.origin;
      r.bundle.mode = this.#proof.mode;
      r.bundle.treeSize = String(this.#proof.treeSize);
      r.bundle.range = this.#proof.range === null ? null : { from: String(this.#proof.range.from), to: String(this.#proof.range.to) };
      const origin = this.#options.origin ?? this.#proof.origin;
      this.#organizationId = this.#options.organizationId ?? origin.slice(origin.lastIndexOf('/') + 1);
      r.bundle.organizationId = this.#organizationId;
      if (this.#options.origin !== undefined && this.#options.origin !== this.#proof.origin) {
        r.fail('checkpoints', {
          code: 'ORIGIN_MISMATCH', file: PATHS.proof, message: 'the bundle is for another log', expected: this.#options.origin, found: this.#proof.origin,
        });
      }
    }
    // keys.txt (hints)
    const keys = await this.#readText(PATHS.keys);
    if (keys !== undefined) {
      keys.split('\n').forEach((line, i, all) => {
        if (line === '' && i === all.length - 1) return;
        try {
          const key = parseVerifierKey(line, this.#crypto);
          this.#keyHints.push({ vkey: key.vkey, name: key.name, keyId: key.keyId, fingerprint: keyFingerprint(key, this.#crypto) });
        } catch {
          r.fail('structure', { code: 'BAD_FORMAT', file: PATHS.keys, line: i + 1, message: 'not a verifier key' });
        }
      });
      r.bundle.keyHints = this.#keyHints.map(({ vkey, fingerprint }) => ({ vkey, fingerprint }));
    }
    // chain.json and the checkpoint files
    const chain = await this.#readJson(PATHS.chain);
    const links: ChainLink[] = [];
    if (chain !== undefined) {
      const bad = (message: string): void => r.fail('structure', { code: 'BAD_FORMAT', file: PATHS.chain, message });
      const list = chain.links;
      if (!Array.isArray(list) || list.length === 0 || list.length > 10_000) {
        bad('links must be a non-empty list');
      } else {
        list.forEach((item, i) => {
          const size = isObject(item) ? decimal(item.size) : undefined;
          const file = isObject(item) ? item.file : undefined;
          const proofList = isObject(item) ? item.consistency_proof : undefined;
          if (size === undefined || file !== `checkpoints/${size}.txt` || !Array.isArray(proofList) || proofList.length > 128) {
            bad(`link ${i} must be {"size","file":"checkpoints/<size>.txt","consistency_proof":[…]}`);
            return;
          }
          const proof: Uint8Array[] = [];
          for (const text of proofList) {
            try {
              const hash = decodeBase64(text as string);
              if (hash.length !== 32) throw new Error('length');
              proof.push(hash);
            } catch {
              bad(`link ${i} has a consistency proof hash that is not base64 of 32 bytes`);
              return;
            }
          }
          links.push({ size, file: `data/${file}`, proof });
        });
      }
      const referenced = new Set(links.map((link) => link.file));
      for (const path of this.#files.keys()) {
        if (path.startsWith(PATHS.checkpointsDir) && path !== PATHS.chain && !referenced.has(path)) {
          r.fail('structure', { code: 'UNEXPECTED_FILE', file: path, message: `${path} is not a link of chain.json` });
        }
      }
    }
    for (const link of links) {
      const note = await this.#readText(link.file);
      if (note === undefined && !this.#files.has(link.file)) {
        r.fail('structure', { code: 'MISSING_FILE', file: link.file, message: `checkpoint ${link.file} named by chain.json is missing` });
      }
      this.#links.push({ link, parsed: undefined, trusted: false });
      this.#linkNotes.push(note);
    }
    // custody.json (checked against everything else at the end)
    this.#custody = await this.#readJson(PATHS.custody);
    if (this.#custody !== undefined) {
      const c = this.#custody;
      if (typeof c.export_id === 'string') r.bundle.exportId = c.export_id;
      if (typeof c.exported_at === 'string') r.bundle.exportedAt = c.exported_at;
      if (isObject(c.matter) && typeof c.matter.name === 'string' && typeof c.matter.number === 'string') {
        r.bundle.matter = { name: c.matter.name, number: c.matter.number };
      }
    }
    const control = getBagInfo(this.#bagInfo, 'Custody-Control-Numbers');
    if (control !== undefined) r.bundle.controlNumbers = control;
  }

  // -------------------------------------------------------------------------------------------- 3. seal

  #describeSigners(error: unknown): string {
    const signers = error instanceof VerificationError && Array.isArray(error.details?.signers) ? (error.details.signers as readonly string[]) : [];
    if (signers.length === 0) return 'no signature by a trusted key';
    const described = signers.map((signer) => {
      const hint = this.#keyHints.find((key) => `${key.name}+${key.keyId}` === signer);
      return hint === undefined
        ? `${signer} (fingerprint unknown: its vkey is not in data/keys.txt)`
        : `${signer} (fingerprint ${hint.fingerprint}, vkey from data/keys.txt)`;
    });
    const trusted = this.#trusted.map((key) => `${key.name}+${key.keyId} (${keyFingerprint(key, this.#crypto)})`).join(', ');
    return `signed by an untrusted key: ${described.join(', ')}; trusted: ${trusted === '' ? 'none' : trusted}`;
  }

  #recordSigner(keys: readonly VerifierKey[]): string {
    const names = keys.map((key) => {
      const fingerprint = keyFingerprint(key, this.#crypto);
      this.#signedBy.set(key.vkey, fingerprint);
      return `${key.name}+${key.keyId} (${fingerprint})`;
    });
    return names.join(', ');
  }

  #checkSeal(): void {
    const r = this.#report;
    const sealEntry = this.#files.get(PATHS.seal);
    const sealNote = this.#seal;
    if (sealEntry === undefined || sealNote === undefined) {
      r.fail('seal', { code: 'SEAL_MALFORMED', file: PATHS.seal, message: sealEntry === undefined ? 'seal.txt is missing' : 'seal.txt cannot be read' });
      return;
    }
    if (this.#trusted.length === 0) {
      r.fail('seal', { code: 'NO_TRUSTED_KEYS', file: PATHS.seal, message: 'no trusted keys were given: the seal cannot be verified' });
    }
    const actual = this.#hashes.get(TAG_MANIFEST_FILE);
    const expectedText = actual === undefined ? undefined : sealText(this.#bagName, actual);
    let signedBy = '';
    let text: string | undefined;
    try {
      const opened = openNote(sealNote, this.#trusted, this.#crypto);
      text = opened.text;
      signedBy = this.#recordSigner(opened.verifiedBy);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      const split = sealNote.lastIndexOf('\n\n');
      text = split < 0 ? undefined : sealNote.slice(0, split + 1);
      if (this.#trusted.length > 0 || error.code !== 'UNKNOWN_KEY') {
        const code = error.code === 'UNKNOWN_KEY' ? 'SEAL_UNTRUSTED_KEY' : error.code === 'BAD_SIGNATURE' ? 'SEAL_BAD_SIGNATURE' : 'SEAL_MALFORMED';
        r.fail('seal', {
          code, file: PATHS.seal,
          message: code === 'SEAL_UNTRUSTED_KEY' ? `seal is ${this.#describeSigners(error)}` : `seal: ${error.message}`,
        });
      }
    }
    if (actual === undefined) {
      r.fail('seal', { code: 'SEAL_MISMATCH', file: PATHS.seal, message: 'the tag manifest the seal names is missing or unreadable' });
    } else if (text !== undefined && expectedText !== undefined && text !== expectedText) {
      const lines = text.split('\n');
      if (lines[0] !== `${BUNDLE_FORMAT} seal`) {
        r.fail('seal', { code: 'SEAL_MALFORMED', file: PATHS.seal, line: 1, message: 'not a custody.evidence/v1 seal', expected: `${BUNDLE_FORMAT} seal`, found: lines[0] ?? '' });
      } else if (lines[1] !== `bag ${this.#bagName}`) {
        r.fail('seal', { code: 'SEAL_MISMATCH', file: PATHS.seal, line: 2, message: 'seal names another bag', expected: `bag ${this.#bagName}`, found: lines[1] ?? '' });
      } else {
        const sealed = /^tagmanifest-sha256 (.*)$/.exec(lines[2] ?? '')?.[1] ?? lines[2] ?? '';
        r.fail('seal', {
          code: 'SEAL_MISMATCH', file: PATHS.seal, line: 3,
          message: 'tag manifest does not match the sealed hash: the bag was changed after sealing', expected: sealed, found: actual,
        });
      }
    }
    if (!r.failed('seal')) r.summarize('seal', `signed by ${signedBy}; seals tagmanifest-sha256 ${(actual ?? '').slice(0, 16)}…`);
    else r.summarize('seal', 'seal does not authenticate this bag');
  }

  // ------------------------------------------------------------------------------------ 4. checkpoints

  #checkCheckpoints(): void {
    const r = this.#report;
    const origin = this.#proof?.origin;
    if (this.#trusted.length === 0) {
      r.fail('checkpoints', { code: 'NO_TRUSTED_KEYS', message: 'no trusted keys were given: checkpoints cannot be verified' });
    }
    if (this.#links.length === 0) {
      r.fail('checkpoints', { code: 'MISSING_FILE', file: PATHS.chain, message: 'no checkpoint to verify against' });
      return;
    }
    const signers = new Set<string>();
    this.#links = this.#links.map((state, index) => {
      const note = this.#linkNotes[index];
      if (note === undefined) return state;
      const file = state.link.file;
      let parsed: ParsedCheckpoint | undefined;
      let trusted = false;
      try {
        const split = note.lastIndexOf('\n\n');
        parsed = parseCheckpoint(split < 0 ? note : note.slice(0, split + 1));
      } catch (error) {
        r.fail('checkpoints', { code: 'CHECKPOINT_MALFORMED', file, message: `not a checkpoint: ${(error as Error).message}` });
        return { link: state.link, parsed: undefined, trusted: false };
      }
      try {
        const opened = openCheckpoint(note, this.#trusted, { ...this.#crypto, ...(origin === undefined ? {} : { origin }) });
        trusted = true;
        signers.add(this.#recordSigner(opened.verifiedBy));
      } catch (error) {
        if (!(error instanceof VerificationError)) throw error;
        if (this.#trusted.length > 0 || error.code !== 'UNKNOWN_KEY') {
          const code = error.code === 'UNKNOWN_KEY' ? 'CHECKPOINT_UNTRUSTED_KEY'
            : error.code === 'BAD_SIGNATURE' ? 'CHECKPOINT_BAD_SIGNATURE'
              : error.code === 'ORIGIN_MISMATCH' ? 'ORIGIN_MISMATCH' : 'CHECKPOINT_MALFORMED';
          r.fail('checkpoints', {
            code, file,
            message: code === 'CHECKPOINT_UNTRUSTED_KEY' ? `checkpoint is ${this.#describeSigners(error)}` : `checkpoint: ${error.message}`,
            ...(code === 'ORIGIN_MISMATCH' && origin !== undefined ? { expected: origin, found: parsed.origin } : {}),
          });
        }
      }
      if (parsed.size !== BigInt(state.link.size)) {
        r.fail('checkpoints', {
          code: 'CHECKPOINT_SIZE_MISMATCH', file, line: 2, message: 'checkpoint size differs from its file name and chain.json',
          expected: String(state.link.size), found: parsed.size.toString(),
        });
      }
      return { link: state.link, parsed, trusted };
    });
    const last = this.#links[this.#links.length - 1] as LinkState;
    if (this.#proof !== undefined && last.link.size !== this.#proof.treeSize) {
      r.fail('checkpoints', {
        code: 'CHECKPOINT_SIZE_MISMATCH', file: PATHS.chain, message: 'the last checkpoint is not the one proof.json verifies against',
        expected: String(this.#proof.treeSize), found: String(last.link.size),
      });
    }
    r.bundle.signedBy = [...this.#signedBy].map(([vkey, fingerprint]) => ({ vkey, fingerprint }));
    if (!r.failed('checkpoints')) {
      r.summarize('checkpoints', `${plural(this.#links.length, 'checkpoint')} (latest size ${formatCount(last.link.size)}) signed by ${[...signers].join(', ')}`);
    } else {
      r.summarize('checkpoints', 'the checkpoint is not signed by a trusted key or does not match the bundle');
    }
  }

  // ------------------------------------------------------------------------------------------ 5. chain

  #checkChain(): void {
    const r = this.#report;
    const hasher = createHasher(this.#crypto.sha256);
    let chained = 0;
    for (let i = 1; i < this.#links.length; i++) {
      const previous = this.#links[i - 1] as LinkState;
      const current = this.#links[i] as LinkState;
      if (previous.link.size >= current.link.size) {
        r.fail('chain', { code: 'CHAIN_ORDER', file: PATHS.chain, message: `link ${i} (size ${current.link.size}) does not grow from size ${previous.link.size}` });
        continue;
      }
      if (previous.parsed === undefined || current.parsed === undefined) continue;
      try {
        verifyCheckpointConsistent(previous.parsed, current.parsed, current.link.proof, { hasher });
      } catch (error) {
        if (!(error instanceof VerificationError)) throw error;
        r.fail('chain', {
          code: 'CONSISTENCY_PROOF_MISMATCH', file: PATHS.chain,
          message: `checkpoint of size ${current.link.size} is not an extension of size ${previous.link.size}: ${error.message}`,
        });
        continue;
      }
      const prevHash = checkpointBodyHash(previous.parsed.body, this.#crypto);
      if (current.parsed.prev !== undefined && encodeHex(current.parsed.prev) === encodeHex(prevHash)) chained += 1;
    }
    for (const [i, note] of (this.#options.heldCheckpoints ?? []).entries()) {
      let held;
      try {
        held = openCheckpoint(note, this.#trusted, { ...this.#crypto, ...(this.#proof === undefined ? {} : { origin: this.#proof.origin }) });
      } catch (error) {
        r.fail('chain', { code: 'HELD_CHECKPOINT_MISMATCH', message: `held checkpoint ${i + 1} does not open with the trusted keys: ${(error as Error).message}` });
        continue;
      }
      const match = this.#links.find((link) => link.parsed !== undefined && link.parsed.size === held.size);
      if (match?.parsed === undefined) {
        r.fail('chain', {
          code: 'HELD_CHECKPOINT_MISMATCH',
          message: `held checkpoint of size ${held.size} is not a link of the bundle's chain (sizes ${this.#links.map((l) => l.link.size).join(', ')}): it cannot be connected`,
        });
      } else if (encodeHex(match.parsed.root) !== encodeHex(held.root)) {
        r.fail('chain', {
          code: 'HELD_CHECKPOINT_MISMATCH', file: match.link.file, message: `the log forked: your checkpoint of size ${held.size} has another root`,
          expected: encodeBase64(held.root), found: encodeBase64(match.parsed.root),
        });
      }
    }
    if (!r.failed('chain')) {
      const sizes = this.#links.map((link) => formatCount(link.link.size)).join(' → ');
      const held = this.#options.heldCheckpoints?.length ?? 0;
      r.summarize('chain', this.#links.length <= 1
        ? `1 checkpoint${held > 0 ? `; ${plural(held, 'held checkpoint')} match` : '; no earlier checkpoint to connect'}`
        : `sizes ${sizes}: consistency proofs verify${chained === this.#links.length - 1 ? ' (hash-chained)' : ''}${held > 0 ? `; ${plural(held, 'held checkpoint')} match` : ''}`);
    }
  }

  // ------------------------------------------------------------------------------ 6–8. the main pass

  /**
   * The main pass and, at the same time, the SHA-256 of the files it does not read (the CSV and load files, mostly:
   * a third of a bundle's bytes). Reading both at once keeps a second core busy (inflating runs off the thread in
   * Node) where the files had been read one after the other once the main pass was over. The other files'
   * results are applied after the main pass, in the order they always had, so the report does not depend on
   * which read finished first.
   */
  async #mainPassWithOtherFiles(): Promise<void> {
    const streamed = this.#mainPassReady() ? new Set<string>(MAIN_PASS_FILES) : new Set<string>();
    const stop = { requested: false };
    const others = this.#hashFiles((path) => !streamed.has(path), stop);
    others.catch(() => undefined); // handled below, after the main pass
    try {
      await this.#mainPass();
    } catch (error) {
      stop.requested = true;
      await others.catch(() => undefined);
      throw error;
    }
    for (const done of await others) this.#applyFileHash(done);
  }

  /** Whether the main pass can stream its files (proof.json read, all four files present). */
  #mainPassReady(): boolean {
    return this.#proof !== undefined && MAIN_PASS_FILES.every((path) => this.#files.has(path));
  }

  async #mainPass(): Promise<void> {
    const r = this.#report;
    const proof = this.#proof;
    const archive = this.#archive as ZipArchive;
    const required = MAIN_PASS_FILES;
    const missing = required.filter((path) => !this.#files.has(path));
    if (proof === undefined || missing.length > 0) {
      const why = proof === undefined ? 'proof.json is missing or invalid' : `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`;
      for (const check of ['proof', 'completeness', 'canonical'] as const) {
        r.fail(check, { code: proof === undefined ? 'BAD_FORMAT' : 'MISSING_FILE', message: `cannot check: ${why}` });
      }
      return;
    }
    const hashes = new Map<string, IncrementalSha256>(required.map((path) => [path, this.#crypto.createSha256()]));
    const open = (path: string, ahead: number): LineReader =>
      new LineReader(
        path === PATHS.events && this.#options.eventsContent !== undefined ? this.#options.eventsContent : readAhead(archive.stream(this.#files.get(path) as ZipEntry), ahead),
        { hash: hashes.get(path), maxLineLength: this.#limits.maxLineLength, file: path },
      );
    const events = open(PATHS.events, 4 << 20);
    const leaves = open(PATHS.leaves, 1 << 20);
    const proofLines = open(PATHS.proofHashes, 1 << 20);
    const purges = open(PATHS.purges, 1 << 20);
    const proofReader = new ProofReader(proofLines, (line, text) => {
      r.fail('proof', { code: 'BAD_PROOF_LINE', file: PATHS.proofHashes, line, message: `not a "<base64 hash> <lo> <hi>" line: ${JSON.stringify(text.slice(0, 120))}` });
    });
    const treeSize = proof.treeSize;
    const tiling = new TreeTiling(treeSize, createNodeHasher(this.#crypto.sha256), this.#options.maxFailuresPerCheck ?? 100);
    const checker = this.#options.checker ?? createInlineChecker(this.#crypto.sha256Into, this.#crypto.sha256IntoMany);
    const context: LeafBatchContext = {
      treeSize, maxFailures: this.#options.maxFailuresPerCheck ?? 100,
      ...(this.#organizationId === undefined ? {} : { organizationId: this.#organizationId }),
    };
    const range = proof.range;
    let leafCovered = range?.from ?? 0;
    let lastLeafEnd = -1;
    let missingCount = 0;
    let purgeLine = 0;
    const pushProofBefore = (x: number): void => {
      while (proofReader.available && (proofReader.lo[proofReader.head] as number) <= x) {
        const h = proofReader.head;
        tiling.push(proofReader.lo[h] as number, proofReader.hi[h] as number, proofReader.hash[h] as Uint8Array, false, proofReader.line[h]);
        proofReader.head += 1;
        this.#counts.proofHashes += 1;
      }
    };
    const matchPurge = async (seq: number, hash: Uint8Array): Promise<void> => {
      if (!purges.next() && !(await purges.nextLine())) {
        r.fail('completeness', { code: 'PURGE_RECORD_MISMATCH', file: PATHS.purges, seq: String(seq), message: `purges.ndjson has no record for purged seq ${seq}` });
        return;
      }
      purgeLine = purges.line;
      const bytes = purges.buf.subarray(purges.start, purges.end);
      const scan = scanCanonicalJson(bytes);
      let leafHash: unknown;
      try {
        const value = parseStrictJson(bytes);
        leafHash = isObject(value) ? value.leaf_hash : undefined;
      } catch {
        leafHash = undefined;
      }
      const problems: string[] = [];
      if (!scan.canonical) problems.push('not canonical JSON');
      if (scan.seq !== seq) problems.push(`seq is ${String(scan.seq)}, expected ${seq}`);
      if (leafHash !== encodeBase64(hash)) problems.push('leaf_hash differs from leaves.txt');
      if (problems.length > 0) {
        r.fail('completeness', { code: 'PURGE_RECORD_MISMATCH', file: PATHS.purges, line: purgeLine, seq: String(seq), message: `purge record: ${problems.join('; ')}` });
      }
    };
    const processResult = async (result: LeafBatchResult): Promise<void> => {
      this.#counts.leaves += result.leaves;
      this.#counts.events += result.events;
      this.#counts.withheld += result.withheld;
      this.#counts.purged += result.purged;
      this.#counts.eventsValid += result.eventsValid;
      this.#counts.eventsInvalid += result.eventsInvalid;
      const shown = new Map<CheckName, number>();
      for (const failure of result.failures) {
        const { check, ...rest } = failure;
        r.fail(check, rest);
        shown.set(check, (shown.get(check) ?? 0) + 1);
      }
      for (const [check, count] of Object.entries(result.failureCounts) as [CheckName, number][]) {
        const extra = count - (shown.get(check) ?? 0);
        if (extra > 0) r.failMany(check, [], extra);
      }
      const n = result.nodeLo.length;
      if (n > 0) await proofReader.fillUntil(result.nodeLo[n - 1] as number);
      for (let i = 0; i < n; i++) {
        const lo = result.nodeLo[i] as number;
        const hi = result.nodeHi[i] as number;
        pushProofBefore(lo);
        tiling.push(lo, hi, result.nodeHashes.subarray(32 * i, 32 * i + 32), true);
        if (lo < lastLeafEnd) {
          r.fail('completeness', { code: 'LEAF_ORDER', file: PATHS.leaves, seq: String(lo), message: `${seqRange(lo, Math.min(hi, lastLeafEnd))} listed again or out of order` });
        }
        lastLeafEnd = Math.max(lastLeafEnd, hi);
        if (range !== null) {
          if (lo < range.from || hi > range.to) {
            const outLo = lo < range.from ? lo : Math.max(lo, range.to);
            const outHi = lo < range.from ? Math.min(hi, range.from) : hi;
            r.fail('completeness', {
              code: 'LEAF_OUT_OF_RANGE', file: PATHS.leaves, seq: String(outLo),
              message: `${seqRange(outLo, outHi)} ${outHi - outLo === 1 ? 'is' : 'are'} outside the range ${range.from}–${range.to - 1}`,
            });
          }
          const from = Math.max(leafCovered, range.from);
          const to = Math.min(lo, range.to);
          if (to > from) {
            missingCount += to - from;
            r.fail('completeness', {
              code: 'LEAF_MISSING', file: PATHS.leaves, seq: String(from),
              message: `${seqRange(from, to)} ${to - from === 1 ? 'is' : 'are'} missing from leaves.txt: the range is not complete`,
            });
          }
          leafCovered = Math.max(leafCovered, hi);
        }
      }
      for (let i = 0; i < result.purgedSeqs.length; i++) {
        await matchPurge(result.purgedSeqs[i] as number, result.purgedHashes.subarray(32 * i, 32 * i + 32));
      }
      this.#mainPassBytes = events.bytes + leaves.bytes;
      this.#progress('events');
    };

    const inflight: { buffers: BatchBuffers; result: Promise<LeafBatchResult> }[] = [];
    const pool: BatchBuffers[] = [];
    const settle = async (): Promise<void> => {
      const next = inflight.shift() as { buffers: BatchBuffers; result: Promise<LeafBatchResult> };
      const result = await next.result;
      await processResult(result);
      if (reusable(next.buffers)) {
        next.buffers.leafBuf.length = 0;
        next.buffers.eventBuf.length = 0;
        next.buffers.flags.fill(0);
        pool.push(next.buffers);
      } else {
        // A worker pool's buffers come back with the result: reusing them spares allocating (and collecting) a
        // megabyte per batch.
        const back = batchBuffersOf(result.returned);
        if (back !== undefined) pool.push(back);
      }
    };
    let leafLine = 0;
    let eventLine = 0;
    let eventsEnded = false;
    try {
      for (;;) {
        const buffers = pool.pop() ?? newBatchBuffers();
        const { leafBuf, eventBuf, flags, leafEnds, eventEnds } = buffers;
        let count = 0;
        let eventCount = 0;
        const firstLeafLine = leafLine;
        const firstEventLine = eventLine;
        while (count < BATCH_LEAVES && eventBuf.length < BATCH_EVENT_BYTES) {
          if (!leaves.next() && !(await leaves.nextLine())) break;
          const { buf, start, end } = leaves;
          leafBuf.append(buf, start, end, -1, 0x0a);
          leafEnds[count] = leafBuf.length - 1;
          const space = buf.indexOf(0x20, start);
          const isEvent = space >= 0 && space + 1 < end && buf[space + 1] === 0x65;
          if (isEvent) {
            flags[count] = 1;
            if (!eventsEnded && (events.next() || (await events.nextLine()))) {
              eventBuf.append(events.buf, events.start, events.end, 0x00, 0x0a);
              eventEnds[eventCount] = eventBuf.length - 1;
              eventCount += 1;
            } else {
              eventsEnded = true;
            }
          }
          count += 1;
        }
        if (count === 0) break;
        leafLine += count;
        eventLine += eventCount;
        const batch: LeafBatch = {
          leafLine: firstLeafLine, eventLine: firstEventLine, leaves: leafBuf.take(), leafCount: count, leafEnds: leafEnds.subarray(0, count),
          eventFlags: flags.subarray(0, count), events: eventBuf.take(), eventCount, eventEnds: eventEnds.subarray(0, eventCount),
        };
        inflight.push({ buffers, result: checker.check(batch, context) });
        while (inflight.length >= Math.max(1, checker.concurrency)) await settle();
      }
      while (inflight.length > 0) await settle();
    } catch (error) {
      for (const pending of inflight) pending.result.catch(() => undefined);
      await Promise.all([events, leaves, proofLines, purges].map((reader) => reader.close().catch(() => undefined)));
      if (isBundleError(error) && error.code !== 'LIMIT_EXCEEDED' && error.code !== 'INVALID_ARGUMENT') {
        const file = typeof error.details?.name === 'string' ? error.details.name.slice(this.#bagName.length + 1) : undefined;
        this.#corruptStream(file, error);
        return;
      }
      throw error;
    }
    // Leftover event lines.
    let extra = 0;
    while (!eventsEnded && (events.next() || (await events.nextLine()))) {
      extra += 1;
      if (extra === 1) {
        r.fail('completeness', {
          code: 'EXTRA_EVENT', file: PATHS.events, line: events.line,
          message: 'events.ndjson has more lines than leaves.txt lists events', found: 'extra line',
        });
      }
    }
    if (extra > 1) r.failMany('completeness', [], extra - 1);
    if (events.missingFinalNewline) r.fail('structure', { code: 'BAD_FORMAT', file: PATHS.events, line: events.line, message: 'events.ndjson does not end with a newline' });
    if (leaves.missingFinalNewline) r.fail('structure', { code: 'BAD_FORMAT', file: PATHS.leaves, line: leaves.line, message: 'leaves.txt does not end with a newline' });
    // The rest of the proof.
    await proofReader.fillUntil(Number.POSITIVE_INFINITY);
    pushProofBefore(Number.POSITIVE_INFINITY);
    const root = tiling.finish();
    for (const problem of tiling.problems) this.#tilingProblem(problem, treeSize);
    if (tiling.problemCount > tiling.problems.length) r.failMany('proof', [], tiling.problemCount - tiling.problems.length);
    if (proofLines.missingFinalNewline) r.fail('structure', { code: 'BAD_FORMAT', file: PATHS.proofHashes, message: 'proof-hashes.txt does not end with a newline' });
    // Leftover purge records.
    while (purges.next() || (await purges.nextLine())) {
      r.fail('completeness', { code: 'PURGE_RECORD_MISMATCH', file: PATHS.purges, line: purges.line, message: 'purge record for a leaf that leaves.txt does not list as purged' });
    }
    for (const path of required) this.#hashes.set(path, encodeHex((hashes.get(path) as IncrementalSha256).digest()));
    this.#mainPassBytes = events.bytes + leaves.bytes + proofLines.bytes + purges.bytes;

    // Range completeness.
    if (range !== null) {
      const to = range.to;
      if (leafCovered < to) {
        const from = Math.max(leafCovered, range.from);
        missingCount += to - from;
        r.fail('completeness', {
          code: 'LEAF_MISSING', file: PATHS.leaves, seq: String(from),
          message: `${seqRange(from, to)} ${to - from === 1 ? 'is' : 'are'} missing from leaves.txt: the range is not complete`,
        });
      }
    }
    // Counts against proof.json.
    if (proof.leafCount !== leaves.line) {
      r.fail('completeness', { code: 'COUNT_MISMATCH', file: PATHS.proof, message: 'leaf_count differs from the lines of leaves.txt', expected: String(proof.leafCount), found: String(leaves.line) });
    }
    if (proof.proofHashCount !== proofReader.count) {
      r.fail('proof', { code: 'PROOF_COUNT_MISMATCH', file: PATHS.proof, message: 'proof_hash_count differs from the lines of proof-hashes.txt', expected: String(proof.proofHashCount), found: String(proofReader.count) });
    }
    // The root against the checkpoint.
    const last = this.#links[this.#links.length - 1];
    const checkpoint = last?.parsed;
    const sizeMatches = checkpoint !== undefined && checkpoint.size === BigInt(treeSize);
    if (root === undefined) {
      r.fail('proof', { code: 'PROOF_MISMATCH', file: PATHS.proofHashes, message: 'leaves and proof hashes do not tile the tree, so they prove nothing (see the failures above)' });
    } else if (!sizeMatches) {
      r.fail('proof', { code: 'PROOF_MISMATCH', file: PATHS.proof, message: `no checkpoint of size ${treeSize} to verify against` });
    } else if (encodeHex(root) !== encodeHex(checkpoint.root)) {
      r.fail('proof', {
        code: 'PROOF_MISMATCH', file: PATHS.proofHashes,
        message: `leaves and proof hashes do not reduce to the root of the checkpoint of size ${treeSize}`,
        expected: encodeBase64(checkpoint.root), found: encodeBase64(root),
      });
    }
    const c = this.#counts;
    const treeMatches = root !== undefined && checkpoint !== undefined && sizeMatches && encodeHex(root) === encodeHex(checkpoint.root);
    this.#treeVerified = treeMatches && last?.trusted === true;
    const leafText = `${plural(c.events, 'event')}, ${formatCount(c.withheld)} withheld, ${formatCount(c.purged)} purged`;
    const treeText = `${leafText} and ${plural(proofReader.count, 'proof hash', 'proof hashes')} reduce to the root of checkpoint ${formatCount(treeSize)}`;
    if (!r.failed('proof')) {
      r.summarize('proof', treeText);
      if (last?.trusted !== true) r.skip('proof', `${treeText}, but that checkpoint is not trusted`);
    } else if (treeMatches) {
      r.summarize('proof', `${treeText}, but ${plural(c.eventsInvalid, 'event')} do not match their listed leaf hash`);
    } else {
      r.summarize('proof', `the leaves and proof hashes do not reduce to the root of checkpoint ${formatCount(treeSize)}`);
    }
    if (range !== null) {
      const missing = missingCount === 0 ? 'none missing' : `${formatCount(missingCount)} missing`;
      r.summarize('completeness', `seq ${range.from}–${range.to - 1}: ${plural(c.events, 'event')} shown, ${formatCount(c.withheld)} withheld, ${formatCount(c.purged)} purged, ${missing}`);
    } else {
      r.summarize('completeness', `selected mode: ${plural(c.events, 'event')} shown, ${formatCount(c.purged)} purged; no range is claimed complete`);
    }
    const canonicalFailures = r.failed('canonical');
    r.summarize('canonical', canonicalFailures
      ? 'some events are not canonical or do not match their position or organization'
      : `${plural(c.events, 'event')} in RFC 8785 canonical form; seq and organization_id match`);
  }

  #corruptStream(file: string | undefined, error: BundleError): void {
    const r = this.#report;
    if (file !== undefined) this.#corrupt.add(file);
    r.fail('manifests', { code: 'CORRUPT_FILE', ...(file === undefined ? {} : { file }), message: `cannot read ${file ?? 'a file'} to the end: ${error.message}` });
    for (const check of ['proof', 'completeness', 'canonical'] as const) {
      r.fail(check, { code: 'CORRUPT_FILE', ...(file === undefined ? {} : { file }), message: `incomplete: ${file ?? 'a file'} could not be read` });
    }
  }

  #tilingProblem(problem: TilingProblem, treeSize: number): void {
    const r = this.#report;
    const where = problem.fromProof === true && problem.tag !== undefined
      ? { file: PATHS.proofHashes, line: problem.tag }
      : { file: PATHS.leaves };
    switch (problem.kind) {
      case 'hole':
        r.fail('proof', {
          code: 'PROOF_HOLE', ...where, seq: String(problem.lo),
          message: `${seqRange(problem.lo, problem.hi)} ${problem.hi - problem.lo === 1 ? 'is' : 'are'} neither listed in leaves.txt nor covered by a proof hash: missing from the bundle`,
        });
        break;
      case 'overlap':
        r.fail('proof', { code: 'PROOF_OVERLAP', ...where, seq: String(problem.lo), message: `${seqRange(problem.lo, problem.hi)} covered twice (by leaves.txt and/or proof-hashes.txt)` });
        break;
      case 'not_maximal':
        r.fail('proof', { code: 'PROOF_NOT_CANONICAL', file: PATHS.proofHashes, message: `proof hashes for ${seqRange(problem.lo, problem.hi)} are not the maximal subtrees of the ledger's multi-leaf proof` });
        break;
      default:
        r.fail('proof', { code: 'PROOF_NOT_A_NODE', ...where, message: `[${problem.lo}, ${problem.hi}) is not a subtree of the tree of size ${treeSize}` });
    }
  }

  // ------------------------------------------------------------------------------ other files, manifests

  /** Hashes the files no pass has read yet, one after the other, and records the results. */
  async #hashOtherFiles(): Promise<void> {
    for (const done of await this.#hashFiles(() => true, { requested: false })) this.#applyFileHash(done);
  }

  /**
   * The SHA-256 of each payload or tag file not read yet (nor corrupt, nor the seal) that `take` accepts, in bag
   * order; records nothing (see {@link #applyFileHash}). Stops between chunks once `stop.requested`. Throws on a
   * limit or a non-bundle error; a corrupt file is a result.
   */
  async #hashFiles(take: (path: string) => boolean, stop: { requested: boolean }): Promise<FileHashResult[]> {
    const archive = this.#archive as ZipArchive;
    const results: FileHashResult[] = [];
    for (const [path, entry] of this.#files) {
      if (this.#hashes.has(path) || this.#corrupt.has(path) || path === PATHS.seal || !take(path)) continue;
      if (!path.startsWith('data/') && !this.#tagManifest.has(path)) continue;
      const hash = this.#crypto.createSha256();
      try {
        for await (const chunk of readAhead(archive.stream(entry), 4 << 20)) {
          if (stop.requested) return results;
          hash.update(chunk);
          this.#progressBytes += chunk.length;
        }
        results.push({ path, sha256: encodeHex(hash.digest()) });
      } catch (error) {
        if (!isBundleError(error) || error.code === 'LIMIT_EXCEEDED') throw error;
        results.push({ path, error });
      }
    }
    return results;
  }

  #applyFileHash(done: FileHashResult): void {
    if ('sha256' in done) {
      this.#hashes.set(done.path, done.sha256);
      return;
    }
    this.#corrupt.add(done.path);
    this.#report.fail('manifests', { code: 'CORRUPT_FILE', file: done.path, message: `cannot read ${done.path}: ${done.error.message}` });
  }

  #checkManifests(): void {
    const r = this.#report;
    let payload = 0;
    for (const [path, expected] of this.#manifest) {
      const found = this.#hashes.get(path);
      if (found === undefined) continue;
      payload += 1;
      if (found !== expected) {
        r.fail('manifests', {
          code: 'MANIFEST_MISMATCH', file: path, message: `${path}: SHA-256 does not match manifest-sha256.txt line ${this.#manifestLines.get(path) ?? '?'}`,
          expected, found,
        });
      }
    }
    for (const [path, expected] of this.#tagManifest) {
      const found = this.#hashes.get(path);
      if (found !== undefined && found !== expected) {
        r.fail('manifests', { code: 'TAGMANIFEST_MISMATCH', file: path, message: `${path}: SHA-256 does not match tagmanifest-sha256.txt`, expected, found });
      }
    }
    const oxum = getBagInfo(this.#bagInfo, 'Payload-Oxum');
    if (!r.failed('manifests')) {
      r.summarize('manifests', `${plural(payload, 'payload file')} and ${plural(this.#tagManifest.size, 'tag file')} match; Payload-Oxum ${oxum ?? 'absent'}`);
    } else {
      r.summarize('manifests', 'files differ from the manifests');
    }
    if (!r.failed('structure')) {
      r.summarize('structure', `bag ${this.#bagName}/: ${plural(this.#files.size, 'file')}, BagIt 1.0, ${BUNDLE_FORMAT}`);
    } else if (!r.unusable) {
      r.summarize('structure', `bag ${this.#bagName}/ does not have the ${BUNDLE_FORMAT} layout`);
    }
  }

  #checkCustody(): void {
    const r = this.#report;
    const c = this.#custody;
    const proof = this.#proof;
    if (c === undefined || proof === undefined) return;
    const mismatch = (field: string, expected: string, found: unknown, file: string = PATHS.custody): void => {
      r.fail('completeness', {
        code: 'CUSTODY_MISMATCH', file, message: `${file === PATHS.custody ? 'custody.json' : file} ${field} does not match the bundle`,
        expected, found: typeof found === 'string' ? found : JSON.stringify(found) ?? 'absent',
      });
    };
    const counts = this.#counts;
    const rangeText = proof.range === null ? null : { from: String(proof.range.from), to: String(proof.range.to) };
    if (c.format !== CUSTODY_FORMAT) mismatch('format', CUSTODY_FORMAT, c.format);
    if (c.origin !== proof.origin) mismatch('origin', proof.origin, c.origin);
    if (this.#organizationId !== undefined && c.organization_id !== this.#organizationId) mismatch('organization_id', this.#organizationId, c.organization_id);
    if (c.mode !== proof.mode) mismatch('mode', proof.mode, c.mode);
    if (JSON.stringify(c.range) !== JSON.stringify(rangeText)) mismatch('range', JSON.stringify(rangeText), c.range);
    if (c.tree_size !== String(proof.treeSize)) mismatch('tree_size', String(proof.treeSize), c.tree_size);
    const cc = isObject(c.counts) ? c.counts : {};
    if (cc.shown !== counts.events) mismatch('counts.shown', String(counts.events), cc.shown);
    if (cc.withheld !== counts.withheld) mismatch('counts.withheld', String(counts.withheld), cc.withheld);
    if (cc.purged !== counts.purged) mismatch('counts.purged', String(counts.purged), cc.purged);
    if (cc.total !== counts.leaves) mismatch('counts.total', String(counts.leaves), cc.total);
    const control = c.control_numbers;
    let controlText = 'none';
    if (counts.events === 0) {
      if (control !== null) mismatch('control_numbers', 'null', control);
    } else if (!isObject(control) || typeof control.prefix !== 'string' || !Number.isSafeInteger(control.first) || !Number.isSafeInteger(control.last) || !Number.isSafeInteger(control.width)) {
      mismatch('control_numbers', '{prefix, first, last, width}', control);
    } else {
      const first = control.first as number;
      const last = control.last as number;
      if (last - first + 1 !== counts.events) mismatch('control_numbers', `${counts.events} numbers (last = first + ${counts.events - 1})`, `${first}–${last}`);
      controlText = `${formatControlNumber(control.prefix, first, control.width as number)}-${formatControlNumber(control.prefix, last, control.width as number)}`;
    }
    // bag-info.txt must say the same.
    const info = (label: string): string | undefined => getBagInfo(this.#bagInfo, label);
    const expectInfo = (label: string, expected: string | undefined): void => {
      if (expected === undefined) return;
      const found = info(label);
      if (found !== expected) mismatch(label, expected, found ?? 'absent', BAG_INFO_FILE);
    };
    const matter = isObject(c.matter) ? c.matter : {};
    if (typeof matter.number === 'string' && matter.number !== '') expectInfo('External-Identifier', matter.number);
    if (typeof matter.name === 'string' && matter.name !== '') expectInfo('External-Description', matter.name);
    if (typeof c.source_organization === 'string') expectInfo('Source-Organization', c.source_organization);
    if (typeof c.exported_at === 'string') expectInfo('Bagging-Date', c.exported_at.slice(0, 10));
    if (typeof c.export_id === 'string') expectInfo('Custody-Export-Id', c.export_id);
    expectInfo('Custody-Origin', proof.origin);
    expectInfo('Custody-Mode', proof.mode);
    expectInfo('Custody-Range', proof.range === null ? 'none' : `${proof.range.from}-${proof.range.to - 1}`);
    expectInfo('Custody-Checkpoint-Size', String(proof.treeSize));
    expectInfo('Custody-Events-Shown', String(counts.events));
    expectInfo('Custody-Events-Withheld', String(counts.withheld));
    expectInfo('Custody-Events-Purged', String(counts.purged));
    expectInfo('Custody-Control-Numbers', controlText);
  }

  async #hashArchive(stop: { requested: boolean }): Promise<string> {
    const size = this.#source.size;
    const digest = this.#crypto.digestSha256;
    if (digest !== undefined && size <= WHOLE_ARCHIVE_DIGEST_BYTES) {
      // Held at once for a native one-shot hash: early in the verification, before the rows fill memory.
      const whole = new Uint8Array(size);
      for (let offset = 0; offset < size && !stop.requested; offset += 4 << 20) {
        whole.set(await readExactly(this.#source, offset, Math.min(4 << 20, size - offset), 'the archive'), offset);
      }
      return encodeHex(await digest(whole));
    }
    const hash = this.#crypto.createSha256();
    for (let offset = 0; offset < size && !stop.requested; offset += 4 << 20) {
      hash.update(await readExactly(this.#source, offset, Math.min(4 << 20, size - offset), 'the archive'));
    }
    return encodeHex(hash.digest());
  }
}
