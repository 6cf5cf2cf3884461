/**
 * The benchmark still runs. `npm run bench` is the only other thing that runs `bench/ledger.bench.ts` (its worker
 * threads, its proofs of a tree it builds), so a change to the library could break it unseen. Here it runs at a tiny
 * scale (`BENCH_SCALE=0.001`: trees of 10,000 leaves, 1,000 proofs), to its end, and prints every figure; no figure
 * is judged (the bench weighs its goals itself, and says so in what it prints).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { literal, runBench } from '@custody/vitest-config/bench';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the benchmark, at a tiny scale', () => {
  it('ledger.bench appends, proves, verifies (in worker threads too) and prints every figure', async () => {
    const run = await runBench(root, 'ledger.bench.ts', { env: { BENCH_SCALE: '0.001' } });
    expect(run.status, run.out).toBe(0);
    // Each figure's line as the bench prints it while it runs (`  <metric>: <value>`).
    for (const [metric, value] of [
      ['raw SHA-256, 64-byte messages (createHash)', /[\d,]+ hashes\/s/],
      ['leaves appended/s (10,000 leaves, leaf hash + appender + store)', /[\d,]+\/s = \d+% of raw/],
      ['stored hashes per leaf', /[\d.]+/],
      ['inclusion proofs generated/s at size 10,000', /[\d,]+\/s/],
      ['inclusion proofs verified/s at size 10,000 (1 thread)', /[\d,]+\/s/],
      ['root of 10,000 leaves (rootHash)', /[\d.]+ s/],
      ['build 10,000-leaf tree into MemoryHashStore', /[\d.]+ s \([\d,]+ leaves\/s/],
      [/generate 1,000 inclusion proofs \(\d+ worker threads\)/, /[\d.]+ s/],
      [/verify 1,000 inclusion proofs of 10,000 leaves \(\d+ worker threads, createHash\)/, /[\d.]+ s wall \([\d,]+\/s\)/],
      [/verify 1,000 inclusion proofs of 10,000 leaves \(\d+ worker threads, crypto\.hash\)/, /[\d.]+ s wall \([\d,]+\/s\)/],
      ['generate one multi-leaf proof of the same 1,000 leaves', /[\d.]+ s \([\d,]+ hashes\)/],
      ['verify it (streaming, 1 thread)', /[\d.]+ s/],
    ] as const) {
      const label = typeof metric === 'string' ? literal(metric) : metric.source;
      expect(run.out).toMatch(new RegExp(`^  ${label}: ${value.source}`, 'm'));
    }
    expect(run.out).toContain('| metric ');
  });
});
