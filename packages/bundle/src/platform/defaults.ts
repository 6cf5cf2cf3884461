/**
 * Portable defaults of the injected platform: web-standard `CompressionStream('deflate-raw')` and
 * `DecompressionStream('deflate-raw')` (Node >= 20.12, all current browsers), the ledger's noble SHA-256 and
 * Ed25519, a portable incremental SHA-256 and CRC-32, and in-memory or `Blob` sources and sinks.
 */
import { nobleEd25519, nobleSha256, sha256IntoOf, type Ed25519, type Sha256, type Sha256Into } from '@custody/ledger';

import { BundleError } from '../errors';
import { portableCrc32 } from './crc32';
import { createPortableSha256, portableSha256Into } from './sha256';
import { wasmSha256 } from './sha256-wasm';
import type { BundleCrypto, ByteSink, ByteSource, ByteTransform, CheckedInflate, CreateSha256, Sha256IntoMany } from './types';

interface WebTransformStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/**
 * Runs `input` through a web `TransformStream`-like pair with backpressure. Stops the stream when the consumer
 * stops reading (the generator's `finally`).
 */
async function* throughWebStream(input: AsyncIterable<Uint8Array>, stream: WebTransformStream): AsyncGenerator<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let pumpError: { error: unknown } | undefined;
  let stopped = false;
  const pump = (async () => {
    try {
      for await (const chunk of input) {
        if (stopped) return;
        // Waiting for the write means the stream is done with the chunk before the next one is requested, so
        // producers may reuse their buffers (see ByteTransform).
        await writer.write(chunk);
      }
      await writer.close();
    } catch (error) {
      pumpError = { error };
      await writer.abort(error).catch(() => undefined);
    }
  })();
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) break;
      yield step.value;
    }
    await pump;
    if (pumpError !== undefined) throw pumpError.error;
  } finally {
    stopped = true;
    await reader.cancel().catch(() => undefined);
    await pump.catch(() => undefined);
  }
}

function requireStreams(name: 'CompressionStream' | 'DecompressionStream'): void {
  if (typeof globalThis[name] !== 'function') {
    throw new BundleError('UNSUPPORTED', `${name} is not available here: inject a deflate-raw transform`);
  }
}

/** Raw DEFLATE compression through the global `CompressionStream('deflate-raw')`. */
export const webDeflateRaw: ByteTransform = (input) => {
  requireStreams('CompressionStream');
  return throughWebStream(input, new CompressionStream('deflate-raw') as unknown as WebTransformStream);
};

/** Raw DEFLATE decompression through the global `DecompressionStream('deflate-raw')`. */
export const webInflateRaw: ByteTransform = (input) => {
  requireStreams('DecompressionStream');
  return throughWebStream(input, new DecompressionStream('deflate-raw') as unknown as WebTransformStream);
};

/**
 * {@link CheckedInflate} through the global `DecompressionStream('gzip')`: the raw DEFLATE data framed as one gzip
 * member (RFC 1952: a 10-byte header, the data, then the expected CRC-32 and size mod 2^32 as its trailer), so the
 * platform's zlib checks both while it inflates, in native code, where a CRC-32 in JavaScript costs about as much
 * as the inflating itself.
 */
export const webInflateChecked: CheckedInflate = (input, expected) => {
  requireStreams('DecompressionStream');
  return throughWebStream(gzipMember(input, expected), new DecompressionStream('gzip') as unknown as WebTransformStream);
};

async function* gzipMember(input: AsyncIterable<Uint8Array>, expected: { readonly crc32: number; readonly size: number }): AsyncGenerator<Uint8Array> {
  // ID1 ID2, CM = 8 (deflate), FLG = 0, MTIME = 0, XFL = 0, OS = 255 (unknown).
  yield Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
  yield* input;
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, expected.crc32 >>> 0, true);
  view.setUint32(4, expected.size % 0x1_0000_0000, true);
  yield trailer;
}

