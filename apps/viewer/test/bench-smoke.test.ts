/**
 * The benchmarks still run. Only a person runs `bench/engine.bench.ts` and `bench/viewer.bench.ts` (`npm run bench`),
 * and the viewer bench drives the page by its labels and test ids, so a change to the engine, the bundle writer or
 * the page could break one unseen. Here each runs at a tiny scale (`BENCH_SCALE=0.001`: 1,000 events; the viewer
 * bench times one filter and one search, `BENCH_QUERIES=1`), to its end, and prints its figures; no figure is judged.
 * The two run at once, each building its bundle in a scratch folder of its own (`BENCH_DATA_DIR`), so the viewer
 * bench builds one itself rather than take the engine bench's, and bench/.data/ is left alone. The viewer bench needs
 * Chromium (as the e2e suites do) and is skipped, saying why, without it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { literal, runBench } from '@custody/vitest-config/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The Chromium the viewer bench drives (its default, as e2e/browser.ts's). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** How many lines of `out` match `pattern` (a whole line). */
const lines = (out: string, pattern: string): number => [...out.matchAll(new RegExp(`^${pattern}$`, 'gm'))].length;

const chromiumMissing = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
if (chromiumMissing !== undefined) console.warn(`[test/bench-smoke] viewer.bench skipped: ${chromiumMissing}`);

describe('the benchmarks, at a tiny scale', { concurrent: true }, () => {
  let engineData: string;
  let viewerData: string;
  beforeAll(async () => {
    engineData = await mkdtemp(join(tmpdir(), 'custody-engine-bench-smoke-'));
    viewerData = await mkdtemp(join(tmpdir(), 'custody-viewer-bench-smoke-'));
  });
  afterAll(async () => {
    await rm(engineData, { recursive: true, force: true });
    await rm(viewerData, { recursive: true, force: true });
  });

  it('engine.bench opens its bundle with the verifier inline and in a worker, and prints both runs', async () => {
    const run = await runBench(root, 'engine.bench.ts', { env: { BENCH_SCALE: '0.001', BENCH_DATA_DIR: engineData } });
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain('One thread (verifier inline in the engine Worker): 1,000 rows, verdict valid');
    expect(run.out).toContain('Two threads (verifier in a second worker via the `verify` option): 1,000 rows, verdict valid');
    // Each figure once per run.
    for (const [label, value] of [
      ['first 100 rows available', '[\\d.]+ s'],
      ['fully loaded (all rows queryable)', '[\\d.]+ s'],
      ['fully verified', '[\\d.]+ s'],
      ['20 filters: p50 / p95', '\\d+ ms / \\d+ ms'],
      ['20 full-text searches: p50 / p95', '\\d+ ms / \\d+ ms'],
      ['sort all by actor / histogram / 5 facets', '\\d+ ms / \\d+ ms / \\d+ ms'],
      ['peak heap / peak RSS', '\\d+ MB / \\d+ MB'],
      ['engine memory: columns+dicts / raw lines / text index', '\\d+ / \\d+ / \\d+ MB'],
    ] as const) {
      expect(lines(run.out, ` {2}${literal(label)} +${value}(?: .*)?`), label).toBe(2);
    }
    expect(lines(run.out, ' {2}filter matches: \\d+(, \\d+){19}')).toBe(2);
  });

  it.skipIf(chromiumMissing !== undefined)(
    chromiumMissing === undefined
      ? 'viewer.bench opens a bundle it builds in Chromium, times a filter and a search, and prints its figures'
      : `viewer.bench (skipped: ${chromiumMissing})`,
    async () => {
      const run = await runBench(root, 'viewer.bench.ts', { env: { BENCH_SCALE: '0.001', BENCH_DATA_DIR: viewerData, BENCH_QUERIES: '1' } });
      expect(run.status, run.out).toBe(0);
      expect(run.out).toContain(`viewer bench: ${join(viewerData, 'viewer-bundle-1000.zip')} `);
      expect(run.out).toMatch(/^CPU reference \(Node, one thread: inflate \+ JSON\.parse of the events, to compare runs\): \d+ MB\/s$/m);
      for (const [label, value] of [
        ['rows (verdict)', '1,000 \\(verified\\)'],
        ['time to first rows visible', '[\\d.]+ s'],
        ['time to fully verified', '[\\d.]+ s'],
        ['1 filter via the query bar: p50 / p95', '\\d+ ms / \\d+ ms'],
        ['1 full-text search: p50 / p95', '\\d+ ms / \\d+ ms'],
        ['CPU of all Chromium processes, opening to verified', '[\\d.]+ s'],
        ['peak memory, all Chromium processes (sum of PSS)', '\\d+ MB'],
        ['peak RSS of the renderer (page + engine + verifier)', '\\d+ MB'],
        ['page JS heap (performance.memory), at the end', '\\d+ MB'],
      ] as const) {
        expect(run.out).toMatch(new RegExp(`^ {2}${literal(label)} +${value}(?: |$)`, 'm'));
      }
      expect(run.out).toMatch(/^ {2}filter matches: \d+$/m);
      expect(run.out).toMatch(/^ {2}search matches: \d+$/m);
    },
  );
});
