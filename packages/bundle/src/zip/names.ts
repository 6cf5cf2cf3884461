/**
 * Entry-name safety (hostile archives): an accepted name can be extracted anywhere without escaping the target
 * folder or colliding with another entry on case-insensitive or normalizing file systems.
 */
import { BundleError } from '../errors';

/**
 * Checks an entry name and returns it. Rejected (`UNSAFE_PATH`): empty names or segments (`a//b`), `.` and `..`
 * segments, absolute paths (`/x`), backslashes (`a\..\b`), colons (drive letters `C:x`, alternate data streams),
 * control characters (C0, DEL, C1), U+2028/U+2029, segments ending in a dot or space (Windows strips them),
 * and names longer than `maxBytes` UTF-8 bytes. A trailing `/` marks a directory.
 */
export function checkEntryName(name: string, maxBytes: number): string {
  const fail = (reason: string): never => {
    throw new BundleError('UNSAFE_PATH', `unsafe entry name ${JSON.stringify(name.slice(0, 200))}: ${reason}`, { details: { name: name.slice(0, 1024) } });
  };
  if (name.length === 0) fail('empty');
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > maxBytes) {
    throw new BundleError('LIMIT_EXCEEDED', `entry name of ${bytes} bytes is longer than the limit of ${maxBytes}`, {
      details: { limit: 'maxNameLength', value: bytes },
    });
  }
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) fail('control character');
  if (name.includes('\\')) fail('backslash');
  if (name.includes(':')) fail('colon (drive letter or stream name)');
  if (name.startsWith('/')) fail('absolute path');
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  if (body.length === 0) fail('empty');
  for (const segment of body.split('/')) {
    if (segment === '') fail('empty path segment');
    if (segment === '.' || segment === '..') fail(`"${segment}" segment`);
    if (segment.endsWith('.') || segment.endsWith(' ')) fail('segment ends with a dot or space');
  }
  return name;
}

/** The collision key of a name: NFC-normalized, lowercased, without a trailing `/`. */
export function collisionKey(name: string): string {
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  return body.normalize('NFC').toLowerCase();
}

/**
 * Tracks names for duplicates: the same name, the same name after NFC and case folding, or a file whose name is
 * also a directory (explicit `a/` entry or the parent of another entry). Throws `DUPLICATE_ENTRY`.
 */
export class NameRegistry {
  readonly #files = new Map<string, string>();
  readonly #directories = new Map<string, string>();
  readonly #explicitDirectories = new Map<string, string>();

  add(name: string): void {
    const key = collisionKey(name);
    const isDirectory = name.endsWith('/');
    const existingFile = this.#files.get(key);
    if (existingFile !== undefined) throw duplicate(name, existingFile);
    if (isDirectory) {
      const explicit = this.#explicitDirectories.get(key);
      if (explicit !== undefined) throw duplicate(name, explicit);
      this.#explicitDirectories.set(key, name);
      this.#directories.set(key, name);
    } else {
      const existingDirectory = this.#directories.get(key);
      if (existingDirectory !== undefined) throw duplicate(name, existingDirectory);
      this.#files.set(key, name);
    }
    // Every parent is a directory: it must not also be a file.
    let slash = key.indexOf('/');
    while (slash >= 0) {
      const parent = key.slice(0, slash);
      const file = this.#files.get(parent);
      if (file !== undefined) throw duplicate(name, file);
      if (!this.#directories.has(parent)) this.#directories.set(parent, `${name.slice(0, slash)}/`);
      slash = key.indexOf('/', slash + 1);
    }
  }
}

function duplicate(name: string, existing: string): BundleError {
  const same = name === existing;
  return new BundleError(
    'DUPLICATE_ENTRY',
    same
      ? `duplicate entry ${JSON.stringify(name)}`
      : `entry ${JSON.stringify(name)} collides with ${JSON.stringify(existing)} (same name after case folding and NFC, or file vs directory)`,
    { details: { name, existing } },
  );
}
