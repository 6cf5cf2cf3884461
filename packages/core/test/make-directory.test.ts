import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeDirectory } from '../src/make-directory';

describe('makeDirectory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'custody-mkdir-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const mode = async (path: string) => (await stat(path)).mode & 0o777;

  it('makes each missing parent with the mode, and keeps an existing directory as it is', async () => {
    await mkdir(join(root, 'kept'), { mode: 0o755 });
    await makeDirectory(join(root, 'kept', 'a', 'b', 'c'), 0o700);
    expect(await Promise.all(['kept', 'kept/a', 'kept/a/b', 'kept/a/b/c'].map((p) => mode(join(root, p))))).toEqual([0o755, 0o700, 0o700, 0o700]);
    await makeDirectory(join(root, 'kept'), 0o700);
    expect(await mode(join(root, 'kept'))).toBe(0o755);
  });

  it('takes a relative path, a link to a directory, and callers racing for the same directory', async () => {
    await makeDirectory(join(root, 'x', '..', 'y', '.', 'z'), 0o700);
    expect((await stat(join(root, 'y', 'z'))).isDirectory()).toBe(true);
    await symlink(join(root, 'y'), join(root, 'link'));
    await makeDirectory(join(root, 'link'), 0o700);
    await makeDirectory(join(root, 'link', 'inside'), 0o700);
    expect((await stat(join(root, 'y', 'inside'))).isDirectory()).toBe(true);
    await Promise.all(Array.from({ length: 8 }, () => makeDirectory(join(root, 'race', 'deep', 'er'), 0o700)));
    expect((await stat(join(root, 'race', 'deep', 'er'))).isDirectory()).toBe(true);
  });

  it('fails with the system error where a file is in the way, at the path or above it', async () => {
    await writeFile(join(root, 'file'), 'x');
    await expect(makeDirectory(join(root, 'file'), 0o700)).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDirectory(join(root, 'file', 'below'), 0o700)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it.skipIf(process.platform !== 'linux')('fails with ENOENT under a file system that takes no new directory (procfs), where Node’s recursive mkdir never settles', async () => {
    await expect(makeDirectory('/proc/custody-test/data', 0o700)).rejects.toMatchObject({ code: 'ENOENT', path: '/proc/custody-test' });
  });
});
