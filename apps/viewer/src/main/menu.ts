/**
 * The application menu: File (Open…, Open Recent, Close All, Export View as CSV…, Findings Report…), Edit, View,
 * Help. Commands the renderer carries out are sent to it as `TMenuCommand`s; Open Recent is handled in main (it
 * knows the paths) and the opened file is pushed to the renderer.
 */
import type { MenuItemConstructorOptions } from 'electron';

import type { TMenuCommand, TRecentFile } from '../shared/ipc-contract';

/** What the menu's items do. */
export interface TMenuActions {
  send(command: TMenuCommand): void;
  openRecent(id: string): void;
  clearRecent(): void;
}

/** Builds the menu template (pure, so it is tested without Electron). */
export function buildMenuTemplate(recent: readonly TRecentFile[], actions: TMenuActions, options: { isMac: boolean; isDev: boolean }): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] = recent.length === 0
    ? [{ label: 'No Recent Bundles', enabled: false }]
    : recent.map((file) => ({ label: file.location, enabled: file.reopenable, click: () => actions.openRecent(file.id) }));
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.send('open') },
      { label: 'Open Recent', submenu: [...recentItems, { type: 'separator' }, { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() }] },
      { label: 'Close All Bundles', accelerator: 'CmdOrCtrl+Shift+W', click: () => actions.send('close-all') },
      { type: 'separator' },
      { label: 'Export View as CSV…', accelerator: 'CmdOrCtrl+E', click: () => actions.send('export-view') },
      { label: 'Findings Report (HTML)…', accelerator: 'CmdOrCtrl+R', click: () => actions.send('report-html') },
      { label: 'Findings Report (PDF)…', accelerator: 'CmdOrCtrl+Shift+R', click: () => actions.send('report-pdf') },
      { type: 'separator' },
      options.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(options.isDev ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  return [
    ...(options.isMac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ];
}
