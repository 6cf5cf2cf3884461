import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

const serverRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(serverRoot, '..', '..');

/**
 * bin/custody.js in a copy of the repository's layout whose dist/cli.js and src/cli.ts only say which of them ran:
 * the launcher must not run a build older than the sources it was built from (a `git pull` without a rebuild).
 */
describe('the custody launcher', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'custody-launcher-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const server = join(root, 'apps', 'server');
  for (const dir of ['bin', 'dist', 'src']) mkdirSync(join(server, dir), { recursive: true });
  // The server bundles core, and core bundles ledger; ui is a workspace package the server does not bundle.
  const manifests: Record<string, string[]> = { core: ['@custody/ledger'], ledger: [], ui: [] };
  for (const [name, dependencies] of Object.entries(manifests)) {
    mkdirSync(join(root, 'packages', name, 'src'), { recursive: true });
    writeFileSync(join(root, 'packages', name, 'src', 'index.ts'), 'export {};\n');
    writeFileSync(join(root, 'packages', name, 'package.json'), JSON.stringify({ dependencies: Object.fromEntries(dependencies.map((d) => [d, '*'])) }));
  }
  copyFileSync(join(serverRoot, 'bin', 'custody.js'), join(server, 'bin', 'custody.js'));
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(server, 'package.json'), JSON.stringify({ type: 'module', dependencies: { '@custody/core': '*' }, devDependencies: { '@custody/ui': '*' } }));
  writeFileSync(join(server, 'src', 'cli.ts'), "export async function run(): Promise<void> { console.log('ran src'); }\n");
  writeFileSync(join(server, 'dist', 'cli.js'), "export async function run() { console.log('ran dist'); }\n");

  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
  const launch = () => spawnSync(process.execPath, [join(server, 'bin', 'custody.js'), '--help'], { cwd: root, encoding: 'utf8' });

  const source = (name: string) => join(root, 'packages', name, 'src', 'index.ts');

  it('runs the build when it is newer than every source', () => {
    at(join(server, 'src', 'cli.ts'), 1_000);
    for (const name of Object.keys(manifests)) at(source(name), 1_000);
    at(join(server, 'dist', 'cli.js'), 2_000);
    const r = launch();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ran dist');
    expect(r.stderr).toBe('');
  });

  it('runs the sources, and says why, when a package source is newer than the build', () => {
    at(join(root, 'packages', 'core', 'src', 'index.ts'), 3_000);
    const r = launch();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ran src');
    expect(r.stderr).toContain('is older than the sources, so the sources run instead');
  });

  it('runs the sources when a package source bundled through another package is newer than the build', () => {
    at(source('core'), 1_000);
    at(source('ledger'), 3_000);
    expect(launch().stdout.trim()).toBe('ran src');
  });

  it('runs the build when only a package the server does not bundle is newer', () => {
    at(source('ledger'), 1_000);
    at(source('ui'), 3_000);
    const r = launch();
    expect(r.stdout.trim()).toBe('ran dist');
    expect(r.stderr).toBe('');
  });

  it('runs the sources when the server source is newer than the build', () => {
    at(source('ui'), 1_000);
    at(join(server, 'src', 'cli.ts'), 3_000);
    expect(launch().stdout.trim()).toBe('ran src');
  });
});
