/**
 * Benchmark of the whole viewer in a browser: `npm run bench` in apps/viewer (`BENCH_SCALE=0.1` for 100,000
 * events). It drives Debian's Chromium with playwright-core on the static web build (`dist-web/`, built when
 * missing or stale), exactly as `custody viewer` serves it, and opens a 1,000,000-event bundle through the file
 * input, with its key pre-seeded in the browser's trusted keys:
 *
 * - time to first rows visible (the grid shows a row) and to fully verified (the bundle's tab says VERIFIED);
 * - p50/p95 of 20 filters and 20 full-text searches typed into the query bar (Enter → the grid's visible count
 *   changes, measured inside the page), each from the unfiltered view;
 * - peak memory: the sum of the PSS of Chromium's processes and the RSS of the largest one (the renderer, which
 *   holds the page and both Workers), from /proc (PSS each second, RSS every 100 ms: see `MemorySampler`), and the page's JS heap
 *   (`performance.memory`; the Workers' heaps are in the renderer's RSS);
 * - the CPU time Chromium's processes used from opening to verified, and the VM's steal time meanwhile: on a
 *   shared VM the wall time follows the host's load, the CPU used less so.
 *
 * The bundle is the engine benchmark's cached one (`bench/.data/bundle-<n>.zip`, built by bench/engine.bench.ts)
 * when present; otherwise one of the same shape is written here with @custody/bundle (cached as
 * `bench/.data/viewer-bundle-<n>.zip`). Its key is read from the bundle's keys.txt.
 *
 * `BENCH_DATA_DIR=<dir>` keeps both bundles there instead of bench/.data/; `BENCH_QUERIES=<n>` times only the first n
 * filters and the first n searches (default all 20; the smoke test, `test/bench-smoke.test.ts`, times 1 of each).
 *
 * `BENCH_TRACE=<file.json>` also records a Chromium trace with V8's CPU profiler from opening to verified (load it
 * in DevTools' Performance panel) and prints each thread's busy time and heaviest functions.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDeflateRaw, createInflateRaw, crc32 as zlibCrc32 } from 'node:zlib';

import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';

import { createBundleWriter, openZip } from '@custody/bundle';
import type { ByteSink, ZipArchive, ZipEntry } from '@custody/bundle';
import { createHasher, createSignerFromSeed, hashLeaf, rootHash, signCheckpoint } from '@custody/ledger';
import { canonicalize } from '@custody/schema';

import { CHROMIUM, CHROMIUM_ARGS, WEB_DIR, ensureWebBuild, serveStatic } from '../e2e/browser';
import { startCpuTrace } from './cpu-trace';
import type { TThreadProfile } from './cpu-trace';
import { fileSource, zlibTransform } from './node-io';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const TRACE = process.env.BENCH_TRACE;
const EVENTS = Math.round(1_000_000 * SCALE);
const DATA = process.env.BENCH_DATA_DIR ?? fileURLToPath(new URL('./.data/', import.meta.url));
/** How many of the filters, and of the searches, to time (BENCH_QUERIES; default all). */
const QUERIES = Number(process.env.BENCH_QUERIES ?? '20');
if (!(Number.isInteger(QUERIES) && QUERIES > 0)) {
  throw new Error(`BENCH_QUERIES must be a positive integer, not ${JSON.stringify(process.env.BENCH_QUERIES)}`);
}
const GOALS = { firstRowsMs: 2000, verifiedMs: 10_000, queryP95Ms: 300, memoryMb: 2048 };

const FILTERS = [
  'action:user.signed_in', 'action:document.*', '-action:user.signed_in', 'actor.id:user_42', 'actor.type:api_key', 'actor.name:alice*',
  'ip:10.0.0.0/8', 'ip:10.2.128.0/17', 'ip:2001:db8:a::/48', 'ip:198.51.100.7', 'target.id:doc_1234', 'target.type:folder', 'ua:curl*',
  'meta.region:eu-west-1', 'action:admin.* actor.type:user', 'action:webhook.failed ip:198.51.100.0/24', 'actor.id:user_7 action:document.*',
  'meta.permission:edit action:export.*', '-actor.type:user', 'target.type:document -action:document.viewed',
];
const SEARCHES = [
  'firefox', 'contract', 'revision 3', '"contract 42 revision"', 'chloé', 'garcía', 'martin', 'req_1f2e', 'matter', 'python',
  '"signed in"', 'eu west', 'okhttp', 'admin role', 'webhook failed', 'sess_17', 'doc_77', 'safari macintosh', '"go http client"', 'cont*',
];

