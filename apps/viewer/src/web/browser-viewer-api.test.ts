/**
 * The browser ViewerApi in Node (File, crypto.subtle and structuredClone are Node 20 globals); the DOM-only parts
 * (pickers, downloads, printing) are exercised by the e2e suites in Chromium.
 */
import { describe, expect, it } from 'vitest';

import { createSignerFromSeed } from '@custody/ledger';

import { createBrowserViewerApi } from './browser-viewer-api';
import { createMemoryKvStore } from './kv-store';

const bytes = Uint8Array.from({ length: 5000 }, (_, i) => i & 255);
const file = (name = 'ACME-2026-001.zip', lastModified = 1_700_000_000_000) => new File([bytes], name, { lastModified });
const signer = createSignerFromSeed('audit.example.com/org_acme', new Uint8Array(32).fill(7));

describe('createBrowserViewerApi', () => {
  it('opens user files under random handles and reads byte ranges from the File', async () => {
    const api = createBrowserViewerApi({ store: createMemoryKvStore() });
    const [opened] = await api.openUserFiles([file()]);
    expect(opened).toMatchObject({ name: 'ACME-2026-001.zip', size: 5000 });
    expect(opened?.handle).toMatch(/^h_[0-9a-f]{32}$/);
    const handle = opened?.handle ?? '';
    expect(await api.readFileRange(handle, 100, 50)).toEqual(bytes.slice(100, 150));
    expect(await api.readFileRange(handle, 4990, 100)).toEqual(bytes.slice(4990));
    await expect(api.readFileRange(handle, -1, 10)).rejects.toThrow('invalid byte range');
    await expect(api.readFileRange(handle, 0, 0)).rejects.toThrow('invalid byte range');
    await api.closeFile(handle);
    await expect(api.readFileRange(handle, 0, 1)).rejects.toThrow('no longer open');
  });

  it('keeps recent files and reopens the ones picked in this session', async () => {
    const store = createMemoryKvStore();
    const api = createBrowserViewerApi({ store });
    await api.openUserFiles([file('a.zip'), file('b.zip')]);
    const recent = await api.listRecentFiles();
    expect(recent.map((r) => r.name)).toEqual(['b.zip', 'a.zip']);
    expect(recent.every((r) => r.reopenable)).toBe(true);
    expect((await api.openRecentFile(recent[1]?.id ?? ''))?.name).toBe('a.zip');
    // Another page (a reload) has the list but not the files: the user picks them again.
    const reloaded = createBrowserViewerApi({ store });
    const [first] = await reloaded.listRecentFiles();
    expect(first?.reopenable).toBe(false);
    expect(await reloaded.openRecentFile(first?.id ?? '')).toBeNull();
    await reloaded.clearRecentFiles();
    expect(await reloaded.listRecentFiles()).toEqual([]);
  });

  it('stores the case file per bundle file and refuses anything but JSON', async () => {
    const store = createMemoryKvStore();
    const api = createBrowserViewerApi({ store });
    const [opened] = await api.openUserFiles([file()]);
    const handle = opened?.handle ?? '';
    expect(await api.loadCaseFile(handle)).toBeNull();
    expect(await api.saveCaseFile(handle, '{"format":"custody.viewer.case/v1"}')).toEqual({ location: 'browser storage (ACME-2026-001.zip.custody-case.json)' });
    await expect(api.saveCaseFile(handle, 'not json')).rejects.toThrow();
    // The same file opened again in a new page (same name, size and date) finds it; another file does not.
    const api2 = createBrowserViewerApi({ store });
    const [same] = await api2.openUserFiles([file()]);
    expect((await api2.loadCaseFile(same?.handle ?? ''))?.text).toBe('{"format":"custody.viewer.case/v1"}');
    const [other] = await api2.openUserFiles([file('ACME-2026-001.zip', 1_800_000_000_000)]);
    expect(await api2.loadCaseFile(other?.handle ?? '')).toBeNull();
  });

  it('trusts only real verifier keys, with their fingerprint, and forgets them', async () => {
    const api = createBrowserViewerApi({ store: createMemoryKvStore() });
    await expect(api.trustKey(signer.vkey.replace(/\+([0-9a-f]{8})\+/, '+00000000+'), '')).rejects.toThrow();
    const [key] = await api.trustKey(signer.vkey, ' Acme ');
    expect(key).toMatchObject({ vkey: signer.vkey, label: 'Acme', name: 'audit.example.com/org_acme' });
    expect(key?.fingerprint).toMatch(/^SHA256:/);
    expect(await api.trustKey(signer.vkey, 'Acme prod')).toHaveLength(1);
    expect(await api.untrustKey(signer.vkey)).toEqual([]);
  });

  it('is a web host: no PDF rendering of its own, case files in storage, no menu', async () => {
    const api = createBrowserViewerApi({ store: createMemoryKvStore(), version: '9.9.9' });
    expect(await api.getPlatform()).toEqual({ kind: 'web', version: '9.9.9', pdf: false, caseFileBesideBundle: false });
    expect(await api.takePendingFiles()).toEqual([]);
    expect(typeof api.onMenuCommand(() => undefined)).toBe('function');
  });
});
