/**
 * Export and verification figures (issue: evidence bundles): a 1,000,000-event evidence bundle
 * exported by the server's export job from the SQLite query dataset, then verified by the built
 * `custody verify` in its own process. Prints seconds, peak RSS, events/s, and the machine's raw
 * SHA-256 and INFLATE rates beside them.
 *
 *   npx tsx bench/export.bench.ts            (uses/creates bench/.data/query-1000000.db via ingest.bench.ts)
 *   BENCH_EXPORT_EVENTS=100000 …             export only the first N events (seqTo)
 *   BENCH_EXPORT_ONLY=1 …                    skip the verification (with --cpu-prof, a profile of the export alone)
 *   BENCH_MEMLOG=1 …                         print the process's memory every second (where the peak comes from)
 *   BENCH_KEEP_BUNDLE=<path> …               keep a copy of the bundle there (to profile `custody verify` on it)
 *   BENCH_DATA_DIR=<dir> BENCH_EXPORT_DATASET=<size> …  another dataset of ingest.bench.ts (default bench/.data, 1000000)
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openZip } from '@custody/bundle';
import { Custody, defaultVerifyThreads, openFileSource, signingKeyFromText } from '@custody/core';
import { migrateToLatest, openDatabase } from '@custody/db';

import { datasetKeyFile } from './workload';

const here = dirname(fileURLToPath(import.meta.url));
const serverDir = join(here, '..');
/** The dataset exported: `query-<BENCH_EXPORT_DATASET>.db` in `BENCH_DATA_DIR`, as ingest.bench.ts builds it. */
const datasetSize = Number(process.env.BENCH_EXPORT_DATASET ?? '1000000');
const source = join(process.env.BENCH_DATA_DIR ?? join(here, '.data'), `query-${datasetSize}.db`);
const limit = Number(process.env.BENCH_EXPORT_EVENTS ?? '1000000');

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? process.memoryUsage().rss / 2 ** 20 : Number(kb) / 1024;
}

async function resetPeakRss(): Promise<void> {
  // Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
  const { writeFile } = await import('node:fs/promises');
  await writeFile('/proc/self/clear_refs', '5').catch(() => undefined);
}

function rawSha256Rate(size: number): { hashesPerSecond: number; mbPerSecond: number } {
  const message = new Uint8Array(size).fill(7);
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) createHash('sha256').update(message).digest();
  const seconds = (performance.now() - t0) / 1000;
  return { hashesPerSecond: n / seconds, mbPerSecond: (n * size) / seconds / 1e6 };
}

/**
 * This machine's raw INFLATE rate (zlib, one thread, MB/s of output) on 64 MB of event-like NDJSON deflated at
 * the export's level 1: verification must inflate every payload file, and one file inflates on one thread.
 */
function rawInflateRate(): number {
  const lines: string[] = [];
  for (let i = 0; lines.length < 120_000; i++) {
    lines.push(JSON.stringify({ action: `user.action_${i % 37}`, actor: { id: `u_${(i * 7919) % 100_003}`, type: 'user' }, id: `019ceb74-9cbc-7c1e-8b0f-${i.toString(16).padStart(12, '0')}`, metadata: { plan: i % 3 === 0 ? 'enterprise' : 'team', n: i }, occurred_at: new Date(1_773_475_200_000 + i * 997).toISOString(), seq: i, targets: [{ id: `doc_${i % 5000}`, type: 'document' }] }));
  }
  const plain = Buffer.from(`${lines.join('\n')}\n`);
  const packed = deflateRawSync(plain, { level: 1 });
  const t0 = performance.now();
  let out = 0;
  for (let r = 0; r < 3; r++) out += inflateRawSync(packed).length;
  return out / ((performance.now() - t0) / 1000) / 1e6;
}

/**
 * Runs the built CLI (`bin/custody.js`) in a process of its own: its stdout, exit code, seconds from start to exit,
 * and peak RSS (its VmHWM, polled every 20 ms).
 */
async function runCli(nodeArgs: string[], args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; code: number | null; seconds: number; peakMb: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, join(serverDir, 'bin', 'custody.js'), ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peakKb = Math.max(peakKb, Number(kb));
    } catch {
      // exited between two polls
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  return { stdout, code, seconds: (performance.now() - t0) / 1000, peakMb: peakKb / 1024 };
}

/**
 * `custody export` as users run it: the built CLI (`dist/cli.js`, rebuilt here with esbuild) in a process
 * of its own, on a copy of the dataset. Returns the job's seconds (its started/finished times), the whole
 * command's seconds (boot, export, copying the file out) and the process's peak RSS (VmHWM, polled).
 */
