/**
 * Node implementations of `@custody/bundle`'s injected platform: files as sinks and sources, zlib for
 * DEFLATE, and Node's crypto. The server's exports and `custody verify` use these; browsers use the
 * package's web defaults.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import * as zlib from 'node:zlib';
import { createDeflateRaw, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';

import type { BundleCrypto, ByteSink, ByteSource, ByteTransform, Crc32, VerifyBundleOptions } from '@custody/bundle';

import { nodeEd25519, nodeSha256, nodeSha256Into } from './node-crypto';

/** Node's SHA-256 and Ed25519 for bundles. */
export const nodeBundleCrypto: BundleCrypto = {
  sha256: nodeSha256,
  sha256Into: nodeSha256Into,
  createSha256: () => {
    const h = createHash('sha256');
    return {
      update: (bytes) => {
        h.update(bytes);
      },
      digest: () => h.digest(),
    };
  },
  ed25519: nodeEd25519,
};

/**
 * A zlib stream as a `ByteTransform`. Each input chunk is fully consumed (its write callback fired)
 * before the next is requested, as the contract requires: callers may reuse their buffers. Output is
 * paused while more than a few chunks wait for the consumer, so memory stays bounded.
 */
function zlibTransform(create: () => Transform): ByteTransform {
  return async function* transform(input) {
    const stream = create();
    const queue: Uint8Array[] = [];
    let done = false;
    let failure: Error | undefined;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    stream.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      if (queue.length >= 16) stream.pause();
      notify();
    });
    stream.on('end', () => {
      done = true;
      notify();
    });
    stream.on('error', (error: Error) => {
      failure = error;
      done = true;
      notify();
    });
    // A write settles when zlib has consumed the chunk, or when the stream closes: a stream destroyed while zlib
    // waits for its output to be read (the consumer stopped early) never calls back, and awaiting it would hang.
    const write = (chunk: Uint8Array) =>
      new Promise<void>((resolve, reject) => {
        if (stream.destroyed) {
          reject(new Error('the zlib stream is closed'));
          return;
        }
        const onClose = () => reject(new Error('the zlib stream closed'));
        stream.once('close', onClose);
        stream.write(chunk, (error) => {
          stream.off('close', onClose);
          if (error) reject(error);
          else resolve();
        });
      });
    const feed = (async () => {
      try {
        for await (const chunk of input) {
          if (failure !== undefined || stream.destroyed) return;
          await write(chunk);
        }
        stream.end();
      } catch (error) {
        stream.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    })();
    try {
      for (;;) {
        while (queue.length > 0) {
          const next = queue.shift();
          if (queue.length < 4 && stream.isPaused()) stream.resume();
          if (next !== undefined) yield next;
        }
        if (done) break;
        if (stream.isPaused()) stream.resume();
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failure !== undefined) throw failure;
    } finally {
      stream.destroy();
      await feed;
    }
  };
}

// zlib.crc32 is native from Node 20.15; earlier versions keep the package's portable CRC-32.
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * zlib's native CRC-32 for the ZIP writer and reader, where Node has it (20.15 and later; `undefined`
 * before, which selects the portable one). About ten times faster than the portable slicing-by-8.
 */
export const nodeCrc32: Crc32 | undefined = zlibCrc32 === undefined ? undefined : (data, previous = 0) => zlibCrc32(data, previous);

/** Raw DEFLATE with zlib (level 6 by default; several times faster than CompressionStream). */
export function nodeDeflateRaw(level = 6): ByteTransform {
  return zlibTransform(() => createDeflateRaw({ level, memLevel: 9, chunkSize: 256 * 1024 }));
}

/**
 * Raw INFLATE with zlib, in 256 KiB output chunks. (1 MiB chunks spent less CPU, but `custody verify` of 1M events
 * then held up to 900 MB of spent chunks that V8 collected late, against 300 MB.)
 */
export const nodeInflateRaw: ByteTransform = zlibTransform(() => createInflateRaw({ chunkSize: 256 * 1024 }));

/**
 * What `verifyBundle` runs on in Node: Node's SHA-256 and Ed25519, zlib's INFLATE and zlib's CRC-32 where Node has
 * it. Spread into the options: `verifyBundle(source, { ...nodeVerifyOptions, trustedKeys })`.
 */
export const nodeVerifyOptions: Pick<VerifyBundleOptions, 'crypto' | 'inflate' | 'crc32'> = {
  crypto: nodeBundleCrypto,
  inflate: nodeInflateRaw,
  ...(nodeCrc32 === undefined ? {} : { crc32: nodeCrc32 }),
};

/** A file written sequentially, with backpressure; `close()` flushes and closes it. */
export interface TFileSink extends ByteSink {
  close(): Promise<void>;
  /** Bytes written so far. */
  readonly bytesWritten: number;
}

/** Opens `path` for writing (mode 0600: exports hold audit data). */
export function createFileSink(path: string): TFileSink {
  const stream: WriteStream = createWriteStream(path, { mode: 0o600, highWaterMark: 1024 * 1024 });
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure = error));
  let written = 0;
  return {
    get bytesWritten() {
      return written;
    },
    async write(chunk) {
      if (failure !== undefined) throw failure;
      written += chunk.length;
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    async close() {
      if (failure !== undefined) throw failure;
      stream.end();
      await once(stream, 'finish');
    },
  };
}

/** A random-access source over a file; `close()` releases the descriptor. */
export interface TFileSource extends ByteSource {
  close(): Promise<void>;
}

/** Opens `path` for random-access reads. */
export async function openFileSource(path: string): Promise<TFileSource> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? buffer : buffer.subarray(0, filled);
    },
    close: () => handle.close(),
  };
}