// ------------------------------------------------------------------------------------------------- the bundle

const sha256 = (...chunks: readonly Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest();
};

/** Writes a bundle of the engine benchmark's shape (used only when its cached bundle is absent). */
async function buildBundle(path: string): Promise<void> {
  console.log(`building a ${EVENTS.toLocaleString('en-US')}-event bundle in ${path} (once)…`);
  const origin = 'bench.custody.example/org_bench';
  const signer = createSignerFromSeed(origin, new Uint8Array(32).fill(3));
  const actions = ['user.signed_in', 'user.signed_out', 'document.viewed', 'document.shared', 'document.downloaded', 'folder.shared', 'admin.role_granted', 'export.created', 'webhook.failed', 'settings.updated'];
  const agents = ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'curl/8.5.0', 'python-requests/2.32.3', 'okhttp/4.12.0', 'Go-http-client/2.0'];
  const names = ['Alice Martin', 'Bruno Rossi', 'Chloé García', 'Dmitri Novak', 'Elena Silva'];
  const base = Date.UTC(2026, 0, 5, 8);
  const encoder = new TextEncoder();
  const hasher = createHasher(sha256);
  const lines: Uint8Array[] = [];
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const user = (i * 7919) % 5000;
    const action = actions[(i * 31 + (i >> 4)) % actions.length] as string;
    const doc = (i * 104729) % 200_000;
    const line = encoder.encode(canonicalize({
      v: 1, organization_id: 'org_bench', seq: i, id: `019ceb74-9cbc-7c1e-8b0f-${i.toString(16).padStart(12, '0')}`,
      received_at: new Date(base + i * 250 + 40).toISOString(), salt: createHash('md5').update(String(i)).digest().toString('base64'),
      action, occurred_at: new Date(base + i * 250).toISOString(),
      actor: i % 7 === 0 ? { id: `svc_${user % 40}`, type: 'api_key' } : { id: `user_${user}`, type: 'user', name: names[user % names.length] },
      targets: action.startsWith('document.') || action.startsWith('folder.') ? [{ id: `doc_${doc}`, type: i % 5 === 0 ? 'folder' : 'document', name: `Contract ${doc % 500} revision ${doc % 7}` }] : [],
      context: { location: i % 10 === 0 ? `2001:db8:${(i % 16).toString(16)}::${(i % 65535).toString(16)}` : i % 3 === 0 ? `198.51.100.${i % 256}` : `10.${i % 4}.${(i >> 8) % 256}.${i % 256}`, user_agent: agents[i % agents.length], request_id: `req_${((i * 2654435761) >>> 0).toString(16)}`, session_id: `sess_${user}_${Math.floor(i / 5000)}` },
      metadata: { permission: i % 2 === 0 ? 'view' : 'edit', region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3], retries: i % 4 },
      version: 1,
    }));
    lines.push(line);
    leaves.push(hashLeaf(line, { hasher }));
  }
  const note = signCheckpoint({ origin, size: BigInt(EVENTS), root: rootHash(leaves, { hasher }) }, signer.skey);
  const handle = await open(`${path}.tmp`, 'w');
  const sink: ByteSink = { write: async (chunk) => void (await handle.write(chunk)) };
  const writer = createBundleWriter({
    sink, bagName: 'BENCH-2026-001', origin, mode: 'complete-range', treeSize: BigInt(EVENTS), range: { from: 0n, to: BigInt(EVENTS) },
    controlNumbers: { prefix: 'BENCH', width: 7 }, exportedAt: new Date('2026-03-14T09:00:00Z'),
    crypto: { sha256, createSha256: () => { const h = createHash('sha256'); return { update: (b) => void h.update(b), digest: () => h.digest() }; } },
    compression: { deflateRaw: zlibTransform(() => createDeflateRaw({ level: 6 })) }, crc32: (d, p = 0) => zlibCrc32(d, p),
  });
  for (let i = 0; i < EVENTS; i++) await writer.addEvent(BigInt(i), lines[i] as Uint8Array, leaves[i]);
  await writer.finish({
    checkpoints: [{ note }], proofHashes: [],
    custody: { exportId: 'exp_bench', exportedBy: { type: 'cli', id: 'bench', name: 'bench' }, reason: 'benchmark', matter: { name: 'Bench', number: 'B-1' }, custodian: 'bench', sourceOrganization: 'bench', filter: {}, toolVersion: 'bench' },
    keys: [signer.vkey], signer: signer.skey,
  });
  await handle.close();
  renameSync(`${path}.tmp`, path);
}

