/**
 * Shared setup of the browser suites: a static server for the built harness (port 0), Debian's Chromium
 * through playwright-core, the harness's event log, and `docs/screenshots/ui-<name>.png` when
 * `UI_SCREENSHOTS=1` (`npm run screenshots`), so ordinary test runs leave the tree clean.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

/** The built harness (see `test/harness/vite.config.ts`). */
export const HARNESS_DIR = fileURLToPath(new URL('../../node_modules/.cache/harness-dist/', import.meta.url));
/** Where screenshots go. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
const SCREENSHOTS = process.env.UI_SCREENSHOTS === '1';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * How long a wait for the page may last before it fails. Generous on purpose: the 2,000,000-row scenarios
 * build their data in the page, and a CI machine running four suites at once on two cores is many times
 * slower than an idle one. Speed is measured by the benchmarks, never here.
 */
export const WAIT_MS = 90_000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Serves the harness on 127.0.0.1 (random port). */
export async function serveHarness(): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(join(HARNESS_DIR, 'index.html'))) {
    throw new Error(`the harness is not built (${HARNESS_DIR}): run the suites with "npm test", whose global setup builds it`);
  }
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(HARNESS_DIR, path === '/' ? 'index.html' : path));
    if (!file.startsWith(HARNESS_DIR)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Launches headless Chromium, or fails saying how to get it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium was not found at ${CHROMIUM}: install it ("apt-get install chromium") or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens a harness scenario in a fresh context; page errors fail the test through `errors`. */
export async function openScenario(
  browser: Browser,
  baseUrl: string,
  scenario: string,
  options: { theme?: 'light' | 'dark'; width?: number; height?: number; query?: Record<string, string> } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1440, height: options.height ?? 900 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const search = new URLSearchParams({ scenario, theme: options.theme ?? 'light', ...options.query });
  await page.goto(`${baseUrl}?${search.toString()}`);
  return { page, errors };
}

/**
 * A suite's whole lifecycle on one scenario: before all tests, serve the harness, launch Chromium, open the
 * scenario and wait for `ready`; after all, require that the page logged no error and close everything. The
 * page is read through the returned object (`scenario.page`) once the suite has started; `scenario.open`
 * opens another scenario in the same browser.
 */
export function useScenario(
  scenario: string,
  ready: (page: Page) => Promise<unknown>,
  options: Parameters<typeof openScenario>[3] = {},
): { readonly page: Page; open: (name: string, more?: Parameters<typeof openScenario>[3]) => Promise<{ page: Page; errors: string[] }> } {
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serveHarness>> | undefined;
  let opened: { page: Page; errors: string[] } | undefined;
  beforeAll(async () => {
    server = await serveHarness();
    browser = await launchBrowser();
    opened = await openScenario(browser, server.url, scenario, options);
    await ready(opened.page);
  });
  afterAll(async () => {
    expect(opened?.errors).toEqual([]);
    await browser?.close();
    await server?.close();
  });
  const started = () => {
    if (opened === undefined || browser === undefined || server === undefined) throw new Error('the scenario is not open yet: use it inside a test or hook');
    return { opened, browser, server };
  };
  return {
    get page(): Page {
      return started().opened.page;
    },
    open: (name, more = {}) => {
      const { browser: b, server: s } = started();
      return openScenario(b, s.url, name, more);
    },
  };
}

/** The harness's event log, optionally of one type. */
export async function eventsOf(page: Page, type?: string): Promise<unknown[]> {
  const events = await page.evaluate(() => window.__events);
  return events.filter((e) => type === undefined || e.type === type).map((e) => e.detail);
}

/** The last event of a type. */
export async function lastEvent(page: Page, type: string): Promise<unknown> {
  const events = await eventsOf(page, type);
  return events[events.length - 1];
}

/** Retries `read` until the assertion holds (auto-waiting, no fixed sleeps). */
export function poll<T>(read: () => Promise<T> | T): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: WAIT_MS, interval: 50 });
}

/** In hooks (where `expect.poll` is not allowed): waits until the grid's status shows `text` for `stat`. */
export async function waitForStat(page: Page, stat: string, text: string): Promise<void> {
  await page.locator(`[data-stat="${stat}"]`).filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).waitFor();
}

/** Writes `docs/screenshots/ui-<name>.png` of a page or an element, when screenshots are enabled. */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad screenshot name ${name}`);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const page = 'page' in target ? target.page() : target;
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  await target.screenshot({ path: join(SCREENSHOT_DIR, `ui-${name}.png`), animations: 'disabled' });
}
