import { describe, expect, it, vi } from 'vitest';

import { createEngineClient } from './engine-client';
import type { TWorkerLike } from './engine-client';
import type { TFromWorker, TToWorker } from './rpc-protocol';

/** A Worker stand-in: records what the client posts and lets the test answer. */
function fakeWorker() {
  const listeners: { message: ((event: MessageEvent<TFromWorker>) => void)[]; error: ((event: ErrorEvent) => void)[] } = { message: [], error: [] };
  const posted: TToWorker[] = [];
  const worker = {
    postMessage: (message: TToWorker) => posted.push(message),
    addEventListener: (type: 'message' | 'error', listener: never) => listeners[type].push(listener),
    terminate: vi.fn(),
  } as unknown as TWorkerLike;
  const emit = (data: TFromWorker) => {
    for (const listener of listeners.message) listener({ data } as MessageEvent<TFromWorker>);
  };
  const fail = (message: string) => {
    for (const listener of listeners.error) listener({ message } as ErrorEvent);
  };
  return { worker, posted, emit, fail };
}

/** The first argument of a posted call. */
const firstArgument = (message: TToWorker | undefined): unknown => (message?.kind === 'call' ? message.args[0] : undefined);

const api = { readFileRange: vi.fn((_handle: string, offset: number, length: number) => Promise.resolve(Uint8Array.from({ length }, (_, i) => (offset + i) & 255))) };

describe('createEngineClient', () => {
  it('calls engine methods by name and resolves with the results', async () => {
    const { worker, posted, emit } = fakeWorker();
    const client = createEngineClient(api, worker, null);
    const view = client.view({ terms: [] }, { column: 'time', direction: 'asc' });
    const call = posted.at(-1);
    expect(call).toMatchObject({ kind: 'call', method: 'view', args: [{ terms: [] }, { column: 'time', direction: 'asc' }] });
    emit({ kind: 'result', id: (call as { id: number }).id, ok: true, value: { viewId: 'v1', total: 3 } });
    expect(await view).toEqual({ viewId: 'v1', total: 3 });
  });

  it('opens bundles by host handle and size, without a file where the host has none (Electron)', () => {
    const { worker, posted } = fakeWorker();
    const client = createEngineClient(api, worker, null);
    void client.openBundle({ handle: `h_${'1'.repeat(32)}`, name: 'a.zip', size: 1234, location: '/x/a.zip' }, {});
    expect(posted.at(-1)).toMatchObject({ method: 'openBundle', args: [{ source: `h_${'1'.repeat(32)}`, size: 1234 }, { fileName: 'a.zip' }] });
    expect(firstArgument(posted.at(-1))).not.toHaveProperty('blob');
  });

  it("hands the Workers a browser host's File, so they read it without the page", () => {
    const { worker, posted } = fakeWorker();
    const file = new Blob([new Uint8Array(1234)]);
    const client = createEngineClient({ ...api, fileBlob: (handle) => (handle === 'h_file' ? file : undefined) }, worker, null);
    void client.openBundle({ handle: 'h_file', name: 'a.zip', size: 1234, location: 'a.zip (browser)' }, {});
    expect(firstArgument(posted.at(-1))).toHaveProperty('blob', file);
  });

  it('turns remote errors into rejections with the name, message and code', async () => {
    const { worker, posted, emit } = fakeWorker();
    const client = createEngineClient(api, worker, null);
    const pending = client.event(99);
    emit({ kind: 'result', id: (posted.at(-1) as { id: number }).id, ok: false, error: { name: 'RangeError', message: 'unknown row 99', code: 'NOT_FOUND' } });
    await expect(pending).rejects.toMatchObject({ name: 'RangeError', message: 'unknown row 99', code: 'NOT_FOUND' });
  });

  it('pushes state to subscribers', () => {
    const { worker, emit } = fakeWorker();
    const client = createEngineClient(api, worker, null);
    const states: number[] = [];
    const unsubscribe = client.subscribe((s) => states.push(s.rows));
    emit({ kind: 'state', state: { bundles: [], rows: 42 } });
    unsubscribe();
    emit({ kind: 'state', state: { bundles: [], rows: 43 } });
    expect(states).toEqual([0, 42]);
    expect(client.currentState.rows).toBe(43);
  });

  it("answers the Worker's byte-range requests through ViewerApi.readFileRange", async () => {
    const { worker, posted, emit } = fakeWorker();
    createEngineClient(api, worker, null);
    emit({ kind: 'read', id: 7, source: 'h_abc', offset: 10, length: 5 });
    await vi.waitFor(() => expect(posted.some((m) => m.kind === 'bytes')).toBe(true));
    const answer = posted.find((m) => m.kind === 'bytes') as Extract<TToWorker, { kind: 'bytes'; ok: true }>;
    expect(answer.id).toBe(7);
    expect(new Uint8Array(answer.buffer)).toEqual(Uint8Array.from([10, 11, 12, 13, 14]));
    expect(api.readFileRange).toHaveBeenCalledWith('h_abc', 10, 5);
  });

  it('rejects pending and later calls once the Worker has crashed', async () => {
    const { worker, fail } = fakeWorker();
    const client = createEngineClient(api, worker, null);
    const pending = client.rows('v1', 0, 10);
    fail('out of memory');
    await expect(pending).rejects.toThrow('the engine stopped: out of memory');
    await expect(client.facets('v1', ['action'])).rejects.toThrow('the engine stopped');
  });
});
