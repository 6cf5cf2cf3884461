import { describe, expect, it } from 'vitest';

import { createRemoteByteSource } from './remote-byte-source';

const data = Uint8Array.from({ length: 1_000_003 }, (_, i) => (i * 31 + (i >> 8)) & 255);

function setup(blockSize: number) {
  const requests: [number, number][] = [];
  const source = createRemoteByteSource({ source: 'h_x', size: data.length }, (_source, offset, length) => {
    requests.push([offset, length]);
    return Promise.resolve(data.slice(offset, offset + length));
  }, { blockSize, cacheBlocks: 3, yieldMs: 1 });
  return { source, requests };
}

describe('createRemoteByteSource', () => {
  it('returns exactly the bytes asked for, across block boundaries and at the end', async () => {
    const { source } = setup(4096);
    for (const [offset, length] of [[0, 10], [4090, 20], [8191, 1], [12_000, 9000], [data.length - 5, 5], [data.length - 5, 100], [data.length, 10]] as const) {
      expect(await source.read(offset, length)).toEqual(data.slice(offset, Math.min(data.length, offset + length)));
    }
  });

  it('turns many small sequential reads into few block requests', async () => {
    const { source, requests } = setup(65_536);
    for (let offset = 0; offset < 200_000; offset += 100) await source.read(offset, 100);
    expect(requests.length).toBe(4);
    expect(requests.every(([offset, length]) => offset % 65_536 === 0 && length <= 65_536)).toBe(true);
  });

  it('passes large reads straight through and keeps at most `cacheBlocks` blocks', async () => {
    const { source, requests } = setup(4096);
    expect(await source.read(100, 10_000)).toEqual(data.slice(100, 10_100));
    expect(requests).toEqual([[100, 10_000]]);
    for (const block of [0, 1, 2, 3, 0]) await source.read(block * 4096, 1);
    // 0,1,2 cached; 3 evicts 0; 0 is fetched again.
    expect(requests.slice(1).map(([offset]) => offset / 4096)).toEqual([0, 1, 2, 3, 0]);
  });

  it('reads the file itself when the ref carries it (a browser), never asking the host', async () => {
    const asked: number[] = [];
    const source = createRemoteByteSource({ source: 'h_x', size: data.length, blob: new Blob([data]) }, (_source, offset) => {
      asked.push(offset);
      return Promise.reject(new Error('the host was asked'));
    }, { blockSize: 4096, cacheBlocks: 3, yieldMs: 1 });
    for (const [offset, length] of [[0, 10], [4090, 20], [12_000, 9000], [data.length - 5, 100]] as const) {
      expect(await source.read(offset, length)).toEqual(data.slice(offset, Math.min(data.length, offset + length)));
    }
    expect(asked).toEqual([]);
  });

  it('refuses a file whose size is not the one announced', () => {
    expect(() => createRemoteByteSource({ source: 'h_x', size: 10, blob: new Blob([new Uint8Array(11)]) }, () => Promise.reject(new Error('unused')))).toThrow(
      'the file is 11 bytes, not the 10 announced',
    );
  });

  it('does not keep a failed block', async () => {
    let fail = true;
    const source = createRemoteByteSource({ source: 'h_x', size: 100 }, (_s, offset, length) => {
      if (fail) return Promise.reject(new Error('gone'));
      return Promise.resolve(data.slice(offset, offset + length));
    }, { blockSize: 64 });
    await expect(source.read(0, 10)).rejects.toThrow('gone');
    fail = false;
    expect(await source.read(0, 10)).toEqual(data.slice(0, 10));
  });
});
