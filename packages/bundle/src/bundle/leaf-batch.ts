/**
 * The per-leaf work of verification, on batches of consecutive `leaves.txt` lines with their `events.ndjson`
 * lines: parse each leaf line, hash each event (SHA-256(0x00 || line bytes), no JSON parsing), compare it with
 * the listed leaf hash, check the event's canonical form, `seq` and `organization_id`, and reduce runs of
 * consecutive leaves to subtree hashes for the tree check.
 *
 * A batch and its result are plain data (typed arrays, numbers, strings), so they can be posted to a Worker:
 * {@link checkLeafBatch} is what a parallel {@link LeafBatchChecker} runs in each worker (see the README for a
 * `worker_threads` one and a Web Worker sketch). The default checker runs it inline.
 */
import { encodeBase64 } from '@custody/ledger';
import type { Sha256Into } from '@custody/ledger';
import { MAX_LEAF_BYTES } from '@custody/schema';

import type { Sha256IntoMany } from '../platform/types';

import { JCS_FAILURE_TEXT, createScanOutput, decodeJsonString, failureName, scanEventInto, type ScanOutput } from './jcs-scan';
import { PATHS } from './format';
import type { CheckName, FailureCode, VerificationFailure } from './report-types';
import { SubtreeReducer } from './tree';

/**
 * A batch of leaves. Lines are complete and end with `\n`. Each event line is stored as `0x00`, the line's
 * bytes, `\n` (the prefix lets the leaf hash be computed without copying).
 */
export interface LeafBatch {
  /** 0-based line number in `leaves.txt` of the first leaf. */
  readonly leafLine: number;
  /** 0-based line number in `events.ndjson` of the first event line. */
  readonly eventLine: number;
  readonly leaves: Uint8Array;
  readonly leafCount: number;
  /** End offset (the `\n`) of each leaf line in `leaves`. */
  readonly leafEnds: Uint32Array;
  /** One byte per leaf: 1 if the leaf consumes the next event line (its kind starts with `e`). */
  readonly eventFlags: Uint8Array;
  readonly events: Uint8Array;
  readonly eventCount: number;
  /** End offset (the `\n`) of each event line in `events`. */
  readonly eventEnds: Uint32Array;
}

/** What a batch is checked against. */
export interface LeafBatchContext {
  readonly treeSize: number;
  /** Expected `organization_id` of every event, if known. */
  readonly organizationId?: string;
  /** Failures kept per batch (the rest are only counted). */
  readonly maxFailures: number;
}

/** A failure with the check that reports it. */
export interface BatchFailure extends VerificationFailure {
  readonly check: CheckName;
}

/** The result of {@link checkLeafBatch}. */
export interface LeafBatchResult {
  /** Leaf lines parsed successfully and pushed as nodes. */
  readonly leaves: number;
  readonly events: number;
  readonly withheld: number;
  readonly purged: number;
  readonly eventsValid: number;
  readonly eventsInvalid: number;
  /** Event lines consumed. */
  readonly eventsUsed: number;
  /** Reduced subtrees of the listed leaf hashes, ascending: `[nodeLo[i], nodeHi[i])` with hash `nodeHashes[32i…]`. */
  readonly nodeLo: Float64Array;
  readonly nodeHi: Float64Array;
  readonly nodeHashes: Uint8Array;
  /** Purged leaves (seq and listed hash), for matching `purges.ndjson`. */
  readonly purgedSeqs: Float64Array;
  readonly purgedHashes: Uint8Array;
  readonly failures: readonly BatchFailure[];
  /** Failures per check, including those beyond `maxFailures`. */
  readonly failureCounts: Readonly<Partial<Record<CheckName, number>>>;
  /**
   * The batch itself, handed back by a checker that had its buffers transferred to a worker, so the verifier can
   * fill them again instead of allocating new ones. Optional; `checkLeafBatch` never sets it.
   */
  readonly returned?: LeafBatch;
}

