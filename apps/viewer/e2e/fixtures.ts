/**
 * Evidence bundles for the browser suites, written by `@custody/bundle`'s writer over a log built with
 * `@custody/ledger` (the same way packages/bundle/test/fixtures.ts does), plus the tamper tools of the bundle
 * package's tamper suite (`@custody/bundle/testing`: unpack, edit, recompute manifests, repack).
 */
import { createBundleWriter, memorySink } from '@custody/bundle';
import {
  checkpointBodyHash, consistencyProof, createSignerFromSeed, encodeBase64, hashLeaf, keyFingerprint, parseCheckpoint, rangeProof,
  rootHash, signCheckpoint,
} from '@custody/ledger';
import { createLoggedEvent, validateEvent } from '@custody/schema';

/** A log and the key that signs its checkpoints. */
export interface TFixtureLog {
  readonly origin: string;
  readonly organizationId: string;
  readonly signer: { readonly skey: string; readonly vkey: string };
  readonly fingerprint: string;
  readonly bagName: string;
  readonly controlPrefix: string;
  /** Time of seq 0 (ms UTC); events are spread over a few days after it. */
  readonly start: number;
}

function makeLog(host: string, organizationId: string, seed: number, bagName: string, controlPrefix: string, start: number): TFixtureLog {
  const origin = `${host}/${organizationId}`;
  const signer = createSignerFromSeed(origin, new Uint8Array(32).fill(seed));
  return { origin, organizationId, signer, fingerprint: keyFingerprint(signer.vkey), bagName, controlPrefix, start };
}

/** Acme's log (the GOOD bundle and the tampered ones). */
export const ACME = makeLog('audit.example.com', 'org_acme', 7, 'ACME-2026-001', 'ACME', Date.UTC(2026, 2, 10, 6, 0, 0));
/** Beta's log (the second bundle, merged with Acme's). */
export const BETA = makeLog('audit.beta.example', 'org_beta', 11, 'BETA-2026-014', 'BETA', Date.UTC(2026, 2, 11, 9, 30, 0));
/** A key nobody trusts (re-signing attack). */
export const FOREIGN = createSignerFromSeed(ACME.origin, new Uint8Array(32).fill(9));

const ACTIONS = ['user.signed_in', 'user.signed_in', 'document.viewed', 'document.shared', 'document.downloaded', 'user.signed_out', 'admin.role_granted', 'document.deleted'] as const;
const PEOPLE = ['Alice Martin', 'Bruno Costa', 'Chen Wei', 'Dana Okafor', 'Eve Mallory', 'Farid Haddad'] as const;

