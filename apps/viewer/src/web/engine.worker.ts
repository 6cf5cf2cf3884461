/**
 * The engine Worker: runs `createViewerEngine()` (src/engine/) off the UI thread and answers the renderer's RPC
 * (rpc-protocol.ts). Bundles are read through ranges the renderer supplies (`read` messages), so the Worker needs
 * no file access of its own; in Electron the renderer reads them over IPC by handle, in a browser from the `File`.
 */
import { verifyBundle } from '@custody/bundle';
import type { ByteSource, VerificationReport, VerifyBundleOptions } from '@custody/bundle';

import { createViewerEngine } from '../engine';
import type { TViewerEngine } from '../engine';
import { createSlicedInflateChecked, createSlicedInflateRaw } from './event-loop';
import { createRemoteByteSource } from './remote-byte-source';
import { RemoteError, toRpcError } from './rpc-protocol';
import type { TFromVerifier, TFromWorker, TRemoteSourceRef, TToVerifier, TToWorker } from './rpc-protocol';

interface TWorkerScope {
  postMessage(message: TFromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<TToWorker>) => void): void;
}

const scope = self as unknown as TWorkerScope;

// -- Verification on a second core -------------------------------------------------------------------------------

/** The verifier Worker's port, once the renderer connected it; without it, verification runs here. */
let verifier: MessagePort | null = null;
/** The renderer-side file behind each source this Worker created (the verifier opens its own source on it). */
const sourceRefs = new WeakMap<ByteSource, TRemoteSourceRef>();
let nextVerify = 1;

interface TPendingVerify {
  readonly resolve: (report: VerificationReport) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress: VerifyBundleOptions['onProgress'];
  /** Bytes of data/events.ndjson sent and not yet acknowledged as read. */
  unread: number;
  /** Wakes the sender waiting for the verifier to read. */
  wake: (() => void) | undefined;
  settled: boolean;
}

const verifies = new Map<number, TPendingVerify>();
/** Bytes of data/events.ndjson sent ahead of the verifier reading them. */
const EVENTS_AHEAD = 32 << 20;

function connectVerifier(port: MessagePort): void {
  verifier = port;
  port.onmessage = (event: MessageEvent<TFromVerifier>) => {
    const message = event.data;
    const pending = verifies.get(message.id);
    if (pending === undefined) return;
    if (message.kind === 'progress') {
      pending.onProgress?.(message.progress as Parameters<NonNullable<VerifyBundleOptions['onProgress']>>[0]);
      return;
    }
    if (message.kind === 'events-read') {
      pending.unread -= message.bytes;
      if (pending.unread <= EVENTS_AHEAD / 2) wakeSender(pending);
      return;
    }
    verifies.delete(message.id);
    pending.settled = true;
    wakeSender(pending);
    if (message.kind === 'report') pending.resolve(message.report as VerificationReport);
    else pending.reject(new RemoteError(message.error));
  };
}

function wakeSender(pending: TPendingVerify): void {
  const wake = pending.wake;
  pending.wake = undefined;
  wake?.();
}

/** Chunks go to the verifier together, up to this many bytes per message (a message per chunk cost the engine 0.35 s). */
const EVENTS_MESSAGE_BYTES = 1 << 20;

/**
 * Sends the loader's bytes of data/events.ndjson to the verifier, transferring each chunk's buffer (the loader has
 * copied it into its blocks by then; a chunk that is a view into a larger buffer is copied), at most
 * `EVENTS_AHEAD` bytes ahead of what the verifier has read. Chunks are gathered into messages of up to
 * `EVENTS_MESSAGE_BYTES`; a partial one leaves on the next macrotask, so the verifier never waits for bytes the
 * loader has already read.
 */
async function sendEvents(id: number, port: MessagePort, content: AsyncIterable<Uint8Array>, pending: TPendingVerify): Promise<void> {
  let chunks: Uint8Array[] = [];
  let bytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (chunks.length === 0 || pending.settled) return;
    port.postMessage({ kind: 'events', id, chunks } satisfies TToVerifier, chunks.map((chunk) => chunk.buffer as ArrayBuffer));
    pending.unread += bytes;
    chunks = [];
    bytes = 0;
  };
  try {
    for await (const chunk of content) {
      if (pending.settled) return;
      const whole = chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
      const owned = whole ? chunk : chunk.slice();
      chunks.push(owned);
      bytes += owned.length;
      if (bytes >= EVENTS_MESSAGE_BYTES) flush();
      else timer ??= setTimeout(flush, 0);
      while (pending.unread > EVENTS_AHEAD && !pending.settled) {
        await new Promise<void>((resolve) => {
          pending.wake = resolve;
        });
      }
    }
    flush();
    if (!pending.settled) port.postMessage({ kind: 'events-end', id } satisfies TToVerifier);
  } catch (error) {
    flush();
    if (!pending.settled) port.postMessage({ kind: 'events-failed', id, error: toRpcError(error) } satisfies TToVerifier);
  }
}

