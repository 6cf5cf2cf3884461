/**
 * A `worker_threads` {@link LeafBatchChecker} for Node (tests and benchmark; the server's production version
 * belongs in `@custody/core`). Each worker runs `checkLeafBatch` with Node's SHA-256; batches are transferred,
 * not copied. In a browser the same shape works with Web Workers and `postMessage(batch, [buffers])`.
 */
import { Worker } from 'node:worker_threads';

import type { LeafBatch, LeafBatchChecker, LeafBatchContext, LeafBatchResult } from '../src/index';

interface Pending {
  resolve(result: LeafBatchResult): void;
  reject(error: unknown): void;
}

export interface WorkerChecker extends LeafBatchChecker {
  /** Resolves when every worker has loaded (so a benchmark does not time module loading). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `threads` workers (default: 2). Call `close()` when done. */
export function createWorkerChecker(threads = 2): WorkerChecker {
  const url = new URL('./leaf-worker.ts', import.meta.url).href;
  // tsx registers its loader per thread: register it in the worker before importing the TypeScript file.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })`;
  const workers = Array.from({ length: threads }, () => new Worker(bootstrap, { eval: true }));
  const pending = new Map<number, Pending>();
  const load = new Array<number>(threads).fill(0);
  let nextId = 0;
  const readiness = workers.map((worker) => new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  }));
  workers.forEach((worker, index) => {
    worker.on('message', (message: { id: number; result?: LeafBatchResult; error?: string; ready?: boolean }) => {
      if (message.ready === true) return;
      load[index] = (load[index] ?? 1) - 1;
      const entry = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) entry?.reject(new Error(message.error));
      else entry?.resolve(message.result as LeafBatchResult);
    });
    worker.on('error', (error) => {
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
    });
  });
  return {
    concurrency: threads * 2,
    check(batch: LeafBatch, context: LeafBatchContext): Promise<LeafBatchResult> {
      const id = nextId++;
      let target = 0;
      for (let i = 1; i < threads; i++) if ((load[i] ?? 0) < (load[target] ?? 0)) target = i;
      load[target] = (load[target] ?? 0) + 1;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const transfer = [batch.leaves.buffer, batch.events.buffer, batch.eventFlags.buffer, batch.leafEnds.buffer, batch.eventEnds.buffer].filter(
          (buffer, i, all) => buffer instanceof ArrayBuffer && all.indexOf(buffer) === i,
        ) as ArrayBuffer[];
        (workers[target] as Worker).postMessage({ id, batch, context }, transfer);
      });
    },
    async ready() {
      await Promise.all(readiness);
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
