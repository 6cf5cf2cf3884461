/**
 * The verifier Worker: runs `verifyBundle` of @custody/bundle for the engine Worker on a second core, so rows load
 * while the bundle is verified. It reads the bundle from the renderer (`read`/`bytes`, like the engine) and talks
 * to the engine Worker over the MessagePort the renderer connected (rpc-protocol.ts). It decides nothing: the
 * report goes back to the engine, which derives every verdict and row status from it.
 */
import { verifyBundle } from '@custody/bundle';

import { createRemoteByteSource } from './remote-byte-source';
import { toRpcError } from './rpc-protocol';
import type { TFromVerifier, TFromWorker, TToVerifier, TToWorker } from './rpc-protocol';

interface TWorkerScope {
  postMessage(message: TFromWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<TToWorker>) => void): void;
}

const scope = self as unknown as TWorkerScope;
let nextRead = 1;
const reads = new Map<number, { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }>();

function requestRange(source: string, offset: number, length: number): Promise<Uint8Array> {
  const id = nextRead++;
  return new Promise((resolve, reject) => {
    reads.set(id, { resolve, reject });
    scope.postMessage({ kind: 'read', id, source, offset, length });
  });
}

function serve(port: MessagePort): void {
  const post = (message: TFromVerifier): void => port.postMessage(message);
  port.onmessage = (event: MessageEvent<TToVerifier>) => {
    const { id, ref, options } = event.data;
    let last = 0;
    verifyBundle(createRemoteByteSource(ref, requestRange), {
      trustedKeys: options.trustedKeys,
      ...(options.hashArchive === undefined ? {} : { hashArchive: options.hashArchive }),
      ...(options.maxFailuresPerCheck === undefined ? {} : { maxFailuresPerCheck: options.maxFailuresPerCheck }),
      onProgress: (progress) => {
        // Progress is for the UI: a few messages a second are plenty.
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        post({ kind: 'progress', id, progress: { phase: progress.phase, bytes: progress.bytes, events: progress.events, proofs: progress.proofs } });
      },
    }).then(
      (report) => post({ kind: 'report', id, report }),
      (error: unknown) => post({ kind: 'failed', id, error: toRpcError(error) }),
    );
  };
}

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.kind === 'connect') {
    serve(message.port);
    return;
  }
  if (message.kind === 'bytes') {
    const pending = reads.get(message.id);
    if (pending === undefined) return;
    reads.delete(message.id);
    if (message.ok) pending.resolve(new Uint8Array(message.buffer));
    else pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
  }
});
