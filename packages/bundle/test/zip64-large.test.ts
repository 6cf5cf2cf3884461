/**
 * A real ZIP64 archive: one entry whose uncompressed size exceeds 4 GiB (4,299,161,600 bytes of a repeating
 * pattern, deflated to about 10 MB), written to a temp file and read back streaming with CRC and size checks.
 * About 20-25 s on the 2-core build machine, so it stays in the normal `npm test` run; the time limit leaves room
 * for a VM several times slower, or busy with other suites (it once took over 180 s on such a day).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createZipWriter, openZip } from '../src/index';
import { nodeCrc32, nodeDeflateRaw, nodeInflateRaw, openFileSink, openFileSource } from './node-adapters';

const dir = mkdtempSync(join(tmpdir(), 'custody-zip64-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a real ZIP64 archive over 4 GiB', () => {
  it('writes and streams back an entry of 4.3 GB', async () => {
    const path = join(dir, 'big.zip');
    const chunk = new Uint8Array(1 << 20);
    for (let i = 0; i < chunk.length; i++) chunk[i] = 97 + (i % 26);
    const chunks = 4100;
    const expectedSize = chunks * chunk.length;
    expect(expectedSize).toBeGreaterThan(2 ** 32);
    const sink = await openFileSink(path);
    const zip = createZipWriter(sink, { deflateRaw: nodeDeflateRaw, crc32: nodeCrc32, modifiedAt: new Date('2026-01-01T00:00:00Z') });
    await zip.addEntry('big/small-before.txt', new TextEncoder().encode('before'));
    const entry = zip.openEntry('big/pattern.bin');
    for (let i = 0; i < chunks; i++) await entry.write(chunk);
    const info = await entry.close();
    await zip.addEntry('big/small-after.txt', new TextEncoder().encode('after'));
    const result = await zip.finish();
    await sink.close();
    expect(info.uncompressedSize).toBe(expectedSize);
    expect(statSync(path).size).toBe(result.bytesWritten);
    expect(statSync(path).size).toBeLessThan(20 << 20);

    const source = await openFileSource(path);
    try {
      const archive = await openZip(source, { inflateRaw: nodeInflateRaw, crc32: nodeCrc32, limits: { maxCompressionRatio: 1100 } });
      const big = archive.get('big/pattern.bin');
      expect(big?.uncompressedSize).toBe(expectedSize);
      expect(big?.zip64).toBe(true);
      let total = 0;
      let sample = '';
      for await (const piece of archive.stream(big!)) {
        if (sample.length === 0) sample = new TextDecoder().decode(piece.subarray(0, 26));
        total += piece.length;
      }
      expect(total).toBe(expectedSize);
      expect(sample).toBe('abcdefghijklmnopqrstuvwxyz');
      expect(new TextDecoder().decode(await archive.read(archive.get('big/small-after.txt')!, 100))).toBe('after');
    } finally {
      await source.close();
    }
    // An independent reader agrees on the ZIP64 central directory.
    try {
      execFileSync('which', ['unzip'], { stdio: 'ignore' });
    } catch {
      return;
    }
    const listing = execFileSync('unzip', ['-lv', path]).toString();
    expect(listing).toContain(String(expectedSize));
    expect(listing).toContain('big/pattern.bin');
  }, 900_000);
});
