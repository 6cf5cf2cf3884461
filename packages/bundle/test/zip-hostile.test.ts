/**
 * Hostile archives, crafted byte by byte: every one must end in a typed BundleError (never a TypeError,
 * RangeError or a hang).
 */
import { deflateRawSync } from 'node:zlib';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  BundleError, createZipWriter, memorySink, memorySource, openZip, webInflateChecked, webInflateRaw, type ByteTransform, type ZipReaderOptions,
} from '../src/index';
import { craftZip, type CraftEntry } from './craft-zip';
import { nodeCrc32, nodeInflateRaw } from './node-adapters';

const NODE: ZipReaderOptions = { inflateRaw: nodeInflateRaw, crc32: nodeCrc32 };

/** Opens and reads every entry; returns the error code, or 'ok'. Any other error fails the test. */
async function outcome(bytes: Uint8Array, options: ZipReaderOptions = NODE): Promise<string> {
  try {
    const archive = await openZip(memorySource(bytes), options);
    for (const entry of archive.entries) await archive.read(entry, 1 << 30);
    return 'ok';
  } catch (error) {
    if (error instanceof BundleError) return error.code;
    throw error;
  }
}

const one = (entry: Partial<CraftEntry>): Uint8Array => craftZip([{ name: 'bag/file.txt', data: 'hello', ...entry }]);

