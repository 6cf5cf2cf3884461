/**
 * Verification in the browser build: a GOOD bundle opened through the file input verifies once its first-seen
 * key is trusted in the key-trust dialog, with the key's fingerprint shown; every TAMPERED bundle of the bundle
 * package's tamper suite shows its specific failure and no row is ever shown as verified.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { keyFingerprint } from '@custody/ledger';

import { ACME, FOREIGN, TAMPER_CASE_NAMES, buildBundle, buildTamperSuite } from './fixtures';
import type { TFixtureBundle, TTamperCase } from './fixtures';
import { WEB_DIR, ensureWebBuild, launchViewer, openThroughFileInput, poll, screenshot, serveStatic, writeTemp } from './harness';
import type { TViewerBrowser } from './harness';

let server: Awaited<ReturnType<typeof serveStatic>>;
let browser: TViewerBrowser;
let page: Page;
let dir: string;
let good: TFixtureBundle;
let tampered: TTamperCase[];

/** The outcome shown for `fileName` on its bundle tab (`verified`, `failed`, …), as the panel derives it. */
const outcome = (fileName: string) => page.locator('.vw-bundle-tab').filter({ hasText: fileName }).first().getAttribute('data-outcome');
const stat = async (name: string) => (await page.locator(`[data-stat="${name}"]`).first().innerText()).replace(/[^0-9]/g, '');

async function closeAll(): Promise<void> {
  await page.locator('summary', { hasText: 'Case file' }).click();
  await page.getByRole('menuitem', { name: 'Close all bundles' }).click();
  await page.getByTestId('bundle-file-input').waitFor({ state: 'attached' });
}

beforeAll(async () => {
  await ensureWebBuild();
  server = await serveStatic(WEB_DIR);
  browser = await launchViewer(server.url);
  page = browser.page;
  dir = await mkdtemp(join(tmpdir(), 'custody-viewer-e2e-'));
  good = await buildBundle(ACME);
  tampered = await buildTamperSuite(good);
});

