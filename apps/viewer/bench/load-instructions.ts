/**
 * Instructions the engine's loading takes, to compare builds where wall time cannot: `npx tsx
 * bench/load-instructions.ts` or `npm run bench:instructions` from apps/viewer (`BENCH_MB=30` by default).
 *
 * It cuts the first BENCH_MB MB (whole lines) of the viewer bench's events.ndjson (the bundle `npm run bench`
 * builds once), then loads them three times into a `ColumnStore` the way the engine's loader does (8 MiB blocks
 * filled from 64 KiB chunks, `addLines`), in a child Node under `valgrind --tool=callgrind` with V8 on one thread (no
 * background compiling or GC threads), and prints the instructions of one load, in all and per event: the count
 * of three loads less that of a child that only starts and imports the store.
 *
 * Why: on a shared VM the same build's time to verified has moved by a third from run to run, and its CPU time by a
 * fifth; this count repeats within about 1 % whatever else the host does. It covers the engine's parsing and
 * indexing only (not inflating, not the verifier, not V8 as Chromium tiers it), so it compares changes there.
 * Needs valgrind (Debian: `apt-get install valgrind`); says so and stops without it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInflateRaw } from 'node:zlib';

import { openZip } from '@custody/bundle';

import { fileSource, zlibTransform } from './node-io';

const CHILD = fileURLToPath(new URL('./load-instructions.child.ts', import.meta.url));
/** The viewer benches' data folder (`BENCH_DATA_DIR`, default bench/.data/). */
const DATA = process.env.BENCH_DATA_DIR ?? join(fileURLToPath(new URL('.', import.meta.url)), '.data');

async function cutEvents(megabytes: number): Promise<string> {
  const out = join(DATA, `events-${megabytes}MB.ndjson`);
  if (existsSync(out)) return out;
  const bundle = ['bundle-1000000.zip', 'viewer-bundle-1000000.zip'].map((name) => join(DATA, name)).find((path) => existsSync(path));
  if (bundle === undefined) throw new Error(`no bench bundle in ${DATA}: run \`npm run bench\` once to build it`);
  const source = await fileSource(bundle);
  try {
    const zip = await openZip(source, { inflateRaw: zlibTransform(() => createInflateRaw()) });
    const entry = zip.entries.find((e) => e.name.endsWith('/data/events.ndjson'));
    if (entry === undefined) throw new Error(`${bundle} has no data/events.ndjson`);
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of zip.stream(entry, { verifyCrc: false })) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= megabytes * 1e6) break;
    }
    const all = Buffer.concat(chunks);
    writeFileSync(out, all.subarray(0, all.lastIndexOf(10, megabytes * 1e6) + 1));
  } finally {
    await source.close();
  }
  return out;
}

/** Instructions of the child loading `file` `passes` times (0: just starting and importing). */
function countInstructions(file: string, passes: number): number {
  const result = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', '--import', 'tsx', CHILD, file, String(passes)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const collected = /Collected : (\d+)/.exec(result.stderr)?.[1];
  if (result.status !== 0 || collected === undefined) throw new Error(`valgrind failed (status ${result.status}): ${result.stderr.slice(-2000)}`);
  return Number(collected);
}

async function main(): Promise<void> {
  const megabytes = Number(process.env.BENCH_MB ?? '30');
  if (!(megabytes > 0)) throw new Error(`BENCH_MB must be a positive number of megabytes, not ${JSON.stringify(process.env.BENCH_MB)}`);
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('load-instructions: valgrind was not found (Debian: apt-get install valgrind); nothing measured');
    return;
  }
  const file = await cutEvents(megabytes);
  const events = readFileSync(file).reduce((n, byte) => (byte === 10 ? n + 1 : n), 0);
  console.log(`counting instructions under callgrind: Node starting and importing the store, then that and 3 ColumnStore loads of ${file} (${events.toLocaleString('en-US')} events)…`);
  const start = countInstructions(file, 0);
  const total = countInstructions(file, 3);
  const perLoad = (total - start) / 3;
  console.log(`  one load: ${(perLoad / 1e9).toFixed(3)} billion instructions, ${Math.round(perLoad / events).toLocaleString('en-US')} per event (start and imports: ${(start / 1e9).toFixed(3)} billion, left out)`);
  console.log(`  node ${process.version}, ${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}`);
}

await main();
