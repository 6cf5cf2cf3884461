/**
 * Browser runs (the e2e suites and the benchmark): the static web build (`dist-web/`, built here when missing or older than its sources) served
 * by a tiny static server on 127.0.0.1, driven in Debian's Chromium with playwright-core, with the flags of
 * viewer.md §5.1 and a fresh user-data dir per browser. The page's `window.custody` is the browser `ViewerApi`
 * and the engine runs in its Web Worker, exactly as `custody viewer` serves it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

import { CONTENT_SECURITY_POLICY } from '../src/main/security/csp';

export const VIEWER_DIR = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIR = join(VIEWER_DIR, 'dist-web');
/** Where `npm run screenshots` writes `viewer-<screen>.png`. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
/** Screenshots are written only when asked for (`npm run screenshots`), so test runs leave the tree clean. */
export const SCREENSHOTS = process.env.VIEWER_SCREENSHOTS === '1';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium flags for a closed network and a headless machine (viewer.md §5.1). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Sources the web build is made of: a newer file than dist-web/index.html means a rebuild. */
const SOURCE_ROOTS = [
  'src/renderer', 'src/web', 'src/engine', 'src/shared', 'vite.web.config.ts', 'vite.shared.ts', 'package.json',
  '../../packages/ui/src', '../../packages/bundle/src', '../../packages/ledger/src', '../../packages/schema/src',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'test' || entry.endsWith('.test.ts') || entry.endsWith('.test.tsx')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Builds `dist-web/` with `vite.web.config.ts` when it is missing or older than a source. */
export function ensureWebBuild(): Promise<void> {
  built ??= (async () => {
    const index = join(WEB_DIR, 'index.html');
    const builtAt = existsSync(index) ? (await stat(index)).mtimeMs : 0;
    const sources = Math.max(...SOURCE_ROOTS.map((root) => newestMtime(resolve(VIEWER_DIR, root))));
    if (builtAt > sources) return;
    const vite = join(VIEWER_DIR, '../../node_modules/vite/bin/vite.js');
    const result = spawnSync(process.execPath, [vite, 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'], {
      // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      cwd: VIEWER_DIR, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    });
    if (result.status !== 0) throw new Error(`the web build failed:\n${result.stdout}\n${result.stderr}`);
  })();
  return built;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml', '.wasm': 'application/wasm',
};

/** A static server for `dir` on 127.0.0.1 (any free port), like `custody viewer`. */
export async function serveStatic(dir: string): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const root = resolve(dir);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const target = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    const rel = relative(root, target);
    if (rel.startsWith('..') || rel.split(sep).includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(target).then(
      (data) => {
        res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' });
        res.end(data);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** A browser with a fresh profile, one page, and what the page tried to fetch. */
export interface TViewerBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request the page made (URL), to prove nothing leaves 127.0.0.1. */
  readonly requests: string[];
  /** Console errors and uncaught page errors. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data dir and opens the viewer at `url`. */
export async function launchViewer(url: string): Promise<TViewerBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium was not found at ${CHROMIUM}: install it with "apt-get install chromium" (Debian), or set CHROMIUM_PATH.`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'custody-viewer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  context.setDefaultTimeout(45_000);
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.getByRole('heading', { name: 'Custody Viewer' }).waitFor();
  return {
    context,
    page,
    requests,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Writes bundle bytes to a temporary folder (for the file input), returning the path. */
export async function writeTemp(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** Opens bundle files through the open screen's file input. */
export async function openThroughFileInput(page: Page, paths: readonly string[]): Promise<void> {
  await page.getByTestId('bundle-file-input').setInputFiles([...paths]);
}

/** Writes `docs/screenshots/viewer-<name>.png` when screenshots are enabled. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  // No hover tooltip in the picture.
  await page.mouse.move(2, 2);
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `viewer-${name}.png`) });
}
