/**
 * The benchmark still runs. `npm run bench` is the only other thing that runs `bench/validate.bench.ts`, so a change
 * to what it imports could break it unseen. Here it runs at a tiny scale (`BENCH_SECONDS=0.01`: 10 ms a
 * measurement), to its end, and prints every figure; no figure is judged (the figures are printed, never asserted,
 * by the bench itself).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { literal, runBench } from '@custody/vitest-config/bench';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the benchmark, at a tiny scale', () => {
  it('validate.bench prints a rate for the parse step and validateEvent on both paths', async () => {
    const run = await runBench(root, 'validate.bench.ts', { env: { BENCH_SECONDS: '0.01' } });
    expect(run.status, run.out).toBe(0);
    for (const figure of [
      'parse step, full path (checkPlainness + zod)',
      'parse step, fast path (fastParseEvent)',
      'validateEvent, zod path forced',
      'validateEvent, fast path',
      'for scale: JSON.parse of the body',
    ]) {
      expect(run.out).toMatch(new RegExp(`^  ${literal(figure)} +[\\d,]+ events/s +[\\d.]+ µs/event`, 'm'));
    }
    expect(run.out).toMatch(/canonicalize -?[\d.]+, markValidated \(deep freeze \+ WeakMap\) -?[\d.]+/);
  });
});
