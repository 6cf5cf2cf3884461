/**
 * The preload: `contextBridge` only. It exposes one object, `window.custody`, whose members are typed wrappers
 * around `ipcRenderer.invoke` on the allow-listed channels of the contract; the page never sees `ipcRenderer`,
 * Node or Electron. Main validates every argument again (src/main/security/ipc-guard.ts).
 *
 * Dropped or chosen files: the page hands over the `File` objects Chromium created for an OS drop or a file
 * input, and the preload asks Chromium (`webUtils.getPathForFile`) for their paths. A page cannot make up such a path: for a `File` it
 * constructed itself the answer is the empty string, which is dropped here.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';

import { CHANNELS, EVENTS, ZMenuCommandSchema, ZOpenedFileSchema } from '../shared/ipc-contract';
import type { TChannel, TMenuCommand, TOpenedFile, ViewerApi } from '../shared/ipc-contract';

/** `ipcRenderer.invoke` on a contract channel, typed by the caller's member of `ViewerApi`. */
function invoke<T>(channel: TChannel, ...args: unknown[]): Promise<T> {
  return ipcRenderer.invoke(CHANNELS[channel], ...args) as Promise<T>;
}

/** Subscribes to a main → renderer event whose payload passes `parse`; returns the unsubscribe function. */
function subscribe<T>(channel: string, parse: (payload: unknown) => T | undefined, listener: (value: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, payload: unknown): void => {
    const value = parse(payload);
    if (value !== undefined) listener(value);
  };
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

/** The bridge, exactly `ViewerApi`. */
export const custodyBridge = {
  getPlatform: () => invoke('getPlatform'),
  openFiles: () => invoke('openFiles'),
  openUserFiles: (files) => {
    const paths = Array.from(files, (file) => webUtils.getPathForFile(file)).filter((path) => path !== '');
    return paths.length === 0 ? Promise.resolve([]) : invoke('openUserFiles', paths);
  },
  takePendingFiles: () => invoke('takePendingFiles'),
  readFileRange: (handle, offset, length) => invoke('readFileRange', handle, offset, length),
  closeFile: (handle) => invoke('closeFile', handle),
  listRecentFiles: () => invoke('listRecentFiles'),
  openRecentFile: (id) => invoke('openRecentFile', id),
  clearRecentFiles: () => invoke('clearRecentFiles'),
  loadCaseFile: (handle) => invoke('loadCaseFile', handle),
  saveCaseFile: (handle, text) => invoke('saveCaseFile', handle, text),
  importCaseFile: () => invoke('importCaseFile'),
  exportCaseFile: (suggestedName, text) => invoke('exportCaseFile', suggestedName, text),
  listTrustedKeys: () => invoke('listTrustedKeys'),
  trustKey: (vkey, label) => invoke('trustKey', vkey, label),
  untrustKey: (vkey) => invoke('untrustKey', vkey),
  saveExport: (file) => invoke('saveExport', file),
  printReportToPdf: (report) => invoke('printReportToPdf', report),
  onMenuCommand: (listener) =>
    subscribe<TMenuCommand>(EVENTS.menuCommand, (payload) => ZMenuCommandSchema.safeParse(payload).data, listener),
  onFilesOpened: (listener) =>
    subscribe<TOpenedFile[]>(EVENTS.filesOpened, (payload) => ZOpenedFileSchema.array().safeParse(payload).data, listener),
} satisfies ViewerApi;

contextBridge.exposeInMainWorld('custody', custodyBridge);