/** Runs {@link checkLeafBatch} somewhere (inline, a Worker pool). Results must come back per batch. */
export interface LeafBatchChecker {
  /** Checks one batch. Several batches may be in flight; each promise resolves with that batch's result. */
  check(batch: LeafBatch, context: LeafBatchContext): Promise<LeafBatchResult>;
  /** How many batches to keep in flight (1 for inline; about 2 per worker). */
  readonly concurrency: number;
}

const B64 = (() => {
  const table = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Decodes exactly 44 characters of strict padded base64 (32 bytes) at `at` into `out[offset…]`. */
function decodeHash44(bytes: Uint8Array, at: number, out: Uint8Array, offset: number): boolean {
  let o = offset;
  for (let g = 0; g < 40; g += 4) {
    const a = B64[bytes[at + g] as number] as number;
    const b = B64[bytes[at + g + 1] as number] as number;
    const c = B64[bytes[at + g + 2] as number] as number;
    const d = B64[bytes[at + g + 3] as number] as number;
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = n >>> 16;
    out[o + 1] = (n >>> 8) & 0xff;
    out[o + 2] = n & 0xff;
    o += 3;
  }
  const a = B64[bytes[at + 40] as number] as number;
  const b = B64[bytes[at + 41] as number] as number;
  const c = B64[bytes[at + 42] as number] as number;
  if ((a | b | c) < 0 || bytes[at + 43] !== 0x3d || (c & 3) !== 0) return false;
  out[o] = (a << 2) | (b >>> 4);
  out[o + 1] = ((b & 15) << 4) | (c >>> 2);
  return true;
}

/** The kinds with their following space, as bytes: 0 event, 1 withheld, 2 purged. */
const KIND_BYTES = ['event ', 'withheld ', 'purged '].map((kind) => new TextEncoder().encode(kind));

function equalBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

function sliceText(bytes: Uint8Array, start: number, end: number, max = 80): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(start, Math.min(end, start + max)));
  return end - start > max ? `${text}…` : text;
}

/**
 * Where the batch's event lines lie, by the main thread's rule: line i is `events[starts[i], ends[i])`, after the
 * 0x00 byte that precedes it. Positions past the end of `events` are kept (the checks clamp them as `subarray`
 * does). One place for the rule, read by the check loop and by {@link hashEventLines}.
 */
function eventLineRanges(batch: LeafBatch, eventCount: number): { starts: Int32Array; ends: Int32Array } {
  const { events, eventEnds } = batch;
  const starts = new Int32Array(eventCount);
  const ends = new Int32Array(eventCount);
  let pos = 0;
  for (let i = 0; i < eventCount; i++) {
    const start = pos + 1;
    const end = Math.max(start, Math.min(eventEnds[i] as number, events.length));
    starts[i] = start;
    ends[i] = end;
    pos = end + 1;
  }
  return { starts, ends };
}

/**
 * The leaf hashes (SHA-256(0x00 ‖ line)) of the first `used` event lines in one `sha256IntoMany` call: line i's
 * hash at `32i`, over `events.subarray(starts[i] - 1, ends[i])` as the loop would hash it (clamped the same way).
 * Lines of leaves that fail before their event is checked are hashed too, and their hashes are not used.
 */
function hashEventLines(events: Uint8Array, lines: { starts: Int32Array; ends: Int32Array }, used: number, sha256IntoMany: Sha256IntoMany): Uint8Array {
  const from = new Int32Array(used);
  const to = new Int32Array(used);
  for (let i = 0; i < used; i++) {
    from[i] = Math.min((lines.starts[i] as number) - 1, events.length);
    to[i] = Math.max(from[i] as number, Math.min(lines.ends[i] as number, events.length));
  }
  const hashes = new Uint8Array(32 * used);
  sha256IntoMany(events, from, to, used, hashes);
  return hashes;
}

/**
 * Checks one {@link LeafBatch} (see the module header). Pure and synchronous; `sha256Into` is the platform's
 * SHA-256 writing into a buffer (`sha256IntoOf(sha256)` where there is none). With `sha256IntoMany` (the SIMD
 * `wasmSha256().sha256IntoMany`, where available), the leaf hashes of all event lines are computed first in one
 * call, with the same results. Never throws for hostile input: problems become failures.
 */