/** `verifyBundle`, in the verifier Worker when there is one (same options; the report is plain data). */
function verify(source: ByteSource, options: VerifyBundleOptions): Promise<VerificationReport> {
  const ref = sourceRefs.get(source);
  if (verifier === null || ref === undefined) return verifyBundle(source, options);
  const id = nextVerify++;
  const port = verifier;
  const content = options.eventsContent;
  return new Promise((resolve, reject) => {
    const pending: TPendingVerify = { resolve, reject, onProgress: options.onProgress, unread: 0, wake: undefined, settled: false };
    verifies.set(id, pending);
    const message: TToVerifier = {
      kind: 'verify', id, ref,
      options: {
        trustedKeys: options.trustedKeys,
        ...(options.hashArchive === undefined ? {} : { hashArchive: options.hashArchive }),
        ...(options.maxFailuresPerCheck === undefined ? {} : { maxFailuresPerCheck: options.maxFailuresPerCheck }),
        ...(content === undefined ? {} : { eventsContent: true }),
      },
    };
    port.postMessage(message);
    if (content !== undefined) void sendEvents(id, port, content, pending);
  });
}

// Rows stream through a decompressor that yields between chunks, so the UI's calls are answered while loading.
const engine = createViewerEngine({ verify, inflateRaw: createSlicedInflateRaw(), inflateChecked: createSlicedInflateChecked() });

/** Methods the renderer may call (everything of the engine but `subscribe`, which is pushed as `state`). */
const CALLABLE = new Set<string>([
  'openBundle', 'closeBundle', 'trustKey', 'trustedKeys', 'exportView', 'findingsReport', 'loadCaseFile', 'caseFile', 'saveView',
  'deleteView', 'savedViews', 'setReviewer', 'releaseView', 'state', 'whenIdle', 'memory', 'view', 'rows', 'histogram', 'facets',
  'event', 'locate', 'context', 'annotate',
] satisfies (keyof TViewerEngine)[]);

let nextRead = 1;
const reads = new Map<number, { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }>();

function requestRange(source: string, offset: number, length: number): Promise<Uint8Array> {
  const id = nextRead++;
  return new Promise((resolve, reject) => {
    reads.set(id, { resolve, reject });
    scope.postMessage({ kind: 'read', id, source, offset, length });
  });
}

engine.subscribe((state) => scope.postMessage({ kind: 'state', state }));

async function call(method: string, args: readonly unknown[]): Promise<unknown> {
  if (!CALLABLE.has(method)) throw new TypeError(`unknown engine method ${JSON.stringify(method)}`);
  if (method === 'openBundle') {
    const [ref, options] = args as [TRemoteSourceRef, Parameters<TViewerEngine['openBundle']>[1]];
    const source = createRemoteByteSource(ref, requestRange);
    sourceRefs.set(source, ref);
    return engine.openBundle(source, options);
  }
  const fn = (engine as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
  if (typeof fn !== 'function') throw new TypeError(`unknown engine method ${JSON.stringify(method)}`);
  return fn.apply(engine, [...args]);
}

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.kind === 'connect') {
    connectVerifier(message.port);
    return;
  }
  if (message.kind === 'bytes') {
    const pending = reads.get(message.id);
    if (pending === undefined) return;
    reads.delete(message.id);
    if (message.ok) pending.resolve(new Uint8Array(message.buffer));
    else pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
    return;
  }
  if (message.kind === 'call') enqueue(message);
});

// -- Calls, most urgent first ----------------------------------------------------------------------------------
// Calls that arrive together (the grid's rows, the histogram, the facets after a new view) are started in
// priority order: what the examiner is looking at (view, rows, the selected event) before aggregates.

const URGENT = new Set(['view', 'rows', 'event', 'locate', 'annotate', 'context']);
const queue: Extract<TToWorker, { kind: 'call' }>[] = [];
let draining = false;
const drainChannel = new MessageChannel();
drainChannel.port1.onmessage = () => {
  draining = false;
  queue.sort((a, b) => Number(URGENT.has(b.method)) - Number(URGENT.has(a.method)) || a.id - b.id);
  for (const message of queue.splice(0)) start(message);
};

function enqueue(message: Extract<TToWorker, { kind: 'call' }>): void {
  queue.push(message);
  if (draining) return;
  draining = true;
  // A fresh macrotask: messages already waiting in the Worker's queue are enqueued before the drain runs.
  drainChannel.port2.postMessage(null);
}

function start(message: Extract<TToWorker, { kind: 'call' }>): void {
  call(message.method, message.args).then(
    (value) => {
      // Export bytes are transferred rather than copied.
      const bytes = value !== null && typeof value === 'object' && 'bytes' in value ? (value).bytes : undefined;
      const transfer = bytes instanceof Uint8Array && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
      scope.postMessage({ kind: 'result', id: message.id, ok: true, value }, transfer);
    },
    (error: unknown) => scope.postMessage({ kind: 'result', id: message.id, ok: false, error: toRpcError(error) }),
  );
}
