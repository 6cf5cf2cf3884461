import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';

import { launchBrowser, newContext, poll, screenshot, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';

describe('sign-in', () => {
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

  describe('when the key is wrong', () => {
    it('shows that the server rejected it and stays on the sign-in screen', async () => {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await page.goto('/');
      await textOf(page.getByText(/bootstrap admin key/));
      await screenshot(page, 'sign-in');
      await page.getByLabel('API key').fill('custody_sk_thisisnotarealkey000000000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await textOf(page.getByTestId('sign-in-error'))).toContain('unknown or has been revoked');
      await page.getByLabel('API key').fill('hunter2');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await poll(() => page.getByTestId('sign-in-error').innerText()).toContain('start with "custody_sk_"');
      expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
      await context.close();
    });
  });

  describe('when the key is the admin key', () => {
    it('opens the console (organizations, as there are none yet) and keeps the key in this tab only', async () => {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page, server.adminKey);
      await poll(() => new URL(page.url()).pathname).toBe('/organizations');
      await textOf(page.getByText('No organizations yet').first());
      expect(await page.evaluate(() => sessionStorage.getItem('custody.apiKey'))).toBe(server.adminKey);
      expect(await page.evaluate(() => localStorage.getItem('custody.apiKey'))).toBeNull();
      // sessionStorage belongs to the tab: a second tab must sign in again.
      const second = await context.newPage();
      await second.goto('/organizations');
      await textOf(second.getByRole('button', { name: 'Sign in' }));
      // Reloading the first tab keeps the session.
      await page.reload();
      await textOf(page.getByRole('button', { name: 'Sign out' }));
      await context.close();
    });

    it('remembers the key on this device when asked, until sign-out', async () => {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page, server.adminKey, { remember: true });
      expect(await page.evaluate(() => localStorage.getItem('custody.apiKey'))).toBe(server.adminKey);
      const second = await context.newPage();
      await second.goto('/organizations');
      await textOf(second.getByRole('button', { name: 'Sign out' }));
      expect(await textOf(second.getByText('Remembered on this device'))).toBeTruthy();
      await second.getByRole('button', { name: 'Sign out' }).click();
      await textOf(second.getByText('You are signed out.'));
      expect(await second.evaluate(() => [sessionStorage.getItem('custody.apiKey'), localStorage.getItem('custody.apiKey')])).toEqual([null, null]);
      await context.close();
    });
  });

  describe('when a stored key was revoked since', () => {
    it('signs out with an explanation instead of failing on every screen', async () => {
      const admin = server.client(server.adminKey);
      const created = await admin.apiKeys.create.mutate({ name: 'short-lived', organizationId: null, scopes: ['events:read'] });
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page, created.secret, { remember: true });
      await admin.apiKeys.revoke.mutate({ keyId: created.key.id });
      // The server caches authentication for up to two seconds: reload until the revocation shows. Each load is given
      // time for the server's answer (seconds on a busy CI machine): reloading at once would cancel the very request
      // that would find the key revoked, again and again.
      await poll(async () => {
        await page.reload();
        await page.locator('.sign-in, .shell').first().waitFor();
        return page
          .getByText('no longer accepted')
          .waitFor({ timeout: 10_000 })
          .then(() => 1, () => 0);
      }).toBe(1);
      expect(await page.evaluate(() => localStorage.getItem('custody.apiKey'))).toBeNull();
      await context.close();
    });
  });
});