export function checkLeafBatch(batch: LeafBatch, context: LeafBatchContext, sha256Into: Sha256Into, sha256IntoMany?: Sha256IntoMany): LeafBatchResult {
  const { leaves, events, eventFlags } = batch;
  const treeSize = context.treeSize;
  const reducer = new SubtreeReducer(sha256Into);
  const computed = new Uint8Array(32);
  const failures: BatchFailure[] = [];
  const failureCounts: Partial<Record<CheckName, number>> = {};
  const fail = (failure: BatchFailure): void => {
    failureCounts[failure.check] = (failureCounts[failure.check] ?? 0) + 1;
    if (failures.length < context.maxFailures) failures.push(failure);
  };
  const expectedOrg = context.organizationId === undefined ? undefined : new TextEncoder().encode(context.organizationId);
  const scan = createScanOutput();
  const listed = new Uint8Array(32 * Math.max(1, batch.leafCount));
  const purgedSeqs: number[] = [];
  const purgedHashes: Uint8Array[] = [];
  let leafPos = 0;
  let eventsUsed = 0;
  let previous = -1;
  let nEvents = 0;
  let nWithheld = 0;
  let nPurged = 0;
  let valid = 0;
  let invalid = 0;
  let pushed = 0;
  const { leafEnds, eventEnds } = batch;
  const leafCount = Math.min(batch.leafCount, leafEnds.length, eventFlags.length);
  const eventCount = Math.min(batch.eventCount, eventEnds.length);
  const lines = eventLineRanges(batch, eventCount);
  // Precomputed leaf hashes of the event lines the leaves consume (line i at 32i), or undefined: hashed one by one
  // in checkEvent.
  let lineHashes: Uint8Array | undefined;
  if (sha256IntoMany !== undefined) {
    let flagged = 0;
    for (let k = 0; k < leafCount; k++) if (eventFlags[k] === 1) flagged += 1;
    lineHashes = hashEventLines(events, lines, Math.min(flagged, eventCount), sha256IntoMany);
  }
  const check: EventCheck = { events, listed, computed, lineHashes, scan, expectedOrg, organizationId: context.organizationId, sha256Into, fail };
  for (let k = 0; k < leafCount; k++) {
    const lineStart = leafPos;
    const lineEnd = Math.min(leafEnds[k] as number, leaves.length);
    leafPos = lineEnd + 1;
    const leafLine = batch.leafLine + k + 1;
    // The event line this leaf consumes (by the main thread's rule), even if the leaf line is malformed.
    let eventStart = -1;
    let eventEnd = -1;
    let eventNumber = 0;
    let eventIndex = -1;
    if (eventFlags[k] === 1) {
      if (eventsUsed < eventCount) {
        eventIndex = eventsUsed;
        eventStart = lines.starts[eventsUsed] as number;
        eventEnd = lines.ends[eventsUsed] as number;
        eventNumber = batch.eventLine + eventsUsed + 1;
        eventsUsed += 1;
      }
    }
    // Parse "<seq> <kind> <base64>".
    let p = lineStart;
    let seq = 0;
    while (p < lineEnd && p - lineStart < 17 && (leaves[p] as number) >= 0x30 && (leaves[p] as number) <= 0x39) {
      seq = seq * 10 + ((leaves[p] as number) - 0x30);
      p += 1;
    }
    const digits = p - lineStart;
    let kind = -1;
    if (digits > 0 && digits <= 16 && !(digits > 1 && leaves[lineStart] === 0x30) && seq <= Number.MAX_SAFE_INTEGER && leaves[p] === 0x20) {
      p += 1;
      const c = leaves[p];
      // "event ", "withheld ", "purged ": the first letter picks the candidate, the rest must match exactly.
      const candidate = c === 0x65 ? 0 : c === 0x77 ? 1 : c === 0x70 ? 2 : -1;
      if (candidate >= 0) {
        const spec = KIND_BYTES[candidate] as Uint8Array;
        if (p + spec.length <= lineEnd && equalBytes(leaves, p, spec, 0, spec.length)) {
          kind = candidate;
          p += spec.length;
        }
      }
    }
    const slot = pushed * 32;
    if (kind < 0 || lineEnd - p !== 44 || !decodeHash44(leaves, p, listed, slot)) {
      fail({
        check: 'completeness', code: 'BAD_LEAF_LINE', file: PATHS.leaves, line: leafLine,
        message: `not a "<seq> event|withheld|purged <base64 leaf hash>" line: ${JSON.stringify(sliceText(leaves, lineStart, lineEnd))}`,
      });
      if (eventStart >= 0) invalid += 1;
      continue;
    }
    if ((kind === 0) !== (eventFlags[k] === 1)) {
      // Cannot happen when the main thread flags by the same rule; kept so a bad batch cannot desynchronize.
      fail({ check: 'completeness', code: 'BAD_LEAF_LINE', file: PATHS.leaves, line: leafLine, message: 'leaf kind does not match the batch flags' });
      continue;
    }
    if (seq <= previous) {
      const seqText = String(seq);
      fail({
        check: 'completeness', code: 'LEAF_ORDER', file: PATHS.leaves, line: leafLine, seq: seqText,
        message: seq === previous ? `seq ${seq} is listed twice` : `seq ${seq} comes after seq ${previous}: leaves must be in ascending order`,
      });
      if (eventStart >= 0) invalid += 1;
      continue;
    }
    if (seq >= treeSize) {
      const seqText = String(seq);
      fail({
        check: 'completeness', code: 'LEAF_OUT_OF_RANGE', file: PATHS.leaves, line: leafLine, seq: seqText,
        message: `seq ${seq} is outside the checkpoint's tree of size ${treeSize}`,
      });
      if (eventStart >= 0) invalid += 1;
      continue;
    }
    previous = seq;
    if (kind === 0) {
      nEvents += 1;
      if (eventStart < 0) {
        invalid += 1;
        fail({
          check: 'completeness', code: 'EVENT_MISSING', file: PATHS.events, seq: String(seq),
          message: `leaves.txt line ${leafLine} lists event seq ${seq} but events.ndjson has no line for it`,
        });
      } else if (checkEvent(check, eventStart, eventEnd, eventIndex, eventNumber, seq, slot)) {
        valid += 1;
      } else {
        invalid += 1;
      }
    } else if (kind === 1) {
      nWithheld += 1;
    } else {
      nPurged += 1;
      purgedSeqs.push(seq);
      purgedHashes.push(listed.slice(slot, slot + 32));
    }
    reducer.push(seq, listed, slot);
    pushed += 1;
  }

  const nodes = reducer.finish();
  const purgedHashBytes = new Uint8Array(32 * purgedHashes.length);
  purgedHashes.forEach((hash, i) => purgedHashBytes.set(hash, 32 * i));
  return {
    leaves: pushed,
    events: nEvents,
    withheld: nWithheld,
    purged: nPurged,
    eventsValid: valid,
    eventsInvalid: invalid,
    eventsUsed,
    nodeLo: nodes.lo,
    nodeHi: nodes.hi,
    nodeHashes: nodes.hashes,
    purgedSeqs: Float64Array.from(purgedSeqs),
    purgedHashes: purgedHashBytes,
    failures,
    failureCounts,
  };
}

