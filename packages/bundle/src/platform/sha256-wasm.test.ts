import { createHash } from 'node:crypto';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { createPortableSha256, portableSha256Into } from './sha256';
import { wasmSha256 } from './sha256-wasm';
import type { IncrementalSha256 } from './types';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const reference = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The JS slice size of the implementation (64 KiB): messages around its multiples cross the copy boundary. */
const SLICE = 64 * 1024;

/** A seeded PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

function wasm(): NonNullable<ReturnType<typeof wasmSha256>> {
  const api = wasmSha256();
  if (api === undefined) throw new Error('WebAssembly SHA-256 unavailable in Node: it must compile here');
  return api;
}

function oneShot(data: Uint8Array): string {
  const out = new Uint8Array(32);
  wasm().sha256Into(data, out, 0);
  return hex(out);
}

function chunked(hash: IncrementalSha256, data: Uint8Array, sizes: readonly number[]): string {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    hash.update(data.subarray(at, at + size));
    at += size;
  }
  return hex(hash.digest());
}

describe('wasmSha256', () => {
  it('compiles in Node and returns the same cached object on every call', () => {
    const api = wasmSha256();
    expect(api).toBeDefined();
    expect(wasmSha256()).toBe(api);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('gives the FIPS 180-4 known answers ("", "abc", the 448-bit message, one million "a")', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(oneShot(text(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(oneShot(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const two = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
    expect(oneShot(text(two))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    const million = wasm().createSha256();
    million.update(new Uint8Array(1_000_000).fill(0x61));
    expect(hex(million.digest())).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('matches node:crypto and the portable hash for every length 0..300, one-shot and incremental', () => {
    const data = randomBytes(random(1), 300);
    const portableOut = new Uint8Array(32);
    for (let n = 0; n <= 300; n++) {
      const message = data.subarray(0, n);
      const expected = reference(message);
      expect(oneShot(message), `sha256Into, length ${n}`).toBe(expected);
      const whole = wasm().createSha256();
      whole.update(message);
      expect(hex(whole.digest()), `one update, length ${n}`).toBe(expected);
      expect(chunked(wasm().createSha256(), message, [1]), `byte by byte, length ${n}`).toBe(expected);
      portableSha256Into(message, portableOut, 0);
      expect(hex(portableOut), `portable, length ${n}`).toBe(expected);
    }
  });

  it('matches node:crypto and the portable hash for random data in random chunkings (seeded)', () => {
    const next = random(42);
    for (let run = 0; run < 300; run++) {
      const length = Math.floor(next() * (run % 10 === 0 ? 200_000 : 2_000));
      const data = randomBytes(next, length);
      const expected = reference(data);
      const wasmHash = wasm().createSha256();
      const portableHash = createPortableSha256();
      let at = 0;
      while (at < length) {
        // Empty updates, short ones and ones that straddle block and slice boundaries.
        const kind = next();
        const size = kind < 0.1 ? 0 : kind < 0.6 ? Math.floor(next() * 130) : Math.floor(next() * (SLICE + 200));
        const chunk = data.subarray(at, Math.min(length, at + size));
        wasmHash.update(chunk);
        portableHash.update(chunk);
        at += chunk.length;
      }
      expect(hex(wasmHash.digest()), `run ${run}, length ${length}`).toBe(expected);
      expect(hex(portableHash.digest())).toBe(expected);
      expect(oneShot(data)).toBe(expected);
    }
  });

  it('hashes 10 MiB fed in uneven chunks', () => {
    const data = randomBytes(random(7), 10 * 1024 * 1024);
    const expected = reference(data);
    expect(chunked(wasm().createSha256(), data, [1, 63, 65, 4097, SLICE - 1, SLICE, SLICE + 1, 100_003, 3 * SLICE + 5])).toBe(expected);
    expect(chunked(wasm().createSha256(), data, [10 * 1024 * 1024])).toBe(expected);
    expect(oneShot(data)).toBe(expected);
  });

  it('handles messages around multiples of the 64 KiB slice, one-shot and incremental (aligned or not)', () => {
    const data = randomBytes(random(3), 3 * SLICE + 200);
    for (const base of [SLICE, 2 * SLICE, 3 * SLICE]) {
      for (const delta of [-73, -72, -65, -64, -63, -57, -56, -55, -9, -8, -1, 0, 1, 8, 55, 56, 63, 64, 65, 72, 128]) {
        const message = data.subarray(0, base + delta);
        const expected = reference(message);
        expect(oneShot(message), `sha256Into, length ${message.length}`).toBe(expected);
        const whole = wasm().createSha256();
        whole.update(message);
        expect(hex(whole.digest()), `one update, length ${message.length}`).toBe(expected);
        // A 1- or 37-byte first update leaves a partial block, so every later slice starts mid-block.
        expect(chunked(wasm().createSha256(), message, [1, message.length])).toBe(expected);
        expect(chunked(wasm().createSha256(), message, [37, message.length])).toBe(expected);
      }
    }
  });

  it('keeps interleaved hashers independent, also with sha256Into calls in between', () => {
    const next = random(11);
    const messages = [randomBytes(next, 70_000), randomBytes(next, 1_000), randomBytes(next, 150_001)];
    const hashers = messages.map(() => wasm().createSha256());
    const offsets = messages.map(() => 0);
    const scratch = new Uint8Array(32);
    for (let step = 0; offsets.some((at, i) => at < (messages[i]?.length ?? 0)); step++) {
      const i = step % 3;
      const message = messages[i] as Uint8Array;
      const at = offsets[i] as number;
      const size = Math.floor(next() * 9_000);
      (hashers[i] as IncrementalSha256).update(message.subarray(at, at + size));
      offsets[i] = Math.min(message.length, at + size);
      wasm().sha256Into(message.subarray(0, size), scratch, 0); // clobbers the module's state and input area
    }
    hashers.forEach((hash, i) => expect(hex(hash.digest()), `hasher ${i}`).toBe(reference(messages[i] as Uint8Array)));
  });

  it('sha256Into writes exactly out[offset, offset + 32), at any offset, call after call', () => {
    const next = random(5);
    const out = new Uint8Array(200);
    const expectedOut = new Uint8Array(200).fill(0xa5);
    out.fill(0xa5);
    for (const [offset, length] of [[0, 0], [1, 65], [3, 550], [33, 64], [100, SLICE + 1], [168, 3]] as const) {
      const data = randomBytes(next, length);
      wasm().sha256Into(data, out, offset);
      expectedOut.set(createHash('sha256').update(data).digest(), offset);
      expect(hex(out), `offset ${offset}, length ${length}`).toBe(hex(expectedOut));
    }
    // Also into a view that starts inside a larger buffer.
    const view = new Uint8Array(out.buffer, 7, 64);
    wasm().sha256Into(new Uint8Array([1, 2, 3]), view, 20);
    expectedOut.set(createHash('sha256').update(new Uint8Array([1, 2, 3])).digest(), 27);
    expect(hex(out)).toBe(hex(expectedOut));
  });

  it('reads the whole message before writing, so out may overlap data; inputs are never modified', () => {
    const buffer = randomBytes(random(9), 600);
    const copy = buffer.slice();
    const expected = reference(buffer.subarray(0, 550));
    wasm().sha256Into(buffer.subarray(0, 550), buffer, 10);
    expect(hex(buffer.subarray(10, 42))).toBe(expected);
    expect(hex(buffer.subarray(0, 10))).toBe(hex(copy.subarray(0, 10)));
    expect(hex(buffer.subarray(42))).toBe(hex(copy.subarray(42)));

    const data = randomBytes(random(10), 100_000);
    const before = data.slice();
    const hash = wasm().createSha256();
    hash.update(data.subarray(0, 33));
    hash.update(data.subarray(33));
    hash.digest();
    expect(hex(data)).toBe(hex(before));
  });

  it('throws like the portable hasher on update after digest and on a second digest', () => {
    for (const create of [wasm().createSha256, createPortableSha256]) {
      const hash = create();
      hash.update(new Uint8Array([1]));
      const digest = hash.digest();
      expect(digest).toHaveLength(32);
      expect(() => hash.update(new Uint8Array(0))).toThrow('sha256: update after digest');
      expect(() => hash.digest()).toThrow('sha256: digest called twice');
    }
    // Each digest is a new array: changing one does not change the next.
    const first = wasm().createSha256().digest();
    first.fill(0);
    expect(hex(wasm().createSha256().digest())).toBe(reference(new Uint8Array(0)));
  });
});

describe('wasmSha256 without WebAssembly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('returns undefined, without throwing, where WebAssembly is missing', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    const { wasmSha256: fresh } = await import('./sha256-wasm');
    expect(fresh()).toBeUndefined();
    expect(fresh()).toBeUndefined();
  });

  it('returns undefined, once and cached, where compilation is refused (a CSP without wasm-unsafe-eval)', async () => {
    vi.resetModules();
    let attempts = 0;
    vi.stubGlobal('WebAssembly', {
      ...Object.fromEntries(Object.getOwnPropertyNames(WebAssembly).map((key) => [key, Reflect.get(WebAssembly, key) as unknown])),
      Module: class {
        constructor() {
          attempts++;
          throw new WebAssembly.CompileError('WebAssembly.Module(): Wasm code generation disallowed by embedder');
        }
      },
    });
    const { wasmSha256: fresh } = await import('./sha256-wasm');
    expect(fresh()).toBeUndefined();
    expect(fresh()).toBeUndefined();
    expect(attempts).toBe(1);
  });

  it('keeps the scalar hash, without sha256IntoMany, where the SIMD module does not validate', async () => {
    vi.resetModules();
    const RealModule = WebAssembly.Module;
    let compiled = 0;
    vi.stubGlobal('WebAssembly', {
      ...Object.fromEntries(Object.getOwnPropertyNames(WebAssembly).map((key) => [key, Reflect.get(WebAssembly, key) as unknown])),
      // The scalar module compiles first; the second (SIMD) is refused as an engine without SIMD would.
      Module: class {
        constructor(bytes: Uint8Array<ArrayBuffer>) {
          compiled++;
          if (compiled > 1) throw new WebAssembly.CompileError('WebAssembly.Module(): invalid value type 0x7b');
          return new RealModule(bytes);
        }
      },
    });
    const { wasmSha256: fresh } = await import('./sha256-wasm');
    const api = fresh();
    expect(api).toBeDefined();
    expect(api?.sha256IntoMany).toBeUndefined();
    expect('sha256IntoMany' in (api ?? {})).toBe(false);
    const out = new Uint8Array(32);
    api?.sha256Into(new Uint8Array([1, 2, 3]), out, 0);
    expect(hex(out)).toBe(reference(new Uint8Array([1, 2, 3])));
    expect(compiled).toBe(2);
  });

  it('returns undefined where instantiation throws', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', {
      ...Object.fromEntries(Object.getOwnPropertyNames(WebAssembly).map((key) => [key, Reflect.get(WebAssembly, key) as unknown])),
      Instance: class {
        constructor() {
          throw new RangeError('WebAssembly.Instance(): Out of memory');
        }
      },
    });
    const { wasmSha256: fresh } = await import('./sha256-wasm');
    expect(fresh()).toBeUndefined();
  });
});

describe('wasmSha256().sha256IntoMany (4-lane WebAssembly SIMD)', () => {
  function many(): NonNullable<ReturnType<typeof wasmSha256>>['sha256IntoMany'] & {} {
    const fn = wasm().sha256IntoMany;
    if (fn === undefined) throw new Error('WebAssembly SIMD unavailable in Node 20: it must compile here');
    return fn;
  }

  /** Hashes `ranges` of `data` in one call and checks each digest against node:crypto, and the bytes around. */
  function check(data: Uint8Array, ranges: readonly (readonly [number, number])[]): void {
    const count = ranges.length;
    const starts = Int32Array.from(ranges, ([s]) => s);
    const ends = Int32Array.from(ranges, ([, e]) => e);
    const out = new Uint8Array(32 * count + 7).fill(0xa5);
    const before = data.slice();
    many()(data, starts, ends, count, out.subarray(0, 32 * count));
    const got = ranges.map(([s, e], i) => `[${s}, ${e}) ${hex(out.subarray(32 * i, 32 * i + 32))}`);
    const want = ranges.map(([s, e]) => `[${s}, ${e}) ${reference(data.subarray(s, e))}`);
    expect(got).toEqual(want);
    expect(hex(out.subarray(32 * count))).toBe('a5'.repeat(7));
    expect(Buffer.compare(data, before)).toBe(0);
  }

  it('is present in Node (SIMD compiles) and is part of the frozen, cached object', () => {
    expect(typeof wasm().sha256IntoMany).toBe('function');
    expect(wasmSha256()?.sha256IntoMany).toBe(wasm().sha256IntoMany);
  });

  it('hashes counts 0…9 of equal-length messages, lengths 0…300 and about 550, back to back', () => {
    const next = random(11);
    const data = randomBytes(next, 10 * 700);
    for (const length of [...Array.from({ length: 301 }, (_, i) => i), 549, 550, 551, 575, 576, 640]) {
      for (let count = 0; count <= 9; count++) {
        check(data, Array.from({ length: count }, (_, i) => [i * length, (i + 1) * length] as const));
      }
    }
  });

  it('hashes mixed lengths in one call: lanes ending at different blocks, refilled from the queue', () => {
    const next = random(12);
    const data = randomBytes(next, 1 << 16);
    for (let round = 0; round < 200; round++) {
      const count = Math.floor(next() * 40);
      const ranges: (readonly [number, number])[] = [];
      for (let i = 0; i < count; i++) {
        const length = next() < 0.2 ? Math.floor(next() * 64) : Math.floor(next() * 1200);
        const start = Math.floor(next() * (data.length - length));
        ranges.push([start, start + length]);
      }
      check(data, ranges);
    }
  });

  it('hashes at offsets into a larger buffer, in any order, overlapping, and in views with a byteOffset', () => {
    const next = random(13);
    const buffer = randomBytes(next, 5000);
    const view = buffer.subarray(123, 4900);
    check(view, [[0, 0], [1, 551], [4000, 4777], [0, 4777], [1, 551], [500, 555], [4776, 4777], [3, 3], [64, 128]]);
    // The leaf layout: 0x00, the line, '\n', then the next; each message is 0x00 ‖ line.
    const lines = Array.from({ length: 37 }, (_, i) => 500 + ((i * 37) % 120));
    const layout = new Uint8Array(lines.reduce((sum, n) => sum + n + 2, 0));
    const ranges: [number, number][] = [];
    let at = 0;
    for (const n of lines) {
      layout.set(randomBytes(next, n), at + 1);
      layout[at + n + 1] = 0x0a;
      ranges.push([at, at + n + 1]);
      at += n + 2;
    }
    check(layout, ranges);
  });

  it('hashes messages longer than a lane takes (16 KiB, the scalar path) among short ones, and fills more than one region', () => {
    const next = random(14);
    const data = randomBytes(next, 600 * 1024);
    check(data, [[0, 100], [5, 16 * 1024], [7, 16 * 1024 + 1], [0, 70_000], [200, 750], [10, 200_000], [1, 2]]);
    // More padded bytes than the input region (256 KiB) and messages beyond the staging window (128 KiB).
    const ranges = Array.from({ length: 1100 }, (_, i) => [i * 551, i * 551 + 550] as const);
    check(data, ranges);
    check(data, [...ranges].reverse());
  });

  it('throws a RangeError for ranges outside the data or a count beyond the arrays or the output', () => {
    const data = new Uint8Array(100);
    const out = new Uint8Array(64);
    expect(() => many()(data, Int32Array.of(0, 50), Int32Array.of(10, 101), 2, out)).toThrow(RangeError);
    expect(() => many()(data, Int32Array.of(20), Int32Array.of(10), 1, out)).toThrow(RangeError);
    expect(() => many()(data, Int32Array.of(-1), Int32Array.of(10), 1, out)).toThrow(RangeError);
    expect(() => many()(data, Int32Array.of(0), Int32Array.of(10), 2, out)).toThrow(RangeError);
    expect(() => many()(data, Int32Array.of(0, 0, 0), Int32Array.of(1, 1, 1), 3, out)).toThrow(RangeError);
    // Still right afterwards, also after a throw with messages already queued (different lengths, same slots).
    const next = random(15);
    const bytes = randomBytes(next, 3000);
    expect(() => many()(bytes, Int32Array.of(0, 0, 0), Int32Array.of(1000, 2000, 3001), 3, new Uint8Array(96))).toThrow(RangeError);
    check(bytes, [[5, 60], [3, 4], [100, 700]]);
  });
});
