/**
 * `mkdir -p` for the server's own directories (the data directory, the signing key's, the exports').
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Makes `path` and each missing parent, the new ones with `mode`; an existing directory (or a link to one) is kept as
 * it is. Fails with the system's error: `EEXIST` where a file is in the way, `EACCES`, `ENOENT` where the file system
 * takes no new directory (procfs).
 *
 * Node's own `mkdir(path, { recursive: true })` is not used: under such a file system it never settles
 * (`/proc/x` loops forever, at 100 % CPU, in Node 20), and `CUSTODY_DATA_DIR=/proc/x` hung the start.
 */
export async function makeDirectory(path: string, mode: number): Promise<void> {
  const target = resolve(path);
  try {
    await mkdir(target, { mode });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await isDirectory(target))) return;
    const parent = dirname(target);
    if (code !== 'ENOENT' || parent === target) throw error;
    await makeDirectory(parent, mode);
  }
  // The parent exists now; a second ENOENT is the file system's refusal, and is the answer.
  try {
    await mkdir(target, { mode });
  } catch (error) {
    // Another process made it meanwhile.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await isDirectory(target))) throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}