async function cliExport(dir: string, count: number): Promise<{ jobSeconds: number; commandSeconds: number; peakMb: number; bytes: number }> {
  const build = spawnSync(process.execPath, [join(serverDir, 'scripts', 'build.mjs')], { cwd: serverDir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building dist/cli.js failed');
  const dataDir = join(dir, 'cli-data');
  await mkdir(dataDir, { recursive: true });
  await copyFile(source, join(dataDir, 'custody.db'));
  const output = join(dir, 'cli-export.zip');
  const run = await runCli(
    [],
    ['export', 'acme', '--matter-name', 'Benchmark v. Custody', '--matter-number', 'BENCH-1', '--custodian', 'bench', '--reason', 'benchmark', '--filter', JSON.stringify({ seqFrom: 0, seqTo: count }), '--output', output, '--json'],
    { CUSTODY_DATA_DIR: dataDir, CUSTODY_SIGNING_KEY_FILE: datasetKeyFile(source), CUSTODY_LOG_NAME: 'bench.localhost', LOG_LEVEL: 'warn' },
  );
  if (run.code !== 0) throw new Error(`custody export exited with ${run.code}`);
  const info = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { startedAt: string; finishedAt: string };
  return { jobSeconds: (Date.parse(info.finishedAt) - Date.parse(info.startedAt)) / 1000, commandSeconds: run.seconds, peakMb: run.peakMb, bytes: (await stat(output)).size };
}

/**
 * `custody verify` as users run it (the built CLI, its own process; given `--single-threaded-gc` itself, as the
 * launcher would add it, so that this process is the one verifying and its peak RSS can be read): the
 * verification's own time (the report's durationMs), the whole command's, and the peak RSS.
 */
async function cliVerify(bundle: string, keyFile: string, threads: number): Promise<{ verifySeconds: number; commandSeconds: number; peakMb: number; valid: boolean }> {
  const run = await runCli(['--single-threaded-gc'], ['verify', bundle, '--vkey-file', keyFile, '--json', '--threads', String(threads)]);
  if (run.code !== 0 && run.code !== 1) throw new Error(`custody verify exited with ${run.code}`);
  const report = JSON.parse(run.stdout) as { valid: boolean; durationMs: number };
  return { verifySeconds: report.durationMs / 1000, commandSeconds: run.seconds, peakMb: run.peakMb, valid: report.valid };
}

/** Uncompressed sizes of the bundle's events.ndjson and of all its files (from the ZIP's central directory). */
async function payloadSizes(path: string): Promise<{ events: number; total: number }> {
  const source = await openFileSource(path);
  try {
    const archive = await openZip(source, {});
    let events = 0;
    let total = 0;
    for (const entry of archive.entries) {
      total += entry.uncompressedSize;
      if (entry.name.endsWith('/data/events.ndjson')) events = entry.uncompressedSize;
    }
    return { events, total };
  } finally {
    await source.close();
  }
}

async function main(): Promise<void> {
  for (const needed of [source, datasetKeyFile(source)]) {
    await stat(needed).catch(() => {
      throw new Error(`${needed} is missing: run "BENCH_ONLY=query BENCH_QUERY_SIZES=${datasetSize} npx tsx bench/ingest.bench.ts" first to build the dataset and its key`);
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'custody-bench-export-'));
  try {
    const db = join(dir, 'custody.db');
    await copyFile(source, db);
    const opened = await openDatabase({ url: db });
    await migrateToLatest(opened.db, opened.dialect);
    const skey = (await readFile(datasetKeyFile(source), 'utf8')).trim();
    const custody = new Custody(opened, { logName: 'bench.localhost', signingKey: signingKeyFromText(skey), exports: { directory: join(dir, 'exports') } });
    await custody.start();
    const org = await custody.organizations.get('acme');
    const count = Math.min(limit, org.size);
    console.log(`Export and verify benchmark: ${count.toLocaleString('en-US')} events of a ${org.size.toLocaleString('en-US')}-event log (SQLite)`);

    await resetPeakRss();
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const memlog = process.env.BENCH_MEMLOG === '1'
      ? setInterval(() => {
          const status = readFileSync('/proc/self/status', 'utf8');
          const kinds = ['RssAnon', 'RssFile', 'RssShmem'].map((k) => `${k} ${Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024)}`).join(', ');
          const m = process.memoryUsage();
          const f = (n: number) => (n / 2 ** 20).toFixed(0);
          console.log(`    rss ${f(m.rss)} MB, heap ${f(m.heapUsed)}/${f(m.heapTotal)}, external ${f(m.external)}, array buffers ${f(m.arrayBuffers)}; ${kinds}`);
        }, 1000)
      : undefined;
    const t0 = performance.now();
    const info = await custody.exports.runToCompletion(
      'acme',
      { format: 'bundle', mode: 'complete-range', filter: { seqFrom: 0, seqTo: count }, matter: { name: 'Benchmark v. Custody', number: 'BENCH-1' }, custodian: 'bench', reason: 'benchmark' },
      { type: 'cli', id: 'bench', name: 'bench' },
    );
    const exportSeconds = (performance.now() - t0) / 1000;
    clearInterval(memlog);
    const exportPeak = await peakRssMb();
    if (info.status !== 'completed') throw new Error(`export failed: ${info.error ?? info.status}`);
    const file = await custody.exports.file('acme', info.id);
    if (process.env.BENCH_KEEP_BUNDLE !== undefined) await copyFile(file.path, process.env.BENCH_KEEP_BUNDLE);
    if (process.env.BENCH_EXPORT_ONLY === '1') {
      console.log(`  export ${exportSeconds.toFixed(1)} s, peak RSS ${exportPeak.toFixed(0)} MB (${rssBefore.toFixed(0)} MB before), ${(file.size / 2 ** 20).toFixed(1)} MiB`);
      await custody.close();
      return;
    }
    // Trust every key the server published (the dataset's checkpoints were signed by an earlier key).
    const trusted = (await custody.signingKeys.list()).map((k) => k.vkey);
    await custody.close();
    const cli = await cliExport(dir, count);

    const raw = rawSha256Rate(550);
    const inflateMbPerSecond = rawInflateRate();
    // The keys as a --vkey-file, for the CLI.
    const keyFile = join(dir, 'trusted.vkeys');
    await writeFile(keyFile, `${trusted.join('\n')}\n`);
    const single = await cliVerify(file.path, keyFile, 1);
    // What `custody verify` does by default: one thread per core, one reading and the others checking leaves. Three
    // runs (this VM's speed varies from minute to minute); the median is the figure.
    const threads = defaultVerifyThreads();
    const runs: Awaited<ReturnType<typeof cliVerify>>[] = [];
    for (let run = 0; run < 3; run++) runs.push(await cliVerify(file.path, keyFile, threads));
    const median = [...runs].sort((a, b) => a.verifySeconds - b.verifySeconds)[1] as Awaited<ReturnType<typeof cliVerify>>;
    if (!single.valid || runs.some((r) => !r.valid)) console.log('  the bundle did NOT verify: see custody verify on it');

    const row = (what: string, value: string, goal = '') => console.log(`  ${what.padEnd(52)} ${value.padStart(24)}  ${goal}`);
    row('bundle', `${(file.size / 2 ** 20).toFixed(1)} MiB, ${info.counts?.shown.toLocaleString('en-US')} events`);
    row('custody export (built CLI, own process): the job', `${cli.jobSeconds.toFixed(1)} s`, `goal < 20 s ${cli.jobSeconds < 20 ? '(met)' : '(NOT met)'}`);
    row('custody export: the whole command (boot, job, copy)', `${cli.commandSeconds.toFixed(1)} s, ${(cli.bytes / 2 ** 20).toFixed(1)} MiB`);
    row('custody export: peak RSS of the process', `${cli.peakMb.toFixed(0)} MB`, `goal < 300 MB ${cli.peakMb < 300 ? '(met)' : '(NOT met)'}`);
    row('export job in a running server (from source, tsx)', `${exportSeconds.toFixed(1)} s`);
    row('  its process peak RSS (before the job)', `${exportPeak.toFixed(0)} MB (${rssBefore.toFixed(0)} MB)`);
    row('custody verify --threads 1 (built CLI): the verification', `${single.verifySeconds.toFixed(2)} s, ${single.valid ? 'valid' : 'INVALID'}`);
    row('verify rate, one thread', `${Math.round(count / single.verifySeconds).toLocaleString('en-US')} events/s`);
    row(`custody verify (default: ${threads} threads, 1 reading, ${threads - 1} checking)`, `${median.verifySeconds.toFixed(2)} s, ${median.valid ? 'valid' : 'INVALID'}`);
    row('  three runs: the verification', runs.map((r) => `${r.verifySeconds.toFixed(2)} s`).join(', '));
    row('  three runs: the whole command (start to exit)', runs.map((r) => `${r.commandSeconds.toFixed(2)} s`).join(', '));
    const rate = count / median.verifySeconds;
    row('verify rate', `${Math.round(rate).toLocaleString('en-US')} events/s`, `goal ≥ 300,000/s ${rate >= 300_000 ? '(met)' : '(NOT met)'}`);
    row('verify peak RSS (one thread / default)', `${single.peakMb.toFixed(0)} MB / ${median.peakMb.toFixed(0)} MB`);
    row('raw SHA-256 of 550-byte messages (this machine)', `${Math.round(raw.hashesPerSecond).toLocaleString('en-US')} hashes/s, ${raw.mbPerSecond.toFixed(0)} MB/s`, '(the limit)');
    // Every payload byte is inflated once, and events.ndjson (the largest file) inflates on one thread.
    const payload = await payloadSizes(file.path);
    row('raw INFLATE, one thread (this machine)', `${inflateMbPerSecond.toFixed(0)} MB/s`);
    row('  events.ndjson alone at that rate (a floor)', `${(payload.events / 1e6 / inflateMbPerSecond).toFixed(1)} s: ${Math.round(count / (payload.events / 1e6 / inflateMbPerSecond)).toLocaleString('en-US')} events/s at most`);
    row('  all payload files on both cores (a floor)', `${(payload.total / 1e6 / inflateMbPerSecond / 2).toFixed(1)} s: ${Math.round(count / (payload.total / 1e6 / inflateMbPerSecond / 2)).toLocaleString('en-US')} events/s at most`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
