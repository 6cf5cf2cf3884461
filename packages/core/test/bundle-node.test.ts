/**
 * zlib as the bundle layer's `ByteTransform`: whole output in order, bad input as an error, and a consumer that
 * stops early releases the stream at once (it had hung when zlib was waiting for its output to be read).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { nodeDeflateRaw, nodeInflateRaw } from '../src/index';

async function* pieces(bytes: Uint8Array, size = 65_536): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield await Promise.resolve(bytes.subarray(at, at + size));
}

async function collect(output: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of output) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Reads `take` chunks, lets zlib fill its queue and pause, then stops reading; resolves when released. */
async function stopEarly(output: AsyncIterable<Uint8Array>, take: number): Promise<number> {
  const iterator = output[Symbol.asyncIterator]();
  let read = 0;
  for (let i = 0; i < take; i++) if ((await iterator.next()).done !== true) read += 1;
  await new Promise((resolve) => setTimeout(resolve, 100));
  await iterator.return?.(undefined);
  return read;
}

describe('nodeInflateRaw and nodeDeflateRaw', () => {
  const plain = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `{"seq":${i},"action":"user.login"}\n`).join(''));

  it('round-trips in order', async () => {
    const deflated = await collect(nodeDeflateRaw(1)(pieces(plain)));
    expect(inflateRawSync(deflated).equals(plain)).toBe(true);
    expect((await collect(nodeInflateRaw(pieces(deflateRawSync(plain))))).equals(plain)).toBe(true);
  });

  it('rejects corrupt input with an error', async () => {
    const corrupt = Buffer.from(deflateRawSync(plain));
    corrupt.fill(0xff, 100, 200);
    await expect(collect(nodeInflateRaw(pieces(corrupt)))).rejects.toThrow();
  });

  it('releases the stream when the consumer stops early, even while zlib waits for its output to be read', async () => {
    // 200 MB of output from a small input: zlib fills the queue and pauses long before the end.
    const bomb = deflateRawSync(Buffer.alloc(200 << 20, 7));
    for (const take of [0, 1, 20]) expect(await stopEarly(nodeInflateRaw(pieces(bomb)), take)).toBe(take);
    expect(await stopEarly(nodeDeflateRaw(1)(pieces(Buffer.alloc(64 << 20, 1))), 1)).toBe(1);
  }, 20_000);
});
