import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createSignerFromSeed } from '@custody/ledger';

import { FileRegistry } from './files/file-registry';
import { RecentFiles } from './files/recent-files';
import { TrustedKeyStore } from './files/trusted-keys';
import { createIpcHandlers } from './ipc-handlers';
import type { TViewerHandlerDeps } from './ipc-handlers';

let dir: string;
let bundlePath: string;
let bundleBytes: Uint8Array;
let files: FileRegistry;
let dialogs: { open: string[]; save: string | null };
let deps: TViewerHandlerDeps;
const printToPdf = vi.fn((_html: string) => Promise.resolve(new TextEncoder().encode('%PDF-1.7 fake')));
const recentChanged = vi.fn();
let showSaveDialog: ReturnType<typeof vi.fn<TViewerHandlerDeps['showSaveDialog']>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'custody-viewer-handlers-'));
  await mkdir(join(dir, 'evidence'));
  await mkdir(join(dir, 'user-data'));
  bundlePath = join(dir, 'evidence', 'ACME-2026-001.zip');
  bundleBytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 255);
  bundleBytes.set([0x50, 0x4b, 0x03, 0x04]);
  await writeFile(bundlePath, bundleBytes);
  files = new FileRegistry();
  dialogs = { open: [bundlePath], save: null };
  showSaveDialog = vi.fn(() => Promise.resolve(dialogs.save));
  deps = {
    files,
    recent: new RecentFiles(join(dir, 'user-data')),
    trustedKeys: new TrustedKeyStore(join(dir, 'user-data')),
    appVersion: '0.1.0',
    showOpenDialog: vi.fn(() => Promise.resolve(dialogs.open)),
    showSaveDialog,
    printToPdf,
    takePending: vi.fn(() => []),
    recentChanged,
  };
});
afterEach(async () => {
  await files.closeAll();
  await rm(dir, { recursive: true, force: true });
});