/** The bundle to open: the engine benchmark's cache, else ours (built once). */
async function benchBundle(): Promise<string> {
  mkdirSync(DATA, { recursive: true });
  const engineCache = join(DATA, `bundle-${EVENTS}.zip`);
  if (existsSync(engineCache)) return engineCache;
  const ours = join(DATA, `viewer-bundle-${EVENTS}.zip`);
  if (!existsSync(ours)) await buildBundle(ours);
  return ours;
}

/** Runs `use` on the bundle's entry whose path ends with `/<path>`, read through Node's zlib. */
async function withEntry<T>(bundle: string, path: string, use: (zip: ZipArchive, entry: ZipEntry) => Promise<T>): Promise<T> {
  const source = await fileSource(bundle);
  try {
    const zip = await openZip(source, { inflateRaw: zlibTransform(() => createInflateRaw()) });
    const entry = zip.entries.find((e) => e.name.endsWith(`/${path}`));
    if (entry === undefined) throw new Error(`${bundle} has no ${path}`);
    return await use(zip, entry);
  } finally {
    await source.close();
  }
}

/** The verifier keys a bundle names in data/keys.txt (trusted here as an examiner would after checking them). */
function keysOf(bundle: string): Promise<string[]> {
  return withEntry(bundle, 'data/keys.txt', async (zip, entry) =>
    new TextDecoder().decode(await zip.read(entry, 1 << 20)).split('\n').map((l) => l.trim()).filter((l) => l !== ''));
}

/**
 * How fast this machine is right now, for comparing runs on a VM whose speed drifts: MB/s of the viewer's kind of
 * work in Node, one thread (inflating the bundle's events and parsing each line as JSON), median of three passes
 * over the first 32 MiB.
 */
function cpuReference(bundle: string): Promise<number> {
  return withEntry(bundle, 'data/events.ndjson', async (zip, entry) => {
    const rates: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const decoder = new TextDecoder();
      const started = performance.now();
      let bytes = 0;
      let carry = '';
      for await (const chunk of zip.stream(entry, { verifyCrc: false })) {
        const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
        carry = lines.pop() ?? '';
        for (const line of lines) JSON.parse(line);
        bytes += chunk.length;
        if (bytes >= 32 << 20) break;
      }
      rates.push(bytes / 2 ** 20 / ((performance.now() - started) / 1000));
    }
    return rates.sort((a, b) => a - b)[1] ?? 0;
  });
}

// ------------------------------------------------------------------------------------------------- measuring

/**
 * CPU seconds (user + system, every thread) the processes whose command line mentions `marker` have used so far,
 * from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux); and the machine's steal time (CPU
 * the hypervisor gave to others while this VM wanted it), from /proc/stat. On a shared VM the wall time of a run
 * follows the host's load; the CPU the run used moves less (on a bad day it too moved by a fifth between runs).
 */
function cpuSeconds(marker: string): { chromium: number; steal: number } {
  let chromium = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      chromium += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended
    }
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
  return { chromium, steal: Number(cpu[8] ?? 0) / 100 };
}

/**
 * Peak memory of the processes whose command line mentions `marker` (Chromium's profile dir), in MB: the sum of
 * their PSS (proportional set size: shared pages split between the processes that map them, so the sum is not
 * inflated by shared libraries) and the largest single RSS (the renderer, which holds the page and both Workers).
 *
 * Reading a process's PSS (`smaps_rollup`) walks its page tables: about 50 ms for the renderer once a bundle is
 * open, so reading it every 100 ms took about half a core from the two being measured. PSS is therefore read once
 * a second, and every 100 ms in between the cheap RSS counters (`status`) carry it on: the estimate is the last
 * PSS sum plus how far the RSS sum has moved since (the renderer's growth is private memory, for which the two
 * move together). The peak is the highest of readings and estimates. `costMs` is the sampler's own time.
 */
