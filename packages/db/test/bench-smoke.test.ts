/**
 * The benchmark still runs. `bench/search-migration.ts` (what migration 0009 costs on a large log; docs/operations.md
 * quotes it) is run by hand only, and it builds its table the way the server indexed events before 0009, so a change
 * to the schema, the migrations or the test helpers could break it unseen. Here it runs on 2,000 events instead of
 * 1,000,000, to its end, and prints its figure and its check that the migration found the Devanagari words whole;
 * the time is not judged. On Postgres too when the suites run there (`DIALECTS`), as the bench does when
 * DATABASE_URL names a server.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runBench } from '@custody/vitest-config/bench';
import { describe, expect, it } from 'vitest';

import { DIALECTS } from '../src/testing/index';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The caller's variables but its `BENCH_*`, and DATABASE_URL only when the suites run on Postgres (the bench uses it). */
const inherit = (name: string): boolean => !name.startsWith('BENCH_') && (name !== 'DATABASE_URL' || DIALECTS.includes('postgres'));

describe('the benchmark, at a tiny scale', () => {
  it(`search-migration fills ${DIALECTS.join(' and ')}, times migration 0009 and finds the Devanagari words whole`, async () => {
    const run = await runBench(root, 'search-migration.ts', { args: ['2000'], inherit });
    expect(run.status, run.out).toBe(0);
    for (const dialect of DIALECTS) {
      expect(run.out).toMatch(new RegExp(`^${dialect}: migration 0009 over 2,000 events: [\\d.]+ s \\([\\d.]+ s per 1,000,000\\)$`, 'm'));
    }
    // A hundredth of the events hold 'हिन्दी': found whole after the migration, and no longer by its first letter.
    const found = [...run.out.matchAll(/^ {2}'हिन्दी' found (\d+) → (\d+) events; 'ह' (\d+) → (\d+) /gm)].map((m) => m.slice(1).join(' '));
    expect(found).toEqual(DIALECTS.map(() => '0 20 20 0'));
  });
});
