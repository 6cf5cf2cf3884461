/**
 * The investigation workspace in the browser build, over two bundles opened together (merged into one timeline)
 * with their keys pre-seeded: filters and full-text search in the query bar, facets, histogram brush-to-zoom,
 * tags, stars and notes saved to the case file, the findings report (tagged events with control numbers and leaf
 * hashes), CSV export of exactly the current view, saved views, the column chooser and the time-zone switch.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ACME, BETA, buildBundle, eventsOf } from './fixtures';
import type { TFixtureBundle, TFixtureEvent } from './fixtures';
import { WEB_DIR, ensureWebBuild, launchViewer, openThroughFileInput, poll, screenshot, serveStatic, writeTemp } from './harness';
import type { TViewerBrowser } from './harness';

let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: TViewerBrowser;
let page: Page;
let dir: string;
let acme: TFixtureBundle;
let beta: TFixtureBundle;
let events: TFixtureEvent[];
let paths: string[];

const stat = async (name: string) => Number((await page.locator(`[data-stat="${name}"]`).first().innerText()).replace(/[^0-9]/g, ''));
const queryBox = () => page.getByRole('textbox', { name: 'Filter query' });

/** Types a query and applies it. */
async function applyQuery(text: string): Promise<void> {
  await queryBox().fill(text);
  await queryBox().press('Enter');
}

async function saveDownload(download: Download): Promise<string> {
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return readFile(path, 'utf8');
}

async function openBoth(): Promise<void> {
  await openThroughFileInput(page, paths);
  await poll(async () => page.locator('.vw-bundle-tab[data-outcome="verified"]').count()).toBe(2);
  await poll(() => stat('verified')).toBe(events.length);
}

beforeAll(async () => {
  await ensureWebBuild();
  server = await serveStatic(WEB_DIR);
  browser = await launchViewer(server.url);
  page = browser.page;
  dir = await mkdtemp(join(tmpdir(), 'custody-viewer-investigate-'));
  acme = await buildBundle(ACME);
  beta = await buildBundle(BETA, { size: 150, old: 60, from: 10, to: 140 });
  events = [...eventsOf(acme), ...eventsOf(beta)];
  paths = [await writeTemp(dir, acme.fileName, acme.bytes), await writeTemp(dir, beta.fileName, beta.bytes)];
  // Pre-seed the trusted keys (as an examiner who trusted them earlier), then start fresh.
  await page.evaluate(async ([a, b]) => {
    await window.custody.trustKey(a as string, 'Acme production');
    await window.custody.trustKey(b as string, 'Beta production');
  }, [ACME.signer.vkey, BETA.signer.vkey]);
  await page.reload();
  await page.getByRole('heading', { name: 'Custody Viewer' }).waitFor();
});

