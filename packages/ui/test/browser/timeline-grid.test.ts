import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';

import { BASE_TIME, mix } from '../harness/synthetic';
import { eventsOf, lastEvent, launchBrowser, openScenario, poll, screenshot, serveHarness, waitForStat } from './browser-harness';

const TOTAL = 2_000_000;

let browser: Browser;
let server: Awaited<ReturnType<typeof serveHarness>>;

beforeAll(async () => {
  server = await serveHarness();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
  await server.close();
});

const grid = (page: Page) => page.getByRole('grid');
const stat = (page: Page, name: string) => page.locator(`[data-stat="${name}"]`).innerText();
const rowAt = (page: Page, index: number) => page.locator(`[role="row"][aria-rowindex="${index + 2}"]`);

/** Whether row `index` is rendered entirely inside the grid's visible rows area. */
async function fullyVisible(page: Page, index: number): Promise<boolean> {
  return page.evaluate((rowIndex) => {
    const scroller = document.querySelector('[role="grid"]');
    const row = document.querySelector(`[role="row"][aria-rowindex="${rowIndex + 2}"]`);
    const header = document.querySelector('.cu-grid-header');
    if (scroller === null || row === null || header === null) return false;
    const s = scroller.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    const top = header.getBoundingClientRect().bottom;
    const bottom = s.top + scroller.clientHeight;
    return r.top >= top - 0.5 && r.bottom <= bottom + 0.5 && r.height > 0;
  }, index);
}

