/**
 * The engine's `ByteSource` inside the Worker: ranges are requested from the renderer (which reads them through
 * `ViewerApi.readFileRange`), or read from the file directly when the ref carries it (`blob`: browsers), in
 * aligned blocks, with a small LRU cache so the engine's many small sequential reads become few large ones.
 * Memory stays bounded: at most `cacheBlocks × blockSize` bytes are held.
 */
import type { ByteSource } from '@custody/bundle';

import { DEFAULT_SLICE_MS, createSlicer } from './event-loop';

/** Asks the renderer for `length` bytes at `offset` of `source`. */
export type TRangeRequester = (source: string, offset: number, length: number) => Promise<Uint8Array>;

/** Block size of the cache. Default 4 MiB. */
export const DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024;

/**
 * Longest a reader may run on cached blocks before a read yields to the event loop (reads served from the cache
 * resolve as microtasks). Default 25 ms.
 */
export const DEFAULT_YIELD_MS = DEFAULT_SLICE_MS;

/** Creates a cached remote byte source. */
export function createRemoteByteSource(
  ref: { readonly source: string; readonly size: number; readonly blob?: Blob },
  requestFromHost: TRangeRequester,
  options: { blockSize?: number; cacheBlocks?: number; yieldMs?: number } = {},
): ByteSource {
  const { blob } = ref;
  if (blob !== undefined && blob.size !== ref.size) throw new Error(`the file is ${blob.size} bytes, not the ${ref.size} announced`);
  const request: TRangeRequester =
    blob === undefined ? requestFromHost : async (_source, offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const cacheBlocks = options.cacheBlocks ?? 6;
  const yieldMs = options.yieldMs ?? DEFAULT_YIELD_MS;
  const cache = new Map<number, Promise<Uint8Array>>();
  const slice = createSlicer(yieldMs);

  function block(index: number): Promise<Uint8Array> {
    const cached = cache.get(index);
    if (cached !== undefined) {
      cache.delete(index);
      cache.set(index, cached); // most recently used last
      return cached;
    }
    const start = index * blockSize;
    const promise = request(ref.source, start, Math.min(blockSize, ref.size - start));
    cache.set(index, promise);
    promise.catch(() => cache.delete(index));
    while (cache.size > cacheBlocks) {
      const oldest = cache.keys().next().value as number;
      cache.delete(oldest);
    }
    return promise;
  }

  return {
    size: ref.size,
    async read(offset, length) {
      if (length <= 0 || offset >= ref.size) return new Uint8Array(0);
      await slice();
      const end = Math.min(ref.size, offset + length);
      // Large reads go straight through (the cache is for small, local ones).
      if (end - offset >= blockSize) return request(ref.source, offset, end - offset);
      const first = Math.floor(offset / blockSize);
      const last = Math.floor((end - 1) / blockSize);
      if (first === last) {
        const data = await block(first);
        return data.slice(offset - first * blockSize, end - first * blockSize);
      }
      const out = new Uint8Array(end - offset);
      let written = 0;
      for (let index = first; index <= last; index++) {
        const data = await block(index);
        const from = Math.max(offset, index * blockSize) - index * blockSize;
        const to = Math.min(end, (index + 1) * blockSize) - index * blockSize;
        out.set(data.subarray(from, to), written);
        written += to - from;
      }
      return out;
    },
  };
}
