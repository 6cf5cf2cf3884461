import { describe, expect, it, vi } from 'vitest';

import type { MenuItemConstructorOptions } from 'electron';

import { buildMenuTemplate } from './menu';

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.label === label) return item;
    if (Array.isArray(item.submenu)) {
      const found = find(item.submenu, label);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as (() => void) | undefined)?.();

describe('the application menu', () => {
  const recent = [{ id: 'r_0123456789abcdef', name: 'a.zip', location: '/cases/a.zip', size: 1, openedAt: '', reopenable: true }];

  it('has Open…, Open Recent, Close, Export and the findings reports, which send commands to the renderer', () => {
    const actions = { send: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn() };
    const template = buildMenuTemplate(recent, actions, { isMac: false, isDev: false });
    click(find(template, 'Open…'));
    click(find(template, 'Close All Bundles'));
    click(find(template, 'Export View as CSV…'));
    click(find(template, 'Findings Report (HTML)…'));
    click(find(template, 'Findings Report (PDF)…'));
    expect(actions.send.mock.calls.map(([c]) => c as string)).toEqual(['open', 'close-all', 'export-view', 'report-html', 'report-pdf']);
    click(find(template, '/cases/a.zip'));
    expect(actions.openRecent).toHaveBeenCalledWith('r_0123456789abcdef');
  });

  it('offers no reload or DevTools outside development', () => {
    const template = buildMenuTemplate([], { send: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn() }, { isMac: false, isDev: false });
    expect(JSON.stringify(template)).not.toMatch(/toggleDevTools|"reload"/);
    expect(find(template, 'No Recent Bundles')?.enabled).toBe(false);
  });
});
