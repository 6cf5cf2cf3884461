import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { lastEvent, poll, screenshot, useScenario, waitForStat } from './browser-harness';

const scenario = useScenario('viewer', (p) => waitForStat(p, 'visible', '6,000'));
let page: Page;
beforeAll(() => {
  page = scenario.page;
});

const input = (p: Page) => p.getByRole('textbox', { name: 'Filter query' });
const chips = (p: Page) => p.getByRole('list', { name: 'Active filters' }).getByRole('listitem');
const visible = (p: Page) => p.locator('[data-stat="visible"]').innerText();

describe('QueryBar and FilterChips', () => {
  describe('when the text has errors', () => {
    it('shows them inline with positions and applies nothing', async () => {
      await input(page).fill('action:user.* foo:bar after:2026-02-30 "open');
      await input(page).press('Enter');
      const list = page.getByRole('list', { name: 'Query errors' });
      await poll(() => list.getByRole('listitem').count()).toBe(3);
      const text = await list.innerText();
      expect(text).toContain('column 15: unknown field "foo"');
      expect(text).toContain('column 29: invalid time "2026-02-30": day 30 is out of range for February 2026 (28 days)');
      expect(text).toContain('column 40: unclosed quote');
      expect(await input(page).getAttribute('aria-invalid')).toBe('true');
      expect(await visible(page)).toBe('6,000');
      await screenshot(page.locator('.cu-query-bar'), 'query-bar-errors');
      await input(page).press('Escape');
      expect(await input(page).inputValue()).toBe('');
    });
  });

  describe('when valid text is applied', () => {
    it('shows one chip per term and filters the grid', async () => {
      await input(page).fill('action:user.*  -ip:10.0.0.0/8 Actor:u_alice');
      await input(page).press('Enter');
      await poll(() => chips(page).count()).toBe(3);
      // The text is normalized (spacing, aliases).
      expect(await input(page).inputValue()).toBe('action:user.* -ip:10.0.0.0/8 actor.id:u_alice');
      expect(await chips(page).nth(0).innerText()).toMatch(/Action\s*starts with\s*user\./);
      expect(await chips(page).nth(1).innerText()).toMatch(/NOT\s*IP address\s*in\s*10\.0\.0\.0\/8/);
      await poll(async () => Number((await visible(page)).replace(/,/g, ''))).toBeLessThan(6000);
      await screenshot(page.locator('.hx-app'), 'viewer-filtered');
      await screenshot(page.locator('.cu-chips'), 'filter-chips');
    });
  });

  describe('when chips are edited', () => {
    it('keeps the text in sync: remove, invert, keyboard delete', async () => {
      await page.getByRole('button', { name: 'Remove filter: Actor ID is u_alice' }).click();
      await poll(() => input(page).inputValue()).toBe('action:user.* -ip:10.0.0.0/8');
      await page.getByRole('button', { name: 'Include instead: not IP address in 10.0.0.0/8' }).click();
      await poll(() => input(page).inputValue()).toBe('action:user.* ip:10.0.0.0/8');
      await page.getByRole('button', { name: 'Exclude instead: Action starts with user.' }).focus();
      await page.keyboard.press('Delete');
      await poll(() => input(page).inputValue()).toBe('ip:10.0.0.0/8');
      expect(await lastEvent(page, 'query')).toBe('ip:10.0.0.0/8');
    });
  });

  describe('when going back and forward', () => {
    it('restores earlier filters with the buttons and Alt+←/→', async () => {
      const back = page.getByRole('button', { name: 'Back to the previous filter (Alt+Left)' });
      const forward = page.getByRole('button', { name: 'Forward to the next filter (Alt+Right)' });
      await back.click();
      await poll(() => input(page).inputValue()).toBe('action:user.* ip:10.0.0.0/8');
      await back.click();
      await poll(() => input(page).inputValue()).toBe('action:user.* -ip:10.0.0.0/8');
      await forward.click();
      await poll(() => input(page).inputValue()).toBe('action:user.* ip:10.0.0.0/8');
      // The keyboard shortcuts work outside text fields.
      await page.getByRole('grid').focus();
      await page.keyboard.press('Alt+ArrowLeft');
      await poll(() => input(page).inputValue()).toBe('action:user.* -ip:10.0.0.0/8');
      await page.keyboard.press('Alt+ArrowRight');
      await poll(() => input(page).inputValue()).toBe('action:user.* ip:10.0.0.0/8');
      await page.keyboard.press('Alt+ArrowRight');
      await poll(() => input(page).inputValue()).toBe('ip:10.0.0.0/8');
      expect(await forward.isDisabled()).toBe(true);
      // A new filter after going back drops the forward entries.
      await back.click();
      await poll(() => input(page).inputValue()).toBe('action:user.* ip:10.0.0.0/8');
      await page.getByRole('button', { name: 'Clear all' }).click();
      await poll(() => chips(page).count()).toBe(1);
      expect(await chips(page).innerText()).toBe('No filters: showing every event.');
      expect(await forward.isDisabled()).toBe(true);
      await poll(() => visible(page)).toBe('6,000');
    });
  });

  describe('when the syntax help is opened', () => {
    it('lists the syntax', async () => {
      await page.getByText('Syntax', { exact: true }).click();
      await poll(() => page.locator('.cu-query-help-body').isVisible()).toBe(true);
      expect(await page.locator('.cu-query-help-body').innerText()).toContain('ip:10.0.0.0/8');
      await screenshot(page, 'query-bar-syntax');
      await page.getByText('Syntax', { exact: true }).click();
    });
  });
});
