import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { memorySink, memorySource } from '../platform/defaults';
import { nodeCrc32, nodeDeflateRaw, nodeInflateRaw } from '../../test/node-adapters';
import { openZip } from './reader';
import { createZipWriter, type ZipWriterOptions } from './writer';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const dir = mkdtempSync(join(tmpdir(), 'custody-zip-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasTool = (tool: string): boolean => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const HAS_UNZIP = hasTool('unzip');

interface Entry {
  name: string;
  data: Uint8Array;
  method: 'store' | 'deflate';
  streamed: boolean;
}

async function writeZip(entries: readonly Entry[], options: ZipWriterOptions = {}): Promise<Uint8Array> {
  const sink = memorySink();
  const zip = createZipWriter(sink, { modifiedAt: new Date('2026-01-02T03:04:06Z'), ...options });
  for (const entry of entries) {
    if (entry.streamed) {
      const writer = zip.openEntry(entry.name, { method: entry.method });
      for (let at = 0; at < entry.data.length; at += 1000) await writer.write(entry.data.slice(at, at + 1000));
      await writer.close();
    } else {
      await zip.addEntry(entry.name, entry.data, { method: entry.method });
    }
  }
  await zip.finish();
  return sink.bytes();
}

async function readAll(bytes: Uint8Array, options = {}): Promise<Map<string, Uint8Array>> {
  const archive = await openZip(memorySource(bytes), options);
  const out = new Map<string, Uint8Array>();
  for (const entry of archive.entries) out.set(entry.name, await archive.read(entry, 1 << 30));
  return out;
}

const ADAPTERS = {
  'web streams (default)': {},
  'node zlib': { deflateRaw: nodeDeflateRaw, inflateRaw: nodeInflateRaw, crc32: nodeCrc32 },
} as const;

describe('ZipWriter and openZip', () => {
  for (const [label, adapters] of Object.entries(ADAPTERS)) {
    describe(`with ${label}`, () => {
      for (const forceZip64 of [false, true]) {
        it(`round-trips stored, deflated, streamed and empty entries${forceZip64 ? ' with forced ZIP64' : ''}`, async () => {
          const entries: Entry[] = [
            { name: 'bag/a.txt', data: utf8('hello world\n'.repeat(500)), method: 'deflate', streamed: false },
            { name: 'bag/empty-stored.txt', data: new Uint8Array(0), method: 'store', streamed: false },
            { name: 'bag/empty-deflated.txt', data: new Uint8Array(0), method: 'deflate', streamed: false },
            { name: 'bag/empty-streamed.txt', data: new Uint8Array(0), method: 'deflate', streamed: true },
            { name: 'bag/data/streamed.ndjson', data: utf8('{"a":1}\n'.repeat(3000)), method: 'deflate', streamed: true },
            { name: 'bag/data/stored-streamed.bin', data: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255), method: 'store', streamed: true },
            { name: 'bag/\u00e9t\u00e9/\u65e5\u672c.txt', data: utf8('utf-8 name'), method: 'deflate', streamed: false },
          ];
          const bytes = await writeZip(entries, { ...adapters, forceZip64 });
          const archive = await openZip(memorySource(bytes), adapters);
          expect(archive.zip64).toBe(forceZip64);
          expect(archive.entries.map((e) => e.name)).toEqual(entries.map((e) => e.name));
          expect(archive.entries.every((e) => e.modifiedAt.toISOString() === '2026-01-02T03:04:06.000Z')).toBe(true);
          const read = await readAll(bytes, adapters);
          for (const entry of entries) expect(read.get(entry.name)).toEqual(entry.data);
          if (HAS_UNZIP) {
            const path = join(dir, `rt-${label.replace(/\W/g, '')}-${forceZip64}.zip`);
            writeFileSync(path, bytes);
            expect(execFileSync('unzip', ['-t', path]).toString()).toContain('No errors detected');
          }
        });
      }
    });
  }

  it('round-trips random entries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8}){0,2}$/),
            data: fc.uint8Array({ maxLength: 3000 }),
            method: fc.constantFrom('store' as const, 'deflate' as const),
            streamed: fc.boolean(),
          }),
          { maxLength: 8, selector: (e) => e.name.split('/')[0] ?? '' },
        ),
        fc.boolean(),
        async (entries, forceZip64) => {
          const named = entries.map((e, i) => ({ ...e, name: `r${i}/${e.name}` }));
          const bytes = await writeZip(named, { forceZip64, ...ADAPTERS['node zlib'] });
          const read = await readAll(bytes, ADAPTERS['node zlib']);
          expect([...read.keys()]).toEqual(named.map((e) => e.name));
          for (const entry of named) expect(read.get(entry.name)).toEqual(entry.data);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('writes identical bytes for identical input (deterministic timestamps)', async () => {
    const entries: Entry[] = [{ name: 'x/a', data: utf8('same'), method: 'deflate', streamed: true }];
    expect(await writeZip(entries)).toEqual(await writeZip(entries));
  });

  it('handles many files', async () => {
    const entries: Entry[] = Array.from({ length: 2000 }, (_, i) => ({ name: `many/f${i}.txt`, data: utf8(`file ${i}`), method: i % 2 === 0 ? 'store' : 'deflate', streamed: i % 3 === 0 }));
    const bytes = await writeZip(entries, ADAPTERS['node zlib']);
    const read = await readAll(bytes, ADAPTERS['node zlib']);
    expect(read.size).toBe(2000);
    expect(new TextDecoder().decode(read.get('many/f1999.txt'))).toBe('file 1999');
  });

  it('switches to ZIP64 by itself above 65,534 entries', async () => {
    const sink = memorySink();
    const zip = createZipWriter(sink, { modifiedAt: new Date(0), crc32: nodeCrc32 });
    const empty = new Uint8Array(0);
    for (let i = 0; i < 65_535; i++) await zip.addPrepared(`n/${i}`, { method: 'store', crc32: 0, compressedSize: 0, uncompressedSize: 0, data: empty });
    const result = await zip.finish();
    expect(result.zip64).toBe(true);
    const archive = await openZip(memorySource(sink.bytes()), { limits: { maxEntries: 70_000 } });
    expect(archive.entries.length).toBe(65_535);
    expect(archive.zip64).toBe(true);
    if (HAS_UNZIP) {
      const path = join(dir, 'many-entries.zip');
      writeFileSync(path, sink.bytes());
      expect(execFileSync('unzip', ['-l', path], { maxBuffer: 64 << 20 }).toString()).toContain('65535 files');
    }
  });

  describe('when misused', () => {
    it('rejects a second entry while one is open, unsafe names and duplicates with typed errors', async () => {
      const zip = createZipWriter(memorySink());
      const open = zip.openEntry('a/1');
      await expect(zip.addEntry('a/2', utf8('x'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await open.close();
      await expect(zip.addEntry('../x', utf8('x'))).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
      await expect(zip.addEntry('A/1', utf8('x'))).rejects.toMatchObject({ code: 'DUPLICATE_ENTRY' });
    });
  });
});
