/**
 * Test fixtures (pure: no Node modules, so this folder typechecks with the engine): real bundles written by
 * `@custody/bundle`'s writer over a log built with `@custody/ledger` (events from `createLoggedEvent`, a
 * deterministic signer), tamper tools that unpack, edit and repack a bundle, and a hostile-input zoo.
 */
import { createBundleWriter, createZipWriter, memorySink, memorySource, type ByteSource } from '@custody/bundle';
import {
  checkpointBodyHash, consistencyProof, createSignerFromSeed, encodeHex, hashLeaf, multiLeafProof, nobleSha256, rangeProof, rootHash,
  signCheckpoint,
} from '@custody/ledger';
import { createLoggedEvent, validateEvent, type TEventInput } from '@custody/schema';

export const ORIGIN = 'audit.example.com/org_acme';
export const ORGANIZATION = 'org_acme';
export const SIGNER = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(7));
export const FOREIGN = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(9));
export const EXPORTED_AT = new Date('2026-03-14T09:26:53.589Z');
export const BASE_TIME = Date.UTC(2026, 2, 14, 8, 0, 0);

const ACTIONS = ['user.signed_in', 'document.shared', 'document.deleted', 'user.password_changed', 'admin.role_granted'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'Mozilla/5.0 (Macintosh) Safari/17.1', 'curl/8.5.0', 'custody-cli/0.1.0'];

/** The IP of event `i`: IPv4 in two /16s, some IPv6. */
export function ipOf(i: number): string {
  if (i % 7 === 6) return `2001:db8:${(i % 3).toString(16)}::${(i % 50 + 1).toString(16)}`;
  return i % 2 === 0 ? `10.1.${i % 5}.${i % 200}` : `192.168.${i % 3}.${(i * 7) % 250}`;
}

