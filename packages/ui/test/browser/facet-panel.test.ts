import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { lastEvent, poll, screenshot, useScenario, waitForStat } from './browser-harness';

const scenario = useScenario('viewer', (p) => waitForStat(p, 'visible', '6,000'));
let page: Page;
beforeAll(() => {
  page = scenario.page;
});

const panel = (p: Page) => p.getByRole('region', { name: 'Fields' });
const visible = (p: Page) => p.locator('[data-stat="visible"]').innerText();
const countOf = async (p: Page, name: RegExp): Promise<string> => {
  const label = (await panel(p).getByRole('button', { name }).getAttribute('aria-label')) ?? '';
  return /, ([\d,]+) events$/.exec(label)?.[1] ?? '';
};

describe('FacetPanel', () => {
  describe('when first shown', () => {
    it('lists top values with counts per field', async () => {
      await poll(() => panel(p()).getByRole('list', { name: 'Action values' }).getByRole('listitem').count()).toBe(6);
      expect(await countOf(page, /^Filter to Action user\.signed_in,/)).toMatch(/^\d{3}$/);
      await screenshot(panel(page), 'facet-panel');
    });
  });

  describe('when a value is clicked', () => {
    it('filters to it, and the grid shows exactly its count', async () => {
      const count = await countOf(page, /^Filter to Action user\.signed_in,/);
      await panel(page).getByRole('button', { name: /^Filter to Action user\.signed_in,/ }).click();
      await poll(() => lastEvent(page, 'query')).toBe('action:user.signed_in');
      await poll(() => visible(page)).toBe(count);
      // Marked as included; clicking again removes it.
      const included = panel(page).getByRole('button', { name: /^Remove filter Action user\.signed_in,/ });
      await poll(() => included.getAttribute('aria-pressed')).toBe('true');
      await included.click();
      await poll(() => lastEvent(page, 'query')).toBe('');
      await poll(() => visible(page)).toBe('6,000');
    });
  });

  describe('when a value is excluded', () => {
    it('adds -field:value and removes those rows', async () => {
      const count = Number((await countOf(page, /^Filter to Actor ID u_bob,/)).replace(/,/g, ''));
      await panel(page).getByRole('button', { name: 'Exclude Actor ID u_bob' }).click();
      await poll(() => lastEvent(page, 'query')).toBe('-actor.id:u_bob');
      await poll(() => visible(page)).toBe((6000 - count).toLocaleString('en-US'));
      expect(await page.getByRole('list', { name: 'Active filters' }).innerText()).toContain('NOT');
      // Including then excluding the same value never leaves both.
      await page.getByRole('button', { name: /^Remove filter: not Actor ID is u_bob/ }).click();
      await poll(() => visible(page)).toBe('6,000');
    });
  });

  describe('when searching within a facet', () => {
    it('lists only matching values', async () => {
      await panel(page).getByRole('searchbox', { name: 'Search Action values' }).fill('document');
      const items = panel(page).getByRole('list', { name: 'Action values' }).getByRole('listitem');
      await poll(async () => (await items.allInnerTexts()).every((t) => t.includes('document'))).toBe(true);
      expect(await items.count()).toBe(4);
      await panel(page).getByRole('searchbox', { name: 'Search Action values' }).fill('no such value');
      await poll(() => panel(page).getByText('No matching values').count()).toBe(1);
      await panel(page).getByRole('searchbox', { name: 'Search Action values' }).fill('');
    });
  });

  describe('when the status facet is shown', () => {
    it('uses the status badges and filters on status', async () => {
      const status = panel(page).getByRole('list', { name: 'Status values' });
      await poll(() => status.getByRole('listitem').count()).toBe(3);
      await status.getByRole('button', { name: /^Filter to Status failed,/ }).click();
      await poll(() => visible(page)).toBe('41');
      await page.getByRole('button', { name: /^Remove filter: Status is failed/ }).click();
      await poll(() => visible(page)).toBe('6,000');
    });
  });
});

function p(): Page {
  return page;
}
