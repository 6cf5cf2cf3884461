/**
 * The benchmarks still run. Nothing else runs them, and they start real servers on real datasets, so a change
 * elsewhere can break one unseen (a server refusing the query dataset, signed with a key it was not given, broke both
 * the query and the export benches for sessions). Here each runs at a tiny scale, to its end, and prints its figures;
 * no figure is judged (speed goals live in the benches themselves, never in tests).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runBench } from '@custody/vitest-config/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The server's benches log at `warn`, and take longer than a package's: they start real servers. */
const SERVER_BENCH = { timeoutMs: 540_000, env: { LOG_LEVEL: 'warn' } };

describe('the benchmarks, at a tiny scale', { timeout: 600_000 }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'custody-bench-smoke-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('ingest.bench runs its raw, HTTP, query and Postgres sections to the end', async () => {
    const postgres = DIALECTS.includes('postgres');
    const run = await runBench(root, 'ingest.bench.ts', {
      ...SERVER_BENCH,
      env: {
        ...SERVER_BENCH.env,
        BENCH_DATA_DIR: dataDir,
        BENCH_SCALE: '0.001',
        BENCH_ONLY: postgres ? 'raw,http,query,postgres' : 'raw,http,query',
        BENCH_HTTP: 'b100,single',
        BENCH_QUERY_SIZES: '1000',
        BENCH_QUERY_SAMPLES: '2',
      },
    });
    expect(run.status, run.out).toBe(0);
    for (const figure of [
      'raw better-sqlite3 insert of the same rows',
      'batches of 100, 4 clients: events/s',
      'single events, 16 concurrent: events/s',
      'events committed and covered by a signed checkpoint',
      'list, no filter, newest first (p50 / p95)',
      'list, full text prefix: a partial request id (p50 / p95)',
      'stats, whole log (from the counts kept at ingest)',
      'restart to statistics copies ready',
      ...(postgres ? ['Postgres ingest: two server processes on one database'] : []),
    ]) {
      expect(run.out).toContain(figure);
    }
    // The dataset is kept with the key it was signed with, for the next run and for the export bench.
    expect(existsSync(join(dataDir, 'query-1000.db.signing.key'))).toBe(true);
  });

  it('export.bench exports the dataset the ingest bench built, with its key', async () => {
    // The export alone: the whole bench also rebuilds dist/cli.js, which other tests may be running meanwhile.
    const run = await runBench(root, 'export.bench.ts', {
      ...SERVER_BENCH,
      env: { ...SERVER_BENCH.env, BENCH_DATA_DIR: dataDir, BENCH_EXPORT_DATASET: '1000', BENCH_EXPORT_ONLY: '1' },
    });
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain('Export and verify benchmark: 1,000 events of a 1,000-event log (SQLite)');
    expect(run.out).toMatch(/export [\d.]+ s, peak RSS \d+ MB/);
  });
});
