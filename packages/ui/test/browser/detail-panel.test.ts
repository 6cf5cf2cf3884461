import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { lastEvent, poll, screenshot, useScenario, waitForStat } from './browser-harness';

const scenario = useScenario('viewer', (p) => waitForStat(p, 'visible', '6,000'));
let page: Page;
beforeAll(() => {
  page = scenario.page;
});

const details = (p: Page) => p.getByRole('complementary', { name: 'Event details' });
const rowAt = (p: Page, index: number) => p.locator(`[role="row"][aria-rowindex="${index + 2}"]`);

describe('DetailPanel', () => {
  describe('when nothing is selected', () => {
    it('says how to start', async () => {
      expect(await details(page).innerText()).toContain('Select an event');
    });
  });

  describe('when a row is selected', () => {
    it('shows the event, its integrity data and the canonical line', async () => {
      await rowAt(page, 4).click();
      const action = await rowAt(page, 4).locator('.cu-col-action').innerText();
      await poll(() => details(page).getByRole('heading', { level: 2 }).innerText()).toBe(action);
      const panel = details(page);
      expect(await panel.getByRole('row', { name: /^action / }).innerText()).toContain(action);
      expect(await panel.locator('.cu-kv').first().innerText()).toMatch(/Leaf hash\s+[A-Za-z0-9+/]{43}=/);
      expect(await panel.locator('.cu-kv').first().innerText()).toContain('ACME-0000005');
      expect(await panel.innerText()).toMatch(/Origin\s+custody\.example\/acme/);
      await panel.getByRole('tab', { name: 'Canonical line' }).click();
      const line = await panel.getByTestId('canonical-line').innerText();
      expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(line.startsWith('{"action":')).toBe(true);
      await panel.getByRole('tab', { name: 'Canonical line' }).press('ArrowRight');
      await poll(() => panel.getByRole('tab', { name: 'Fields' }).getAttribute('aria-selected')).toBe('true');
      await panel.getByRole('tab', { name: 'JSON' }).click();
      expect(await panel.getByRole('tabpanel').innerText()).toContain('"occurred_at"');
      await panel.getByRole('tab', { name: 'Fields' }).click();
    });

    it('stars, tags and notes the event through annotate()', async () => {
      const panel = details(page);
      await panel.getByRole('button', { name: 'Star' }).click();
      await poll(() => panel.getByRole('button', { name: 'Starred' }).getAttribute('aria-pressed')).toBe('true');
      await poll(() => rowAt(page, 4).locator('.cu-mark-star').count()).toBe(1);

      await panel.getByRole('textbox', { name: 'New tag' }).fill('suspicious');
      await panel.getByRole('button', { name: 'Add tag' }).click();
      await poll(() => panel.getByRole('list', { name: 'Tags' }).innerText()).toContain('suspicious');
      await poll(() => rowAt(page, 4).locator('.cu-col-tags').innerText()).toContain('suspicious');

      await panel.getByRole('button', { name: 'Add a note' }).click();
      await panel.getByRole('textbox', { name: 'Note' }).fill('Signed in from an unusual network right before the deletion.');
      await panel.getByRole('button', { name: 'Save note' }).click();
      await poll(() => panel.getByRole('status').filter({ hasText: 'Note saved' }).count()).toBe(1);
      await poll(() => rowAt(page, 4).locator('.cu-mark-note').count()).toBe(1);
      const annotated = (await lastEvent(page, 'annotated')) as { rowId: number; tags: string[]; starred: boolean; hasNote: boolean }[];
      expect(annotated[0]).toMatchObject({ rowId: 4, starred: true, hasNote: true });
      expect(annotated[0]?.tags).toContain('suspicious');
      await screenshot(panel, 'detail-panel');

      await panel.getByRole('button', { name: 'Remove tag suspicious' }).click();
      await poll(() => rowAt(page, 4).locator('.cu-col-tags').innerText()).not.toContain('suspicious');
    });

    it('shows the context with the event highlighted and jumps to a neighbour', async () => {
      const panel = details(page);
      await panel.getByRole('button', { name: 'Show context' }).click();
      const list = panel.getByRole('list', { name: /^Events around / });
      await poll(() => list.getByRole('listitem').count()).toBe(10);
      const current = list.locator('[aria-current="true"]');
      expect(await current.innerText()).toContain('this event');
      expect(await list.getByRole('listitem').nth(4).getAttribute('aria-current')).toBe('true');
      await panel.getByRole('combobox').selectOption('10');
      await poll(() => list.getByRole('listitem').count()).toBe(15);
      await list.getByRole('listitem').nth(6).getByRole('button', { name: /^Jump to / }).click();
      await poll(() => lastEvent(page, 'jump')).toBe(6);
      await poll(() => lastEvent(page, 'active')).toBe(6);
      await poll(() => rowAt(page, 6).getAttribute('class')).toContain('is-highlighted');
    });

    it('filters in and out from a field', async () => {
      const panel = details(page);
      const actor = await panel.getByRole('row', { name: /^actor\.id / }).locator('.cu-field-value').innerText();
      await panel.getByRole('button', { name: `Filter out actor.id ${actor}` }).click();
      await poll(() => lastEvent(page, 'query')).toBe(`-actor.id:${actor}`);
      await page.getByRole('button', { name: 'Back to the previous filter (Alt+Left)' }).click();
      await poll(() => page.getByRole('textbox', { name: 'Filter query' }).inputValue()).toBe('');
    });
  });

  describe('when the event failed verification', () => {
    it('says so with the problems, never as verified', async () => {
      await page.getByRole('textbox', { name: 'Filter query' }).fill('status:failed');
      await page.keyboard.press('Enter');
      await poll(() => page.locator('[data-stat="visible"]').innerText()).toBe('41');
      await rowAt(page, 0).click();
      const panel = details(page);
      const alert = panel.getByRole('alert');
      await poll(() => alert.innerText()).toContain('This event FAILED verification.');
      expect(await alert.innerText()).toContain('does not lead to the checkpoint root');
      expect(await panel.locator('.cu-status-verified').count()).toBe(0);
      expect(await panel.locator('.cu-status-failed').count()).toBeGreaterThan(0);
      await screenshot(panel, 'detail-panel-failed');
    });
  });
});
