import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchBrowser, newContext, poll, screenshot, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';
import { ingestSeed, seedEvents } from './seed';

const ORG = 'acme';
const PAGE = `/orgs/${ORG}/log`;

type TBatch = { result?: { data?: unknown } }[];

describe('verifiable log screen', () => {
  let server: TConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    server = await startConsoleServer();
    const admin = server.client(server.adminKey);
    await admin.organizations.create.mutate({ id: ORG, name: 'Acme Inc.' });
    await ingestSeed(admin, ORG);
    browser = await launchBrowser();
    context = await newContext(browser, server);
    page = await context.newPage();
    await signIn(page, server.adminKey, { path: PAGE });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('shows the latest signed note verbatim, the chain newest first and the verifier keys', async () => {
    const admin = server.client(server.adminKey);
    const latest = await admin.log.checkpoint.query({ organizationId: ORG });
    expect(latest.size).toBe(120);
    expect(await page.getByTestId('checkpoint-note').textContent()).toBe(latest.note);
    expect(await textOf(page.getByTestId('latest-size'))).toBe('120');
    const chain = await admin.log.checkpoints.query({ organizationId: ORG });
    await poll(() =>
      page.locator('[data-testid=chain-table] tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.size))),
    ).toEqual(chain.map((c) => c.size).reverse().slice(0, 25));
    expect(chain[0]?.size).toBe(0);
    const keys = await admin.log.keys.query();
    expect(await page.getByTestId('key-fingerprint').allInnerTexts()).toEqual(keys.keys.map((k) => k.fingerprint));
  });

  it('verifies the whole chain in the browser', async () => {
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = page.getByTestId('chain-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    const count = (await server.client(server.adminKey).log.checkpoints.query({ organizationId: ORG })).length;
    expect(await result.innerText()).toContain(`Verified: ${count} checkpoints from size 0 to 120 form one append-only chain`);
    await screenshot(page, 'log');
  });

  it('says "1 checkpoint" for a log that has only its first', async () => {
    await server.client(server.adminKey).organizations.create.mutate({ id: 'fresh', name: 'Fresh Ltd' });
    await page.goto('/orgs/fresh/log');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = page.getByTestId('chain-result');
    expect(await result.getAttribute('data-ok')).toBe('true');
    const text = await result.innerText();
    expect(text).toContain('Verified: 1 checkpoint, of size 0');
    expect(text).not.toContain('checkpoints');
    await page.goto(PAGE);
  });

  const tamperings: { name: string; procedure: string; code: string; tamper: (data: unknown) => void }[] = [
    {
      name: 'a consistency proof with a flipped byte',
      procedure: 'log.consistencyProof',
      code: 'CONSISTENCY_PROOF_MISMATCH',
      tamper: (data) => {
        const proof = (data as { proof: string[] }).proof;
        if (proof.length === 0) return;
        const bytes = Buffer.from(proof[0] ?? '', 'base64');
        bytes[3] = (bytes[3] ?? 0) ^ 0x10;
        proof[0] = bytes.toString('base64');
      },
    },
    {
      name: 'a checkpoint missing from the listing',
      procedure: 'log.checkpoints',
      code: 'CHAIN_BROKEN',
      tamper: (data) => {
        const list = data as unknown[];
        if (list.length > 2) list.splice(1, 1);
      },
    },
  ];

  for (const t of tamperings) {
    it(`reports ${t.name} as a broken chain`, async () => {
      const tab = await context.newPage();
      await tab.route('**/trpc/**', async (route) => {
        if (!route.request().url().includes(t.procedure)) return route.fallback();
        const response = await route.fetch();
        const body = (await response.json()) as TBatch;
        const paths = decodeURIComponent(new URL(route.request().url()).pathname.split('/trpc/')[1] ?? '').split(',');
        paths.forEach((path, i) => {
          const item = body[i];
          if (path === t.procedure && item?.result?.data !== undefined) t.tamper(item.result.data);
        });
        await route.fulfill({ response, json: body });
      });
      await signIn(tab, server.adminKey, { path: PAGE });
      await tab.locator('[data-testid=chain-table] tbody tr').first().waitFor();
      await tab.getByRole('button', { name: 'Verify chain' }).click();
      const result = tab.getByTestId('chain-result');
      await result.waitFor();
      expect(await result.getAttribute('data-ok')).toBe('false');
      const text = await result.innerText();
      expect(text).toContain(`Chain verification failed: ${t.code}`);
      expect(text).not.toContain('Verified');
      await tab.close();
    });
  }

  it('fits a phone: the sidebar folds behind a menu, and the verified chain breaks its fingerprints inside the card', async () => {
    const tab = await (await newContext(browser, server, { viewport: { width: 390, height: 844 } })).newPage();
    try {
      await signIn(tab, server.adminKey, { path: PAGE });
      // The page starts on the first screen, not below the whole sidebar.
      const title = await tab.getByRole('heading', { name: 'Verifiable log', level: 1 }).boundingBox();
      expect(title?.y).toBeLessThan(200);
      const menu = tab.getByRole('button', { name: 'Menu' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      const nav = tab.getByRole('navigation', { name: 'Main' });
      expect(await nav.isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await nav.getByRole('link', { name: 'Events' }).click();
      await poll(() => new URL(tab.url()).pathname).toBe(`/orgs/${ORG}/events`);
      await poll(() => nav.isVisible()).toBe(false);
      await tab.goBack();

      await tab.getByRole('button', { name: 'Verify chain' }).click();
      const result = tab.getByTestId('chain-result');
      expect(await result.getAttribute('data-ok', { timeout: 45_000 })).toBe('true');
      const outside = await result.evaluate((box) => {
        const right = box.getBoundingClientRect().right;
        return [...box.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > right + 0.5).map((e) => e.textContent);
      });
      expect(outside).toEqual([]);
      expect(await tab.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    } finally {
      await tab.context().close();
    }
  });

  // Last: it logs more events.
  it('brings the event counts up to date with the checkpoint on Refresh', async () => {
    await page.goto(PAGE);
    expect(await textOf(page.getByTestId('latest-size'))).toBe('120');
    expect(await textOf(page.getByTestId('log-event-count'))).toBe('120 events logged');
    expect(await textOf(page.getByTestId('sidebar-event-count'))).toBe('120 events');
    const admin = server.client(server.adminKey);
    await admin.events.createBatch.mutate({ organizationId: ORG, events: seedEvents(6) });
    await admin.log.signCheckpoint.mutate({ organizationId: ORG });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await poll(() => page.getByTestId('latest-size').innerText()).toBe('126');
    await poll(() => page.getByTestId('log-event-count').innerText()).toBe('126 events logged');
    await poll(() => page.getByTestId('sidebar-event-count').innerText()).toBe('126 events');
  });
});