/** Event input of seq `i` (varied: actions, actors with and without names, targets, metadata, hostile text). */
export function eventInput(i: number, overrides: Partial<Record<string, unknown>> = {}): TEventInput {
  const result = validateEvent({
    action: ACTIONS[i % ACTIONS.length],
    // Not monotonic: every 10th event is 30 minutes early (clients send their own times).
    occurred_at: new Date(BASE_TIME + i * 60_000 - (i % 10 === 9 ? 1_800_000 : 0)).toISOString(),
    actor: i % 4 === 3 ? { id: `svc_${i % 3}`, type: 'api_key' } : { id: `user_${i % 6}`, type: 'user', name: `User ${i % 6} Müller` },
    targets: i % 5 === 4 ? [] : [
      { id: `doc_${i}`, type: 'document', name: `Quarterly report ${i % 8}` },
      ...(i % 3 === 0 ? [{ id: `folder_${i % 4}`, type: 'folder' }] : []),
    ],
    context: { location: ipOf(i), user_agent: AGENTS[i % AGENTS.length], request_id: `req_${i.toString(16)}`, ...(i % 2 === 0 ? { session_id: `sess-${i % 9}` } : {}) },
    metadata: { permission: i % 2 === 0 ? 'view' : 'edit', expires_in_days: i % 30, notify: i % 5 === 0, reason: i % 11 === 0 ? 'Legal "hold" review, phase two' : null, ...(i % 4 === 1 ? { forwarded_for: ipOf(i + 5) } : {}) },
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.event;
}

function saltOf(i: number): Uint8Array {
  const salt = new Uint8Array(16);
  new DataView(salt.buffer).setUint32(0, (i * 2654435761) >>> 0);
  salt[15] = i & 255;
  return salt;
}

/** The canonical leaf bytes of seq `i`. */
export function eventBytes(i: number, input: TEventInput = eventInput(i)): Uint8Array {
  return createLoggedEvent(input, {
    organizationId: ORGANIZATION, seq: i, id: `019ceb74-9cbc-7c1e-8b0f-${i.toString(16).padStart(12, '0')}`,
    receivedAt: new Date(BASE_TIME + i * 60_000 + 1000), salt: saltOf(i),
  }).bytes;
}

export interface BuildOptions {
  readonly size?: number;
  readonly mode?: 'complete-range' | 'selected';
  readonly from?: number;
  readonly to?: number;
  readonly withheld?: (seq: number) => boolean;
  readonly selected?: readonly number[];
  readonly prefix?: string;
  readonly bagName?: string;
  /** Replaces the input of some events (hostile content). */
  readonly input?: (seq: number) => TEventInput | undefined;
  readonly signer?: string;
}

export interface BuiltBundle {
  readonly bytes: Uint8Array;
  readonly shown: number[];
  readonly events: Map<number, Uint8Array>;
  readonly sha256: string;
}

/** Writes a bundle (memory sink, web deflate). */
export async function buildBundle(options: BuildOptions = {}): Promise<BuiltBundle> {
  const size = options.size ?? 60;
  const mode = options.mode ?? 'complete-range';
  const from = options.from ?? 4;
  const to = options.to ?? size - 4;
  const signer = options.signer ?? SIGNER.skey;
  const events = Array.from({ length: size }, (_, i) => eventBytes(i, options.input?.(i) ?? eventInput(i)));
  const leaves = events.map((bytes) => hashLeaf(bytes));
  const old = Math.floor(size / 2);
  const oldNote = signCheckpoint({ origin: ORIGIN, size: BigInt(old), root: rootHash(leaves.slice(0, old)) }, signer);
  const note = signCheckpoint({ origin: ORIGIN, size: BigInt(size), root: rootHash(leaves), prev: checkpointBodyHash(oldNote) }, signer);
  const sink = memorySink();
  const writer = createBundleWriter({
    sink, bagName: options.bagName ?? 'ACME-2026-001', origin: ORIGIN, mode, treeSize: BigInt(size),
    ...(mode === 'complete-range' ? { range: { from: BigInt(from), to: BigInt(to) } } : {}),
    controlNumbers: { prefix: options.prefix ?? 'ACME', width: 6 }, exportedAt: EXPORTED_AT,
  });
  const withheld = options.withheld ?? ((seq: number) => seq % 9 === 8);
  const seqs = mode === 'complete-range' ? Array.from({ length: to - from }, (_, i) => from + i) : [...(options.selected ?? [3, 4, 5, 11, 17, 30])];
  const shown: number[] = [];
  const shownEvents = new Map<number, Uint8Array>();
  for (const seq of seqs) {
    if (mode === 'complete-range' && withheld(seq)) {
      await writer.addWithheld(BigInt(seq), leaves[seq] as Uint8Array);
    } else {
      await writer.addEvent(BigInt(seq), events[seq] as Uint8Array);
      shown.push(seq);
      shownEvents.set(seq, events[seq] as Uint8Array);
    }
  }
  const proofHashes = mode === 'complete-range'
    ? rangeProof(BigInt(from), BigInt(to), BigInt(size), leaves)
    : multiLeafProof(seqs.map(BigInt), BigInt(size), leaves);
  await writer.finish({
    checkpoints: [{ note: oldNote }, { note, consistencyProof: consistencyProof(BigInt(old), BigInt(size), leaves) }],
    proofHashes,
    custody: {
      exportId: 'exp_01', exportedBy: { type: 'user', id: 'user_1', name: 'Alice Martin' }, reason: 'Litigation hold 2026-001',
      matter: { name: 'Acme v. Beta', number: '2026-001' }, custodian: 'Security team', sourceOrganization: 'ACME Corp',
      filter: { action: null }, toolVersion: 'custody 0.1.0',
    },
    keys: [signer === SIGNER.skey ? SIGNER.vkey : FOREIGN.vkey],
    signer,
  });
  const bytes = sink.bytes();
  return { bytes, shown, events: shownEvents, sha256: encodeHex(nobleSha256(bytes)) };
}

export const source = (bytes: Uint8Array): ByteSource => memorySource(bytes);

// ------------------------------------------------------------------------------------------------ tamper

export {
  fileText as text, readLines as lines, recomputeManifests, repackBundle as repack, resealBundle as reseal, tamperBundle as tamper,
  textBytes as utf8, unpackBundle as unpack, writeLines as setLines,
} from '@custody/bundle/testing';
export type { TBagFiles as Files } from '@custody/bundle/testing';
import { textBytes as utf8 } from '@custody/bundle/testing';

/** A zip whose one entry declares a 1000:1 compression ratio (over the 100:1 limit). */
export async function zipBomb(): Promise<Uint8Array> {
  const sink = memorySink();
  const zip = createZipWriter(sink, { modifiedAt: new Date('2026-03-14T09:26:53Z') });
  await zip.addEntry('BOMB/data/events.ndjson', new Uint8Array(8 << 20).fill(0x20), { method: 'deflate' });
  await zip.addEntry('BOMB/bagit.txt', utf8('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'));
  await zip.finish();
  return sink.bytes();
}