describe('the IPC handlers', () => {
  describe('opening and reading bundles', () => {
    it('opens the file chosen in the dialog and returns an opaque handle, never asking the renderer for a path', async () => {
      const handlers = createIpcHandlers(deps);
      const [opened] = await handlers.openFiles();
      expect(opened).toMatchObject({ name: 'ACME-2026-001.zip', size: 10_000, location: bundlePath });
      expect(opened?.handle).toMatch(/^h_[0-9a-f]{32}$/);
      expect(opened?.handle).not.toContain('ACME');
    });

    it('reads exact byte ranges by handle, short at the end, empty past it', async () => {
      const handlers = createIpcHandlers(deps);
      const [opened] = await handlers.openFiles();
      const handle = opened?.handle ?? '';
      expect(await handlers.readFileRange(handle, 100, 50)).toEqual(bundleBytes.slice(100, 150));
      expect(await handlers.readFileRange(handle, 9_990, 100)).toEqual(bundleBytes.slice(9_990));
      expect((await handlers.readFileRange(handle, 20_000, 10)).length).toBe(0);
      await handlers.closeFile(handle);
      await expect(handlers.readFileRange(handle, 0, 10)).rejects.toThrow('no longer open');
    });

    it('refuses an unknown handle', async () => {
      await expect(createIpcHandlers(deps).readFileRange(`h_${'f'.repeat(32)}`, 0, 1)).rejects.toThrow('no longer open');
    });

    it('returns nothing when the dialog is cancelled', async () => {
      dialogs.open = [];
      expect(await createIpcHandlers(deps).openFiles()).toEqual([]);
    });

    it('refuses folders, relative paths and missing files given as user files', async () => {
      const handlers = createIpcHandlers(deps);
      await expect(handlers.openUserFiles([join(dir, 'evidence')])).rejects.toThrow('is not a file');
      await expect(handlers.openUserFiles(['evidence/ACME-2026-001.zip'])).rejects.toThrow('absolute');
      await expect(handlers.openUserFiles([join(dir, 'missing.zip')])).rejects.toThrow('cannot be found');
    });

    it('remembers opened files and reopens them by id only', async () => {
      const handlers = createIpcHandlers(deps);
      await handlers.openFiles();
      const [recent] = await handlers.listRecentFiles();
      expect(recent).toMatchObject({ name: 'ACME-2026-001.zip', location: bundlePath, reopenable: true });
      expect(recent?.id).toMatch(/^r_[0-9a-f]{16}$/);
      expect((await handlers.openRecentFile(recent?.id ?? ''))?.name).toBe('ACME-2026-001.zip');
      expect(await handlers.openRecentFile(`r_${'0'.repeat(16)}`)).toBeNull();
      await handlers.clearRecentFiles();
      expect(await handlers.listRecentFiles()).toEqual([]);
      expect(recentChanged).toHaveBeenCalled();
    });
  });

  describe('case files', () => {
    it('writes <bundle>.custody-case.json beside the bundle and reads it back; the bundle is untouched', async () => {
      const handlers = createIpcHandlers(deps);
      const [opened] = await handlers.openFiles();
      const handle = opened?.handle ?? '';
      expect(await handlers.loadCaseFile(handle)).toBeNull();
      const saved = await handlers.saveCaseFile(handle, '{"format":"custody.case/v1","tags":{}}');
      expect(saved?.location).toBe(`${bundlePath}.custody-case.json`);
      expect(await handlers.loadCaseFile(handle)).toEqual({ text: '{"format":"custody.case/v1","tags":{}}', location: `${bundlePath}.custody-case.json` });
      expect(new Uint8Array(await readFile(bundlePath))).toEqual(bundleBytes);
      expect((await readdir(join(dir, 'evidence'))).sort()).toEqual(['ACME-2026-001.zip', 'ACME-2026-001.zip.custody-case.json']);
    });

    it('refuses text that is not a JSON object', async () => {
      const handlers = createIpcHandlers(deps);
      const [opened] = await handlers.openFiles();
      await expect(handlers.saveCaseFile(opened?.handle ?? '', '[1,2]')).rejects.toThrow('JSON object');
      await expect(handlers.saveCaseFile(opened?.handle ?? '', 'PK\u0003\u0004')).rejects.toThrow('JSON object');
    });

    it('never writes over a bundle, even one named like a case file', async () => {
      const handlers = createIpcHandlers(deps);
      const [opened] = await handlers.openFiles();
      // Another bundle sits exactly where the case file of the first one would go, and is open too.
      const trap = `${bundlePath}.custody-case.json`;
      await writeFile(trap, bundleBytes);
      dialogs.open = [trap];
      await handlers.openFiles();
      await expect(handlers.saveCaseFile(opened?.handle ?? '', '{}')).rejects.toThrow('open evidence bundle');
      expect(new Uint8Array(await readFile(trap))).toEqual(bundleBytes);
    });

    it('never replaces a ZIP, a symlink or a non-JSON file at the case-file path', async () => {
      const handlers = createIpcHandlers(deps);
      const [opened] = await handlers.openFiles();
      const target = `${bundlePath}.custody-case.json`;
      await writeFile(target, bundleBytes);
      await expect(handlers.saveCaseFile(opened?.handle ?? '', '{}')).rejects.toThrow('ZIP archive');
      await rm(target);
      await writeFile(target, 'notes, not JSON');
      await expect(handlers.saveCaseFile(opened?.handle ?? '', '{}')).rejects.toThrow('not a case file');
      await rm(target);
      await symlink(bundlePath, target);
      await expect(handlers.saveCaseFile(opened?.handle ?? '', '{}')).rejects.toThrow('not a regular file');
      expect(new Uint8Array(await readFile(bundlePath))).toEqual(bundleBytes);
    });
  });

  describe('exports', () => {
    it('writes the CSV where the user chose', async () => {
      dialogs.save = join(dir, 'view.csv');
      expect(await createIpcHandlers(deps).saveExport({ suggestedName: 'view.csv', kind: 'csv', data: 'a,b\r\n' })).toEqual({ location: join(dir, 'view.csv') });
      expect(await readFile(join(dir, 'view.csv'), 'utf8')).toBe('a,b\r\n');
    });

    it('refuses to save over an open or recent bundle, or any .zip', async () => {
      const handlers = createIpcHandlers(deps);
      await handlers.openFiles();
      dialogs.save = bundlePath;
      await expect(handlers.saveExport({ suggestedName: 'view.csv', kind: 'csv', data: 'x' })).rejects.toThrow('evidence bundle');
      dialogs.save = join(dir, 'other.ZIP');
      await expect(handlers.saveExport({ suggestedName: 'view.csv', kind: 'csv', data: 'x' })).rejects.toThrow('evidence bundle');
      expect(new Uint8Array(await readFile(bundlePath))).toEqual(bundleBytes);
    });

    it('prints the report to PDF and saves it', async () => {
      dialogs.save = join(dir, 'findings.pdf');
      const result = await createIpcHandlers(deps).printReportToPdf({ suggestedName: 'findings.html', html: '<h1>x</h1>' });
      expect(result).toEqual({ location: join(dir, 'findings.pdf') });
      expect(printToPdf).toHaveBeenCalledWith('<h1>x</h1>');
      expect(showSaveDialog).toHaveBeenCalledWith(expect.objectContaining({ defaultName: 'findings.pdf' }));
      expect(await readFile(join(dir, 'findings.pdf'), 'utf8')).toBe('%PDF-1.7 fake');
    });

    it('returns null when the save dialog is cancelled', async () => {
      expect(await createIpcHandlers(deps).saveExport({ suggestedName: 'view.csv', kind: 'csv', data: 'x' })).toBeNull();
    });
  });

  describe('trusted keys', () => {
    const signer = createSignerFromSeed('audit.example.com/org_acme', new Uint8Array(32).fill(7));

    it('stores a verifier key with its fingerprint in the user-data folder', async () => {
      const handlers = createIpcHandlers(deps);
      const [key] = await handlers.trustKey(signer.vkey, ' Acme production ');
      expect(key).toMatchObject({ vkey: signer.vkey, name: 'audit.example.com/org_acme', label: 'Acme production' });
      expect(key?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]+$/);
      expect(JSON.parse(await readFile(join(dir, 'user-data', 'trusted-keys.json'), 'utf8'))).toMatchObject({ keys: [{ vkey: signer.vkey }] });
      expect(await handlers.listTrustedKeys()).toHaveLength(1);
      expect(await handlers.untrustKey(signer.vkey)).toEqual([]);
    });

    it('refuses a key whose id does not match its contents', async () => {
      const forged = signer.vkey.replace(/\+([0-9a-f]{8})\+/, '+00000000+');
      await expect(createIpcHandlers(deps).trustKey(forged, '')).rejects.toThrow('not a valid verifier key');
      expect(await createIpcHandlers(deps).listTrustedKeys()).toEqual([]);
    });
  });

  it('reports the Electron platform', async () => {
    expect(await createIpcHandlers(deps).getPlatform()).toEqual({ kind: 'electron', version: '0.1.0', pdf: true, caseFileBesideBundle: true });
  });
});