describe('openZip on hostile input', () => {
  it('accepts a well-formed crafted archive (control case)', async () => {
    expect(await outcome(craftZip([{ name: 'bag/a.txt', data: 'a' }, { name: 'bag/b.txt', data: 'b', method: 0 }]))).toBe('ok');
    expect(await outcome(craftZip([{ name: 'bag/a.txt', data: 'a', descriptor: true, flags: 0x0808 }]))).toBe('ok');
  });

  describe('when the input is not a zip', () => {
    for (const [label, bytes] of [
      ['empty', new Uint8Array(0)],
      ['tiny', Uint8Array.of(0x50, 0x4b)],
      ['text', new TextEncoder().encode('hello, this is not an archive at all'.repeat(10))],
      ['random', Uint8Array.from({ length: 5000 }, (_, i) => (i * 1103515245 + 12345) & 255)],
    ] as const) {
      it(`rejects ${label} input as BAD_ZIP`, async () => {
        expect(await outcome(bytes)).toBe('BAD_ZIP');
      });
    }
  });

  describe('when the archive is truncated', () => {
    it('returns TRUNCATED or BAD_ZIP at every offset', async () => {
      const bytes = craftZip([{ name: 'bag/a.txt', data: 'x'.repeat(300) }, { name: 'bag/b.txt', data: 'y', method: 0, descriptor: true, flags: 0x0808 }]);
      const codes = new Set<string>();
      for (let length = 0; length < bytes.length; length++) codes.add(await outcome(bytes.subarray(0, length)));
      expect([...codes].sort()).toEqual(['BAD_ZIP', 'TRUNCATED']);
    });
  });

  describe('when it is a zip bomb', () => {
    const zeros = new Uint8Array(20 << 20);
    it('rejects a declared compression ratio above the limit (LIMIT_EXCEEDED)', async () => {
      expect(await outcome(one({ data: zeros }))).toBe('LIMIT_EXCEEDED');
    });

    it('stops inflating as soon as data exceeds its lying declared size (BAD_ZIP)', async () => {
      const raw = deflateRawSync(zeros);
      let produced = 0;
      const counting = (input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> => (async function* () {
        for await (const chunk of nodeInflateRaw(input)) {
          produced += chunk.length;
          yield chunk;
        }
      })();
      const bytes = one({ raw, uncompressedSize: 1000 });
      expect(await outcome(bytes, { ...NODE, inflateRaw: counting })).toBe('BAD_ZIP');
      expect(produced).toBeLessThan(2 << 20); // stopped early, not after 20 MiB
    });

    it('rejects a declared size above maxEntrySize and a total above maxTotalSize', async () => {
      expect(await outcome(one({ data: 'x'.repeat(2000), method: 0 }), { ...NODE, limits: { maxEntrySize: 1000 } })).toBe('LIMIT_EXCEEDED');
      const two = craftZip([{ name: 'b/1', data: 'x'.repeat(600), method: 0 }, { name: 'b/2', data: 'x'.repeat(600), method: 0 }]);
      expect(await outcome(two, { ...NODE, limits: { maxTotalSize: 1000 } })).toBe('LIMIT_EXCEEDED');
    });

    it('rejects overlapping entries (two central records sharing one local header)', async () => {
      const bytes = craftZip([{ name: 'bag/a.txt', data: 'abc' }, { name: 'bag/a.txt', data: 'abc', sameOffsetAs: 0, central: { name: 'bag/b.txt' } }]);
      expect(await outcome(bytes)).toBe('BAD_ZIP');
    });

    it('rejects more entries than maxEntries before reading them', async () => {
      const bytes = craftZip(Array.from({ length: 20 }, (_, i) => ({ name: `b/${i}`, data: '' })));
      expect(await outcome(bytes, { ...NODE, limits: { maxEntries: 10 } })).toBe('LIMIT_EXCEEDED');
    });

    it('rejects an end record claiming 65,535 entries in a tiny directory, quickly', async () => {
      expect(await outcome(one({}), NODE)).toBe('ok');
      const bytes = craftZip([{ name: 'b/1', data: '' }], { end: { onDisk: 65_535, total: 65_535 } });
      expect(await outcome(bytes, { ...NODE, limits: { maxEntries: 100_000 } })).toBe('BAD_ZIP');
    });
  });

  describe('when an entry name is unsafe', () => {
    for (const name of ['../x', 'bag/../../x', '/etc/passwd', 'C:\\x', 'C:/x', 'a\\..\\b', 'bag/./x', 'bag//x', 'bag/a\u0001b', 'bag/x.', 'bag/x ', 'bag/\u2028']) {
      it(`rejects ${JSON.stringify(name)} as UNSAFE_PATH`, async () => {
        expect(await outcome(one({ name }))).toBe('UNSAFE_PATH');
      });
    }

    it('rejects names that are not UTF-8 (with or without the UTF-8 flag)', async () => {
      expect(await outcome(one({ name: Uint8Array.of(0x62, 0x2f, 0xff, 0xfe) }))).toBe('UNSAFE_PATH');
      expect(await outcome(one({ name: Uint8Array.of(0x62, 0x2f, 0x82), flags: 0 }))).toBe('UNSAFE_PATH');
    });

    it('rejects a name longer than maxNameLength', async () => {
      expect(await outcome(one({ name: `b/${'x'.repeat(300)}` }), { ...NODE, limits: { maxNameLength: 100 } })).toBe('LIMIT_EXCEEDED');
    });

    it('rejects the Info-ZIP Unicode Path extra field, which could rename the entry', async () => {
      const extra = Uint8Array.of(0x75, 0x70, 5, 0, 1, 0, 0, 0, 0);
      expect(await outcome(one({ extra }))).toBe('UNSAFE_PATH');
    });
  });

  describe('when names collide', () => {
    for (const [a, b] of [['bag/a.txt', 'bag/a.txt'], ['bag/Data.txt', 'bag/data.txt'], ['bag/\u00e9.txt', 'bag/e\u0301.txt'], ['bag/a', 'bag/a/b'], ['bag/x/', 'bag/x']] as const) {
      it(`rejects ${JSON.stringify(a)} and ${JSON.stringify(b)} as DUPLICATE_ENTRY`, async () => {
        expect(await outcome(craftZip([{ name: a, data: '' }, { name: b, data: '' }]))).toBe('DUPLICATE_ENTRY');
      });
    }
  });

  describe('when features are unsupported', () => {
    it('rejects encryption, unknown methods and multi-disk archives (UNSUPPORTED)', async () => {
      expect(await outcome(one({ flags: 0x0801 }))).toBe('UNSUPPORTED');
      expect(await outcome(one({ method: 99, raw: new Uint8Array(5) }))).toBe('UNSUPPORTED');
      expect(await outcome(one({ method: 12, raw: new Uint8Array(5) }))).toBe('UNSUPPORTED');
      expect(await outcome(craftZip([{ name: 'b/1', data: 'x' }], { end: { disk: 1, cdDisk: 1 } }))).toBe('UNSUPPORTED');
    });
  });

  describe('when records disagree', () => {
    const cases: [string, Uint8Array][] = [
      ['data before the first entry', craftZip([{ name: 'b/1', data: 'x' }], { prefix: new Uint8Array(10) })],
      ['bytes hidden before the central directory', craftZip([{ name: 'b/1', data: 'x' }], { gap: new Uint8Array(7) })],
      ['trailing data after the end record', craftZip([{ name: 'b/1', data: 'x' }], { trailer: new Uint8Array(3) })],
      ['a local name that differs from the central name', one({ local: { name: 'bag/evil.txt' } })],
      ['local sizes that differ from the central ones', one({ local: { uncompressedSize: 99 } })],
      ['a local method that differs', one({ local: { method: 0 } })],
      ['an end record whose counts disagree', craftZip([{ name: 'b/1', data: 'x' }], { end: { onDisk: 1, total: 2 } })],
      ['a wrong central directory offset', craftZip([{ name: 'b/1', data: 'x' }], { end: { cdOffset: 3 } })],
      ['ZIP64 markers without a ZIP64 locator', craftZip([{ name: 'b/1', data: 'x' }], { end: { cdOffset: 0xffffffff } })],
      ['a ZIP64 size marker without a ZIP64 field', one({ central: { uncompressedSize: 0xffffffff } })],
      ['a stored entry whose sizes differ', one({ method: 0, uncompressedSize: 4, compressedSize: 5 })],
      ['a directory with data', craftZip([{ name: 'bag/dir/', data: 'x', method: 0 }])],
      ['a malformed extra field', one({ extra: Uint8Array.of(1, 2, 50, 0) })],
      ['a data descriptor that disagrees', craftZip([{ name: 'b/1', data: 'x', descriptor: true, flags: 0x0808, central: { crc: 1 }, local: { crc: 0, compressedSize: 0, uncompressedSize: 0 } }])],
    ];
    for (const [label, bytes] of cases) {
      it(`rejects ${label} as BAD_ZIP`, async () => {
        expect(await outcome(bytes)).toBe('BAD_ZIP');
      });
    }
  });

  describe('when entry data is corrupt', () => {
    it('reports a CRC mismatch (CRC_MISMATCH) and corrupt deflate data (BAD_ZIP) while reading', async () => {
      expect(await outcome(one({ crc: 12345 }))).toBe('CRC_MISMATCH');
      expect(await outcome(one({ raw: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff), uncompressedSize: 5 }))).toBe('BAD_ZIP');
      expect(await outcome(one({ raw: deflateRawSync(new TextEncoder().encode('hi')), uncompressedSize: 5 }))).toBe('BAD_ZIP');
    });

    it('reports corrupt deflate data with the default DecompressionStream too', async () => {
      expect(await outcome(one({ raw: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff), uncompressedSize: 5 }), {})).toBe('BAD_ZIP');
    });
  });

  describe('with the default inflate, which checks CRC-32 and size natively (gzip framing)', () => {
    /** The plain inflate, counted: it runs only to name the problem of an entry the native check failed. */
    const counted = (): { options: ZipReaderOptions; calls: () => number } => {
      let calls = 0;
      const inflateRaw: ByteTransform = (input) => {
        calls += 1;
        return webInflateRaw(input);
      };
      return { options: { inflateRaw, inflateChecked: webInflateChecked }, calls: () => calls };
    };

    it('reads good entries in one pass, without the plain inflate', async () => {
      const { options, calls } = counted();
      const bytes = craftZip([
        { name: 'bag/a.txt', data: 'alpha beta gamma '.repeat(20_000) },
        { name: 'bag/empty.txt', data: '' },
        { name: 'bag/stored.txt', data: 'stored', method: 0 },
      ]);
      expect(await outcome(bytes, options)).toBe('ok');
      expect(await outcome(bytes, {})).toBe('ok');
      expect(calls()).toBe(0);
    });

    it('names a CRC-32 mismatch, with the expected and found values, by reading the entry again', async () => {
      const { options, calls } = counted();
      const archive = await openZip(memorySource(one({ crc: 0x3039 })), options);
      const error = await archive.read(archive.entries[0] as never, 1 << 20).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).code).toBe('CRC_MISMATCH');
      expect((error as BundleError).details).toMatchObject({ name: 'bag/file.txt', expected: '00003039', found: '3610a686' });
      expect(calls()).toBe(1);
    });

    it('names data shorter or longer than declared, and corrupt data, as BAD_ZIP', async () => {
      const short = one({ raw: deflateRawSync(new TextEncoder().encode('hi')), uncompressedSize: 5 });
      const long = one({ raw: deflateRawSync(new Uint8Array(4 << 20)), uncompressedSize: 1000 });
      const corrupt = one({ raw: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff), uncompressedSize: 5 });
      for (const bytes of [short, long, corrupt]) {
        const archive = await openZip(memorySource(bytes), {});
        const error = await archive.read(archive.entries[0] as never, 1 << 30).then(() => undefined, (e: unknown) => e);
        expect((error as BundleError).code).toBe('BAD_ZIP');
      }
      const archive = await openZip(memorySource(short), {});
      await expect(archive.read(archive.entries[0] as never, 1 << 20)).rejects.toThrow(/has 2 bytes, not its declared 5/);
    });
  });

  describe('when bytes of a valid archive are flipped at random', () => {
    it('either reads it or throws a BundleError (property)', async () => {
      const sink = memorySink();
      const zip = createZipWriter(sink, { modifiedAt: new Date(0), forceZip64: false });
      await zip.addEntry('bag/a.txt', new TextEncoder().encode('alpha '.repeat(50)));
      const open = zip.openEntry('bag/b.txt', { method: 'store' });
      await open.write(new TextEncoder().encode('beta'));
      await open.close();
      await zip.finish();
      const valid = sink.bytes();
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (flips) => {
          const bytes = valid.slice();
          for (const [at, xor] of flips) bytes[at] = (bytes[at] as number) ^ xor;
          await outcome(bytes); // throws the test if the error is untyped
        }),
        { numRuns: 400 },
      );
    });
  });
});
