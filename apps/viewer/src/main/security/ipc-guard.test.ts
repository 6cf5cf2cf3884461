import { describe, expect, it, vi } from 'vitest';

import { CHANNELS, MAX_READ_LENGTH } from '../../shared/ipc-contract';
import { registerIpcHandlers } from './ipc-guard';
import type { TIpcHandlers } from './ipc-guard';

vi.mock('electron', () => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  return {
    ipcMain: {
      handle: vi.fn((channel: string, fn: (...args: unknown[]) => unknown) => handlers.set(channel, fn)),
      removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
      _handlers: handlers,
    },
  };
});

const HANDLE = `h_${'0'.repeat(32)}`;

async function setup() {
  const { ipcMain } = await import('electron');
  const registered = (ipcMain as unknown as { _handlers: Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>> })._handlers;
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    (Object.keys(CHANNELS) as (keyof typeof CHANNELS)[]).map((channel) => [channel, (...args: unknown[]) => {
      calls.push(`${channel}(${JSON.stringify(args)})`);
      return Promise.resolve('ok');
    }]),
  ) as unknown as TIpcHandlers;
  const dispose = registerIpcHandlers(ipcMain, handlers, { devServer: null });
  const invoke = (channel: keyof typeof CHANNELS, frame: unknown, ...args: unknown[]) => {
    const fn = registered.get(CHANNELS[channel]);
    if (fn === undefined) throw new Error(`no handler for ${channel}`);
    return fn({ senderFrame: frame }, ...args);
  };
  return { invoke, calls, dispose, registered };
}

const appFrame = { url: 'app://viewer/index.html', parent: null };

describe('registerIpcHandlers', () => {
  it('registers exactly the channels of the contract', async () => {
    const { registered, dispose } = await setup();
    expect([...registered.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
    dispose();
    expect(registered.size).toBe(0);
  });

  describe('when the sender is not the main frame of the app', () => {
    const senders: [string, unknown][] = [
      ['a remote page', { url: 'https://evil.example/', parent: null }],
      ['a file:// page', { url: 'file:///tmp/evil.html', parent: null }],
      ['another app:// host', { url: 'app://evil/index.html', parent: null }],
      ['a look-alike host', { url: 'app://viewer.evil/index.html', parent: null }],
      ['the dev server in production', { url: 'http://localhost:5173/', parent: null }],
      ['a sub-frame of the app', { url: 'app://viewer/index.html', parent: { url: 'app://viewer/index.html' } }],
      ['a destroyed frame', null],
      ['an unparsable URL', { url: '::::', parent: null }],
    ];
    for (const [name, frame] of senders) {
      it(`refuses ${name} before the handler runs`, async () => {
        const { invoke, calls, dispose } = await setup();
        await expect(invoke('listTrustedKeys', frame)).rejects.toThrow(/does not come from the viewer/);
        await expect(invoke('readFileRange', frame, HANDLE, 0, 10)).rejects.toThrow(/refused/);
        expect(calls).toEqual([]);
        dispose();
      });
    }

    it('refuses a frame whose senderFrame getter throws (navigated away)', async () => {
      const { registered, calls, dispose } = await setup();
      const event = Object.defineProperty({}, 'senderFrame', { get: () => { throw new Error('frame gone'); } });
      await expect(registered.get(CHANNELS.getPlatform)?.(event)).rejects.toThrow(/refused/);
      expect(calls).toEqual([]);
      dispose();
    });
  });

  describe('when the payload is malformed', () => {
    const bad: [keyof typeof CHANNELS, unknown[]][] = [
      ['readFileRange', ['../../etc/passwd', 0, 10]],
      ['readFileRange', ['/etc/passwd', 0, 10]],
      ['readFileRange', [HANDLE, -1, 10]],
      ['readFileRange', [HANDLE, 0, 0]],
      ['readFileRange', [HANDLE, 0, MAX_READ_LENGTH + 1]],
      ['readFileRange', [HANDLE, 0.5, 10]],
      ['readFileRange', [HANDLE, Number.NaN, 10]],
      ['readFileRange', [HANDLE, '0', 10]],
      ['readFileRange', [HANDLE, 0]],
      ['readFileRange', [HANDLE, 0, 10, 'extra']],
      ['closeFile', [{ handle: HANDLE }]],
      ['loadCaseFile', ['h_ZZZ']],
      ['saveCaseFile', [HANDLE, 42]],
      ['saveCaseFile', [HANDLE, '']],
      ['openRecentFile', ['/home/examiner/evidence.zip']],
      ['openUserFiles', [[]]],
      ['openUserFiles', ['/etc/passwd']],
      ['openUserFiles', [Array.from({ length: 33 }, () => '/a.zip')]],
      ['trustKey', ['not a key', 'label']],
      ['trustKey', ['audit.example.com+0011aabb+AQID', 'x'.repeat(201)]],
      ['untrustKey', [{}]],
      ['saveExport', [{ suggestedName: '../../.bashrc', kind: 'csv', data: 'x' }]],
      ['saveExport', [{ suggestedName: 'view.csv', kind: 'exe', data: 'x' }]],
      ['saveExport', [{ suggestedName: 'C:\\Windows\\win.ini', kind: 'csv', data: 'x' }]],
      ['saveExport', [{ suggestedName: '..', kind: 'csv', data: 'x' }]],
      ['exportCaseFile', ['case/../../x', '{}']],
      ['printReportToPdf', [{ suggestedName: 'report', html: '' }]],
      ['printReportToPdf', ['<html>']],
      ['getPlatform', ['unexpected']],
    ];
    for (const [channel, args] of bad) {
      it(`refuses ${channel}(${JSON.stringify(args).slice(0, 80)})`, async () => {
        const { invoke, calls, dispose } = await setup();
        await expect(invoke(channel, appFrame, ...args)).rejects.toThrow(new RegExp(`^${channel} refused`));
        expect(calls).toEqual([]);
        dispose();
      });
    }
  });

  it('passes well-formed calls from the app through, with the parsed arguments', async () => {
    const { invoke, calls, dispose } = await setup();
    await expect(invoke('readFileRange', appFrame, HANDLE, 1024, 4096)).resolves.toBe('ok');
    await expect(invoke('saveExport', appFrame, { suggestedName: 'view 2026-03-14.csv', kind: 'csv', data: 'a,b\r\n' })).resolves.toBe('ok');
    expect(calls).toEqual([`readFileRange(["${HANDLE}",1024,4096])`, 'saveExport([{"suggestedName":"view 2026-03-14.csv","kind":"csv","data":"a,b\\r\\n"}])']);
    dispose();
  });
});
