/**
 * Tools for the tamper suite: unpack a bundle into files, edit them, and repack either naively (manifests left as
 * they were) or carefully (payload manifest, Payload-Oxum and tag manifest recomputed, so only the seal can tell).
 */
import { createHash } from 'node:crypto';

import { expect } from 'vitest';

import {
  createZipWriter, formatBagInfo, formatManifest, memorySink, memorySource, openZip, parseBagInfo, type CheckName,
  type FailureCode, type VerificationFailure, type VerificationReport,
} from '../src/index';

export type Files = Map<string, Uint8Array>;

const enc = new TextEncoder();
const dec = new TextDecoder();
export const text = (bytes: Uint8Array | undefined): string => dec.decode(bytes);
export const bytes = (value: string): Uint8Array => enc.encode(value);
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Files of the bag, by path relative to the bag root, in archive order. */
export async function unpack(zip: Uint8Array): Promise<{ bagName: string; files: Files }> {
  const archive = await openZip(memorySource(zip));
  const files: Files = new Map();
  let bagName = '';
  for (const entry of archive.entries) {
    const slash = entry.name.indexOf('/');
    bagName = entry.name.slice(0, slash);
    files.set(entry.name.slice(slash + 1), await archive.read(entry, 1 << 30));
  }
  return { bagName, files };
}

/** Recomputes manifest-sha256.txt, Payload-Oxum and tagmanifest-sha256.txt (the seal is left alone). */
export function recomputeManifests(files: Files): void {
  const payload = [...files.keys()].filter((path) => path.startsWith('data/')).sort();
  files.set('manifest-sha256.txt', bytes(formatManifest(payload.map((path) => ({ path, sha256: sha256(files.get(path) as Uint8Array) })))));
  const info = parseBagInfo(text(files.get('bag-info.txt'))).fields.map((field) =>
    field.label === 'Payload-Oxum'
      ? { label: field.label, value: `${payload.reduce((sum, path) => sum + (files.get(path) as Uint8Array).length, 0)}.${payload.length}` }
      : field,
  );
  files.set('bag-info.txt', bytes(formatBagInfo(info)));
  files.set('tagmanifest-sha256.txt', bytes(formatManifest(['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt'].map((path) => ({ path, sha256: sha256(files.get(path) as Uint8Array) })))));
}

/** Zips the files again under `bagName/` (extra entries outside the bag can be given with a leading `/`). */
export async function repack(bagName: string, files: Files): Promise<Uint8Array> {
  const sink = memorySink();
  const zip = createZipWriter(sink, { modifiedAt: new Date('2026-03-14T09:26:53Z') });
  for (const [path, data] of files) await zip.addEntry(path.startsWith('/') ? path.slice(1) : `${bagName}/${path}`, data);
  await zip.finish();
  return sink.bytes();
}

/** Edits a bundle and repacks it naively or carefully. */
export async function tamper(zip: Uint8Array, edit: (files: Files) => void, careful: boolean): Promise<Uint8Array> {
  const { bagName, files } = await unpack(zip);
  edit(files);
  if (careful) recomputeManifests(files);
  return repack(bagName, files);
}

/** Lines of a text file, without the final empty line. */
export function lines(files: Files, path: string): string[] {
  const all = text(files.get(path)).split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

export function setLines(files: Files, path: string, value: readonly string[]): void {
  files.set(path, bytes(value.map((line) => `${line}\n`).join('')));
}

/** All failures of a check. */
export function failuresOf(report: VerificationReport, check: CheckName): readonly VerificationFailure[] {
  return report.checks.find((c) => c.name === check)?.failures ?? [];
}

/** Asserts the report has a failure with this code (and these location fields) in this check. */
export function expectFailure(report: VerificationReport, check: CheckName, code: FailureCode, where: Partial<VerificationFailure> = {}): VerificationFailure {
  const matches = failuresOf(report, check).filter((f) => f.code === code && Object.entries(where).every(([k, v]) => f[k as keyof VerificationFailure] === v));
  expect(matches, `expected ${check} failure ${code} ${JSON.stringify(where)}; got ${JSON.stringify(report.checks.map((c) => [c.name, c.failures.map((f) => [f.code, f.file, f.line, f.seq])]))}`).not.toEqual([]);
  return matches[0] as VerificationFailure;
}

/** The codes reported per check, for compact assertions. */
export function codes(report: VerificationReport): Record<string, string[]> {
  return Object.fromEntries(report.checks.filter((c) => c.failures.length > 0).map((c) => [c.name, [...new Set(c.failures.map((f) => f.code))]]));
}
