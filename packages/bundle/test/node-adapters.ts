/**
 * Node adapters of the injected platform, for tests and the benchmark only (`src/` stays pure; the server's
 * production adapters live in `@custody/core`): file source and sink, zlib transforms, node:crypto hashes,
 * zlib.crc32, a temp-file spool.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transform } from 'node:stream';
import { crc32 as zlibCrc32, createDeflateRaw, createInflateRaw } from 'node:zlib';

import type { BundleCrypto, ByteSink, ByteSource, ByteTransform, Crc32, CreateSha256, Sha256, Sha256Into, Spool, SpoolFactory } from '../src/index';

/** SHA-256 with Node's one-shot `crypto.hash` (copies multi-chunk input into a scratch buffer). */
const scratch = new Uint8Array(4096);
export const nodeSha256: Sha256 = (...chunks) => {
  if (chunks.length === 1) return oneShotHash('sha256', chunks[0] as Uint8Array, 'buffer');
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  if (length > scratch.length) {
    const h = createHash('sha256');
    for (const chunk of chunks) h.update(chunk);
    return h.digest();
  }
  const target = scratch.subarray(0, length);
  let offset = 0;
  for (const chunk of chunks) {
    target.set(chunk, offset);
    offset += chunk.length;
  }
  return oneShotHash('sha256', target, 'buffer');
};

export const nodeCreateSha256: CreateSha256 = () => {
  const h = createHash('sha256');
  return { update: (bytes) => void h.update(bytes), digest: () => h.digest() };
};

export const nodeCrc32: Crc32 = (data, previous = 0) => zlibCrc32(data, previous);

/**
 * A zlib stream as a ByteTransform. Each input chunk is written and its callback awaited before the next one is
 * requested (zlib reads the chunk's memory until then; the ByteTransform contract lets producers reuse buffers).
 */
export function zlibTransform(create: () => Transform): ByteTransform {
  return (input) => {
    const stream = create();
    let stop = false;
    const pump = (async () => {
      try {
        for await (const chunk of input) {
          if (stop) break;
          await new Promise<void>((resolve, reject) => {
            stream.write(chunk, (error) => (error ? reject(error) : resolve()));
          });
        }
        stream.end();
      } catch (error) {
        stream.destroy(error as Error);
      }
    })();
    return (async function* () {
      try {
        for await (const chunk of stream as AsyncIterable<Uint8Array>) yield chunk;
        await pump;
      } finally {
        stop = true;
        stream.destroy();
      }
    })();
  };
}

export const nodeDeflateRaw: ByteTransform = zlibTransform(() => createDeflateRaw({ level: 6 }));
export const nodeFastDeflateRaw: ByteTransform = zlibTransform(() => createDeflateRaw({ level: 1 }));
export const nodeInflateRaw: ByteTransform = zlibTransform(() => createInflateRaw({ chunkSize: 256 * 1024 }));

/** SHA-256 into a buffer with no Buffer result: the latin1 string of the digest, copied out. */
export const nodeSha256Into: Sha256Into = (data, out, offset) => {
  const digest = oneShotHash('sha256', data, 'binary');
  for (let i = 0; i < 32; i++) out[offset + i] = digest.charCodeAt(i);
};

export const nodeCrypto: BundleCrypto = { sha256: nodeSha256, sha256Into: nodeSha256Into, createSha256: nodeCreateSha256 };

/** A ByteSource over an open file. */
export async function openFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

/** A ByteSink writing to a new file. */
export async function openFileSink(path: string): Promise<ByteSink & { close(): Promise<void> }> {
  const handle: FileHandle = await open(path, 'w');
  return {
    async write(chunk) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

let spoolCounter = 0;

/** A spool factory writing to temporary files (deleted on dispose). */
export function fileSpool(dir = tmpdir()): SpoolFactory {
  return (name) => {
    const path = join(dir, `custody-spool-${process.pid}-${++spoolCounter}-${name.replace(/[^a-z0-9.]/gi, '_')}`);
    let handle: FileHandle | undefined;
    let size = 0;
    const spool: Spool = {
      async write(chunk) {
        handle ??= await open(path, 'w+');
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, size + done);
          done += bytesWritten;
        }
        size += chunk.length;
      },
      async *read() {
        if (handle === undefined) return;
        const buffer = 1 << 20;
        for (let offset = 0; offset < size; offset += buffer) {
          const out = new Uint8Array(Math.min(buffer, size - offset));
          await handle.read(out, 0, out.length, offset);
          yield out;
        }
      },
      async dispose() {
        await handle?.close();
        handle = undefined;
        await rm(path, { force: true });
      },
    };
    return spool;
  };
}
