/**
 * Reads what a bundle says about itself from its small files (custody.json, proof.json, the checkpoint chain,
 * keys.txt, the seal's signature lines): control numbers, matter, origin, the latest checkpoint, key hints and
 * who signed. All of it is unverified until the verifier says the bundle is valid; the engine shows it with the
 * bundle's verdict beside it and never derives a row's status from it.
 */
import { decodeBase64, encodeBase64, encodeHex, keyFingerprint, parseCheckpoint, parseVerifierKey } from '@custody/ledger';
import { BundleError, type BundleCrypto, type ZipArchive, type ZipEntry } from '@custody/bundle';

const SMALL_FILE_LIMIT = 16 << 20;
const dec = new TextDecoder('utf-8', { fatal: true });

export interface TControlNumbers {
  readonly prefix: string;
  readonly first: number;
  readonly width: number;
}

export interface TBundleInfo {
  readonly bagName: string;
  readonly events: ZipEntry | undefined;
  readonly controlNumbers: TControlNumbers | null;
  readonly matter: { readonly name: string; readonly number: string } | null;
  readonly exportId: string | null;
  readonly origin: string | null;
  readonly mode: 'complete-range' | 'selected' | null;
  readonly treeSize: string | null;
  readonly checkpoint: { readonly origin: string; readonly size: string; readonly root: string; readonly note: string } | null;
  readonly keyHints: readonly { readonly vkey: string; readonly name: string; readonly keyId: string; readonly fingerprint: string }[];
  /** `name+keyId` of every signature on the seal and the checkpoints. */
  readonly signatures: readonly { readonly name: string; readonly keyId: string }[];
  /** Sum of the entries' uncompressed sizes. */
  readonly totalBytes: number;
}

async function readText(archive: ZipArchive, entry: ZipEntry | undefined): Promise<string | undefined> {
  if (entry === undefined) return undefined;
  try {
    return dec.decode(await archive.read(entry, SMALL_FILE_LIMIT));
  } catch {
    return undefined;
  }
}

async function readJson(archive: ZipArchive, entry: ZipEntry | undefined): Promise<Record<string, unknown> | undefined> {
  const text = await readText(archive, entry);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Signature lines (`— <name> <base64(keyId[4] ‖ signature)>`) of a signed note. */
function signatureLines(note: string | undefined): { name: string; keyId: string }[] {
  if (note === undefined) return [];
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return [];
  const out: { name: string; keyId: string }[] = [];
  for (const line of note.slice(split + 2).split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (match === null) continue;
    try {
      const bytes = decodeBase64(match[2] as string);
      if (bytes.length >= 5) out.push({ name: match[1] as string, keyId: encodeHex(bytes.subarray(0, 4)) });
    } catch {
      // not base64: the verifier reports it
    }
  }
  return out;
}

/** Finds the bag and reads its small files. Throws `BundleError('BAD_ZIP')` when the archive holds no bag. */
export async function readBundleInfo(archive: ZipArchive, crypto: BundleCrypto | undefined): Promise<TBundleInfo> {
  const tops = new Set<string>();
  for (const entry of archive.entries) {
    const slash = entry.name.indexOf('/');
    if (slash > 0 && archive.get(`${entry.name.slice(0, slash)}/bagit.txt`) !== undefined) tops.add(entry.name.slice(0, slash));
  }
  if (tops.size !== 1) {
    throw new BundleError('BAD_ZIP', tops.size === 0 ? 'not an evidence bundle: the archive has no folder with a bagit.txt' : 'not one evidence bundle: several folders have a bagit.txt');
  }
  const bagName = [...tops][0] as string;
  const get = (path: string): ZipEntry | undefined => archive.get(`${bagName}/${path}`);
  const custody = await readJson(archive, get('data/custody.json'));
  const proof = await readJson(archive, get('data/proof.json'));
  const chain = await readJson(archive, get('data/checkpoints/chain.json'));

  let controlNumbers: TControlNumbers | null = null;
  const cn = custody?.control_numbers as Record<string, unknown> | null | undefined;
  if (cn !== null && typeof cn === 'object' && typeof cn.prefix === 'string' && /^[A-Z0-9_-]{0,20}$/.test(cn.prefix) &&
    Number.isSafeInteger(cn.first) && (cn.first as number) >= 0 && Number.isSafeInteger(cn.width) && (cn.width as number) >= 1 && (cn.width as number) <= 15) {
    controlNumbers = { prefix: cn.prefix, first: cn.first as number, width: cn.width as number };
  }
  const m = custody?.matter as Record<string, unknown> | undefined;
  const matter = m !== undefined && typeof m.name === 'string' && typeof m.number === 'string' && (m.name !== '' || m.number !== '')
    ? { name: m.name, number: m.number } : null;

  let checkpoint: TBundleInfo['checkpoint'] = null;
  const signatures = signatureLines(await readText(archive, get('seal.txt')));
  const links = Array.isArray(chain?.links) ? (chain.links as unknown[]) : [];
  for (const [i, link] of links.entries()) {
    const file = (link as Record<string, unknown> | null)?.file;
    if (typeof file !== 'string' || !/^checkpoints\/(0|[1-9][0-9]*)\.txt$/.test(file)) continue;
    const note = await readText(archive, get(`data/${file}`));
    signatures.push(...signatureLines(note));
    if (i === links.length - 1 && note !== undefined) {
      try {
        const split = note.lastIndexOf('\n\n');
        const parsed = parseCheckpoint(split < 0 ? note : note.slice(0, split + 1));
        checkpoint = { origin: parsed.origin, size: parsed.size.toString(), root: encodeBase64(parsed.root), note };
      } catch {
        checkpoint = null;
      }
    }
  }
  const keyHints: TBundleInfo['keyHints'][number][] = [];
  for (const line of (await readText(archive, get('data/keys.txt')))?.split('\n') ?? []) {
    if (line === '') continue;
    try {
      const key = parseVerifierKey(line, crypto);
      keyHints.push({ vkey: key.vkey, name: key.name, keyId: key.keyId, fingerprint: keyFingerprint(key, crypto) });
    } catch {
      // not a key: the verifier reports it
    }
  }
  const unique = new Map(signatures.map((s) => [`${s.name}+${s.keyId}`, s]));
  return {
    bagName,
    events: get('data/events.ndjson'),
    controlNumbers,
    matter,
    exportId: typeof custody?.export_id === 'string' ? custody.export_id : null,
    origin: typeof proof?.origin === 'string' ? proof.origin : null,
    mode: proof?.mode === 'complete-range' || proof?.mode === 'selected' ? proof.mode : null,
    treeSize: typeof proof?.tree_size === 'string' ? proof.tree_size : null,
    checkpoint,
    keyHints,
    signatures: [...unique.values()],
    totalBytes: archive.entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
  };
}

/** The control number of line `line`, or null. */
export function formatControl(control: TControlNumbers | null, line: number): string | null {
  if (control === null) return null;
  return `${control.prefix}${String(control.first + line).padStart(control.width, '0')}`;
}
