import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { lastEvent, poll, screenshot, useScenario } from './browser-harness';

const scenario = useScenario('verification', (p) => p.locator('.cu-verification').nth(4).waitFor(), { width: 1100 });
let page: Page;
beforeAll(() => {
  page = scenario.page;
});

const panelOf = (p: Page, bundleId: string) => p.locator(`[data-bundle="${bundleId}"] .cu-verification`);

describe('VerificationPanel', () => {
  describe('while verifying', () => {
    it('shows progress and never a verified state', async () => {
      const panel = panelOf(page, 'b3');
      expect(await panel.getAttribute('data-outcome')).toBe('verifying');
      expect(await panel.getByRole('heading', { level: 2 }).innerText()).toMatch(/^VERIFYING…\s+acme-2026-03\.custody$/);
      const bar = panel.getByRole('progressbar');
      expect(await bar.getAttribute('aria-valuenow')).toBe('45');
      expect(await panel.innerText()).toMatch(/612,340\s+events hashed/);
      expect(await panel.innerText()).toMatch(/588,021\s+proofs checked/);
      expect(await panel.innerText()).not.toContain('VERIFIED');
      await screenshot(panel, 'verification-verifying');
    });
  });

  describe('when every check passed', () => {
    it('says VERIFIED with the key, the checkpoint and the counts', async () => {
      const panel = panelOf(page, 'b1');
      expect(await panel.getAttribute('data-outcome')).toBe('verified');
      const text = await panel.innerText();
      expect(text).toContain('VERIFIED');
      expect(text).toContain('Every check passed. Signed by custody.example');
      expect(text).toContain('SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8');
      expect(text).toMatch(/Tree size\s+3000/);
      expect(text).toMatch(/Events\s+3,000\s+· 12 withheld/);
      expect(await panel.getByRole('table').getByRole('row').count()).toBe(8);
      await screenshot(panel, 'verification-verified');
    });
  });

  describe('when checks failed', () => {
    it('lists each failure with where, expected and found, and the INVALID checks', async () => {
      const panel = panelOf(page, 'b2');
      expect(await panel.getAttribute('data-outcome')).toBe('failed');
      const text = await panel.innerText();
      expect(text).toContain('FAILED');
      expect(text).toContain('3 checks failed.');
      expect(text).toMatch(/Where\s+data\/events\.jsonl:1081/);
      expect(text).toMatch(/Seq\s+4080/);
      expect(text).toMatch(/Expected\s+root q8Qv0y3Hn1mQe2hGz3Z6b8d4c0a9f1e2d3c4b5a6978=/);
      expect(text).toMatch(/Found\s+root Zx1T9w8v7u6t5s4r3q2p1o0n9m8l7k6j5i4h3g2f1e0=/);
      const invalid = await panel.getByRole('table').locator('.cu-check-status.is-invalid').allInnerTexts();
      expect(invalid.map((t) => t.trim())).toEqual(['INVALID', 'INVALID', 'INVALID']);
      await screenshot(panel, 'verification-failed');
    });
  });

  describe('when the file is not a bundle', () => {
    it('says UNUSABLE', async () => {
      const panel = panelOf(page, 'b4');
      expect(await panel.getAttribute('data-outcome')).toBe('unusable');
      expect(await panel.innerText()).toContain('UNUSABLE');
      expect(await panel.innerText()).toContain('not a Custody evidence bundle');
      await screenshot(panel, 'verification-unusable');
    });
  });

  describe('when signed by an untrusted key', () => {
    it('shows the fingerprint and asks through the trust dialog before trusting', async () => {
      const panel = panelOf(page, 'b5');
      expect(await panel.getAttribute('data-outcome')).toBe('not-verified');
      expect(await panel.innerText()).toContain('NOT VERIFIED');
      expect(await panel.innerText()).toContain('SHA256:4R1zq9vF0yX8Jm2KbT6wN3cL7hD5sG1pE9aU0oI2kYw');
      await screenshot(panel, 'verification-untrusted');

      // Escape cancels.
      await panel.getByRole('button', { name: 'Trust this key…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Trust a new signing key?' });
      await poll(() => dialog.isVisible()).toBe(true);
      await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await page.keyboard.press('Escape');
      await poll(() => lastEvent(page, 'trust-cancel')).toBe('SHA256:4R1zq9vF0yX8Jm2KbT6wN3cL7hD5sG1pE9aU0oI2kYw');
      await poll(() => dialog.isVisible()).toBe(false);

      await panel.getByRole('button', { name: 'Trust this key…' }).click();
      await poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.getByTestId('trust-fingerprint').innerText()).toBe('SHA256:4R1zq9vF0yX8Jm2KbT6wN3cL7hD5sG1pE9aU0oI2kYw');
      const trust = dialog.getByRole('button', { name: 'Trust this key' });
      expect(await trust.isDisabled()).toBe(true);
      await screenshot(page, 'key-trust-dialog');
      await dialog.getByRole('checkbox').check();
      await trust.click();
      await poll(() => lastEvent(page, 'trust')).toBe('SHA256:4R1zq9vF0yX8Jm2KbT6wN3cL7hD5sG1pE9aU0oI2kYw');
      await poll(() => panel.getAttribute('data-outcome')).toBe('verified');
      expect(await panel.innerText()).toContain('VERIFIED');
    });
  });
});

describe('the viewer in the dark theme', () => {
  it('renders every component', async () => {
    const { page: dark, errors: darkErrors } = await scenario.open('viewer', { theme: 'dark' });
    await poll(() => dark.locator('[data-stat="visible"]').innerText()).toBe('6,000');
    await dark.locator('[role="row"][aria-rowindex="12"]').click();
    await poll(() => dark.getByRole('complementary', { name: 'Event details' }).getByRole('heading', { level: 2 }).count()).toBe(1);
    await screenshot(dark, 'viewer-dark');
    const { page: light } = await scenario.open('viewer');
    await poll(() => light.locator('[data-stat="visible"]').innerText()).toBe('6,000');
    await light.locator('[role="row"][aria-rowindex="12"]').click();
    await poll(() => light.getByRole('complementary', { name: 'Event details' }).getByRole('heading', { level: 2 }).count()).toBe(1);
    await screenshot(light, 'viewer');
    const verification = await scenario.open('verification', { theme: 'dark', width: 1100 });
    await poll(() => verification.page.locator('.cu-verification').count()).toBe(5);
    await screenshot(verification.page.locator('[data-bundle="b2"]'), 'verification-failed-dark');
    expect(darkErrors).toEqual([]);
    expect(verification.errors).toEqual([]);
    await dark.context().close();
    await light.context().close();
    await verification.page.context().close();
  });
});