describe('TimelineGrid', () => {
  describe('when the view has 2,000,000 rows (more than the browser can scroll)', () => {
    let page: Page;

    beforeAll(async () => {
      ({ page } = await openScenario(browser, server.url, 'big'));
      await waitForStat(page, 'visible', '2,000,000');
    });

    afterAll(async () => {
      await page.context().close();
    });

    it('uses a scaled scrollbar shorter than the browser limit and shows the counts', async () => {
      expect(await grid(page).getAttribute('aria-rowcount')).toBe(String(TOTAL + 1));
      expect(await page.locator('.cu-grid').getAttribute('data-scaled')).toBe('true');
      const scrollHeight = await grid(page).evaluate((el) => el.scrollHeight);
      expect(scrollHeight).toBeGreaterThan(1_000_000);
      expect(scrollHeight).toBeLessThanOrEqual(15_100_000);
      expect(await stat(page, 'total')).toBe('2,000,000');
      await poll(() => stat(page, 'failed')).toMatch(/^\d{3}$/);
      expect(await stat(page, 'pending')).toBe('500');
      await expect.poll(() => rowAt(page, 0).innerText()).toContain('ACME-0000001');
    });

    it('reaches the last row when the scrollbar is dragged to the bottom', async () => {
      await grid(page).evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      const last = rowAt(page, TOTAL - 1);
      await poll(() => last.innerText()).toContain('ACME-2000000');
      expect(await fullyVisible(page, TOTAL - 1)).toBe(true);
      expect(await stat(page, 'position')).toMatch(/^Row 1,999,9\d\d of 2,000,000$/);
      await screenshot(page.locator('.cu-grid'), 'timeline-grid-2m-end');
    });

    it('maps the middle of the scrollbar to the middle of the rows', async () => {
      await grid(page).evaluate((el) => {
        el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
      });
      const topRow = async (): Promise<number> => Number((await stat(page, 'position')).replace(/^Row ([\d,]+) of.*$/, '$1').replace(/,/g, ''));
      await poll(topRow).toSatisfy((row: number) => row > 999_900 && row < 1_000_100);
      const top = await topRow();
      await poll(() => rowAt(page, top - 1).innerText()).toContain(`ACME-${String(top).padStart(7, '0')}`);
    });

    it('moves a wheel notch by its pixels, not by the scale factor', async () => {
      await page.getByRole('textbox', { name: 'Go to row number or time' }).fill('500000');
      await page.getByRole('button', { name: 'Go', exact: true }).click();
      await poll(() => stat(page, 'position')).toBe('Row 500,000 of 2,000,000');
      await grid(page).hover();
      await page.mouse.wheel(0, 240);
      await poll(() => stat(page, 'position')).toBe('Row 500,010 of 2,000,000');
    });

    it('navigates with the keyboard: arrows, Page Down, Home, End, Shift to extend', async () => {
      await grid(page).focus();
      await page.keyboard.press('Home');
      await poll(() => lastEvent(page, 'active')).toBe(0);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await poll(() => lastEvent(page, 'active')).toBe(3);
      expect(await lastEvent(page, 'selection')).toEqual([3]);
      expect(await rowAt(page, 3).getAttribute('aria-selected')).toBe('true');
      expect(await grid(page).getAttribute('aria-activedescendant')).toBe(await rowAt(page, 3).getAttribute('id'));

      await page.keyboard.press('PageDown');
      const pageRows = await grid(page).evaluate((el) => Math.floor((el.clientHeight - (el.querySelector('.cu-grid-header') as HTMLElement).offsetHeight) / 24));
      await poll(() => lastEvent(page, 'active')).toBe(3 + pageRows);

      await page.keyboard.press('Shift+ArrowUp');
      await page.keyboard.press('Shift+ArrowUp');
      await poll(() => lastEvent(page, 'selection')).toEqual([1 + pageRows, 2 + pageRows, 3 + pageRows]);

      await page.keyboard.press('End');
      await poll(() => lastEvent(page, 'active')).toBe(TOTAL - 1);
      await poll(() => lastEvent(page, 'selection')).toEqual([TOTAL - 1]);
      expect(await fullyVisible(page, TOTAL - 1)).toBe(true);

      await page.keyboard.press('Home');
      await poll(() => lastEvent(page, 'active')).toBe(0);
      expect(await fullyVisible(page, 0)).toBe(true);
    });

    it('selects a range across unloaded pages with Shift-click after a jump', async () => {
      await grid(page).focus();
      await page.keyboard.press('Home');
      await page.getByRole('textbox', { name: 'Go to row number or time' }).fill('2001');
      await page.keyboard.press('Enter');
      await poll(() => lastEvent(page, 'active')).toBe(2000);
      await rowAt(page, 2004).click({ modifiers: ['Shift'] });
      await poll(() => lastEvent(page, 'selection')).toEqual([2000, 2001, 2002, 2003, 2004]);
      await rowAt(page, 2010).click({ modifiers: ['ControlOrMeta'] });
      await poll(() => lastEvent(page, 'selection')).toEqual([2000, 2001, 2002, 2003, 2004, 2010]);
      await poll(() => stat(page, 'selected')).toBe('6');
    });

    it('jumps to a time in a time-sorted view', async () => {
      const target = 1_500_000;
      const time = BASE_TIME + target * 15_000 + (mix(target) % 15_000);
      await page.getByRole('textbox', { name: 'Go to row number or time' }).fill(new Date(time).toISOString());
      await page.keyboard.press('Enter');
      await poll(() => lastEvent(page, 'active')).toBe(target);
      expect(await fullyVisible(page, target)).toBe(true);
    });

    it('rejects a row number outside the view', async () => {
      await page.getByRole('textbox', { name: 'Go to row number or time' }).fill('2000001');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('alert').innerText()).toBe('Row 2,000,001 is outside 1–2,000,000');
    });
  });

  describe('when used in the viewer', () => {
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      ({ page, errors } = await openScenario(browser, server.url, 'viewer'));
      await waitForStat(page, 'visible', '6,000');
    });

    afterAll(async () => {
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it('emits the sort a header click asks for and marks the header', async () => {
      const header = page.getByRole('columnheader', { name: /^Action/ });
      await header.getByRole('button').click();
      await poll(() => lastEvent(page, 'sort')).toEqual({ column: 'action', direction: 'asc' });
      await poll(() => header.getAttribute('aria-sort')).toBe('ascending');
      await poll(() => rowAt(page, 0).locator('.cu-col-action').innerText()).toBe('api_key.created');
      await header.getByRole('button').click();
      await poll(() => lastEvent(page, 'sort')).toEqual({ column: 'action', direction: 'desc' });
      await poll(() => header.getAttribute('aria-sort')).toBe('descending');
      await poll(() => rowAt(page, 0).locator('.cu-col-action').innerText()).toBe('user.viewed');
      await page.getByRole('columnheader', { name: /^Time/ }).getByRole('button').click();
      await poll(() => lastEvent(page, 'sort')).toEqual({ column: 'time', direction: 'asc' });
      // Not sortable: no button.
      expect(await page.getByRole('columnheader', { name: 'Targets' }).getByRole('button').count()).toBe(0);
    });

    it('hides and shows columns with the column chooser', async () => {
      await page.getByRole('button', { name: 'Columns' }).click();
      const chooser = page.getByRole('dialog', { name: 'Choose columns' });
      await chooser.getByRole('checkbox', { name: 'User agent' }).uncheck();
      await chooser.getByRole('checkbox', { name: 'Bundle' }).check();
      await screenshot(page.locator('.cu-grid'), 'timeline-grid-columns');
      await page.keyboard.press('Escape');
      await poll(() => chooser.count()).toBe(0);
      expect(await page.getByRole('columnheader', { name: 'User agent' }).count()).toBe(0);
      expect(await page.getByRole('columnheader', { name: 'Bundle' }).count()).toBe(1);
      const columns = (await lastEvent(page, 'columns')) as { id: string; visible: boolean }[];
      expect(columns.find((c) => c.id === 'ua')?.visible).toBe(false);
      expect(columns.find((c) => c.id === 'bundle')?.visible).toBe(true);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Columns');
    });

    it('resizes a column by dragging its header edge', async () => {
      const header = page.getByRole('columnheader', { name: /^Action/ });
      const before = (await header.boundingBox())!;
      const handle = page.getByRole('separator', { name: 'Resize Action column' });
      const box = (await handle.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
      await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      await poll(async () => Math.round((await header.boundingBox())!.width)).toBe(Math.round(before.width + 80));
      const columns = (await lastEvent(page, 'columns')) as { id: string; width: number }[];
      expect(columns.find((c) => c.id === 'action')?.width).toBe(Math.round(before.width + 80));
      // The cells follow the header.
      expect(Math.round((await rowAt(page, 0).locator('.cu-col-action').boundingBox())!.width)).toBe(Math.round(before.width + 80));
      // Keyboard: the separator is focusable and arrows resize.
      await handle.focus();
      await page.keyboard.press('ArrowLeft');
      await poll(async () => Math.round((await header.boundingBox())!.width)).toBe(Math.round(before.width + 64));
    });

    it('selects with click, Ctrl-click and Shift-click and counts the selection', async () => {
      await rowAt(page, 2).click();
      await poll(() => lastEvent(page, 'selection')).toEqual([2]);
      await rowAt(page, 5).click({ modifiers: ['ControlOrMeta'] });
      await poll(() => lastEvent(page, 'selection')).toEqual([2, 5]);
      await rowAt(page, 8).click({ modifiers: ['Shift'] });
      await poll(() => lastEvent(page, 'selection')).toEqual([5, 6, 7, 8]);
      await poll(() => stat(page, 'selected')).toBe('4');
      await rowAt(page, 8).dblclick();
      await poll(() => lastEvent(page, 'activate')).toBe(8);
      await grid(page).focus();
      await page.keyboard.press('Escape');
      await poll(() => stat(page, 'selected')).toBe('0');
    });

    it('switches the time column between UTC and local time', async () => {
      await page.getByRole('button', { name: 'Local' }).click();
      await poll(() => page.getByRole('columnheader', { name: /^Time/ }).innerText()).toMatch(/^Time \(Local \(UTC/);
      await page.getByRole('button', { name: 'UTC', exact: true }).click();
      await poll(() => page.getByRole('columnheader', { name: /^Time/ }).innerText()).toBe('Time (UTC)');
    });

    it('keeps the active event when the filter changes, and drops it when filtered out', async () => {
      await rowAt(page, 12).click();
      await poll(() => lastEvent(page, 'active')).toBe(12);
      const action = await rowAt(page, 12).locator('.cu-col-action').innerText();
      const before = (await eventsOf(page, 'active')).length;
      await page.getByRole('textbox', { name: 'Filter query' }).fill(`action:${action}`);
      await page.keyboard.press('Enter');
      await poll(async () => Number((await stat(page, 'visible')).replace(/,/g, ''))).toBeLessThan(6000);
      const row = page.locator('[role="row"][data-row-id="12"]');
      await poll(() => row.getAttribute('class')).toContain('is-active');
      // No other event was ever reported active in between (the old position is not reused).
      expect((await eventsOf(page, 'active')).slice(before).every((id) => id === 12)).toBe(true);
      await page.getByRole('textbox', { name: 'Filter query' }).fill(`-action:${action}`);
      await page.keyboard.press('Enter');
      await poll(() => lastEvent(page, 'active')).toBeNull();
      expect(await page.getByRole('complementary', { name: 'Event details' }).innerText()).toContain('Select an event');
      await page.getByRole('textbox', { name: 'Filter query' }).fill('');
      await page.keyboard.press('Enter');
      await poll(() => stat(page, 'visible')).toBe('6,000');
    });

    it('never shows a failed or pending row as verified', async () => {
      await page.getByRole('textbox', { name: 'Filter query' }).fill('-status:verified');
      await page.keyboard.press('Enter');
      await poll(() => stat(page, 'visible')).toBe('641');
      const badges = await page.locator('[role="row"] .cu-status').evaluateAll((nodes) => nodes.map((n) => [n.getAttribute('data-status'), n.textContent]));
      expect(badges.length).toBeGreaterThan(10);
      for (const [status, text] of badges) {
        expect(status).not.toBe('verified');
        expect(text).toBe(status === 'failed' ? 'FAILED' : 'Pending');
      }
      await screenshot(page.locator('.cu-grid'), 'timeline-grid-failed');
      expect((await eventsOf(page, 'query')).at(-1)).toBe('-status:verified');
    });
  });
});