/** Crypto with every member filled in. */
export interface ResolvedCrypto {
  readonly sha256: Sha256;
  readonly sha256Into: Sha256Into;
  readonly createSha256: CreateSha256;
  readonly ed25519: Ed25519;
  /** One-shot SHA-256 of a whole buffer, when injected or where WebCrypto provides the default. */
  readonly digestSha256?: (data: Uint8Array) => Promise<Uint8Array>;
  /**
   * Many leaf hashes at once (WebAssembly SIMD), present only where `sha256Into` is the WebAssembly default and
   * SIMD compiles here: never when a hash is injected (Node injects its native one).
   */
  readonly sha256IntoMany?: Sha256IntoMany;
}

/**
 * Fills in the defaults of {@link BundleCrypto}. Without injected hashes (browsers, Workers) the streamed and
 * per-leaf SHA-256 is the WebAssembly one where this realm may compile it (`wasmSha256`: 1.7-1.8x the portable
 * TypeScript, measured in Chromium), else the portable one (3x faster than @noble/hashes on node hashes); both
 * allocate nothing per leaf or node. The per-leaf hashes of verification then also use
 * `wasmSha256().sha256IntoMany` (4 lanes of WebAssembly SIMD) where SIMD compiles.
 */
export function resolveCrypto(crypto: BundleCrypto | undefined): ResolvedCrypto {
  const sha256 = crypto?.sha256 ?? nobleSha256;
  // The per-leaf hash is a default only when neither it nor a one-shot hash is injected (a one-shot one is adapted).
  const defaultPerLeaf = crypto?.sha256Into === undefined && crypto?.sha256 === undefined;
  // Generated and compiled only when a default needs it (Node injects everything).
  const wasm = defaultPerLeaf || crypto?.createSha256 === undefined ? wasmSha256() : undefined;
  const sha256Into = crypto?.sha256Into ?? (defaultPerLeaf ? (wasm?.sha256Into ?? portableSha256Into) : sha256IntoOf(sha256));
  const sha256IntoMany = defaultPerLeaf ? wasm?.sha256IntoMany : undefined;
  const digestSha256 = crypto?.digestSha256 ?? (crypto?.createSha256 === undefined ? webDigestSha256() : undefined);
  return {
    sha256,
    sha256Into,
    createSha256: crypto?.createSha256 ?? wasm?.createSha256 ?? createPortableSha256,
    ed25519: crypto?.ed25519 ?? nobleEd25519,
    ...(sha256IntoMany === undefined ? {} : { sha256IntoMany }),
    ...(digestSha256 === undefined ? {} : { digestSha256 }),
  };
}

/** `crypto.subtle.digest('SHA-256', …)` where the platform has WebCrypto (browsers, Workers, Node >= 19). */
function webDigestSha256(): ((data: Uint8Array) => Promise<Uint8Array>) | undefined {
  const subtle = (globalThis as { crypto?: { subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } } }).crypto?.subtle;
  if (subtle === undefined || typeof subtle.digest !== 'function') return undefined;
  return async (data) => new Uint8Array(await subtle.digest('SHA-256', data));
}

export { portableCrc32, createPortableSha256, portableSha256Into, wasmSha256 };

/** A {@link ByteSource} over bytes in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
  };
}

/**
 * A {@link ByteSource} over a `Blob` or `File` (browsers and Workers): `blob.slice().arrayBuffer()` per read.
 */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** A {@link ByteSink} that collects everything in memory; `bytes()` concatenates it. For tests and small bundles. */
export interface MemorySink extends ByteSink {
  /** Bytes written so far. */
  readonly length: number;
  /** Everything written so far, concatenated. */
  bytes(): Uint8Array;
}

/** Creates a {@link MemorySink}. */
export function memorySink(): MemorySink {
  const chunks: Uint8Array[] = [];
  let length = 0;
  return {
    write(chunk) {
      chunks.push(chunk);
      length += chunk.length;
    },
    get length() {
      return length;
    },
    bytes() {
      const out = new Uint8Array(length);
      let offset = 0;
      for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
      }
      return out;
    },
  };
}