class MemorySampler {
  peakPss = 0;
  peakRss = 0;
  costMs = 0;
  #pids: string[] = [];
  #ticks = 0;
  #pssAt = { pss: 0, rss: 0 };
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly marker: string) {
    this.#timer = setInterval(() => this.#tick(), 100);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const started = performance.now();
    /** Once a second: find the processes again and read their PSS. */
    const full = this.#ticks % 10 === 0;
    if (full) {
      this.#pids = readdirSync('/proc').filter((pid) => {
        try {
          return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.marker);
        } catch {
          return false; // the process ended
        }
      });
    }
    let rss = 0;
    let pss = 0;
    for (const pid of this.#pids) {
      try {
        const own = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
        rss += own;
        this.peakRss = Math.max(this.peakRss, own);
        if (full) {
          let proportional = own;
          try {
            proportional = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? own * 1024) / 1024;
          } catch {
            // no smaps_rollup: RSS it is
          }
          pss += proportional;
        }
      } catch {
        // the process ended
      }
    }
    if (full) this.#pssAt = { pss, rss };
    this.peakPss = Math.max(this.peakPss, this.#pssAt.pss + rss - this.#pssAt.rss);
    this.#ticks += 1;
    this.costMs += performance.now() - started;
  }
}

/** Applies `text` in the query bar and returns the ms from Enter to the grid's visible count changing (in-page). */
async function timeQuery(page: Page, text: string): Promise<{ ms: number; visible: string }> {
  const box = page.getByRole('textbox', { name: 'Filter query' });
  await box.fill(text);
  const done = page.evaluate(() => new Promise<{ ms: number; visible: string }>((resolve) => {
    const stat = document.querySelector('[data-stat="visible"]') as HTMLElement;
    const input = document.querySelector('input[aria-label="Filter query"]') as HTMLInputElement;
    const before = stat.textContent;
    let start = 0;
    input.addEventListener('keydown', () => {
      start = performance.now();
    }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (stat.textContent === before || start === 0) return;
      observer.disconnect();
      // Two frames: the new rows are painted.
      requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ms: performance.now() - start, visible: stat.textContent })));
    });
    observer.observe(stat, { subtree: true, childList: true, characterData: true });
  }));
  await page.waitForTimeout(20);
  await box.press('Enter');
  return done;
}

async function reset(page: Page, total: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Filter query' });
  await box.fill('');
  await box.press('Enter');
  await page.waitForFunction((t) => document.querySelector('[data-stat="visible"]')?.textContent?.replace(/\D/g, '') === t, total, { timeout: 60_000 });
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};

function printProfiles(profiles: readonly TThreadProfile[]): void {
  console.log(`\nCPU by thread from opening to verified (trace written to ${TRACE ?? ''}):`);
  for (const p of profiles) {
    console.log(`  ${p.thread}: ${(p.busyMs / 1000).toFixed(2)} s busy`);
    for (const f of p.top.slice(0, 15)) console.log(`    ${(f.ms / 1000).toFixed(2).padStart(7)} s  ${f.frame}`);
  }
}

