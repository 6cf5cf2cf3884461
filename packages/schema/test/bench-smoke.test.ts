/**
 * The benchmark still runs. `npm run bench` is the only other thing that runs `bench/validate.bench.ts`, so a change
 * to what it imports could break it unseen. Here it runs at a tiny scale (`BENCH_SECONDS=0.01`: 10 ms a
 * measurement), to its end, and prints every figure; no figure is judged (the figures are printed, never asserted,
 * by the bench itself).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs a bench script in a fresh Node (with tsx) to its end, or kills it after two and a half minutes: its exit
 * status and what it printed. The `BENCH_*` variables of the caller are left out, so only `env` sets the scale.
 */
function runBench(script: string, env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BENCH_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', script)], {
      cwd: root,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 150_000,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

/** `text` as a regular expression matching itself. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the benchmark, at a tiny scale', () => {
  it('validate.bench prints a rate for the parse step and validateEvent on both paths', async () => {
    const run = await runBench('validate.bench.ts', { BENCH_SECONDS: '0.01' });
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
