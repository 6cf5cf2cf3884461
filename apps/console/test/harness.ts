/**
 * Browser suites run the real server (`@custody/server`, SQLite in a temporary directory, port 0) serving the
 * built console, and drive Debian's Chromium with playwright-core. `@custody/server` is a devDependency of the
 * console; the server finds the console's `dist/` at run time (`findConsoleDir`) without depending on it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';
import pino from 'pino';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

import type { AppRouter } from '@custody/api';
import { boot, createHttpServer, loadConfig } from '@custody/server';

import { cspViolations } from './csp-guard';

/**
 * The console build the server serves. `npm test` builds into this private directory rather than `dist/`, so a
 * concurrent `turbo` build of `dist/` (the server depends on it) never races with a running suite.
 */
export const CONSOLE_DIR = fileURLToPath(new URL('../node_modules/.cache/test-dist/', import.meta.url));
/** Where `npm run screenshots` writes `console-<screen>.png`. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
/** Screenshots are written only when asked for (`npm run screenshots`), so test runs leave the tree clean. */
export const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type TClient = TRPCClient<AppRouter>;

export interface TConsoleServer {
  url: string;
  adminKey: string;
  client: (apiKey: string) => TClient;
  close: () => Promise<void>;
}

/** Boots the real server over a fresh SQLite database, serving the built console. */
export async function startConsoleServer(): Promise<TConsoleServer> {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
    throw new Error(`the console is not built for tests (${CONSOLE_DIR} has no index.html): run "npm test", which builds it there first`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'custody-console-'));
  const config = loadConfig({ CUSTODY_DATA_DIR: dataDir, CUSTODY_CHECKPOINT_INTERVAL_MS: '200', LOG_LEVEL: 'silent' });
  const booted = await boot(config);
  await booted.custody.start();
  const { secret: adminKey } = await booted.custody.apiKeys.create({ name: 'bootstrap admin', organizationId: null, scopes: ['admin'], createdBy: 'bootstrap' });
  const http = await createHttpServer({
    custody: booted.custody,
    logger: pino({ level: 'silent' }),
    bodyLimit: config.CUSTODY_BODY_LIMIT,
    rateLimit: config.CUSTODY_RATE_LIMIT,
    consoleDir: CONSOLE_DIR,
  });
  const url = await http.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    adminKey,
    client: (apiKey) => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${apiKey}` } })] }),
    async close() {
      await http.app.close();
      await booted.custody.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium, or fails with how to install it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. The console's browser tests need it: install it with "apt-get install chromium" ` +
        '(Debian; CI does this), or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // A name for the loopback address that is not "localhost": pages there are not a secure context (see
      // plainHttpUrl).
      `--host-resolver-rules=MAP ${PLAIN_HTTP_HOST} 127.0.0.1`,
    ],
  });
}

/** Resolved to 127.0.0.1 by the browsers `launchBrowser` starts. */
const PLAIN_HTTP_HOST = 'console.test';

/**
 * The server's URL under a host name other than localhost, as a console deployed on plain HTTP is seen: not
 * a secure context, so `navigator.clipboard` and other secure-only APIs are missing.
 */
export function plainHttpUrl(server: TConsoleServer): string {
  const url = new URL(server.url);
  url.hostname = PLAIN_HTTP_HOST;
  return url.origin;
}

/**
 * A fresh browser context (its own storage) with the server as base URL, at a desktop size unless `viewport`
 * says otherwise.
 */
export async function newContext(
  browser: Browser,
  server: TConsoleServer,
  options: { baseURL?: string; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: options.baseURL ?? server.url, viewport: options.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(45_000);
  // The server's Content-Security-Policy for the console: a page that runs into it is a failure (test/csp-guard.ts).
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
  });
  return context;
}

/** Signs in through the sign-in screen and waits for the console. */
export async function signIn(page: Page, apiKey: string, options: { remember?: boolean; path?: string } = {}): Promise<void> {
  await page.goto(options.path ?? '/');
  await page.getByLabel('API key').fill(apiKey);
  if (options.remember === true) await page.getByLabel(/Remember on this device/).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The console's shell (on a narrow screen "Sign out" is folded into the menu).
  await page.locator('.shell').waitFor();
}

/**
 * Shortens the console's request deadlines in the page's current document (the console reads them at each
 * request), so a "server not responding" test waits a second rather than 30. `null` restores the defaults.
 */
export async function setRequestTimeouts(page: Page, config: { queryTimeoutMs?: number; mutationTimeoutMs?: number } | null): Promise<void> {
  await page.evaluate((c) => {
    if (c === null) delete window.custodyConsoleConfig;
    else window.custodyConsoleConfig = c;
  }, config);
}

/** Retries `read` until it satisfies the assertion (Playwright-style auto-waiting, with vitest's expect.poll). */
export function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 45_000, interval: 100 });
}

/** The trimmed inner text of an element, once it is visible. */
export async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor();
  return (await locator.innerText()).trim();
}

/**
 * Writes `docs/screenshots/console-<name>.png` when screenshots are enabled: the top of the page, or with `show`
 * the page scrolled to put that element's top at the top of the window (as far as the page scrolls).
 */
export async function screenshot(page: Page, name: string, options: { show?: Locator } = {}): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // Let fonts and the last layout settle; the screenshot is documentation, not an assertion.
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    await document.fonts.ready;
  });
  await options.show?.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENSHOT_DIR, `console-${name}.png`), fullPage: false });
}
