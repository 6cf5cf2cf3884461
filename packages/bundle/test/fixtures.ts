/**
 * Test fixtures: a real small bundle written by the writer, over a log built with the ledger (events from
 * `@custody/schema`'s createLoggedEvent, a deterministic signer, two hash-chained checkpoints).
 */
import {
  checkpointBodyHash, consistencyProof, createSignerFromSeed, hashLeaf, multiLeafProof, rangeProof, rootHash, signCheckpoint,
} from '@custody/ledger';
import { createLoggedEvent, validateEvent, type TEventInput } from '@custody/schema';

import {
  createBundleWriter, memorySink, type BundleCrypto, type BundleWriteResult, type BundleWriterOptions, type ByteTransform, type Crc32,
  type SpoolFactory,
} from '../src/index';

export const ORIGIN = 'audit.example.com/org_acme';
export const ORGANIZATION = 'org_acme';
export const SIGNER = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(7));
export const FOREIGN = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(9));
export const EXPORTED_AT = new Date('2026-03-14T09:26:53.589Z');

const encoder = new TextEncoder();

/** A realistic validated event input (about 500 bytes logged). */
export function eventInput(i: number): TEventInput {
  const result = validateEvent({
    action: i % 3 === 0 ? 'document.shared' : 'user.signed_in',
    occurred_at: new Date(Date.UTC(2026, 2, 14, 8, 0, 0) + i * 1000).toISOString(),
    actor: { id: `user_${i % 97}`, type: 'user', name: `User ${i % 97} \u00e9` },
    targets: [{ id: `doc_${i}`, type: 'document', name: `Quarterly report ${i}` }],
    context: { location: `192.0.2.${i % 250}`, user_agent: 'Mozilla/5.0 (X11; Linux x86_64)', request_id: `req_${i.toString(16)}` },
    metadata: { permission: i % 2 === 0 ? 'view' : 'edit', expires_in_days: i % 30, notify: i % 5 === 0 },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.event;
}

function saltOf(i: number): Uint8Array {
  const salt = new Uint8Array(16);
  new DataView(salt.buffer).setUint32(0, i * 2654435761);
  salt[15] = i & 255;
  return salt;
}

/** The canonical leaf bytes of seq `i`. */
export function eventBytes(i: number, organizationId = ORGANIZATION): Uint8Array {
  return createLoggedEvent(eventInput(i), {
    organizationId, seq: i, id: `019ceb74-9cbc-7c1e-8b0f-${i.toString(16).padStart(12, '0')}`,
    receivedAt: new Date(Date.UTC(2026, 2, 14, 8, 0, 1) + i * 1000), salt: saltOf(i),
  }).bytes;
}

export interface TestLog {
  readonly size: number;
  readonly events: Uint8Array[];
  readonly leaves: Uint8Array[];
  /** Checkpoints at size `old` and `size`, hash-chained. */
  readonly checkpoints: { note: string; consistencyProof?: Uint8Array[] }[];
}

/** A log of `size` events with checkpoints at `old` (if given) and `size`. */
export function buildLog(size: number, old?: number, signer = SIGNER.skey): TestLog {
  const events = Array.from({ length: size }, (_, i) => eventBytes(i));
  const leaves = events.map((bytes) => hashLeaf(bytes));
  const checkpoints: { note: string; consistencyProof?: Uint8Array[] }[] = [];
  let prev: Uint8Array | undefined;
  if (old !== undefined) {
    const note = signCheckpoint({ origin: ORIGIN, size: BigInt(old), root: rootHash(leaves.slice(0, old)) }, signer);
    checkpoints.push({ note });
    prev = checkpointBodyHash(note);
  }
  const note = signCheckpoint({ origin: ORIGIN, size: BigInt(size), root: rootHash(leaves), ...(prev === undefined ? {} : { prev }) }, signer);
  checkpoints.push(old === undefined ? { note } : { note, consistencyProof: consistencyProof(BigInt(old), BigInt(size), leaves) });
  return { size, events, leaves, checkpoints };
}

export interface BuildOptions {
  readonly size?: number;
  readonly old?: number;
  readonly mode?: 'complete-range' | 'selected';
  readonly from?: number;
  readonly to?: number;
  /** complete-range: seq is withheld when this returns true. Default: every 4th. */
  readonly withheld?: (seq: number) => boolean;
  /** Purged seqs. */
  readonly purged?: readonly number[];
  /** selected mode: the seqs shown. */
  readonly selected?: readonly number[];
  readonly crypto?: BundleCrypto;
  readonly deflateRaw?: ByteTransform;
  readonly crc32?: Crc32;
  readonly spool?: SpoolFactory;
  readonly forceZip64?: boolean;
  readonly method?: 'store' | 'deflate';
  readonly bagName?: string;
  /** Add a small CSV through openFile. Default is true. */
  readonly csv?: boolean;
  readonly extra?: Partial<BundleWriterOptions>;
}

export interface BuiltBundle {
  readonly bytes: Uint8Array;
  readonly result: BundleWriteResult;
  readonly log: TestLog;
  readonly shown: number[];
  readonly bagName: string;
}

/** Writes a bundle with the writer (memory sink). */
export async function buildBundle(options: BuildOptions = {}): Promise<BuiltBundle> {
  const size = options.size ?? 40;
  const mode = options.mode ?? 'complete-range';
  const from = options.from ?? 8;
  const to = options.to ?? 32;
  const log = buildLog(size, options.old ?? 20);
  const sink = memorySink();
  const bagName = options.bagName ?? 'ACME-2026-001';
  const writer = createBundleWriter({
    sink, bagName, origin: ORIGIN, mode, treeSize: BigInt(size), ...(mode === 'complete-range' ? { range: { from: BigInt(from), to: BigInt(to) } } : {}),
    controlNumbers: { prefix: 'ACME', width: 6 }, exportedAt: EXPORTED_AT,
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    compression: { method: options.method ?? 'deflate', ...(options.deflateRaw === undefined ? {} : { deflateRaw: options.deflateRaw }) },
    ...(options.crc32 === undefined ? {} : { crc32: options.crc32 }),
    ...(options.spool === undefined ? {} : { spool: options.spool }),
    forceZip64: options.forceZip64 === true,
    ...options.extra,
  });
  const csv = options.csv === false ? undefined : writer.openFile('data/events.csv');
  await csv?.write('CONTROLNO,LOG_INDEX\r\n');
  const purged = new Set(options.purged ?? []);
  const withheld = options.withheld ?? ((seq: number) => seq % 4 === 3);
  const shown: number[] = [];
  const seqs = mode === 'complete-range' ? Array.from({ length: to - from }, (_, i) => from + i) : [...(options.selected ?? [3, 4, 5, 11, 17, 30])].sort((a, b) => a - b);
  for (const seq of seqs) {
    const leaf = log.leaves[seq] as Uint8Array;
    if (purged.has(seq)) {
      await writer.addPurged(BigInt(seq), leaf, { purged_at: '2026-03-01T00:00:00.000Z', policy: 'retention-90d' });
    } else if (mode === 'complete-range' && withheld(seq)) {
      await writer.addWithheld(BigInt(seq), leaf);
    } else {
      const control = await writer.addEvent(BigInt(seq), log.events[seq] as Uint8Array, seq % 2 === 0 ? leaf : undefined);
      await csv?.write(`${control},${seq}\r\n`);
      shown.push(seq);
    }
  }
  await csv?.close();
  writer.addFile('data/README.txt', 'This is a test bundle.\n');
  const proofHashes = mode === 'complete-range'
    ? rangeProof(BigInt(from), BigInt(to), BigInt(size), log.leaves)
    : multiLeafProof(seqs.map(BigInt), BigInt(size), log.leaves);
  const result = await writer.finish({
    checkpoints: log.checkpoints,
    proofHashes,
    custody: {
      exportId: 'exp_01', exportedBy: { type: 'user', id: 'user_1', name: 'Alice Martin' }, reason: 'Litigation hold 2026-001',
      matter: { name: 'Acme v. Beta', number: '2026-001' }, custodian: 'Security team', sourceOrganization: 'ACME Corp',
      filter: { action: ['document.shared', 'user.signed_in'], actor: null }, toolVersion: 'custody 0.1.0',
    },
    keys: [SIGNER.vkey],
    signer: SIGNER.skey,
  });
  return { bytes: sink.bytes(), result, log, shown, bagName };
}

export const utf8 = (text: string): Uint8Array => encoder.encode(text);