async function main(): Promise<void> {
  await ensureWebBuild();
  const bundle = await benchBundle();
  const keys = await keysOf(bundle);
  const handle = await open(bundle, 'r');
  const size = (await handle.stat()).size;
  await handle.close();
  const cpu = cpus();
  console.log(`viewer bench: ${bundle} (${(size / 2 ** 20).toFixed(1)} MiB, ${EVENTS.toLocaleString('en-US')} events); ${cpu.length} cores (${cpu[0]?.model ?? '?'}), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  let chromiumVersion = '?';
  try {
    chromiumVersion = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // printed as '?'
  }
  console.log(`browser: ${chromiumVersion}, headless, static web build served on 127.0.0.1`);
  console.log(`CPU reference (Node, one thread: inflate + JSON.parse of the events, to compare runs): ${(await cpuReference(bundle)).toFixed(0)} MB/s`);

  const server = await serveStatic(WEB_DIR);
  const profile = await mkdtemp(join(tmpdir(), 'custody-viewer-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'], headless: true, viewport: { width: 1440, height: 900 },
  });
  const memory = new MemorySampler(profile);
  try {
    context.setDefaultTimeout(120_000);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url);
    await page.evaluate(async (vkeys) => {
      for (const vkey of vkeys) await window.custody.trustKey(vkey, 'bench');
    }, keys);
    await page.reload();
    await page.getByTestId('bundle-file-input').waitFor({ state: 'attached' });

    const trace = TRACE === undefined ? undefined : await startCpuTrace(page, TRACE);
    const cpuBefore = cpuSeconds(profile);
    const samplerBefore = memory.costMs;
    const started = Date.now();
    await page.getByTestId('bundle-file-input').setInputFiles(bundle);
    await page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first().waitFor();
    const firstRows = Date.now() - started;
    await page.locator('.vw-bundle-tab[data-outcome="verified"], .vw-bundle-tab[data-outcome="failed"], .vw-bundle-tab[data-outcome="unusable"]').first().waitFor({ timeout: 600_000 });
    const verified = Date.now() - started;
    const cpuAfter = cpuSeconds(profile);
    const samplerMs = memory.costMs - samplerBefore;
    if (trace !== undefined) printProfiles(await trace.stop());
    const outcome = await page.locator('.vw-bundle-tab').first().getAttribute('data-outcome');
    const total = (await page.locator('[data-stat="total"]').first().innerText()).replace(/\D/g, '');
    await page.waitForFunction((t) => document.querySelector('[data-stat="visible"]')?.textContent?.replace(/\D/g, '') === t, total);

    const filters: { ms: number; visible: string; text: string }[] = [];
    for (const text of FILTERS.slice(0, QUERIES)) {
      filters.push({ ...(await timeQuery(page, text)), text });
      await reset(page, total);
    }
    const searches: { ms: number; visible: string; text: string }[] = [];
    for (const text of SEARCHES.slice(0, QUERIES)) {
      searches.push({ ...(await timeQuery(page, text)), text });
      await reset(page, total);
    }
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const m = (ms: number) => `${ms.toFixed(0)} ms`;
    const rows: [string, string, string][] = [
      ['rows (verdict)', `${Number(total).toLocaleString('en-US')} (${outcome ?? '?'})`, ''],
      ['time to first rows visible', s(firstRows), `goal < ${s(GOALS.firstRowsMs)}`],
      ['time to fully verified', s(verified), `goal < ${s(GOALS.verifiedMs)}`],
      [`${filters.length} filter${filters.length === 1 ? '' : 's'} via the query bar: p50 / p95`, `${m(percentile(filters.map((f) => f.ms), 50))} / ${m(percentile(filters.map((f) => f.ms), 95))}`, `goal p95 < ${GOALS.queryP95Ms} ms`],
      [`${searches.length} full-text search${searches.length === 1 ? '' : 'es'}: p50 / p95`, `${m(percentile(searches.map((f) => f.ms), 50))} / ${m(percentile(searches.map((f) => f.ms), 95))}`, `goal p95 < ${GOALS.queryP95Ms} ms`],
      ['CPU of all Chromium processes, opening to verified', `${(cpuAfter.chromium - cpuBefore.chromium).toFixed(2)} s`, `(2 cores × ${s(verified)}; VM steal ${(cpuAfter.steal - cpuBefore.steal).toFixed(2)} s)`],
      ['CPU of the bench sampling memory, opening to verified', `${(samplerMs / 1000).toFixed(2)} s`, '(of the same two cores)'],
      ['peak memory, all Chromium processes (sum of PSS)', `${memory.peakPss.toFixed(0)} MB`, `goal < ${GOALS.memoryMb} MB`],
      ['peak RSS of the renderer (page + engine + verifier)', `${memory.peakRss.toFixed(0)} MB`, ''],
      ['page JS heap (performance.memory), at the end', `${(heap / 2 ** 20).toFixed(0)} MB`, ''],
    ];
    console.log('');
    for (const [label, value, goal] of rows) console.log(`  ${label.padEnd(54)} ${value.padStart(22)}   ${goal}`);
    console.log(`  filter matches: ${filters.map((f) => f.visible.replace(/\D/g, '')).join(', ')}`);
    console.log(`  search matches: ${searches.map((f) => f.visible.replace(/\D/g, '')).join(', ')}`);
    const slowest = (list: readonly { ms: number; text: string }[]) =>
      [...list].sort((a, b) => b.ms - a.ms).slice(0, 3).map((q) => `${q.text} (${q.ms.toFixed(0)} ms)`).join(', ');
    console.log(`  slowest filters: ${slowest(filters)}`);
    console.log(`  slowest searches: ${slowest(searches)}`);
  } finally {
    memory.stop();
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

await main();
