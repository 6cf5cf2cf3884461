/**
 * Editing a bundle's bag, for tamper tests (here, in the viewer, anywhere): unpack into files, edit,
 * and repack naively (manifests left as they were) or carefully (payload manifest, Payload-Oxum and
 * tag manifest recomputed, so that only the seal can tell). Not for production use: it holds whole
 * bundles in memory. Exported as `@custody/bundle/testing`.
 */
import { encodeHex, nobleSha256, signNote } from '@custody/ledger';

import { formatBagInfo, formatManifest, parseBagInfo } from '../bagit/bagit';
import { sealText } from '../bundle/format';
import { memorySink, memorySource } from '../platform/defaults';
import { createZipWriter } from '../zip/writer';
import { openZip } from '../zip/reader';

/** A bag's files by path relative to the bag root (`bagit.txt`, `data/events.ndjson`, …). */
export type TBagFiles = Map<string, Uint8Array>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 text of a file (empty for a missing one). */
export const fileText = (bytes: Uint8Array | undefined): string => decoder.decode(bytes);
/** UTF-8 bytes of a string. */
export const textBytes = (value: string): Uint8Array => encoder.encode(value);
const sha256Hex = (data: Uint8Array): string => encodeHex(nobleSha256(data));

/** The files of a bundle, in archive order, and its bag name. */
export async function unpackBundle(zip: Uint8Array): Promise<{ bagName: string; files: TBagFiles }> {
  const archive = await openZip(memorySource(zip));
  const files: TBagFiles = new Map();
  let bagName = '';
  for (const entry of archive.entries) {
    const slash = entry.name.indexOf('/');
    bagName = entry.name.slice(0, slash);
    files.set(entry.name.slice(slash + 1), await archive.read(entry, 1 << 30));
  }
  return { bagName, files };
}

/** Recomputes manifest-sha256.txt, Payload-Oxum and tagmanifest-sha256.txt (the seal is left alone). */
export function recomputeManifests(files: TBagFiles): void {
  const payload = [...files.keys()].filter((path) => path.startsWith('data/')).sort();
  const hashOf = (path: string): string => sha256Hex(files.get(path) ?? new Uint8Array(0));
  files.set('manifest-sha256.txt', textBytes(formatManifest(payload.map((path) => ({ path, sha256: hashOf(path) })))));
  const info = parseBagInfo(fileText(files.get('bag-info.txt'))).fields.map((field) =>
    field.label === 'Payload-Oxum'
      ? { label: field.label, value: `${payload.reduce((sum, path) => sum + (files.get(path)?.length ?? 0), 0)}.${payload.length}` }
      : field,
  );
  files.set('bag-info.txt', textBytes(formatBagInfo(info)));
  files.set('tagmanifest-sha256.txt', textBytes(formatManifest(['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt'].map((path) => ({ path, sha256: hashOf(path) })))));
}

/** Signs a new seal over the current tag manifest with `skey` (a foreign key, in tamper tests). */
export function resealBundle(files: TBagFiles, bagName: string, skey: string): void {
  files.set('seal.txt', textBytes(signNote(sealText(bagName, sha256Hex(files.get('tagmanifest-sha256.txt') ?? new Uint8Array(0))), skey)));
}

/** Zips the files again under `bagName/`; a path with a leading `/` goes outside the bag. */
export async function repackBundle(bagName: string, files: TBagFiles, modifiedAt = new Date('2026-03-14T09:26:53Z')): Promise<Uint8Array> {
  const sink = memorySink();
  const zip = createZipWriter(sink, { modifiedAt });
  for (const [path, data] of files) await zip.addEntry(path.startsWith('/') ? path.slice(1) : `${bagName}/${path}`, data);
  await zip.finish();
  return sink.bytes();
}

/** Unpacks, applies `edit`, and repacks naively or (`careful`) with recomputed manifests. */
export async function tamperBundle(zip: Uint8Array, edit: (files: TBagFiles, bagName: string) => void, careful = false): Promise<Uint8Array> {
  const { bagName, files } = await unpackBundle(zip);
  edit(files, bagName);
  if (careful) recomputeManifests(files);
  return repackBundle(bagName, files);
}

/** Lines of a text file, without the final empty line. */
export function readLines(files: TBagFiles, path: string): string[] {
  const all = fileText(files.get(path)).split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** Replaces a text file with these lines, each ending in `\n`. */
export function writeLines(files: TBagFiles, path: string, value: readonly string[]): void {
  files.set(path, textBytes(value.map((line) => `${line}\n`).join('')));
}
