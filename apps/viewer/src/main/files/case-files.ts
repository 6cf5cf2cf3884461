/**
 * Case files: the examiner's tags, stars, notes and saved views for a bundle, in `<bundle>.custody-case.json`
 * BESIDE the bundle. The evidence is never modified: the target is derived from the bundle's path by main (the
 * renderer sends only a handle), it is never an open bundle, never a symlink or a non-file, and an existing file
 * is replaced only if it is itself JSON (a case file), never a ZIP.
 */
import { lstat, open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { CASE_FILE_SUFFIX, MAX_CASE_FILE_LENGTH } from '../../shared/ipc-contract';
import type { TCaseFile } from '../../shared/ipc-contract';
import { writeFileAtomic } from './json-store';

/** A write that would touch evidence or something that is not a case file. */
export class CaseFileRefusedError extends Error {
  override readonly name = 'CaseFileRefusedError';
}

/** The case file of a bundle. */
export function caseFilePathFor(bundlePath: string): string {
  return `${resolve(bundlePath)}${CASE_FILE_SUFFIX}`;
}

/** Whether `text` is a JSON object (what a case file is). */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Reads the case file beside `bundlePath`; null when there is none. */
export async function readCaseFile(bundlePath: string): Promise<TCaseFile | null> {
  const path = caseFilePathFor(bundlePath);
  let info;
  try {
    info = await lstat(path);
  } catch {
    return null;
  }
  if (!info.isFile()) throw new CaseFileRefusedError(`${path} is not a regular file`);
  if (info.size > MAX_CASE_FILE_LENGTH * 3) throw new CaseFileRefusedError('the case file is too large');
  return { text: await readFile(path, 'utf8'), location: path };
}

/** Peeks at the start of a file to tell a ZIP (evidence) from anything else. */
async function startsLikeZip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead >= 2 && head[0] === 0x50 && head[1] === 0x4b; // "PK"
  } finally {
    await file.close();
  }
}

/**
 * Writes `text` as the case file of `bundlePath`. `openBundles` are the paths of every open bundle: none of them
 * may be the target.
 */
export async function writeCaseFile(bundlePath: string, text: string, openBundles: readonly string[]): Promise<{ location: string }> {
  if (!isJsonObject(text)) throw new CaseFileRefusedError('a case file must be a JSON object');
  const path = caseFilePathFor(bundlePath);
  if (openBundles.map((p) => resolve(p)).includes(path)) throw new CaseFileRefusedError('refusing to write over an open evidence bundle');
  let info;
  try {
    info = await lstat(path);
  } catch {
    info = null;
  }
  if (info !== null) {
    if (!info.isFile()) throw new CaseFileRefusedError(`${path} exists and is not a regular file (symlinks are not followed)`);
    if (await startsLikeZip(path)) throw new CaseFileRefusedError(`${path} is a ZIP archive, not a case file: refusing to replace it`);
    if (info.size > MAX_CASE_FILE_LENGTH * 3 || !isJsonObject(await readFile(path, 'utf8'))) {
      throw new CaseFileRefusedError(`${path} exists and is not a case file: refusing to replace it`);
    }
  }
  await writeFileAtomic(path, text);
  return { location: path };
}
