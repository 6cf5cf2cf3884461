/**
 * The renderer's handle on the engine Worker: a typed proxy of `TViewerEngine` (every method async), which is
 * also the `TViewerDataSource` the @custody/ui components read. It answers the Worker's byte-range requests
 * through `ViewerApi.readFileRange`, so the same client works over Electron's IPC handles and browser `File`s.
 */
import type { TSourceState, TViewerDataSource } from '@custody/ui';

import type { TDirectFileAccess, TOpenedFile, ViewerApi } from '../shared/ipc-contract';
import type { TOpenBundleOptions, TViewerEngine } from '../engine';
import { RemoteError } from './rpc-protocol';
import type { TFromWorker, TRemoteSourceRef, TToWorker } from './rpc-protocol';

/** Largest range asked of the host in one call (the Worker's reads are split to this). */
const MAX_HOST_READ = 16 * 1024 * 1024;

type TAsync<T> = T extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** The engine as the renderer sees it: all of `TViewerEngine` (async), with bundles opened from host files. */
export type TEngineClient = { readonly [K in Exclude<keyof TViewerEngine, 'subscribe' | 'openBundle'>]: TAsync<TViewerEngine[K]> } & TViewerDataSource & {
  /** Opens a file the host opened (by handle) as a bundle; resolves with the bundle id. */
  openBundle(file: TOpenedFile, options: Omit<TOpenBundleOptions, 'fileName'>): Promise<string>;
  /** The last state pushed by the Worker. */
  readonly currentState: TSourceState;
  /** Stops the Worker. */
  terminate(): void;
};

/** The subset of `Worker` the client uses (tests pass a fake). */
export interface TWorkerLike {
  postMessage(message: TToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<TFromWorker>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** Starts the engine Worker (bundled by Vite as its own file). */
export function startEngineWorker(): TWorkerLike {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'custody-engine' });
}

/** Starts the verifier Worker (a second core for `verifyBundle`). */
export function startVerifierWorker(): TWorkerLike {
  return new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module', name: 'custody-verifier' });
}

/**
 * Creates the client over `worker`, reading files through `api`. With a `verifier` Worker, the two are connected
 * and bundles are verified there while the engine loads rows.
 */
export function createEngineClient(
  api: Pick<ViewerApi, 'readFileRange'> & Partial<TDirectFileAccess>,
  worker: TWorkerLike = startEngineWorker(),
  verifier: TWorkerLike | null = startVerifierWorker(),
): TEngineClient {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Set<(state: TSourceState) => void>();
  let state: TSourceState = { bundles: [], rows: 0 };

  async function readForWorker(source: string, offset: number, length: number): Promise<ArrayBuffer> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = await api.readFileRange(source, offset + filled, Math.min(MAX_HOST_READ, length - filled));
      if (chunk.length === 0) break;
      out.set(chunk, filled);
      filled += chunk.length;
    }
    return (filled === length ? out : out.slice(0, filled)).buffer;
  }

  /** What the Workers read a file by: its handle, and the file itself where the host can give it. */
  function sourceRef(file: TOpenedFile): TRemoteSourceRef {
    const blob = api.fileBlob?.(file.handle);
    return blob === undefined ? { source: file.handle, size: file.size } : { source: file.handle, size: file.size, blob };
  }

  /** Answers a Worker's byte-range request. */
  function answerRead(target: TWorkerLike, message: Extract<TFromWorker, { kind: 'read' }>): void {
    readForWorker(message.source, message.offset, message.length).then(
      (buffer) => target.postMessage({ kind: 'bytes', id: message.id, ok: true, buffer }, [buffer]),
      (error: unknown) => target.postMessage({ kind: 'bytes', id: message.id, ok: false, error: { name: 'Error', message: error instanceof Error ? error.message : String(error) } }),
    );
  }

  if (verifier !== null) {
    const channel = new MessageChannel();
    worker.postMessage({ kind: 'connect', port: channel.port1 }, [channel.port1]);
    verifier.postMessage({ kind: 'connect', port: channel.port2 }, [channel.port2]);
    verifier.addEventListener('message', (event: MessageEvent<TFromWorker>) => {
      if (event.data.kind === 'read') answerRead(verifier, event.data);
    });
  }

  worker.addEventListener('message', (event: MessageEvent<TFromWorker>) => {
    const message = event.data;
    switch (message.kind) {
      case 'state':
        state = message.state;
        for (const listener of listeners) listener(state);
        return;
      case 'result': {
        const call = pending.get(message.id);
        if (call === undefined) return;
        pending.delete(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(new RemoteError(message.error));
        return;
      }
      case 'read':
        answerRead(worker, message);
        return;
    }
  });
  let failure: Error | null = null;
  worker.addEventListener('error', (event: ErrorEvent) => {
    failure = new Error(`the engine stopped: ${event.message}`);
    for (const call of pending.values()) call.reject(failure);
    pending.clear();
  });

  function call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (failure !== null) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ kind: 'call', id, method, args });
    });
  }

  const client = {
    get currentState() {
      return state;
    },
    terminate: () => {
      failure = new Error('the engine was stopped');
      worker.terminate();
      verifier?.terminate();
    },
    subscribe(listener: (value: TSourceState) => void) {
      listeners.add(listener);
      listener(state);
      return () => {
        listeners.delete(listener);
      };
    },
    openBundle: (file: TOpenedFile, options: Omit<TOpenBundleOptions, 'fileName'>) =>
      call<string>('openBundle', sourceRef(file), { ...options, fileName: file.name }),
  } as Record<string, unknown>;
  const methods = [
    'closeBundle', 'trustKey', 'trustedKeys', 'exportView', 'findingsReport', 'loadCaseFile', 'caseFile', 'saveView', 'deleteView',
    'savedViews', 'setReviewer', 'releaseView', 'state', 'whenIdle', 'memory', 'view', 'rows', 'histogram', 'facets', 'event',
    'locate', 'context', 'annotate',
  ] as const;
  for (const method of methods) client[method] = (...args: unknown[]) => call(method, ...args);
  return client as unknown as TEngineClient;
}
