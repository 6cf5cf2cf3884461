/**
 * The shape test (viewer.md §5.3, contract test 1): the preload exposes exactly `ViewerApi` as `window.custody`,
 * over exactly the contract's channels, and the browser implementation has exactly the same members.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { CHANNELS, EVENTS, VIEWER_API_KEYS } from '../src/shared/ipc-contract';
import type { ViewerApi } from '../src/shared/ipc-contract';
import { createBrowserViewerApi } from '../src/web/browser-viewer-api';
import { createMemoryKvStore } from '../src/web/kv-store';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn((..._args: unknown[]) => Promise.resolve('answer')), on: vi.fn(), removeListener: vi.fn() },
  webUtils: { getPathForFile: vi.fn((file: { name: string }) => (file.name === 'forged.zip' ? '' : `/cases/${file.name}`)) },
}));
vi.mock('electron', () => electron);

let exposed: Record<string, unknown>;

beforeAll(async () => {
  await import('../src/preload/index');
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [name, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>];
  expect(name).toBe('custody');
  exposed = api;
});

describe('the preload bridge', () => {
  it("exposes exactly ViewerApi's members, all functions", () => {
    expect(Object.keys(exposed).sort()).toEqual([...VIEWER_API_KEYS]);
    for (const key of VIEWER_API_KEYS) expect(typeof exposed[key]).toBe('function');
  });

  it('has the same members as the browser implementation, which adds only direct file access for its Workers', () => {
    const browser = createBrowserViewerApi({ store: createMemoryKvStore() });
    expect(Object.keys(browser).sort()).toEqual([...Object.keys(exposed), 'fileBlob'].sort());
    expect(exposed).not.toHaveProperty('fileBlob');
  });

  it('invokes one allow-listed channel per request member, passing the arguments through', async () => {
    const api = exposed as unknown as ViewerApi;
    const handle = `h_${'a'.repeat(32)}`;
    await api.readFileRange(handle, 10, 20);
    await api.saveCaseFile(handle, '{}');
    await api.trustKey('k', 'label');
    await api.getPlatform();
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([
      [CHANNELS.readFileRange, handle, 10, 20],
      [CHANNELS.saveCaseFile, handle, '{}'],
      [CHANNELS.trustKey, 'k', 'label'],
      [CHANNELS.getPlatform],
    ]);
    const requestMembers = VIEWER_API_KEYS.filter((k) => k !== 'onMenuCommand' && k !== 'onFilesOpened');
    expect(Object.keys(CHANNELS).sort()).toEqual(requestMembers);
    expect(new Set(Object.values(CHANNELS)).size).toBe(requestMembers.length);
  });

  it("sends main the paths Chromium recorded for the user's files, never a path the page made up", async () => {
    const api = exposed as unknown as ViewerApi;
    electron.ipcRenderer.invoke.mockClear();
    await api.openUserFiles([{ name: 'a.zip' } as File, { name: 'forged.zip' } as File]);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(CHANNELS.openUserFiles, ['/cases/a.zip']);
    electron.ipcRenderer.invoke.mockClear();
    expect(await api.openUserFiles([{ name: 'forged.zip' } as File])).toEqual([]);
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('delivers only well-formed events from main and unsubscribes', () => {
    const api = exposed as unknown as ViewerApi;
    const commands: string[] = [];
    const unsubscribe = api.onMenuCommand((c) => commands.push(c));
    const [channel, handler] = electron.ipcRenderer.on.mock.calls.at(-1) as [string, (event: unknown, payload: unknown) => void];
    expect(channel).toBe(EVENTS.menuCommand);
    handler({}, 'open');
    handler({}, 'rm -rf /');
    handler({}, { command: 'open' });
    expect(commands).toEqual(['open']);
    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(EVENTS.menuCommand, handler);
  });
});
