/**
 * The verifier Worker: runs `verifyBundle` of @custody/bundle for the engine Worker on a second core, so rows load
 * while the bundle is verified. It reads the bundle from the renderer (`read`/`bytes`, like the engine) and talks
 * to the engine Worker over the MessagePort the renderer connected (rpc-protocol.ts), which also brings the bytes
 * of data/events.ndjson the engine's rows come from (`events` messages). It decides nothing: the report goes back
 * to the engine, which derives every verdict and row status from it.
 */
import { verifyBundle } from '@custody/bundle';

import { ByteFeed } from '../engine/byte-feed';
import { createRemoteByteSource } from './remote-byte-source';
import { fromRpcError, toRpcError } from './rpc-protocol';
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

/** Bytes of data/events.ndjson read before the verifier tells the engine Worker (which then sends more). */
const ACK_BYTES = 4 << 20;

function serve(port: MessagePort): void {
  const post = (message: TFromVerifier): void => port.postMessage(message);
  /** data/events.ndjson of each running verification that gets it from the engine Worker. */
  const feeds = new Map<number, ByteFeed>();
  const start = ({ id, ref, options }: Extract<TToVerifier, { kind: 'verify' }>): void => {
    let unacknowledged = 0;
    // The engine Worker bounds what it sends ahead, so this queue needs no limit of its own.
    const feed = options.eventsContent === true
      ? new ByteFeed(Number.MAX_SAFE_INTEGER, (bytes) => {
        unacknowledged += bytes;
        if (unacknowledged < ACK_BYTES) return;
        post({ kind: 'events-read', id, bytes: unacknowledged });
        unacknowledged = 0;
      })
      : undefined;
    if (feed !== undefined) feeds.set(id, feed);
    let last = 0;
    void verifyBundle(createRemoteByteSource(ref, requestRange), {
      trustedKeys: options.trustedKeys,
      ...(options.hashArchive === undefined ? {} : { hashArchive: options.hashArchive }),
      ...(options.maxFailuresPerCheck === undefined ? {} : { maxFailuresPerCheck: options.maxFailuresPerCheck }),
      ...(feed === undefined ? {} : { eventsContent: feed }),
      onProgress: (progress) => {
        // Progress is for the UI: a few messages a second are plenty.
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        post({ kind: 'progress', id, progress: { phase: progress.phase, bytes: progress.bytes, events: progress.events, proofs: progress.proofs } });
      },
    })
      .finally(() => {
        feed?.cancel();
        feeds.delete(id);
      })
      .then(
        (report) => post({ kind: 'report', id, report }),
        (error: unknown) => post({ kind: 'failed', id, error: toRpcError(error) }),
      );
  };
  port.onmessage = (event: MessageEvent<TToVerifier>) => {
    const message = event.data;
    if (message.kind === 'verify') start(message);
    // Never a promise here: this queue has no limit (the engine Worker bounds what it sends).
    else if (message.kind === 'events') {
      const feed = feeds.get(message.id);
      for (const chunk of message.chunks) void feed?.push(chunk);
    }
    else if (message.kind === 'events-end') feeds.get(message.id)?.end();
    else feeds.get(message.id)?.fail(fromRpcError(message.error));
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