/** The i-th event of a log: varied actions, actors, IPs and times so filters, facets and the histogram have shape. */
function eventInput(log: TFixtureLog, i: number) {
  const action = ACTIONS[(i * 5 + (i >> 3)) % ACTIONS.length] as string;
  const person = i % 17 === 0 ? 5 : (i * 7) % 5;
  const evening = i % 9 === 0;
  const time = log.start + Math.floor(i / 20) * 6 * 3600_000 + (i % 20) * 97_000 + (evening ? 11 * 3600_000 : 0);
  const result = validateEvent({
    action,
    occurred_at: new Date(time).toISOString(),
    actor: { id: `user_${person}`, type: person === 5 ? 'service' : 'user', name: PEOPLE[person] as string },
    targets: [{ id: `doc_${(i * 13) % 41}`, type: 'document', name: `Quarterly report ${(i * 13) % 41}` }],
    context: {
      location: person === 4 ? `203.0.113.${(i % 6) + 10}` : `10.20.${person}.${(i % 30) + 2}`,
      user_agent: person === 5 ? 'custody-sync/2.1' : 'Mozilla/5.0 (X11; Linux x86_64)',
      request_id: `req_${log.organizationId}_${i.toString(16)}`,
    },
    metadata: { permission: i % 2 === 0 ? 'view' : 'edit', batch: Math.floor(i / 25) },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.event;
}

function saltOf(i: number): Uint8Array {
  const salt = new Uint8Array(16);
  new DataView(salt.buffer).setUint32(0, Math.imul(i + 1, 2654435761) >>> 0);
  salt[15] = i & 255;
  return salt;
}

/** The canonical bytes of seq `i` of `log`. */
export function eventBytes(log: TFixtureLog, i: number): Uint8Array {
  return createLoggedEvent(eventInput(log, i), {
    organizationId: log.organizationId,
    seq: i,
    id: `019ceb74-9cbc-7c1e-8b0f-${i.toString(16).padStart(12, '0')}`,
    receivedAt: new Date(log.start + i * 1000 + 5 * 24 * 3600_000),
    salt: saltOf(i),
  }).bytes;
}

/** A written bundle. */
export interface TFixtureBundle {
  readonly log: TFixtureLog;
  readonly bytes: Uint8Array;
  readonly fileName: string;
  /** Seqs shown (not withheld), in order; `shown[i]` is line i+1 of events.ndjson. */
  readonly shown: readonly number[];
  readonly controlNumbers: readonly string[];
}

/**
 * Writes a complete-range bundle of `log` over seq `[from, to)` of a tree of `size` leaves, with checkpoints at
 * `old` and `size` (hash-chained) and every 11th seq withheld.
 */
export async function buildBundle(log: TFixtureLog, options: { size?: number; old?: number; from?: number; to?: number; fileName?: string } = {}): Promise<TFixtureBundle> {
  const size = options.size ?? 260;
  const old = options.old ?? 100;
  const from = options.from ?? 0;
  const to = options.to ?? 240;
  const events = Array.from({ length: size }, (_, i) => eventBytes(log, i));
  const leaves = events.map((bytes) => hashLeaf(bytes));
  const oldNote = signCheckpoint({ origin: log.origin, size: BigInt(old), root: rootHash(leaves.slice(0, old)) }, log.signer.skey);
  const note = signCheckpoint({ origin: log.origin, size: BigInt(size), root: rootHash(leaves), prev: checkpointBodyHash(oldNote) }, log.signer.skey);
  const sink = memorySink();
  const writer = createBundleWriter({
    sink, bagName: log.bagName, origin: log.origin, mode: 'complete-range', treeSize: BigInt(size), range: { from: BigInt(from), to: BigInt(to) },
    controlNumbers: { prefix: log.controlPrefix, width: 6 }, exportedAt: new Date(log.start + 6 * 24 * 3600_000),
  });
  const shown: number[] = [];
  const controlNumbers: string[] = [];
  for (let seq = from; seq < to; seq++) {
    if (seq % 11 === 10) {
      await writer.addWithheld(BigInt(seq), leaves[seq] as Uint8Array);
    } else {
      controlNumbers.push(await writer.addEvent(BigInt(seq), events[seq] as Uint8Array));
      shown.push(seq);
    }
  }
  writer.addFile('data/README.txt', 'A test bundle for the viewer suites.\n');
  await writer.finish({
    checkpoints: [{ note: oldNote }, { note, consistencyProof: consistencyProof(BigInt(old), BigInt(size), leaves) }],
    proofHashes: rangeProof(BigInt(from), BigInt(to), BigInt(size), leaves),
    custody: {
      exportId: `exp_${log.organizationId}`, exportedBy: { type: 'user', id: 'user_legal', name: 'Lena Legal' }, reason: 'Litigation hold 2026-001',
      matter: { name: 'Acme v. Beta', number: '2026-001' }, custodian: 'Security team', sourceOrganization: log.organizationId,
      filter: { action: null, actor: null }, toolVersion: 'custody 0.1.0',
    },
    keys: [log.signer.vkey],
    signer: log.signer.skey,
  });
  return { log, bytes: sink.bytes(), fileName: options.fileName ?? `${log.bagName}.zip`, shown, controlNumbers };
}

// ---------------------------------------------------------------------------------------------------------------
// Tamper tools (as in packages/bundle/test/tamper-tools.ts)
// ---------------------------------------------------------------------------------------------------------------

export {
  fileText as text, readLines as lines, recomputeManifests, repackBundle as repack, textBytes as utf8, unpackBundle as unpack,
  writeLines as setLines,
} from '@custody/bundle/testing';
export type { TBagFiles as TFiles } from '@custody/bundle/testing';
import {
  fileText as text, readLines as lines, recomputeManifests, repackBundle as repack, resealBundle, tamperBundle, textBytes as utf8,
  unpackBundle as unpack, writeLines as setLines,
} from '@custody/bundle/testing';
import type { TBagFiles as TFiles } from '@custody/bundle/testing';

/** Edits a bundle and repacks it carefully (manifests recomputed: only the seal and the specific check can tell). */
export function tamper(zip: Uint8Array, edit: (files: TFiles, bagName: string) => void): Promise<Uint8Array> {
  return tamperBundle(zip, edit, true);
}

/** One tampered bundle of the suite and what the viewer must say about it. */
export interface TTamperCase {
  readonly name: string;
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** Failure codes the verification panel must show (each at least once). */
  readonly codes: readonly string[];
}

/** The cases of the tamper suite, in order. */
export const TAMPER_CASE_NAMES = [
  'change an event byte', 'drop an event', 'reorder two events', 'alter a proof hash', 'alter the checkpoint size',
  'edit the custody record', 'add a file', 'foreign key',
] as const;

/** The bundle package's tamper suite, applied to `good` (careful variants: manifests recomputed, so only the seal and the specific check can tell). */
export async function buildTamperSuite(good: TFixtureBundle): Promise<TTamperCase[]> {
  const cases: TTamperCase[] = [];
  const add = async (name: string, slug: string, codes: string[], edit: (files: TFiles, bagName: string) => void) => {
    cases.push({ name, fileName: `tampered-${slug}.zip`, bytes: await tamper(good.bytes, edit), codes });
  };
  await add('change an event byte', 'event-byte', ['LEAF_HASH_MISMATCH', 'SEAL_MISMATCH'], (files) => {
    const all = lines(files, 'data/events.ndjson');
    all[4] = (all[4] as string).replace('Quarterly report', 'Quarterly rEport');
    setLines(files, 'data/events.ndjson', all);
  });
  await add('drop an event', 'drop-event', ['LEAF_MISSING', 'SEAL_MISMATCH'], (files) => {
    const seq = good.shown[3] as number;
    setLines(files, 'data/events.ndjson', lines(files, 'data/events.ndjson').filter((_, i) => i !== 3));
    setLines(files, 'data/leaves.txt', lines(files, 'data/leaves.txt').filter((line) => !line.startsWith(`${seq} `)));
  });
  await add('reorder two events', 'reorder', ['LEAF_HASH_MISMATCH', 'SEQ_MISMATCH'], (files) => {
    const all = lines(files, 'data/events.ndjson');
    [all[5], all[6]] = [all[6] as string, all[5] as string];
    setLines(files, 'data/events.ndjson', all);
  });
  await add('alter a proof hash', 'proof-hash', ['PROOF_MISMATCH', 'SEAL_MISMATCH'], (files) => {
    const all = lines(files, 'data/proof-hashes.txt');
    const [hash, lo, hi] = (all[0] as string).split(' ');
    const flipped = Buffer.from(hash as string, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    all[0] = `${encodeBase64(flipped)} ${lo} ${hi}`;
    setLines(files, 'data/proof-hashes.txt', all);
  });
  await add('alter the checkpoint size', 'checkpoint-size', ['CHECKPOINT_BAD_SIGNATURE', 'CHECKPOINT_SIZE_MISMATCH'], (files) => {
    const path = [...files.keys()].find((p) => /^data\/checkpoints\/260\./.test(p)) as string;
    files.set(path, utf8(text(files.get(path)).replace('\n260\n', '\n261\n')));
  });
  await add('edit the custody record', 'custody', ['CUSTODY_MISMATCH', 'SEAL_MISMATCH'], (files) => {
    const custody = JSON.parse(text(files.get('data/custody.json'))) as { counts: { shown: number }; matter: { number: string } };
    custody.counts.shown -= 1;
    custody.matter.number = '2026-999';
    files.set('data/custody.json', utf8(`${JSON.stringify(custody, null, 2)}\n`));
  });
  await add('add a file', 'add-file', ['UNEXPECTED_FILE'], (files) => {
    files.set('data/evil.txt', utf8('planted\n'));
  });
  // Re-signed with a foreign key: the checkpoint and the seal verify, but under a key nobody trusts.
  const { bagName, files } = await unpack(good.bytes);
  const path = [...files.keys()].find((p) => /^data\/checkpoints\/260\./.test(p)) as string;
  const note = text(files.get(path));
  const body = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
  files.set(path, utf8(signCheckpoint({ origin: body.origin, size: body.size, root: body.root, ...(body.prev === undefined ? {} : { prev: body.prev }) }, FOREIGN.skey)));
  files.set('data/keys.txt', utf8(`${FOREIGN.vkey}\n`));
  recomputeManifests(files);
  resealBundle(files, bagName, FOREIGN.skey);
  cases.push({ name: 'foreign key', fileName: 'tampered-foreign-key.zip', bytes: await repack(bagName, files), codes: ['SEAL_UNTRUSTED_KEY', 'CHECKPOINT_UNTRUSTED_KEY'] });
  return cases;
}

/** A shown event of a fixture bundle, as the viewer should list it. */
export interface TFixtureEvent {
  readonly seq: number;
  readonly controlNumber: string;
  /** Base64 SHA-256(0x00 ‖ canonical line): the leaf hash. */
  readonly leafHash: string;
  readonly time: number;
  readonly action: string;
  readonly actorId: string;
  readonly actorType: string;
  readonly actorName: string;
  readonly ip: string;
}

/** The shown events of a bundle, from the same bytes the writer stored. */
export function eventsOf(bundle: TFixtureBundle): TFixtureEvent[] {
  return bundle.shown.map((seq, i) => {
    const bytes = eventBytes(bundle.log, seq);
    const event = JSON.parse(text(bytes)) as { occurred_at: string; action: string; actor: { id: string; type: string; name: string }; context: { location: string } };
    return {
      seq, controlNumber: bundle.controlNumbers[i] as string, leafHash: encodeBase64(hashLeaf(bytes)), time: Date.parse(event.occurred_at),
      action: event.action, actorId: event.actor.id, actorType: event.actor.type, actorName: event.actor.name, ip: event.context.location,
    };
  });
}
