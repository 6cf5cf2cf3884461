import { createHash } from 'node:crypto';
import { mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { cspViolations } from './csp-guard';
import { launchBrowser, newContext, poll, screenshot, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';
import { ingestSeed } from './seed';
import type { TSeeded } from './seed';

const ORG = 'acme';
const PAGE = `/orgs/${ORG}/exports`;

/** Fills the New export form's required fields for the matter 2026-CV-0142, with `reason`. */
async function fillMatter(page: Page, reason: string): Promise<void> {
  await page.getByLabel('Matter name').fill('Doe v. Acme Inc.');
  await page.getByLabel('Matter number').fill('2026-CV-0142');
  await page.getByLabel('Custodian').fill('Acme Inc. security team');
  await page.getByLabel('Reason').fill(reason);
}

describe('exports screen', () => {
  let server: TConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seeded: TSeeded[];
  let legalSecret: string;
  beforeAll(async () => {
    server = await startConsoleServer();
    const admin = server.client(server.adminKey);
    await admin.organizations.create.mutate({ id: ORG, name: 'Acme Inc.' });
    seeded = await ingestSeed(admin, ORG);
    // A legal-staff key: it reads events and exports, nothing else.
    const { secret } = await admin.apiKeys.create.mutate({ name: 'legal', organizationId: ORG, scopes: ['events:read', 'export'] });
    legalSecret = secret;
    browser = await launchBrowser();
    context = await newContext(browser, server);
    page = await context.newPage();
    await signIn(page, secret, { path: `/orgs/${ORG}/events` });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('says what is missing before sending anything', async () => {
    await page.getByRole('link', { name: 'Exports' }).click();
    await textOf(page.getByText('No exports yet'));
    await page.getByLabel('Matter name').fill('Doe v. Acme');
    await page.getByRole('button', { name: 'Start export' }).click();
    expect(await textOf(page.getByTestId('export-form-errors'))).toContain('3 fields need attention');
    expect(await textOf(page.getByText('Enter the custodian.'))).toBeTruthy();
    expect(await page.getByLabel('Custodian').getAttribute('aria-invalid')).toBe('true');
    expect(await server.client(server.adminKey).exports.list.query({ organizationId: ORG })).toEqual([]);
  });

  it('exports the Events filter as a bundle, downloads it with a matching SHA-256, and opens its report', async () => {
    // The filter is set on the Events page, and the sidebar leads from there to Exports.
    await page.goto(`/orgs/${ORG}/events?action=document.viewed`);
    await page.getByTestId('chips').waitFor();
    await page.getByRole('link', { name: 'Exports' }).click();
    expect(await textOf(page.getByTestId('export-filter-chips'))).toContain('document.viewed');
    expect(await page.getByLabel('Use the current Events filter').isChecked()).toBe(true);
    await fillMatter(page, 'Request for production no. 3');
    await page.getByLabel('Control prefix (optional)').fill('ACME-');
    await page.getByRole('button', { name: 'Start export' }).click();
    await textOf(page.getByTestId('export-created'));

    // The list polls until the job is done.
    const row = page.locator('[data-testid=exports-table] tr[data-export-id]').first();
    await poll(() => row.getAttribute('data-status')).toBe('completed');
    const viewed = seeded.filter((e) => e.action === 'document.viewed').length;
    expect(await textOf(row.getByTestId('export-count'))).toBe(String(viewed));
    const listed = await textOf(row.getByTestId('export-sha256'));
    expect(listed).toMatch(/^[0-9a-f]{64}$/);
    const [job] = await server.client(server.adminKey).exports.list.query({ organizationId: ORG });
    expect(job?.sha256).toBe(listed);
    await poll(() => page.getByTestId('polling').count()).toBe(0);

    // The browser saves the file itself, from a form post: no bytes pass through the page.
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe(job?.fileName);
    const saved = await download.path();
    expect(createHash('sha256').update(await readFile(saved)).digest('hex')).toBe(listed);
    expect(await textOf(page.getByTestId('download-status'))).toContain(`Sent to this browser’s downloads: ${job?.fileName ?? ''}`);

    // The saved file, checked here against the listed SHA-256; then a file that is not it.
    await row.getByLabel('Check a saved file').setInputFiles(saved);
    expect(await textOf(page.getByTestId('download-check'))).toBe(`${basename(saved)} matches the listed SHA-256`);
    const other = join(await mkdtemp(join(tmpdir(), 'custody-console-')), 'other.zip');
    await writeFile(other, (await readFile(saved)).subarray(1));
    await row.getByLabel('Check a saved file').setInputFiles(other);
    expect(await textOf(page.getByTestId('download-check'))).toContain('other.zip does not match the listed SHA-256');
    expect(await page.getByTestId('check-status').locator('code').innerText()).toBe(createHash('sha256').update(await readFile(other)).digest('hex'));
    // A large file shows its progress and can be left; then the saved file again.
    const large = join(dirname(other), 'large.zip');
    await writeFile(large, '');
    await truncate(large, 8 * 1024 ** 3); // sparse: nothing written, read as zeros
    await row.getByLabel('Check a saved file').setInputFiles(large);
    await poll(() => page.getByTestId('check-status').getAttribute('data-state')).toBe('reading');
    expect(await textOf(page.getByTestId('check-status'))).toMatch(/^Reading large\.zip: .+ of 8\.0 GB/);
    await page.getByTestId('check-status').getByRole('button', { name: 'Cancel' }).click();
    await poll(() => page.getByTestId('check-status').count()).toBe(0);
    await row.getByLabel('Check a saved file').setInputFiles(saved);
    await poll(() => page.getByTestId('check-status').getAttribute('data-state')).toBe('match');
    await screenshot(page, 'exports');

    const [report] = await Promise.all([context.waitForEvent('page'), row.getByRole('button', { name: 'Report' }).click()]);
    await poll(() => report.url()).toMatch(/^blob:/);
    await report.waitForLoadState();
    expect(await report.locator('body').innerText()).toContain('2026-CV-0142');
    // The report's own styles apply under the console's policy, which its blob URL inherits.
    expect(await report.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
    await report.close();
    // Nor did the download frame or the report run into the console's policy (test/csp-guard.ts).
    expect(cspViolations).toEqual([]);
  });

  it('says why the server refused a download, read back from the page it answered with', async () => {
    // A key that listed the exports but is revoked by the time of the download.
    const admin = server.client(server.adminKey);
    const legal = await admin.apiKeys.create.mutate({ name: 'legal-2', organizationId: ORG, scopes: ['events:read', 'export'] });
    const second = await newContext(browser, server);
    try {
      const p = await second.newPage();
      await signIn(p, legal.secret, { path: PAGE });
      const row = p.locator('[data-testid=exports-table] tr[data-export-id]').first();
      await row.getByRole('button', { name: 'Download' }).waitFor();
      // A request that gets no answer (the network gone): the browser's error page, which the page cannot read.
      await p.route('**/download', (route) => route.abort('internetdisconnected'));
      await row.getByRole('button', { name: 'Download' }).click();
      await poll(() => p.getByTestId('download-status').getAttribute('data-state')).toBe('failed');
      expect(await textOf(p.getByTestId('download-status'))).toBe('Download failed: the browser could not fetch the file (is the server reachable?); try again');
      await p.unroute('**/download');

      await admin.apiKeys.revoke.mutate({ keyId: legal.key.id });
      await row.getByRole('button', { name: 'Download' }).click();
      await poll(() => p.getByTestId('download-status').getAttribute('data-state')).toBe('failed');
      expect(await textOf(p.getByTestId('download-status'))).toBe('Download failed: Invalid API key (UNAUTHORIZED)');
    } finally {
      await second.close();
    }
  });

  it('hides exports from a key without the export scope, and explains a direct link', async () => {
    const { secret } = await server.client(server.adminKey).apiKeys.create.mutate({ name: 'reader', organizationId: ORG, scopes: ['events:read'] });
    const readerContext = await newContext(browser, server);
    try {
      const reader = await readerContext.newPage();
      await signIn(reader, secret, { path: PAGE });
      await textOf(reader.getByText('This API key cannot use exports'));
      expect(await textOf(reader.locator('.state-body'))).toContain('This key has the scope events:read');
      await reader.getByRole('link', { name: 'Events' }).click();
      await reader.getByTestId('total-count').waitFor();
      expect(await reader.getByRole('link', { name: 'Exports' }).count()).toBe(0);
      expect(await reader.getByTestId('error-banner').count()).toBe(0);
    } finally {
      await readerContext.close();
    }
  });
  it('continues the numbering of an earlier production in a selected-mode bundle, set in Advanced options, and sends only what was set', async () => {
    await page.goto(PAGE); // a fresh form; the Events filter (document.viewed) is still the one last seen
    await page.getByLabel('Matter name').waitFor();
    const advanced = page.getByTestId('export-advanced');
    const summary = advanced.locator('summary');
    // Closed at first; opened from the keyboard.
    expect(await advanced.getAttribute('open')).toBeNull();
    expect(await page.getByLabel('Selected events only').isVisible()).toBe(false);
    await summary.focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Selected events only').waitFor();
    // Only what applies to the format: no delimiters for a bundle without a DAT file, no proof for a DAT file.
    expect(await page.getByLabel('Field separator (optional)').count()).toBe(0);
    await page.getByLabel('Include a DAT load file').check();
    await page.getByLabel('Field separator (optional)').waitFor();
    await page.getByLabel('Include a DAT load file').uncheck();
    await page.getByLabel('Format').selectOption('dat');
    await page.getByLabel('Field separator (optional)').waitFor();
    expect(await page.getByLabel('Selected events only').count()).toBe(0);
    await page.getByLabel('Format').selectOption('csv');
    expect(await advanced.count()).toBe(0);
    await page.getByLabel('Format').selectOption('bundle');

    await fillMatter(page, 'Request for production no. 4 (second production)');
    await page.getByLabel('Control prefix (optional)').fill('ACME-');
    await page.getByLabel('First control number (optional)').fill('25');
    await page.getByLabel('Selected events only').check();
    await screenshot(page, 'exports-advanced', { show: page.getByRole('region', { name: 'New export' }) });
    // On a phone the advanced part fits the width too.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.setViewportSize({ width: 1440, height: 900 });
    const [request] = await Promise.all([page.waitForRequest((r) => r.url().includes('/trpc/exports.create')), page.getByRole('button', { name: 'Start export' }).click()]);
    const sent = (request.postDataJSON() as Record<string, Record<string, unknown>>)['0'];
    expect(Object.keys(sent ?? {}).sort()).toEqual(['controlPrefix', 'custodian', 'filter', 'firstControlNumber', 'format', 'matter', 'mode', 'organizationId', 'reason']);
    expect(sent).toMatchObject({ format: 'bundle', mode: 'selected', firstControlNumber: 25, controlPrefix: 'ACME-', filter: { actions: ['document.viewed'] } });

    const created = await textOf(page.getByTestId('export-created').locator('.mono'));
    const admin = server.client(server.adminKey);
    await poll(async () => (await admin.exports.get.query({ organizationId: ORG, exportId: created })).status).toBe('completed');
    const job = await admin.exports.get.query({ organizationId: ORG, exportId: created });
    const viewed = seeded.filter((e) => e.action === 'document.viewed').length;
    expect(job.mode).toBe('selected');
    expect(job.counts).toEqual({ shown: viewed, withheld: 0, purged: 0 });
    expect(job.controlNumbers?.first).toMatch(/000025$/);
    expect(job.controlNumbers).toEqual({ first: 'ACME-000025', last: `ACME-${String(24 + viewed).padStart(6, '0')}` });
    expect((await admin.exports.list.query({ organizationId: ORG }))[0]?.id).toBe(created);
    const row = page.locator(`[data-testid=exports-table] tr[data-export-id="${created}"]`);
    await poll(() => row.getAttribute('data-status')).toBe('completed');
    expect(await textOf(row.getByTestId('export-count'))).toBe(String(viewed));
  });

  it('refuses invalid advanced options before sending, naming the fields, and opens Advanced options to show them', async () => {
    await page.goto(PAGE);
    await fillMatter(page, 'Request for production no. 5');
    await page.getByLabel('Format').selectOption('dat');
    await page.getByLabel('First control number (optional)').fill('-1');
    const summary = page.getByTestId('export-advanced').locator('summary');
    await summary.click();
    await page.getByLabel('Field separator (optional)').fill('||');
    await summary.click(); // closed again: the error opens it
    expect(await page.getByLabel('Field separator (optional)').isVisible()).toBe(false);
    const creates: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('exports.create')) creates.push(r.url());
    });
    const before = (await server.client(server.adminKey).exports.list.query({ organizationId: ORG })).length;

    await page.getByRole('button', { name: 'Start export' }).click();
    const errors = await textOf(page.getByTestId('export-form-errors'));
    expect(errors).toContain('2 fields need attention');
    expect(errors).toContain('Nothing was sent');
    expect(errors).toContain('First control number, Field separator');
    expect(await page.getByLabel('Field separator (optional)').isVisible()).toBe(true);
    expect(await page.getByLabel('Field separator (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await textOf(page.getByText('Exactly one character, or leave it empty for ¶ (ASCII 20).'))).toBeTruthy();
    expect(await page.getByLabel('First control number (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await textOf(page.getByText('A whole number, 0 or more (e.g. 25).'))).toBeTruthy();

    // A delimiter the job would fail on (DAT files also use ";"), and a character windows-1252 lacks.
    await page.getByLabel('First control number (optional)').fill('25');
    await page.getByLabel('Field separator (optional)').fill(';');
    await page.getByLabel('Text qualifier (optional)').fill('ā');
    await page.getByLabel('DAT encoding').selectOption('cp1252');
    await page.getByRole('button', { name: 'Start export' }).click();
    await poll(() => textOf(page.getByTestId('export-form-errors'))).toContain('the fields marked below: Field separator, Text qualifier.');
    expect(await textOf(page.getByTestId('export-form-errors'))).toContain('2 fields need attention');
    expect(await textOf(page.getByText('The same character as the multi-value separator (;): each delimiter must be different.'))).toBeTruthy();
    expect(await textOf(page.getByText('Windows-1252 has no “ā”: choose another character, or UTF-8.'))).toBeTruthy();
    expect(await page.getByLabel('First control number (optional)').getAttribute('aria-invalid')).toBe('false');
    // Those fields are gone with a format that has no DAT file, and so is their count; back, they are marked again.
    await page.getByLabel('Format').selectOption('csv');
    await poll(() => page.getByTestId('export-form-errors').count()).toBe(0);
    await page.getByLabel('Format').selectOption('dat');
    expect(await textOf(page.getByTestId('export-form-errors'))).toContain('2 fields need attention');

    expect(creates).toEqual([]);
    expect(await server.client(server.adminKey).exports.list.query({ organizationId: ORG })).toHaveLength(before);
  });

  it('offers a link to the report when the browser blocks the new tab', async () => {
    const blocked = await newContext(browser, server);
    try {
      // A popup blocker: window.open opens nothing and returns null.
      await blocked.addInitScript(() => {
        window.open = () => null;
      });
      const p = await blocked.newPage();
      await signIn(p, legalSecret, { path: PAGE });
      const row = p.locator('[data-testid=exports-table] tr[data-export-id]').filter({ has: p.getByRole('button', { name: 'Report' }) }).first();
      const id = await row.getAttribute('data-export-id');
      const job = await server.client(server.adminKey).exports.get.query({ organizationId: ORG, exportId: id ?? '' });
      await row.getByRole('button', { name: 'Report' }).click();
      const notice = p.locator(`tr[data-download-for="${id ?? ''}"]`).getByTestId('report-blocked');
      expect(await textOf(notice)).toBe('This browser blocked the new tab for the report (a popup blocker). Open the report in a new tab, or allow popups for this site.');
      const [report] = await Promise.all([blocked.waitForEvent('page'), notice.getByRole('link', { name: 'Open the report' }).click()]);
      await report.waitForLoadState();
      expect(report.url()).toMatch(/^blob:/);
      expect(await report.locator('body').innerText()).toContain(job.matter.number);
    } finally {
      await blocked.close();
    }
  });
});
