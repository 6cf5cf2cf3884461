import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';

import { lastEvent, poll, screenshot, useScenario } from './browser-harness';

const scenario = useScenario('viewer', (p) => p.getByTestId('histogram-summary').filter({ hasText: /^6,000 events/ }).waitFor());
let page: Page;
beforeAll(() => {
  page = scenario.page;
});

const region = (p: Page) => p.getByRole('region', { name: 'Events over time' });
const visible = (p: Page) => p.locator('[data-stat="visible"]').innerText();

describe('Histogram', () => {
  describe('when first shown', () => {
    it('draws the bars, the failed overlay and the axis in UTC', async () => {
      expect(await region(page).locator('path.cu-bars').getAttribute('d')).toMatch(/^M/);
      expect(await region(page).locator('path.cu-bars-failed').getAttribute('d')).toMatch(/^M/);
      expect(await region(page).getByText('Failed 41').count()).toBe(1);
      expect(await region(page).locator('.cu-axis-zone').textContent()).toBe('UTC');
      expect(await region(page).getByRole('button', { name: 'Reset' }).isDisabled()).toBe(true);
      await screenshot(region(page), 'histogram');
    });
  });

  describe('when a range is brushed', () => {
    it('emits the range snapped to buckets and zooms into it', async () => {
      const hit = page.getByTestId('histogram-hit');
      const box = (await hit.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 5 });
      await poll(() => page.getByTestId('histogram-brush').count()).toBe(1);
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await poll(() => lastEvent(page, 'range')).toBeTruthy();
      const range = (await lastEvent(page, 'range')) as { after: number; before: number };
      expect(range.before).toBeGreaterThan(range.after);
      // The chips and the query text follow; the grid shows only the range.
      await poll(() => page.getByRole('list', { name: 'Active filters' }).getByRole('listitem').count()).toBe(2);
      expect(await page.getByRole('textbox', { name: 'Filter query' }).inputValue()).toMatch(/^after:\S+ before:\S+$/);
      await poll(async () => Number((await visible(page)).replace(/,/g, ''))).toBeLessThan(6000);
      const shown = await visible(page);
      await poll(() => page.getByTestId('histogram-summary').innerText()).toMatch(new RegExp(`^${shown} events · `));
    });

    it('zooms out to twice the width, then resets', async () => {
      const before = (await lastEvent(page, 'range')) as { after: number; before: number };
      await region(page).getByRole('button', { name: 'Zoom out' }).click();
      await poll(async () => ((await lastEvent(page, 'range')) as { after: number }).after).toBeLessThan(before.after);
      const wider = (await lastEvent(page, 'range')) as { after: number; before: number };
      expect(wider.before - wider.after).toBeGreaterThan(before.before - before.after);
      await region(page).getByRole('button', { name: 'Reset' }).click();
      await poll(() => lastEvent(page, 'range')).toBeNull();
      await poll(() => visible(page)).toBe('6,000');
    });
  });

  describe('when a bar is clicked', () => {
    it('zooms to that bar', async () => {
      const hit = page.getByTestId('histogram-hit');
      const box = (await hit.boundingBox())!;
      await hit.click({ position: { x: box.width * 0.5, y: box.height / 2 } });
      await poll(() => lastEvent(page, 'range')).toBeTruthy();
      const range = (await lastEvent(page, 'range')) as { after: number; before: number };
      expect(range.before - range.after).toBeGreaterThan(0);
      await region(page).getByRole('button', { name: 'Reset' }).click();
      await poll(() => lastEvent(page, 'range')).toBeNull();
    });
  });

  describe('when driven by the keyboard', () => {
    it('selects buckets with Shift+arrows and zooms with Enter', async () => {
      const plot = region(page).getByRole('group', { name: /Drag or use the arrow keys/ });
      await plot.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await poll(() => page.locator('[aria-live="polite"]', { hasText: 'events' }).first().innerText()).toMatch(/events/);
      await page.keyboard.press('Enter');
      await poll(() => lastEvent(page, 'range')).toBeTruthy();
      await region(page).getByRole('button', { name: 'Reset' }).click();
      await poll(() => lastEvent(page, 'range')).toBeNull();
    });
  });

  describe('when the scale is toggled', () => {
    it('switches to log scale and back', async () => {
      const toggle = region(page).getByRole('button', { name: 'Log scale' });
      const linear = await region(page).locator('path.cu-bars').getAttribute('d');
      await toggle.click();
      expect(await toggle.getAttribute('aria-pressed')).toBe('true');
      await poll(() => region(page).locator('path.cu-bars').getAttribute('d')).not.toBe(linear);
      await screenshot(region(page), 'histogram-log');
      await toggle.click();
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    });
  });
});

describe('Histogram over 2,000,000 rows', () => {
  it('draws 10,000 buckets merged to the plot width, preserving the total', async () => {
    const { page: big, errors: bigErrors } = await scenario.open('histogram', { query: { buckets: '10000' } });
    const summary = big.getByTestId('histogram-summary');
    await poll(() => summary.innerText()).toMatch(/^2,000,000 events · /);
    // One path per series however many buckets: at most one bar per pixel of plot width.
    const bars = await big.locator('path.cu-bars').getAttribute('d');
    const plotWidth = (await big.getByTestId('histogram-hit').boundingBox())!.width;
    expect((bars ?? '').split('M').length - 1).toBeLessThanOrEqual(Math.ceil(plotWidth));
    expect((bars ?? '').split('M').length - 1).toBeGreaterThan(plotWidth / 2);
    expect(await big.locator('.cu-legend').innerText()).toMatch(/Failed 201$/);
    await screenshot(big.locator('.cu-histogram'), 'histogram-10000-buckets');

    // Local axis labels.
    await big.getByRole('group', { name: 'Axis time zone' }).getByRole('button', { name: 'Local' }).click();
    await poll(() => big.locator('.cu-axis-zone').textContent()).toMatch(/^Local \(UTC/);
    expect(bigErrors).toEqual([]);
    await big.context().close();
  });

  it('draws a single bucket', async () => {
    const { page: one, errors: oneErrors } = await scenario.open('histogram', { query: { buckets: '1', rows: '1000' } });
    await poll(() => one.getByTestId('histogram-summary').innerText()).toMatch(/^1,000 events · /);
    expect(((await one.locator('path.cu-bars').getAttribute('d')) ?? '').split('M').length - 1).toBe(1);
    expect(oneErrors).toEqual([]);
    await one.context().close();
  });
});
