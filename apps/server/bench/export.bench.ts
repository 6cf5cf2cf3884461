/**
 * Export and verification figures (issue: evidence bundles): a 1,000,000-event evidence bundle
 * exported by the server's export job from the SQLite query dataset, then verified with
 * `custody verify`'s code path. Prints seconds, peak RSS, events/s, and the machine's raw SHA-256
 * rate beside them.
 *
 *   npx tsx bench/export.bench.ts            (uses/creates bench/.data/query-1000000.db via ingest.bench.ts)
 *   BENCH_EXPORT_EVENTS=100000 …             export only the first N events (seqTo)
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { formatVerificationReport, verifyBundle } from '@custody/bundle';
import { Custody, createThreadedLeafChecker, defaultCheckerThreads, nodeBundleCrypto, nodeEd25519, nodeInflateRaw, nodeSha256, openFileSource, signingKeyFromText } from '@custody/core';
import { migrateToLatest, openDatabase } from '@custody/db';
import { generateSigner } from '@custody/ledger';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '.data', 'query-1000000.db');
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

async function main(): Promise<void> {
  await stat(source).catch(() => {
    throw new Error(`${source} is missing: run "BENCH_ONLY=query BENCH_QUERY_SIZES=1000000 npx tsx bench/ingest.bench.ts" first to build it`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'custody-bench-export-'));
  try {
    const db = join(dir, 'custody.db');
    await copyFile(source, db);
    const opened = await openDatabase({ url: db });
    await migrateToLatest(opened.db, opened.dialect);
    const { skey } = generateSigner('bench.localhost', { sha256: nodeSha256, ed25519: nodeEd25519 });
    const custody = new Custody(opened, { logName: 'bench.localhost', signingKey: signingKeyFromText(skey), exports: { directory: join(dir, 'exports') } });
    await custody.start();
    const org = await custody.organizations.get('acme');
    const count = Math.min(limit, org.size);
    console.log(`Export and verify benchmark: ${count.toLocaleString('en-US')} events of a ${org.size.toLocaleString('en-US')}-event log (SQLite)`);

    await resetPeakRss();
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const t0 = performance.now();
    const info = await custody.exports.runToCompletion(
      'acme',
      { format: 'bundle', mode: 'complete-range', filter: { seqFrom: 0, seqTo: count }, matter: { name: 'Benchmark v. Custody', number: 'BENCH-1' }, custodian: 'bench', reason: 'benchmark' },
      { type: 'cli', id: 'bench', name: 'bench' },
    );
    const exportSeconds = (performance.now() - t0) / 1000;
    const exportPeak = await peakRssMb();
    if (info.status !== 'completed') throw new Error(`export failed: ${info.error ?? info.status}`);
    const file = await custody.exports.file('acme', info.id);
    // Trust every key the server published (the dataset's checkpoints were signed by an earlier key).
    const trusted = (await custody.signingKeys.list()).map((k) => k.vkey);
    await custody.close();

    const raw = rawSha256Rate(550);
    await resetPeakRss();
    const handle = await openFileSource(file.path);
    const t1 = performance.now();
    const report = await verifyBundle(handle, { trustedKeys: trusted, crypto: nodeBundleCrypto, inflate: nodeInflateRaw });
    const verifySeconds = (performance.now() - t1) / 1000;
    await handle.close();
    const verifyPeak = await peakRssMb();
    if (!report.valid) console.log(formatVerificationReport(report));
    // What `custody verify` does by default: the leaf checks on one thread per core.
    const threads = defaultCheckerThreads();
    const checker = createThreadedLeafChecker(threads);
    const threadedHandle = await openFileSource(file.path);
    const t2 = performance.now();
    const threadedReport = await verifyBundle(threadedHandle, { trustedKeys: trusted, crypto: nodeBundleCrypto, inflate: nodeInflateRaw, checker });
    const threadedSeconds = (performance.now() - t2) / 1000;
    await threadedHandle.close();
    await checker.close();

    const row = (what: string, value: string, goal = '') => console.log(`  ${what.padEnd(52)} ${value.padStart(24)}  ${goal}`);
    row('bundle', `${(file.size / 2 ** 20).toFixed(1)} MiB, ${info.counts?.shown.toLocaleString('en-US')} events`);
    row('export (server job, DB → signed bundle)', `${exportSeconds.toFixed(1)} s`, `goal < 20 s ${exportSeconds < 20 ? '(met)' : '(NOT met)'}`);
    row('export peak RSS (process; before the job)', `${exportPeak.toFixed(0)} MB (${rssBefore.toFixed(0)} MB)`, `goal < 300 MB ${exportPeak < 300 ? '(met)' : '(NOT met)'}`);
    row('verify, one thread (--threads 1)', `${verifySeconds.toFixed(1)} s, ${report.valid ? 'valid' : 'INVALID'}`);
    row('verify rate, one thread', `${Math.round(count / verifySeconds).toLocaleString('en-US')} events/s`);
    row(`verify, ${threads} checker threads (custody verify default)`, `${threadedSeconds.toFixed(1)} s, ${threadedReport.valid ? 'valid' : 'INVALID'}`);
    const rate = count / threadedSeconds;
    row('verify rate', `${Math.round(rate).toLocaleString('en-US')} events/s`, `goal ≥ 300,000/s ${rate >= 300_000 ? '(met)' : '(NOT met)'}`);
    row('verify peak RSS', `${verifyPeak.toFixed(0)} MB`);
    row('raw SHA-256 of 550-byte messages (this machine)', `${Math.round(raw.hashesPerSecond).toLocaleString('en-US')} hashes/s, ${raw.mbPerSecond.toFixed(0)} MB/s`, '(the limit)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
