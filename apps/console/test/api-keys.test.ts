import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchBrowser, newContext, plainHttpUrl, poll, screenshot, setRequestTimeouts, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';
import { seedEvents } from './seed';

const ORG = 'acme';
const PAGE = `/orgs/${ORG}/keys`;

describe('API keys screen', () => {
  let server: TConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    server = await startConsoleServer();
    await server.client(server.adminKey).organizations.create.mutate({ id: ORG, name: 'Acme Inc.' });
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

  const row = (name: string) => page.locator(`[data-testid=keys-table] tr[data-key-name="${name}"]`);

  it('lists keys with their prefix, binding and scopes, marking the one in use', async () => {
    const bootstrap = row('bootstrap admin');
    const text = await textOf(bootstrap);
    expect(text).toContain(server.adminKey.slice(0, 17));
    expect(text).toContain('All organizations');
    expect(text).toContain('admin');
    expect(text).toContain('you');
    expect(await textOf(bootstrap.getByTestId('key-status'))).toBe('Active');
  });

  it('creates a key bound to the organization and shows its secret once', async () => {
    await page.getByRole('button', { name: 'New API key' }).click();
    // Without a name the button is disabled, and says why.
    const create = page.getByRole('button', { name: 'Create key' });
    expect(await create.isDisabled()).toBe(true);
    expect(await textOf(page.getByTestId('create-key-missing'))).toBe('Enter a name to create the key.');
    expect(await create.getAttribute('aria-describedby')).toBe(await page.getByTestId('create-key-missing').getAttribute('id'));
    await page.getByLabel('Name').fill('ingest-service');
    expect(await page.getByTestId('create-key-missing').count()).toBe(0);
    await page.getByLabel('events:write').check();
    await page.getByLabel('events:read').uncheck();
    await screenshot(page, 'api-keys-create');
    await page.getByRole('button', { name: 'Create key' }).click();
    const panel = page.getByTestId('secret-panel');
    const secret = await textOf(panel.getByTestId('secret-value'));
    expect(secret).toMatch(/^custody_sk_/);
    expect(await panel.innerText()).toContain('it will not be shown again');
    await screenshot(page, 'api-keys');

    const created = row('ingest-service');
    const text = await textOf(created);
    expect(text).toContain(`${secret.slice(0, 17)}…`);
    expect(text).toContain(ORG);
    expect(text).toContain('events:write');
    expect(text).not.toContain('events:read');

    // The secret works, for what its scopes allow.
    const result = await server.client(secret).events.createBatch.mutate({ organizationId: ORG, events: seedEvents(1) });
    expect(result.accepted).toBe(1);

    // Dismissed, it is gone; reloaded, it is nowhere on the page.
    await panel.getByRole('button', { name: 'I have stored it' }).click();
    await poll(() => page.getByTestId('secret-panel').count()).toBe(0);
    await page.reload();
    await textOf(row('ingest-service'));
    expect(await page.content()).not.toContain(secret);
  });

  it('copies the secret over plain HTTP, where the page has no clipboard API, and selects it when no copy is possible', async () => {
    const other = await newContext(browser, server, { baseURL: plainHttpUrl(server) });
    const tab = await other.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await signIn(tab, server.adminKey, { path: PAGE });
    expect(await tab.evaluate(() => [window.isSecureContext, typeof (navigator as { clipboard?: unknown }).clipboard])).toEqual([false, 'undefined']);
    // What each copy put on the clipboard.
    await tab.evaluate(() => {
      const copies: string[] = [];
      Object.assign(window, { copies });
      document.addEventListener('copy', () => {
        const active = document.activeElement;
        copies.push(active instanceof HTMLTextAreaElement ? active.value.slice(active.selectionStart, active.selectionEnd) : String(window.getSelection()));
      });
    });
    await tab.getByRole('button', { name: 'New API key' }).click();
    await tab.getByLabel('Name').fill('copied over http');
    await tab.getByRole('button', { name: 'Create key' }).click();
    const panel = tab.getByTestId('secret-panel');
    const secret = await textOf(panel.getByTestId('secret-value'));
    await panel.getByRole('button', { name: 'Copy secret' }).click();
    await textOf(panel.getByRole('button', { name: 'Copied' }));
    expect(await tab.evaluate(() => (window as unknown as { copies: string[] }).copies)).toEqual([secret]);

    // A browser that refuses even the old way: say so, and select the secret for Ctrl+C.
    await tab.evaluate(() => {
      document.execCommand = () => false;
    });
    await panel.getByRole('button', { name: 'Copied' }).click();
    await textOf(panel.getByRole('button', { name: 'Copy failed: select and copy' }));
    expect(await tab.evaluate(() => String(window.getSelection()))).toBe(secret);
    expect(errors).toEqual([]);
    await other.close();
  });

  it('creates a key for all organizations', async () => {
    await page.getByRole('button', { name: 'New API key' }).click();
    await page.getByLabel('Name').fill('auditor');
    await page.getByLabel('All organizations').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await textOf(page.getByTestId('secret-value'));
    expect(await textOf(row('auditor'))).toContain('All organizations');
    await page.getByRole('button', { name: 'I have stored it' }).click();
  });

  it('says the server is not responding when a key creation gets no answer, claims no key, and lets the form send again', async () => {
    await page.goto(PAGE);
    await textOf(row('bootstrap admin'));
    // Only the change is held: the query deadline stays at its default, so a failure within a second is the
    // change's own deadline.
    await setRequestTimeouts(page, { mutationTimeoutMs: 1000 });
    // A frozen server (SIGSTOP): the connection is accepted and nothing ever comes back.
    await page.route('**/trpc/apiKeys.create?**', () => undefined);
    try {
      await page.getByRole('button', { name: 'New API key' }).click();
      const form = page.getByRole('form', { name: 'Create an API key' });
      await form.getByLabel('Name').fill('unanswered');
      await form.getByRole('button', { name: 'Create key' }).click();
      const banner = form.getByTestId('error-banner');
      const text = await textOf(banner);
      expect(text).toContain('The key was not created');
      expect(text).toContain('The server is not responding (no answer within 1 s). The change may or may not have been made: reload to check before trying again.');
      expect(await banner.getAttribute('data-code')).toBe('TIMEOUT');
      // Nothing claims a key: no secret, no new row; the form keeps what was typed and can send it again.
      expect(await page.getByTestId('secret-panel').count()).toBe(0);
      expect(await row('unanswered').count()).toBe(0);
      expect(await form.getByLabel('Name').inputValue()).toBe('unanswered');
      const create = form.getByRole('button', { name: 'Create key' });
      expect(await create.isEnabled()).toBe(true);

      // The server answers again: the same form creates the key.
      await page.unroute('**/trpc/apiKeys.create?**');
      await create.click();
      expect(await textOf(page.getByTestId('secret-panel').getByTestId('secret-value'))).toMatch(/^custody_sk_/);
      await textOf(row('unanswered'));
      await page.getByRole('button', { name: 'I have stored it' }).click();
    } finally {
      await page.unroute('**/trpc/apiKeys.create?**');
      await setRequestTimeouts(page, null);
    }
  });

  it('revokes a key after confirmation, and the key stops working', async () => {
    const before = await server.client(server.adminKey).apiKeys.list.query({});
    const target = before.find((k) => k.name === 'auditor');
    if (target === undefined) throw new Error('auditor key missing');

    await row('auditor').getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this API key?' });
    expect(await textOf(dialog)).toContain('This cannot be undone');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await poll(() => dialog.isVisible()).toBe(false);
    expect(await textOf(row('auditor').getByTestId('key-status'))).toBe('Active');

    await row('auditor').getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await poll(() => row('auditor').getByTestId('key-status').innerText()).toMatch(/^Revoked \d{4}-\d{2}-\d{2}/);
    expect(await row('auditor').getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    const after = await server.client(server.adminKey).apiKeys.list.query({});
    expect(after.find((k) => k.id === target.id)?.revokedAt).not.toBeNull();
  });

  it('keeps a long key name from widening the page or pushing the other columns out of view', async () => {
    const name = 'W'.repeat(100);
    await server.client(server.adminKey).apiKeys.create.mutate({ name, organizationId: ORG, scopes: ['events:read'] });
    await page.reload();
    await textOf(row(name));
    // Cut, with the whole name in the tooltip; status and Revoke stay on screen.
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await row(name).locator('[title]').first().getAttribute('title')).toBe(name);
    const right = async (locator: ReturnType<typeof row>) => {
      const box = await locator.boundingBox();
      return box === null ? Infinity : box.x + box.width;
    };
    expect(await right(row(name).getByRole('button', { name: 'Revoke' }))).toBeLessThanOrEqual(1280);
    expect(await right(row(name).getByTestId('key-status'))).toBeLessThanOrEqual(1280);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      // The table scrolls inside its card; the page itself never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('rejects a revoked key at sign-in', async () => {
    const created = await server.client(server.adminKey).apiKeys.create.mutate({ name: 'temp', organizationId: ORG, scopes: ['events:read'] });
    await server.client(server.adminKey).apiKeys.revoke.mutate({ keyId: created.key.id });
    // Authentication is cached for up to two seconds: wait until the server itself refuses the key.
    await poll(async () => {
      try {
        await server.client(created.secret).organizations.list.query();
        return 'accepted';
      } catch (error) {
        return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : 'other';
      }
    }).toBe('UNAUTHORIZED');
    const other = await newContext(browser, server);
    const tab = await other.newPage();
    await tab.goto('/');
    await tab.getByLabel('API key').fill(created.secret);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(tab.getByTestId('sign-in-error'))).toContain('revoked');
    await other.close();
  });

  it('explains that a key without admin scope cannot manage keys', async () => {
    const reader = await server.client(server.adminKey).apiKeys.create.mutate({ name: 'reader', organizationId: ORG, scopes: ['events:read'] });
    const other = await newContext(browser, server);
    const tab = await other.newPage();
    await signIn(tab, reader.secret, { path: PAGE });
    const banner = tab.getByTestId('error-banner');
    expect(await textOf(banner)).toContain('Managing API keys needs an admin key');
    expect(await banner.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(await tab.getByRole('button', { name: 'New API key' }).isDisabled()).toBe(true);
    await other.close();
  });

  it('shows an organization admin the keys of its organization only', async () => {
    const orgAdmin = await server.client(server.adminKey).apiKeys.create.mutate({ name: 'acme admin', organizationId: ORG, scopes: ['admin'] });
    const other = await newContext(browser, server);
    const tab = await other.newPage();
    await signIn(tab, orgAdmin.secret, { path: PAGE });
    expect(await textOf(tab.getByText(`Your key is bound to ${ORG}`))).toBeTruthy();
    const names = await tab.locator('[data-testid=keys-table] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.keyName));
    expect(names).toContain('acme admin');
    expect(names).not.toContain('bootstrap admin');
    await other.close();
  });
});