afterAll(async () => {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a GOOD bundle', () => {
  it('asks to trust its first-seen key, showing the fingerprint, and reports nothing as verified before', async () => {
    await screenshot(page, 'open');
    await openThroughFileInput(page, [await writeTemp(dir, good.fileName, good.bytes)]);
    const dialog = page.getByRole('dialog', { name: 'Trust a new signing key?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('trust-fingerprint').innerText()).toBe(ACME.fingerprint);
    expect(await dialog.innerText()).toContain(ACME.origin);
    // Until the key is trusted nothing is verified.
    expect(await outcome(good.fileName)).not.toBe('verified');
    expect(await stat('verified')).toBe('0');
    await screenshot(page, 'key-trust');
    const trust = dialog.getByRole('button', { name: 'Trust this key' });
    expect(await trust.isDisabled()).toBe(true);
    await dialog.getByRole('checkbox').check();
    await trust.click();
  });

  it('verifies once the key is trusted, naming the key by fingerprint, and every row is verified', async () => {
    await poll(() => outcome(good.fileName)).toBe('verified');
    await page.getByRole('button', { name: 'Show verification' }).click();
    const panel = page.locator('section.cu-verification[data-outcome="verified"]');
    expect(await panel.innerText()).toContain(ACME.fingerprint);
    expect(await panel.innerText()).toContain('VERIFIED');
    await poll(() => stat('verified')).toBe(String(good.shown.length));
    expect(await stat('visible')).toBe(String(good.shown.length));
    await poll(async () => page.locator('[role="gridcell"] [data-status="verified"]').count()).toBeGreaterThan(3);
    expect(await page.locator('[role="gridcell"] [data-status="failed"], [role="gridcell"] [data-status="pending"]').count()).toBe(0);
    await screenshot(page, 'verified');
    await page.getByRole('button', { name: 'Hide details' }).click();
    await screenshot(page, 'workspace');
  });

  it('remembers the trusted key and the recent file across a reload (IndexedDB), and never contacted another host', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Custody Viewer' }).waitFor();
    expect(await page.getByRole('list', { name: 'Trusted signing keys' }).innerText()).toContain(ACME.fingerprint);
    expect(await page.getByRole('list', { name: 'Recent bundles' }).innerText()).toContain(good.fileName);
    await screenshot(page, 'open-recent');
    expect(browser.requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
  });
});

describe("the page's Content-Security-Policy", () => {
  it('lets a Worker compile WebAssembly (the verifier hashes with it), and still refuses eval', async () => {
    // In a Worker of the page (blob: workers inherit its policy): code evaluated through Playwright itself is
    // exempt from CSP, so the check runs as the Worker's own script.
    const allowed = await page.evaluate(
      (source) =>
        new Promise<unknown>((resolve) => {
          const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
          worker.onmessage = (event) => {
            resolve(event.data);
            worker.terminate();
          };
        }),
      `let wasm = false, evaluated = false;
       try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); wasm = true; } catch {}
       try { evaluated = (0, eval)('1 + 1') === 2; } catch {}
       postMessage({ wasm, evaluated });`,
    );
    expect(allowed).toEqual({ wasm: true, evaluated: false });
  });
});

describe('TAMPERED bundles (the bundle package tamper suite)', () => {
  it('builds every case of the suite', () => {
    expect(tampered.map((c) => c.name)).toEqual([...TAMPER_CASE_NAMES]);
  });

  TAMPER_CASE_NAMES.forEach((name, index) => {
    it(`${name}: shows the specific failure and no row as verified`, async () => {
      const tamper = tampered.find((c) => c.name === name) as TTamperCase;
      if (await page.getByRole('list', { name: 'Open bundles' }).isVisible()) await closeAll();
      await openThroughFileInput(page, [await writeTemp(dir, tamper.fileName, tamper.bytes)]);
      if (tamper.name === 'foreign key') {
        // The foreign key is new: the viewer asks, the examiner declines.
        const dialog = page.getByRole('dialog', { name: 'Trust a new signing key?' });
        await dialog.waitFor();
        expect(await dialog.getByTestId('trust-fingerprint').innerText()).toBe(keyFingerprint(FOREIGN.vkey));
        await dialog.getByRole('button', { name: 'Cancel' }).click();
      }
      await poll(() => outcome(tamper.fileName)).toBe('failed');
      await poll(async () => (await page.locator('.cu-failure-code').allInnerTexts()).join(' ')).toContain(tamper.codes[0]);
      const shown = await page.locator('.cu-failure-code').allInnerTexts();
      for (const code of tamper.codes) expect(shown, `${tamper.name}: ${code}`).toContain(code);
      // Whatever the rows say, none is verified: not in the status bar, not in a cell.
      await poll(() => stat('verified')).toBe('0');
      expect(await page.locator('[role="gridcell"] [data-status="verified"]').count()).toBe(0);
      expect(await page.locator('section.cu-verification[data-outcome="verified"]').count()).toBe(0);
      if (index === 0) await screenshot(page, 'tampered');
    });
  });
});

describe('other ways to open a bundle', () => {
  it('opens a bundle dropped on the window', async () => {
    if (await page.getByRole('list', { name: 'Open bundles' }).isVisible()) await closeAll();
    const dataTransfer = await page.evaluateHandle(([name, data]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name, { type: 'application/zip' }));
      return transfer;
    }, [good.fileName, Array.from(good.bytes)] as const);
    await page.dispatchEvent('.vw-app', 'dragover', { dataTransfer });
    await page.dispatchEvent('.vw-app', 'drop', { dataTransfer });
    await poll(() => outcome(good.fileName)).toBe('verified');
  });

  it('opens a bundle with "Open bundles…" (the browser file chooser)', async () => {
    await closeAll();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Open bundles…' }).click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles(await writeTemp(dir, good.fileName, good.bytes));
    await poll(() => outcome(good.fileName)).toBe('verified');
  });
});

