/**
 * The benchmark still runs. `bench/search-migration.ts` (what migration 0009 costs on a large log; docs/operations.md
 * quotes it) is run by hand only, and it builds its table the way the server indexed events before 0009, so a change
 * to the schema, the migrations or the test helpers could break it unseen. Here it runs on 2,000 events instead of
 * 1,000,000, to its end, and prints its figure and its check that the migration found the Devanagari words whole;
 * the time is not judged. On Postgres too when the suites run there (`DIALECTS`), as the bench does when
 * DATABASE_URL names a server.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { DIALECTS } from '../src/testing/index';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs a bench script in a fresh Node (with tsx) to its end, or kills it after two and a half minutes: its exit
 * status and what it printed. The `BENCH_*` variables of the caller are left out, and DATABASE_URL is passed on only
 * when the suites use Postgres.
 */
function runBench(script: string, args: readonly string[]): Promise<{ status: number | null; out: string }> {
  const postgres = DIALECTS.includes('postgres');
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('BENCH_') && (name !== 'DATABASE_URL' || postgres)),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', script), ...args], {
      cwd: root,
      env: inherited,
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

describe('the benchmark, at a tiny scale', () => {
  it(`search-migration fills ${DIALECTS.join(' and ')}, times migration 0009 and finds the Devanagari words whole`, async () => {
    const run = await runBench('search-migration.ts', ['2000']);
    expect(run.status, run.out).toBe(0);
    for (const dialect of DIALECTS) {
      expect(run.out).toMatch(new RegExp(`^${dialect}: migration 0009 over 2,000 events: [\\d.]+ s \\([\\d.]+ s per 1,000,000\\)$`, 'm'));
    }
    // A hundredth of the events hold 'हिन्दी': found whole after the migration, and no longer by its first letter.
    const found = [...run.out.matchAll(/^ {2}'हिन्दी' found (\d+) → (\d+) events; 'ह' (\d+) → (\d+) /gm)].map((m) => m.slice(1).join(' '));
    expect(found).toEqual(DIALECTS.map(() => '0 20 20 0'));
  });
});