/** What {@link checkEvent} reads, per batch. */
interface EventCheck {
  readonly events: Uint8Array;
  /** The hashes leaves.txt lists, 32 bytes per pushed leaf. */
  readonly listed: Uint8Array;
  /** Scratch for a leaf hash computed one at a time. */
  readonly computed: Uint8Array;
  /** Precomputed leaf hashes of the event lines (line i at 32i), or undefined. */
  readonly lineHashes: Uint8Array | undefined;
  readonly scan: ScanOutput;
  readonly expectedOrg: Uint8Array | undefined;
  readonly organizationId: string | undefined;
  readonly sha256Into: Sha256Into;
  readonly fail: (failure: BatchFailure) => void;
}

/**
 * One event line against its listed leaf: the leaf hash, the size limit, canonical form, seq and organization.
 * Module-level, not nested in {@link checkLeafBatch}: a closure made per batch was optimized again for each of
 * them (20 optimizing compiles on a million events), and ran unoptimized meanwhile.
 */
function checkEvent(c: EventCheck, start: number, end: number, index: number, line: number, seq: number, slot: number): boolean {
  const { events, listed, computed, lineHashes, scan, expectedOrg, fail } = c;
  let ok = true;
  // Leaf hash over the 0x00 prefix and the line: no copy, no JSON parsing (precomputed with sha256IntoMany).
  let hash: Uint8Array = computed;
  let at = 0;
  if (lineHashes === undefined) {
    c.sha256Into(events.subarray(start - 1, end), computed, 0);
  } else {
    hash = lineHashes;
    at = 32 * index;
  }
  if (!equalBytes(hash, at, listed, slot, 32)) {
    ok = false;
    const listedHash = listed.subarray(slot, slot + 32);
    fail({
      check: 'proof', code: 'LEAF_HASH_MISMATCH', file: PATHS.events, line, seq: String(seq),
      message: `leaf hash of the event does not match leaves.txt`,
      expected: encodeBase64(listedHash), found: encodeBase64(hash.subarray(at, at + 32)),
    });
  }
  if (end - start > MAX_LEAF_BYTES) {
    ok = false;
    fail({
      check: 'canonical', code: 'EVENT_TOO_LARGE', file: PATHS.events, line, seq: String(seq),
      message: `event has ${end - start} bytes, more than the ${MAX_LEAF_BYTES} a leaf may have`,
    });
  }
  if (!scanEventInto(events, start, end, true, scan)) {
    ok = false;
    const reason = failureName(scan.failure);
    fail({
      check: 'canonical', code: 'NOT_CANONICAL', file: PATHS.events, line, seq: String(seq),
      message: `not canonical JSON (RFC 8785): ${reason === undefined ? 'invalid' : JCS_FAILURE_TEXT[reason]} at column ${scan.offset - start + 1}`,
    });
  }
  // seq and organization_id are checked even in a non-canonical line when the scanner got that far.
  if (scan.seq !== seq) {
    ok = false;
    fail({
      check: 'canonical', code: 'SEQ_MISMATCH', file: PATHS.events, line, seq: String(seq),
      message: scan.seq === -1 ? 'event has no seq field' : scan.seq === -2 ? 'event seq is not a non-negative integer' : `event's seq field is ${scan.seq}, but it is listed at seq ${seq}`,
      expected: String(seq), ...(scan.seq >= 0 ? { found: String(scan.seq) } : {}),
    });
  }
  if (expectedOrg !== undefined) {
    let same = false;
    let found = '';
    if (scan.orgStart >= 0) {
      if (scan.orgSimple) {
        same = scan.orgEnd - scan.orgStart === expectedOrg.length && equalBytes(events, scan.orgStart, expectedOrg, 0, expectedOrg.length);
      } else {
        same = decodeJsonString(events, scan.orgStart - 1, scan.orgEnd + 1) === c.organizationId;
      }
      if (!same) found = decodeJsonString(events, scan.orgStart - 1, scan.orgEnd + 1).slice(0, 200);
    }
    if (!same) {
      ok = false;
      fail({
        check: 'canonical', code: 'ORGANIZATION_MISMATCH', file: PATHS.events, line, seq: String(seq),
        message: scan.orgStart === -1 ? 'event has no organization_id' : scan.orgStart === -2 ? 'event organization_id is not a string' : 'event belongs to another organization',
        expected: c.organizationId, ...(found === '' ? {} : { found }),
      });
    }
  }
  return ok;
}


/**
 * The default {@link LeafBatchChecker}: runs {@link checkLeafBatch} inline, one batch at a time, with
 * `sha256IntoMany` for the leaf hashes when given.
 */
export function createInlineChecker(sha256Into: Sha256Into, sha256IntoMany?: Sha256IntoMany): LeafBatchChecker {
  return {
    concurrency: 1,
    check: (batch, context) => Promise.resolve(checkLeafBatch(batch, context, sha256Into, sha256IntoMany)),
  };
}

export type { FailureCode };
