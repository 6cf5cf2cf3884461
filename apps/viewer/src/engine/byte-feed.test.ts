import { describe, expect, it } from 'vitest';

import { ByteFeed } from './byte-feed';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

async function readAll(feed: ByteFeed): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of feed) out.push(...chunk);
  return out;
}

describe('ByteFeed', () => {
  it('hands over every chunk in order, then the end', async () => {
    const feed = new ByteFeed(1 << 20);
    const read = readAll(feed);
    feed.push(bytes(1, 2));
    feed.push(bytes());
    feed.push(bytes(3));
    feed.end();
    feed.push(bytes(4)); // after the end: dropped
    expect(await read).toEqual([1, 2, 3]);
  });

  it('gives the queued chunks before the error', async () => {
    const feed = new ByteFeed(1 << 20);
    feed.push(bytes(1));
    feed.push(bytes(2));
    feed.fail(new Error('CRC-32 mismatch'));
    const seen: number[] = [];
    await expect((async () => {
      for await (const chunk of feed) seen.push(...chunk);
    })()).rejects.toThrow('CRC-32 mismatch');
    expect(seen).toEqual([1, 2]);
  });

  it('makes the producer wait past the limit, until the reader takes it down to half', async () => {
    const read: number[] = [];
    const feed = new ByteFeed(4, (n) => read.push(n));
    expect(feed.push(bytes(1, 1, 1))).toBeUndefined();
    const wait = feed.push(bytes(2, 2, 2));
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void wait?.then(() => {
      released = true;
    });
    const iterator = feed[Symbol.asyncIterator]();
    await iterator.next(); // 3 left: more than half of 4
    await Promise.resolve();
    expect(released).toBe(false);
    await iterator.next(); // 0 left
    await Promise.resolve();
    expect(released).toBe(true);
    expect(read).toEqual([3, 3]);
  });

  it('releases a waiting producer and drops later pushes when the reader stops', async () => {
    const feed = new ByteFeed(2);
    const wait = feed.push(bytes(1, 2, 3));
    const iterator = feed[Symbol.asyncIterator]();
    await iterator.next();
    feed.push(bytes(4, 5, 6, 7));
    await iterator.return(undefined);
    await expect(wait).resolves.toBeUndefined();
    expect(feed.cancelled).toBe(true);
    expect(feed.push(bytes(8, 9, 10))).toBeUndefined();
    expect(feed.queuedBytes).toBe(0);
  });

  it('releases a waiting producer when cancelled before anyone reads', async () => {
    const feed = new ByteFeed(1);
    const wait = feed.push(bytes(1, 2));
    feed.cancel();
    await expect(wait).resolves.toBeUndefined();
    expect(await readAll(feed)).toEqual([]);
  });

  it('wakes a reader waiting for data', async () => {
    const feed = new ByteFeed(16);
    const read = readAll(feed);
    await new Promise((resolve) => setTimeout(resolve, 5));
    feed.push(bytes(7));
    await new Promise((resolve) => setTimeout(resolve, 5));
    feed.end();
    expect(await read).toEqual([7]);
  });

  it('has one reader', async () => {
    const feed = new ByteFeed(16);
    const first = feed[Symbol.asyncIterator]();
    const pending = first.next();
    await expect(feed[Symbol.asyncIterator]().next()).rejects.toThrow('one reader');
    feed.end();
    await pending;
  });
});
