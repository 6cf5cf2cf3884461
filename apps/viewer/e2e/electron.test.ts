/**
 * The real Electron window (Playwright `_electron`, viewer.md §5.4): the production build (`out/`, loaded from
 * `app://`) with its security settings, the preload bridge, the network and navigation policies, and the open
 * dialog → handle → byte ranges → verification path, plus the case file written beside the bundle.
 *
 * It runs only where the Electron binary exists. `require('electron')` resolves the binary from
 * `ELECTRON_OVERRIDE_DIST_PATH` or `node_modules/electron/dist` (named by `path.txt`); with
 * `ELECTRON_SKIP_BINARY_DOWNLOAD=1` only the JS wrapper is installed and `require('electron')` would try to
 * download the binary (no network here), so the binary is located the same way without calling it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

import { _electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VIEWER_API_KEYS } from '../src/shared/ipc-contract';
import { ACME, buildBundle } from './fixtures';
import { VIEWER_DIR, poll, writeTemp } from './harness';

/** Where `require('electron')` would find the binary, or why there is none (without triggering its download). */
function locateElectronBinary(): { path: string; reason: null } | { path: null; reason: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override !== undefined && override !== '' ? join(override, executable ?? 'electron') : executable === null ? null : join(packageDir, 'dist', executable);
  if (candidate !== null && existsSync(candidate)) return { path: candidate, reason: null };
  const skip = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return {
    path: null,
    reason:
      `the Electron binary was not downloaded (${candidate ?? join(packageDir, 'dist')} does not exist): only the electron JS wrapper is installed ` +
      `(ELECTRON_SKIP_BINARY_DOWNLOAD=1 at install time${skip === undefined || skip === '' ? '' : `, set now to ${skip}`}, or no network). ` +
      'Run `npx install-electron` with internet access, or set ELECTRON_OVERRIDE_DIST_PATH to a local Electron 45 folder.',
  };
}

const electron = locateElectronBinary();
const available = electron.path !== null;
if (!available) console.warn(`[e2e/electron] skipped: ${electron.reason}`);

/** The test's name says why it did not run when it is skipped. */
const title = (name: string) => (available ? name : `${name} (skipped: ${electron.reason})`);

let app: ElectronApplication;
let page: Page;
let dir: string;
let bundlePath: string;

describe('the Electron window (Playwright _electron)', () => {
  beforeAll(async () => {
    if (!available) return;
    // The production build main loads (`out/`): electron-vite build, as `npm run build` does.
    const electronVite = join(VIEWER_DIR, '../../node_modules/electron-vite/bin/electron-vite.js');
    const built = spawnSync(process.execPath, [electronVite, 'build'], { cwd: VIEWER_DIR, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
    if (built.status !== 0) throw new Error(`electron-vite build failed:\n${built.stdout}\n${built.stderr}`);
    dir = await mkdtemp(join(tmpdir(), 'custody-viewer-electron-'));
    const good = await buildBundle(ACME);
    bundlePath = await writeTemp(join(dir, 'evidence'), good.fileName, good.bytes);
    app = await _electron.launch({
      executablePath: electron.path,
      args: [VIEWER_DIR],
      cwd: VIEWER_DIR,
      env: { ...process.env, CUSTODY_VIEWER_USER_DATA: join(dir, 'user-data'), ELECTRON_RENDERER_URL: '' },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.getByRole('heading', { name: 'Custody Viewer' }).waitFor();
  }, 180_000);

  afterAll(async () => {
    if (!available) return;
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  // Skipped where the binary is missing (ELECTRON_SKIP_BINARY_DOWNLOAD installs only the JS wrapper): see above.
  it.skipIf(!available)(title('loads from app:// with context isolation, the sandbox, no Node and no webview'), async () => {
    expect(page.url()).toBe('app://viewer/index.html');
    const preferences = await app.evaluate(({ BrowserWindow }) => {
      const [window] = BrowserWindow.getAllWindows();
      const contents = window?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
      return contents.getLastWebPreferences?.() ?? null;
    });
    if (preferences !== null) {
      expect(preferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true });
    }
    expect(await page.evaluate(() => [typeof (window as unknown as { require?: unknown }).require, typeof (window as unknown as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    expect(await page.evaluate(() => Object.keys(window.custody).sort())).toEqual([...VIEWER_API_KEYS]);
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
  });

  it.skipIf(!available)(title('blocks network requests, new windows and navigation away from the app'), async () => {
    expect(await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'blocked'))).toBe('blocked');
    await page.evaluate(() => window.open('https://example.com/', '_blank'));
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://viewer/index.html');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it.skipIf(!available)(title('opens a bundle through the open dialog, verifies it and writes the case file beside it'), async () => {
    await page.evaluate(async (vkey) => window.custody.trustKey(vkey, 'Acme'), ACME.signer.vkey);
    // The OS dialog cannot be driven: main's dialog.showOpenDialog is stubbed to answer with the bundle's path.
    await app.evaluate(({ dialog }, path) => {
      dialog.showOpenDialog = (() => Promise.resolve({ canceled: false, filePaths: [path] }));
    }, bundlePath);
    await page.reload();
    await page.getByRole('button', { name: 'Open bundles…' }).click();
    await poll(async () => page.locator('.vw-bundle-tab').first().getAttribute('data-outcome'), 60_000).toBe('verified');
    await page.locator('[role="row"][aria-rowindex="2"]').click();
    const detail = page.getByRole('complementary', { name: 'Event details' });
    await detail.getByRole('textbox', { name: 'New tag' }).fill('reviewed');
    await detail.getByRole('button', { name: 'Add tag' }).click();
    const caseFile = `${bundlePath}.custody-case.json`;
    await poll(async () => (await stat(caseFile).then((s) => s.isFile(), () => false)), 20_000).toBe(true);
    expect(JSON.parse(await readFile(caseFile, 'utf8'))).toMatchObject({ format: 'custody.viewer.case/v1' });
  });
});
