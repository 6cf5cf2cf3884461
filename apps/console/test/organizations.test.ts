import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';

import { launchBrowser, newContext, poll, screenshot, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';
import { seedEvents } from './seed';

describe('organizations screen', () => {
  let server: TConsoleServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('with an admin key for all organizations', () => {
    it('creates organizations, lists them with their log size and origin, and offers them in the switcher', async () => {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page, server.adminKey);
      await textOf(page.getByText('No organizations yet').first());

      await page.getByLabel('Name').fill('Globex Corporation');
      await page.getByLabel(/^ID/).fill('globex');
      await page.getByRole('button', { name: 'Create organization' }).click();
      expect(await textOf(page.getByRole('status').filter({ hasText: 'Created Globex Corporation' }))).toContain('custody.localhost/globex');
      const row = page.locator('[data-testid=organizations-table] tr[data-org="globex"]');
      expect(await textOf(row)).toContain('Globex Corporation');
      expect(await textOf(row.getByTestId('org-size'))).toBe('0');

      // A generated id, and the switcher lists both.
      await page.getByLabel('Name').fill('Initech');
      await page.getByRole('button', { name: 'Create organization' }).click();
      await poll(() => page.locator('[data-testid=organizations-table] tbody tr').count()).toBe(2);
      const options = await page.locator('#org-switcher option').allInnerTexts();
      expect(options.some((o) => o.startsWith('Globex Corporation (globex)'))).toBe(true);
      expect(options.some((o) => o.startsWith('Initech (org_'))).toBe(true);

      // Event counts follow the log size.
      await server.client(server.adminKey).events.createBatch.mutate({ organizationId: 'globex', events: seedEvents(7) });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await poll(() => row.getByTestId('org-size').innerText()).toBe('7');
      await screenshot(page, 'organizations');

      // On a phone the table scrolls inside its card; the page itself never scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
      // The sidebar is folded into a bar, which stays a bar on a page shorter than the screen.
      await page.goto('/no-such-page');
      await textOf(page.getByRole('heading', { name: 'Page not found' }));
      expect((await page.getByRole('complementary').first().boundingBox())?.height).toBeLessThan(80);
      await page.goBack();
      await page.setViewportSize({ width: 1440, height: 900 });

      // A new organization opens on an empty events screen.
      await page.getByLabel('Organization', { exact: true }).selectOption({ label: options.find((o) => o.startsWith('Initech')) ?? '' });
      await textOf(page.getByText('No events yet'));
      await context.close();
    });

    it('checks the id before sending and shows the server error for a duplicate', async () => {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page, server.adminKey, { path: '/organizations' });
      await page.getByRole('button', { name: 'New organization' }).click();
      await page.getByLabel('Name').fill('Bad');
      await page.getByLabel(/^ID/).fill('bad id!');
      expect(await page.getByRole('button', { name: 'Create organization' }).isDisabled()).toBe(true);
      expect(await textOf(page.getByText('Use letters, digits, _ and -'))).toBeTruthy();
      await page.getByLabel(/^ID/).fill('globex');
      await page.getByRole('button', { name: 'Create organization' }).click();
      const banner = page.getByTestId('error-banner');
      expect(await textOf(banner)).toContain('The organization was not created');
      expect(await banner.getAttribute('data-code')).toBe('CONFLICT');
      await context.close();
    });
  });

  describe('with a key that is not an unbound admin key', () => {
    it('lists only what the key can see and shows why creating fails', async () => {
      const created = await server.client(server.adminKey).apiKeys.create.mutate({ name: 'globex reader', organizationId: 'globex', scopes: ['events:read'] });
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page, created.secret, { path: '/organizations' });
      await poll(() => page.locator('[data-testid=organizations-table] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.org))).toEqual(['globex']);
      await page.getByRole('button', { name: 'New organization' }).click();
      await page.getByLabel('Name').fill('Not allowed');
      await page.getByRole('button', { name: 'Create organization' }).click();
      const banner = page.getByTestId('error-banner');
      expect(await textOf(banner)).toContain('Your API key cannot create organizations');
      expect(await banner.getAttribute('data-code')).toBe('FORBIDDEN');
      expect(await textOf(page.getByText(/needs an admin key that is not bound/))).toBeTruthy();
      await context.close();
    });
  });
});
