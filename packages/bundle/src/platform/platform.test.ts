import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { nobleSha256 } from '@custody/ledger';

import { fromChunks } from '../stream-utils';
import { portableCrc32 } from './crc32';
import { blobSource, memorySink, memorySource, resolveCrypto, webDeflateRaw, webInflateRaw } from './defaults';
import { wasmSha256 } from './sha256-wasm';
import { createPortableSha256, portableSha256Into } from './sha256';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('resolveCrypto', () => {
  it('hashes with the WebAssembly SHA-256 where nothing is injected and WebAssembly compiles (as in Node)', () => {
    const wasm = wasmSha256();
    expect(wasm).toBeDefined();
    const resolved = resolveCrypto(undefined);
    expect(resolved.createSha256).toBe(wasm?.createSha256);
    expect(resolved.sha256Into).toBe(wasm?.sha256Into);
    // The SIMD leaf hashes come with the WebAssembly default (Node 20 compiles SIMD).
    expect(wasm?.sha256IntoMany).toBeDefined();
    expect(resolved.sha256IntoMany).toBe(wasm?.sha256IntoMany);
  });

  it('offers sha256IntoMany only with the default sha256Into, never when a hash is injected', () => {
    expect(resolveCrypto({ sha256Into: portableSha256Into }).sha256IntoMany).toBeUndefined();
    expect(resolveCrypto({ sha256: nobleSha256 }).sha256IntoMany).toBeUndefined();
    expect(resolveCrypto({ createSha256: createPortableSha256, sha256Into: portableSha256Into })).not.toHaveProperty('sha256IntoMany');
    // Injecting only createSha256 or ed25519 keeps the WebAssembly per-leaf hash, and so its SIMD batch.
    expect(resolveCrypto({ createSha256: createPortableSha256 }).sha256IntoMany).toBe(wasmSha256()?.sha256IntoMany);
  });

  it('keeps what the caller injects', () => {
    const createSha256 = createPortableSha256;
    const sha256Into = portableSha256Into;
    const resolved = resolveCrypto({ createSha256, sha256Into });
    expect(resolved.createSha256).toBe(createSha256);
    expect(resolved.sha256Into).toBe(sha256Into);
    // An injected one-shot hash also serves the per-leaf loops (through a copying adapter), not the default.
    const viaOneShot = resolveCrypto({ sha256: nobleSha256 }).sha256Into;
    expect(viaOneShot).not.toBe(wasmSha256()?.sha256Into);
    const out = new Uint8Array(32);
    viaOneShot(new Uint8Array([1, 2, 3]), out, 0);
    expect(hex(out)).toBe(createHash('sha256').update(new Uint8Array([1, 2, 3])).digest('hex'));
  });
});

describe('createPortableSha256', () => {
  it('matches node:crypto and noble for any input split into any chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(600), { maxLength: 5 }), (data, cuts) => {
        const hash = createPortableSha256();
        let at = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          hash.update(data.subarray(at, Math.max(at, Math.min(cut, data.length))));
          at = Math.max(at, Math.min(cut, data.length));
        }
        hash.update(data.subarray(at));
        const expected = createHash('sha256').update(data).digest('hex');
        expect(hex(hash.digest())).toBe(expected);
        expect(hex(nobleSha256(data))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the known answer for "abc" and for one million "a"', () => {
    const abc = createPortableSha256();
    abc.update(new TextEncoder().encode('abc'));
    expect(hex(abc.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const million = createPortableSha256();
    million.update(new Uint8Array(1_000_000).fill(0x61));
    expect(hex(million.digest())).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});

describe('portableSha256Into', () => {
  it('matches node:crypto for every length, written at the offset and nowhere else, call after call', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(40), (data, offset) => {
        const out = new Uint8Array(80).fill(0xee);
        portableSha256Into(data, out, offset);
        expect(hex(out.subarray(offset, offset + 32))).toBe(createHash('sha256').update(data).digest('hex'));
        expect([...out.subarray(0, offset), ...out.subarray(offset + 32)].every((b) => b === 0xee)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    // Block-boundary lengths (padding into a second block), and a view into a larger buffer.
    for (const n of [55, 56, 63, 64, 65, 119, 120, 128]) {
      const out = new Uint8Array(32);
      const backing = new Uint8Array(n + 10).map((_, i) => (i * 31) & 0xff);
      portableSha256Into(backing.subarray(5, 5 + n), out, 0);
      expect(hex(out)).toBe(createHash('sha256').update(backing.subarray(5, 5 + n)).digest('hex'));
    }
  });
});

describe('portableCrc32', () => {
  it('matches zlib.crc32, also when continued chunk by chunk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(2000), (data, cut) => {
        const at = Math.min(cut, data.length);
        expect(portableCrc32(data)).toBe(zlibCrc32(data));
        expect(portableCrc32(data.subarray(at), portableCrc32(data.subarray(0, at)))).toBe(zlibCrc32(data));
      }),
      { numRuns: 500 },
    );
    expect(portableCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('web streams defaults', () => {
  it('deflate-raw then inflate-raw round-trips through CompressionStream', async () => {
    const data = new TextEncoder().encode('custody '.repeat(10_000));
    const compressed: Uint8Array[] = [];
    for await (const chunk of webDeflateRaw(fromChunks([data.subarray(0, 100), data.subarray(100)]))) compressed.push(chunk);
    const out: Uint8Array[] = [];
    for await (const chunk of webInflateRaw(fromChunks(compressed))) out.push(chunk);
    expect(Buffer.concat(out)).toEqual(Buffer.from(data));
  });

  it('stops the decompressor when the consumer stops early', async () => {
    const data = new Uint8Array(10 << 20);
    const compressed: Uint8Array[] = [];
    for await (const chunk of webDeflateRaw(fromChunks([data]))) compressed.push(chunk);
    let seen = 0;
    for await (const chunk of webInflateRaw(fromChunks(compressed))) {
      seen += chunk.length;
      if (seen > 100_000) break;
    }
    expect(seen).toBeLessThan(10 << 20);
  });
});

describe('sources and sinks', () => {
  it('memorySink concatenates; memorySource and blobSource read ranges', async () => {
    const sink = memorySink();
    sink.write(Uint8Array.of(1, 2));
    sink.write(Uint8Array.of(3));
    expect(sink.bytes()).toEqual(Uint8Array.of(1, 2, 3));
    expect(await memorySource(sink.bytes()).read(1, 2)).toEqual(Uint8Array.of(2, 3));
    const blob = blobSource(new Blob([Uint8Array.of(9, 8, 7, 6)]));
    expect(blob.size).toBe(4);
    expect(await blob.read(1, 2)).toEqual(Uint8Array.of(8, 7));
  });
});
