/**
 * What each IPC channel does in main. The handlers receive arguments already checked by the guard
 * (security/ipc-guard.ts) and return plain data. Everything Electron-specific (dialogs, the PDF window, pushing
 * events) comes in through `TViewerHandlerDeps`, so the handlers are tested with real temporary files and fake
 * dialogs.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

import { CASE_FILE_SUFFIX, MAX_CASE_FILE_LENGTH } from '../shared/ipc-contract';
import type { TCaseFile, TOpenedFile, TPlatformInfo, TSaveExport, TSaveResult } from '../shared/ipc-contract';
import { readCaseFile, writeCaseFile } from './files/case-files';
import { FileAccessError } from './files/file-registry';
import type { FileRegistry } from './files/file-registry';
import type { RecentFiles } from './files/recent-files';
import type { TrustedKeyStore } from './files/trusted-keys';
import type { TIpcHandlers } from './security/ipc-guard';

/** A file-type filter of a dialog. */
export interface TDialogFilter {
  readonly name: string;
  readonly extensions: readonly string[];
}

/** The platform pieces the handlers use. */
export interface TViewerHandlerDeps {
  readonly files: FileRegistry;
  readonly recent: RecentFiles;
  readonly trustedKeys: TrustedKeyStore;
  readonly appVersion: string;
  /** Shows an open dialog; the chosen absolute paths (empty when cancelled). */
  showOpenDialog(options: { title: string; filters: readonly TDialogFilter[]; multiple: boolean }): Promise<string[]>;
  /** Shows a save dialog; the chosen absolute path, or null when cancelled. */
  showSaveDialog(options: { title: string; defaultName: string; filters: readonly TDialogFilter[] }): Promise<string | null>;
  /** Renders report HTML to PDF bytes. */
  printToPdf(html: string): Promise<Uint8Array>;
  /** Files queued by the command line or a second instance, taken once by the renderer. */
  takePending(): string[];
  /** The recent list changed (the menu is rebuilt). */
  recentChanged(): void;
}

const BUNDLE_FILTERS: readonly TDialogFilter[] = [{ name: 'Custody evidence bundles', extensions: ['zip'] }, { name: 'All files', extensions: ['*'] }];
const EXPORT_FILTERS: Readonly<Record<TSaveExport['kind'], TDialogFilter>> = {
  csv: { name: 'CSV', extensions: ['csv'] },
  html: { name: 'HTML', extensions: ['html'] },
  json: { name: 'JSON', extensions: ['json'] },
};

/** A save the handlers refuse (it would touch evidence). */
export class SaveRefusedError extends Error {
  override readonly name = 'SaveRefusedError';
}

/** Creates the handler of every channel. */
export function createIpcHandlers(deps: TViewerHandlerDeps): TIpcHandlers {
  const { files, recent, trustedKeys } = deps;

  async function openPaths(paths: readonly string[]): Promise<TOpenedFile[]> {
    const opened: TOpenedFile[] = [];
    const errors: string[] = [];
    for (const path of paths) {
      try {
        const file = await files.open(path);
        opened.push(file);
        await recent.add({ path: file.location, name: file.name, size: file.size });
      } catch (error) {
        errors.push(error instanceof FileAccessError ? error.message : `${basename(path)} cannot be opened`);
      }
    }
    if (paths.length > 0) deps.recentChanged();
    if (opened.length === 0 && errors.length > 0) throw new FileAccessError(errors.join('; '));
    return opened;
  }

  /** Refuses destinations that are evidence: an open bundle, a recent bundle, or any `.zip`. */
  async function assertNotEvidence(path: string): Promise<void> {
    const target = resolve(path);
    const recentPaths = (await recent.list()).map((file) => file.location);
    if (files.isOpen(target) || recentPaths.includes(target) || /\.zip$/i.test(target)) {
      throw new SaveRefusedError('refusing to write over an evidence bundle: choose another file name');
    }
  }

  async function saveTo(title: string, defaultName: string, filter: TDialogFilter, data: string | Uint8Array): Promise<TSaveResult> {
    const path = await deps.showSaveDialog({ title, defaultName, filters: [filter] });
    if (path === null) return null;
    await assertNotEvidence(path);
    await writeFile(path, data);
    return { location: path };
  }

  return {
    getPlatform: (): Promise<TPlatformInfo> => Promise.resolve({ kind: 'electron', version: deps.appVersion, pdf: true, caseFileBesideBundle: true }),
    openFiles: async () => openPaths(await deps.showOpenDialog({ title: 'Open evidence bundles', filters: BUNDLE_FILTERS, multiple: true })),
    openUserFiles: (paths) => openPaths(paths),
    takePendingFiles: () => openPaths(deps.takePending()),
    readFileRange: (handle, offset, length) => files.read(handle, offset, length),
    closeFile: (handle) => files.close(handle),
    listRecentFiles: () => recent.list(),
    openRecentFile: async (id) => {
      const path = await recent.pathOf(id);
      if (path === null) return null;
      const [file] = await openPaths([path]);
      return file ?? null;
    },
    clearRecentFiles: async () => {
      await recent.clear();
      deps.recentChanged();
    },
    loadCaseFile: (handle) => readCaseFile(files.pathOf(handle)),
    saveCaseFile: (handle, text) => writeCaseFile(files.pathOf(handle), text, files.openPaths()),
    importCaseFile: async (): Promise<TCaseFile | null> => {
      const [path] = await deps.showOpenDialog({ title: 'Load a case file', filters: [{ name: 'Custody case files', extensions: ['json'] }], multiple: false });
      if (path === undefined) return null;
      if ((await stat(path)).size > MAX_CASE_FILE_LENGTH * 3) throw new SaveRefusedError('the case file is too large');
      return { text: await readFile(path, 'utf8'), location: path };
    },
    exportCaseFile: (suggestedName, text) =>
      saveTo('Save a copy of the case file', suggestedName.endsWith(CASE_FILE_SUFFIX) ? suggestedName : `${suggestedName}${CASE_FILE_SUFFIX}`, { name: 'Custody case files', extensions: ['json'] }, text),
    listTrustedKeys: () => trustedKeys.list(),
    trustKey: (vkey, label) => trustedKeys.trust(vkey, label),
    untrustKey: (vkey) => trustedKeys.untrust(vkey),
    saveExport: (file) => saveTo('Save export', file.suggestedName, EXPORT_FILTERS[file.kind], file.data),
    printReportToPdf: async (report) => {
      const pdf = await deps.printToPdf(report.html);
      const name = report.suggestedName.replace(/\.html?$/i, '');
      return saveTo('Save the findings report as PDF', name.endsWith('.pdf') ? name : `${name}.pdf`, { name: 'PDF', extensions: ['pdf'] }, pdf);
    },
  };
}
