/**
 * The benchmarks still run. `npm run bench` runs `verify.bench.ts` and `sha256.bench.ts`, and nothing runs
 * `production.bench.ts` but a person, so a change to the writer, the verifier or the platform adapters could break
 * one unseen. Here each runs at a tiny scale, to its end, and prints its figures; no figure is judged. The three run
 * at once (each in its own Node), which keeps this file to about four seconds on two cores.
 *
 * `sha256.bench.ts` runs in Node only (`BENCH_BROWSER=0`): its Chromium half would add 1.5 to 2.5 s of launching a
 * browser, and the WebAssembly SHA-256 it measures there runs in Chromium in the viewer's e2e suites anyway (the
 * engine's Worker verifies with it). Its browser harness (the esbuild bundle, `measure` sent as source) is therefore
 * not smoke-tested: `BENCH_SCALE=0.001 npx tsx bench/sha256.bench.ts` runs it in a few seconds.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { literal, runBench } from '@custody/vitest-config/bench';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the benchmarks, at a tiny scale', { concurrent: true }, () => {
  it('verify.bench writes a bundle, verifies it inline and in worker threads, and prints each phase', async () => {
    const run = await runBench(root, 'verify.bench.ts', { env: { BENCH_SCALE: '0.001' } });
    expect(run.status, run.out).toBe(0);
    expect(run.out).toMatch(
      /^raw SHA-256: [\d,]+ hashes\/s of 552-byte messages \(crypto\.hash\), [\d,]+\/s \(createHash\); [\d,]+ MB\/s streaming$/m,
    );
    expect(run.out).toMatch(/^bundle: 1,001 events shown, 111 withheld \(complete range of 1,112 leaves in a tree of 1,144\); /m);
    for (const phase of ['write (1 thread + zlib pool)', 'verify, inline', 'verify, 2 worker threads']) {
      expect(run.out).toMatch(new RegExp(`^${literal(phase)} +[\\d.]+ s +[\\d,]+ events/s +[\\d,]+ MB$`, 'm'));
    }
    expect(run.out).toMatch(/^verification: [\d,]+ events\/s = \d+% of the raw rate of 552-byte hashes/m);
    expect(run.out).toContain('valid: inline true, workers true');
  });

  it('production.bench prints rows/s of the CSV, DAT and withholding-log writers', async () => {
    const run = await runBench(root, 'production.bench.ts', { env: { BENCH_ROWS: '1000' } });
    expect(run.status, run.out).toBe(0);
    // | writer | rows/s | time for the rows | CPU time | CPU vs reference | output | …
    const writers = ['reference: JSON.stringify(event)', 'CSV (formula guard on)', 'DAT UTF-8', 'DAT windows-1252', 'withholding log'];
    for (const writer of writers) {
      expect(run.out).toMatch(new RegExp(`^\\| ${literal(writer)} \\| [\\d,]+ \\| [\\d.]+ s \\| [\\d.]+ s \\| [\\d.]+x \\| [\\d.]+ MB \\|`, 'm'));
    }
  });

  it('sha256.bench compares the portable and WebAssembly SHA-256 in Node (its Chromium half is left out, see above)', async () => {
    const run = await runBench(root, 'sha256.bench.ts', { env: { BENCH_SCALE: '0.001', BENCH_BROWSER: '0' } });
    expect(run.status, run.out).toBe(0);
    // Node comes first: under each workload there, the portable implementation's rates, then WebAssembly's.
    const rate = (label: string): string => `\\n {4}${label} +best +[\\d,]+ +median +[\\d,]+`;
    for (const workload of [
      'incremental, 64 KiB updates (MB/s)',
      'one-shot sha256Into, 65 bytes (hashes/s)',
      'one-shot sha256Into, 550 bytes (hashes/s)',
      'leaf hashes, batches of 2000, 550 bytes (hashes/s)',
      'leaf hashes, batches of 2000, 300…800 bytes (hashes/s)',
    ]) {
      expect(run.out).toMatch(new RegExp(`^  ${literal(workload)}${rate('portable')}${rate('wasm')} +[\\d.]+× portable$`, 'm'));
    }
    expect(run.out).toMatch(/^ {4}simd +best +[\d,]+ +median +[\d,]+ +[\d.]+× portable +[\d.]+× wasm$/m);
    expect(run.out).not.toContain('Chromium');
  });
});
