/**
 * The message protocol between the renderer and the engine Worker: a small comlink-style RPC.
 *
 * Renderer → Worker:
 *   `call`   {id, method, args}           invoke an engine method; answered by `result`
 *   `bytes`  {id, ok, buffer | error}     answer to the Worker's `read`
 * Worker → Renderer:
 *   `result` {id, ok, value | error}      a call's outcome (errors as {name, message, code?})
 *   `state`  {state}                      the engine's state changed (TViewerDataSource.subscribe)
 *   `read`   {id, source, offset, length} the engine needs bytes of a file the renderer holds
 *
 * Verification runs in a second Worker (verify.worker.ts) when one is available, so loading rows and verifying use
 * two cores. The renderer connects the two Workers with a MessageChannel (`connect`); over it the engine Worker
 * sends `verify` {id, ref, options} and the verifier answers with `progress` and `report`/`failed`. The verifier
 * reads its bytes from the renderer with the same `read`/`bytes` messages, except `data/events.ndjson` when
 * `options.eventsContent` is set: the engine Worker sends the bytes its rows come from as `events` {id, chunks}
 * (transferred), then `events-end` or `events-failed`, and the verifier acknowledges what it has read with
 * `events-read` {id, bytes}, so the engine Worker stays at most a few tens of megabytes ahead.
 *
 * Byte sources stay on the renderer side (in Electron, `window.custody.readFileRange` exists only there), so the
 * Worker asks for ranges and the renderer answers with transferred buffers. Every message is structured-clone
 * data.
 */
import { BUNDLE_ERROR_CODES, BundleError, type BundleErrorCode } from '@custody/bundle';
import type { TSourceState } from '@custody/ui';

/** A serialized error. */
export interface TRpcError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  /** A `BundleError`'s details (which entry, which limit). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export type TToWorker =
  | { readonly kind: 'call'; readonly id: number; readonly method: string; readonly args: readonly unknown[] }
  | { readonly kind: 'connect'; readonly port: MessagePort }
  | { readonly kind: 'bytes'; readonly id: number; readonly ok: true; readonly buffer: ArrayBuffer }
  | { readonly kind: 'bytes'; readonly id: number; readonly ok: false; readonly error: TRpcError };

export type TFromWorker =
  | { readonly kind: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly ok: false; readonly error: TRpcError }
  | { readonly kind: 'state'; readonly state: TSourceState }
  | { readonly kind: 'read'; readonly id: number; readonly source: string; readonly offset: number; readonly length: number };

/**
 * A file as the Worker knows it: the renderer-side id it reads through, and its size. In a browser the `File`
 * itself comes along (`blob`, cloned by reference, not copied): Workers then read it directly instead of asking
 * the renderer, whose thread would otherwise carry every byte of the bundle twice (once per Worker).
 */
export interface TRemoteSourceRef {
  readonly source: string;
  readonly size: number;
  readonly blob?: Blob;
}

/** Turns anything thrown into a {@link TRpcError}. */
export function toRpcError(error: unknown): TRpcError {
  if (error instanceof Error) {
    const { code, details } = error as { code?: unknown; details?: unknown };
    return {
      name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}),
      ...(details !== null && typeof details === 'object' ? { details: details as TRpcError['details'] } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** An error that crossed the Worker boundary. */
export class RemoteError extends Error {
  readonly code: string | undefined;

  constructor(error: TRpcError) {
    super(error.message);
    this.name = error.name;
    this.code = error.code;
  }
}

/** The error that crossed: a `BundleError` again when it was one (the verifier reports those by code), else a {@link RemoteError}. */
export function fromRpcError(error: TRpcError): Error {
  if (error.name === 'BundleError' && BUNDLE_ERROR_CODES.includes(error.code as BundleErrorCode)) {
    return new BundleError(error.code as BundleErrorCode, error.message, error.details === undefined ? {} : { details: error.details });
  }
  return new RemoteError(error);
}

/** The serializable verifier options the engine Worker forwards (`onProgress` becomes `progress` messages). */
export interface TRemoteVerifyOptions {
  readonly trustedKeys: readonly string[];
  readonly hashArchive?: boolean;
  readonly maxFailuresPerCheck?: number;
  /** data/events.ndjson comes from the engine Worker as `events` messages (the bytes its rows come from). */
  readonly eventsContent?: boolean;
}

/** Engine Worker → verifier Worker. */
export type TToVerifier =
  | { readonly kind: 'verify'; readonly id: number; readonly ref: TRemoteSourceRef; readonly options: TRemoteVerifyOptions }
  | { readonly kind: 'events'; readonly id: number; readonly chunks: readonly Uint8Array[] }
  | { readonly kind: 'events-end'; readonly id: number }
  | { readonly kind: 'events-failed'; readonly id: number; readonly error: TRpcError };

/** Verifier Worker → engine Worker. */
export type TFromVerifier =
  | { readonly kind: 'progress'; readonly id: number; readonly progress: { readonly phase: string; readonly bytes: number; readonly events: number; readonly proofs: number } }
  | { readonly kind: 'events-read'; readonly id: number; readonly bytes: number }
  | { readonly kind: 'report'; readonly id: number; readonly report: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly error: TRpcError };
