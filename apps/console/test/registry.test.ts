import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchBrowser, newContext, poll, screenshot, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';

const ORG = 'acme';
const PAGE = `/orgs/${ORG}/registry`;

const VALID = {
  strict: true,
  actions: {
    'user.signed_in': [{ version: 1, metadata: { fields: { method: { type: 'string', enum: ['password', 'sso'] } }, required: ['method'] } }],
  },
};

describe('action registry screen', () => {
  let server: TConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const editor = () => page.getByLabel('Action registry JSON');
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

  it('starts empty and offers an example', async () => {
    await textOf(page.getByText('No registry: every well-formed event is accepted.'));
    expect(await editor().inputValue()).toBe('');
    await page.getByRole('button', { name: 'Insert an example' }).click();
    expect(JSON.parse(await editor().inputValue())).toHaveProperty('actions');
  });

  it('rejects text that is not JSON before sending it', async () => {
    await editor().fill('{ "strict": true, ');
    await page.getByRole('button', { name: 'Save registry' }).click();
    expect(await textOf(page.getByTestId('registry-json-error'))).toContain('Not valid JSON');
  });

  it('lists each problem the server finds with its path', async () => {
    await editor().fill(JSON.stringify({ strict: 'yes', actions: { 'user.signed_in': [{ version: 0 }], 'Bad Name': [] } }, null, 2));
    await page.getByRole('button', { name: 'Save registry' }).click();
    const issues = page.getByTestId('registry-issues');
    expect(await textOf(issues)).toContain('The server rejected the registry (3 problems)');
    const paths = await issues.locator('tr[data-path]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.path));
    expect(paths).toEqual(['strict', 'actions["user.signed_in"][0].version', 'actions["Bad Name"]']);
    expect(await textOf(issues.locator('tr[data-path="strict"]'))).toContain('Must be a boolean, got string');
    await screenshot(page, 'registry');
    const org = await server.client(server.adminKey).organizations.get.query({ organizationId: ORG });
    expect(org.actionRegistry).toBeNull();
  });

  it('saves a valid registry, which the server then enforces', async () => {
    await editor().fill(JSON.stringify(VALID));
    await page.getByRole('button', { name: 'Save registry' }).click();
    await textOf(page.getByTestId('registry-saved'));
    // The server stores canonical JSON (keys sorted): the editor shows what is stored.
    await poll(async () => JSON.parse(await editor().inputValue()) as unknown).toEqual(VALID);
    const org = await server.client(server.adminKey).organizations.get.query({ organizationId: ORG });
    expect(org.actionRegistry).toEqual(VALID);
    const rejected = await server.client(server.adminKey).events.createBatch.mutate({
      organizationId: ORG,
      events: [{ action: 'user.deleted', occurred_at: '2026-03-01T00:00:00Z', actor: { id: 'u_1', type: 'user' }, context: { location: '203.0.113.1' } }],
    });
    expect(rejected.results[0]?.status).toBe('rejected');
    await page.reload();
    await poll(async () => JSON.parse((await editor().inputValue()) || 'null') as unknown).toEqual(VALID);
  });

  it('removes the registry after confirmation', async () => {
    await page.getByRole('button', { name: 'Remove registry' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove registry' }).click();
    expect(await textOf(page.getByTestId('registry-saved'))).toBe('Registry removed.');
    await poll(async () => (await server.client(server.adminKey).organizations.get.query({ organizationId: ORG })).actionRegistry).toBeNull();
  });

  it('shows a key without admin scope the registry read-only, saying why, rather than a Save the server refuses', async () => {
    await server.client(server.adminKey).organizations.setActionRegistry.mutate({ organizationId: ORG, registry: VALID });
    const reader = await server.client(server.adminKey).apiKeys.create.mutate({ name: 'reader', organizationId: ORG, scopes: ['events:read'] });
    const other = await newContext(browser, server);
    const tab = await other.newPage();
    await signIn(tab, reader.secret, { path: PAGE });
    expect(await textOf(tab.getByTestId('registry-read-only'))).toContain('Read only: changing the registry needs an admin key');
    expect(await tab.getByTestId('registry-read-only').innerText()).toContain('scope events:read');
    const json = tab.getByLabel('Action registry JSON');
    await poll(async () => JSON.parse((await json.inputValue()) || 'null') as unknown).toEqual(VALID);
    expect(await json.isEditable()).toBe(false);
    for (const name of ['Save registry', 'Remove registry', 'Format JSON']) expect(await tab.getByRole('button', { name }).count()).toBe(0);
    await other.close();
    // The server refuses the change all the same.
    await expect(server.client(reader.secret).organizations.setActionRegistry.mutate({ organizationId: ORG, registry: null })).rejects.toBeInstanceOf(TRPCClientError);
    await server.client(server.adminKey).organizations.setActionRegistry.mutate({ organizationId: ORG, registry: null });
  });

  it('offers "Skip to content" as the first Tab stop, before the sidebar', async () => {
    await page.reload();
    await editor().waitFor();
    const focused = () => page.evaluate(() => ({ text: document.activeElement?.textContent ?? null, id: document.activeElement?.id ?? null, inMain: document.activeElement?.closest('main') !== null }));
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');
    // The next stop is on the page, not among the sidebar's links.
    await page.keyboard.press('Tab');
    expect((await focused()).inMain).toBe(true);
  });
});
