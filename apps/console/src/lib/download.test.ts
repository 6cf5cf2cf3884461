import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { formatBytes, hashFile, httpErrorOf } from './download';
import type { THashProgress } from './download';

describe('formatBytes', () => {
  it('uses the largest unit below the size', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(15_360)).toBe('15 KB');
    expect(formatBytes(1_258_291)).toBe('1.2 MB');
  });
});

describe('hashFile', () => {
  it('hashes a file read in chunks as one SHA-256, and reports having read all of it', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
    // Several parts, so the stream yields several chunks.
    const file = new Blob([bytes.subarray(0, 1000), bytes.subarray(1000, 2_000_000), bytes.subarray(2_000_000)]);
    const seen: THashProgress[] = [];
    const hex = await hashFile(file, (p) => seen.push(p));
    expect(hex).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(seen.at(-1)).toEqual({ read: bytes.length, total: bytes.length });
  });

  it('stops once its signal aborts', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(hashFile(new Blob([new Uint8Array(10)]), () => undefined, abort.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('httpErrorOf', () => {
  it("says the API's message with its code and status, or the status alone for another body", async () => {
    const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    expect(await httpErrorOf(json({ code: 'GONE', message: 'export "exp_1" expired' }, 410))).toBe('Export "exp_1" expired (GONE · HTTP 410)');
    expect(await httpErrorOf(json({ message: 'no such thing' }, 404))).toBe('No such thing (HTTP 404)');
    expect(await httpErrorOf(json(null, 500))).toBe('HTTP 500');
    expect(await httpErrorOf(new Response('<h1>Bad gateway</h1>', { status: 502 }))).toBe('HTTP 502');
  });
});