afterAll(async () => {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('two bundles opened together', () => {
  it('merge into one verified timeline, in time order, without asking about the pre-seeded keys', async () => {
    await openBoth();
    expect(await stat('total')).toBe(events.length);
    expect(await page.getByRole('dialog', { name: 'Trust a new signing key?' }).isVisible()).toBe(false);
    // The bundle facet counts each bundle's events (values are the session's bundle ids).
    const bundleFacet = page.getByRole('list', { name: 'Bundle values' });
    await poll(async () => (await bundleFacet.innerText()).replace(/\s+/g, ' ')).toContain(`b1 ${acme.shown.length}`);
    expect((await bundleFacet.innerText()).replace(/\s+/g, ' ')).toContain(`b2 ${beta.shown.length}`);
    const firstTime = Math.min(...events.map((e) => e.time));
    expect(await page.locator('[role="row"][aria-rowindex="2"]').innerText()).toContain(new Date(firstTime).toISOString().slice(0, 19).replace('T', ' '));
    await screenshot(page, 'merged');
  });
});

describe('filters, search, facets and the histogram', () => {
  it('filters by field in the query bar', async () => {
    await applyQuery('action:document.shared');
    await poll(() => stat('visible')).toBe(events.filter((e) => e.action === 'document.shared').length);
    expect(await page.locator('.cu-chip').first().innerText()).toContain('document.shared');
  });

  it('combines a field filter with a negated one and a CIDR block', async () => {
    await applyQuery('action:document.* -actor.type:service ip:203.0.113.0/24');
    const expected = events.filter((e) => e.action.startsWith('document.') && e.actorType !== 'service' && e.ip.startsWith('203.0.113.')).length;
    expect(expected).toBeGreaterThan(0);
    await poll(() => stat('visible')).toBe(expected);
  });

  it('searches full text (a phrase)', async () => {
    await applyQuery('"Eve Mallory"');
    await poll(() => stat('visible')).toBe(events.filter((e) => e.actorName === 'Eve Mallory').length);
    await screenshot(page, 'search');
  });

  it('goes back through the filter history', async () => {
    await page.getByRole('button', { name: /back/i }).first().click();
    await poll(async () => queryBox().inputValue()).toContain('action:document.*');
    await applyQuery('');
    await poll(() => stat('visible')).toBe(events.length);
  });

  it('filters from a facet value', async () => {
    await page.getByRole('button', { name: /^Filter to Actor type service/ }).click();
    await poll(() => stat('visible')).toBe(events.filter((e) => e.actorType === 'service').length);
    expect(await queryBox().inputValue()).toContain('actor.type:service');
    await screenshot(page, 'facets');
    await applyQuery('');
    await poll(() => stat('visible')).toBe(events.length);
  });

  it('zooms with a brush on the histogram, then resets', async () => {
    const hit = page.getByTestId('histogram-hit');
    const box = await hit.boundingBox();
    if (box === null) throw new Error('the histogram is not visible');
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await poll(async () => queryBox().inputValue()).toMatch(/after:\S+ before:\S+/);
    const [, after, before] = /after:(\S+) before:(\S+)/.exec(await queryBox().inputValue()) ?? [];
    const from = Date.parse(after as string);
    const to = Date.parse(before as string);
    const expected = events.filter((e) => e.time >= from && e.time < to).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(events.length);
    await poll(() => stat('visible')).toBe(expected);
    await screenshot(page, 'histogram-zoom');
    await page.getByRole('button', { name: 'Reset' }).click();
    await poll(() => stat('visible')).toBe(events.length);
  });
});

describe('annotations, the case file and the report', () => {
  let tagged: TFixtureEvent;

  it('tags, stars and notes an event in the detail panel', async () => {
    await applyQuery('action:admin.role_granted actor.id:user_4');
    const candidates = events.filter((e) => e.action === 'admin.role_granted' && e.actorId === 'user_4').sort((a, b) => a.time - b.time);
    await poll(() => stat('visible')).toBe(candidates.length);
    tagged = candidates[0] as TFixtureEvent;
    await page.locator('[role="row"][aria-rowindex="2"]').click();
    const detail = page.getByRole('complementary', { name: 'Event details' });
    await poll(async () => detail.innerText()).toContain(tagged.controlNumber);
    await detail.getByRole('textbox', { name: 'New tag' }).fill('exfil');
    await detail.getByRole('button', { name: 'Add tag' }).click();
    const tags = detail.getByRole('list', { name: 'Tags', exact: true });
    await poll(async () => (await tags.allInnerTexts()).join(' ')).toContain('exfil');
    await detail.getByRole('button', { name: 'Star' }).click();
    await poll(async () => detail.getByRole('button', { name: 'Starred' }).count()).toBe(1);
    const addNote = detail.getByRole('button', { name: 'Add a note' });
    if (await addNote.isVisible()) await addNote.click();
    await detail.getByLabel('Note', { exact: true }).fill('Granted admin, then shared the report outside the company.');
    await detail.getByRole('button', { name: 'Save note' }).click();
    await poll(async () => detail.innerText()).toContain('Note saved');
    await applyQuery('tag:exfil is:starred is:noted');
    await poll(() => stat('visible')).toBe(1);
    await page.locator('[role="row"][aria-rowindex="2"]').click();
    await screenshot(page, 'detail');
  });

  it('saves the case file (browser storage) and offers a copy with the annotation', async () => {
    await poll(async () => page.locator('.vw-footer').innerText()).toContain('browser storage');
    await page.locator('summary', { hasText: 'Case file' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Save a copy…' }).click()]);
    const caseFile = JSON.parse(await saveDownload(download)) as { format: string; annotations: { seq: number; tags: string[]; starred: boolean; note: string | null; controlNumber: string }[]; log: { action: string }[] };
    expect(caseFile.format).toBe('custody.viewer.case/v1');
    expect(caseFile.annotations).toEqual([expect.objectContaining({ seq: tagged.seq, tags: ['exfil'], starred: true, controlNumber: tagged.controlNumber })]);
    expect(caseFile.log.map((entry) => entry.action)).toEqual(expect.arrayContaining(['bundle.open', 'annotate.tag', 'annotate.star', 'annotate.note']));
    await page.keyboard.press('Escape');
    await page.locator('summary', { hasText: 'Case file' }).click();
  });

  it('writes a findings report with the tagged event, its control number and its leaf hash', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Findings report' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^custody-findings-.*\.html$/);
    const html = await saveDownload(download);
    expect(html).toContain(tagged.controlNumber);
    expect(html).toContain(tagged.leafHash);
    expect(html).toContain('exfil');
    expect(html).toContain('Granted admin, then shared the report outside the company.');
    expect(html).not.toMatch(/<script/i);
    if (process.env.VIEWER_SCREENSHOTS === '1') {
      const report = await browser.context.newPage();
      await report.setContent(html);
      await screenshot(report, 'report');
      await report.close();
    }
  });

  it('exports exactly the current view as CSV', async () => {
    await applyQuery('action:document.shared');
    const expected = events.filter((e) => e.action === 'document.shared').sort((a, b) => a.time - b.time);
    await poll(() => stat('visible')).toBe(expected.length);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await saveDownload(download);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(expected.length + 1);
    expect(lines[0]).toMatch(/^"?Starred"?,"?Note"?,"?Status"?,"?Time \(UTC\)"?,"?Action"?/);
    expect(lines.slice(1).every((line) => line.includes('document.shared'))).toBe(true);
    expect(lines[1]).toContain(new Date(expected[0]?.time ?? 0).toISOString().slice(0, 19));
  });

  it('keeps annotations across a reload: the case file is loaded when the bundles are opened again', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Custody Viewer' }).waitFor();
    await openBoth();
    await applyQuery('tag:exfil');
    await poll(() => stat('visible')).toBe(1);
  });
});

describe('views and columns', () => {
  it('saves a view in the case file and applies it again', async () => {
    await applyQuery('action:user.signed_in -actor.type:service');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('textbox', { name: 'View name' }).fill('Sign-ins by people');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await applyQuery('');
    await poll(() => stat('visible')).toBe(events.length);
    await page.getByRole('combobox', { name: 'Saved views' }).selectOption('Sign-ins by people');
    await poll(() => stat('visible')).toBe(events.filter((e) => e.action === 'user.signed_in' && e.actorType !== 'service').length);
  });

  it('shows a hidden column from the column chooser and switches UTC/local time', async () => {
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.getByRole('dialog', { name: 'Choose columns' });
    await chooser.getByRole('checkbox', { name: /Bundle/ }).check();
    await chooser.getByRole('checkbox', { name: /User agent/ }).uncheck();
    await screenshot(page, 'columns');
    await page.keyboard.press('Escape');
    await poll(async () => page.getByRole('columnheader').allInnerTexts()).toContain('Bundle');
    await page.getByRole('group', { name: 'Time zone' }).getByRole('button', { name: 'Local' }).click();
    await poll(async () => (await page.getByRole('columnheader').allInnerTexts()).join(' ')).toMatch(/Time \((?!UTC\))/);
    await page.getByRole('group', { name: 'Time zone' }).getByRole('button', { name: 'UTC' }).click();
  });

  it('made no request to any other host, and logged no error', () => {
    expect(browser.requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
    expect(browser.errors.filter((e) => !e.includes('favicon') && !e.includes('404'))).toEqual([]);
  });
});
