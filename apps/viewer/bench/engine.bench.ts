/**
 * Benchmark of the viewer's data engine in Node: `npx tsx bench/engine.bench.ts` from apps/viewer.
 * `BENCH_SCALE=0.1` for a quick run (100,000 events). A script that prints figures, not a vitest bench.
 *
 * 1. Builds (once, cached in bench/.data/, gitignored, or in BENCH_DATA_DIR) a bundle of 1,000,000 shown events
 *    (~540-byte canonical events: 24 actions, 5,000 actors, IPv4 and IPv6 addresses, targets, metadata) in a
 *    complete range over the whole tree, written by @custody/bundle's writer (Node zlib and crypto for the writer
 *    only).
 * 2. In fresh child processes (so peak RSS is the measurement's own), opens it with the engine exactly as the
 *    Worker does, except for the two Node adapters the brief allows: a FileHandle ByteSource and zlib inflate.
 *    Hashing, Ed25519 and CRC-32 are the portable (pure TypeScript) defaults a browser Worker gets.
 *    - `inline`: the verifier runs in the engine's thread (one core: what the Worker does on its own);
 *    - `worker`: the verifier runs in a second thread (worker_threads), as the app can do with a second Web
 *      Worker through the engine's `verify` option (two cores).
 * 3. Prints time to the first 100 rows, to fully loaded, to fully verified, p50/p95 of 20 filters and 20
 *    full-text searches (view + first 100 rows) after loading, and the peaks of heap and RSS, beside the goals.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createDeflateRaw, createInflateRaw, crc32 as zlibCrc32 } from 'node:zlib';

import { createBundleWriter, verifyBundle, type ByteSink, type ByteSource, type VerificationReport, type VerifyBundleOptions } from '@custody/bundle';
import { createHasher, createSignerFromSeed, hashLeaf, rootHash, signCheckpoint } from '@custody/ledger';
import { canonicalize } from '@custody/schema';
import type { TQuery, TQueryTerm } from '@custody/ui';

import { createViewerEngine } from '../src/engine/engine';
import { fileSource, zlibTransform } from './node-io';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const EVENTS = Math.round(1_000_000 * SCALE);
const ORIGIN = 'bench.custody.example/org_bench';
const SELF = fileURLToPath(import.meta.url);
/** Where the bundle is cached and the last result written: `BENCH_DATA_DIR`, default bench/.data/. */
const DATA = process.env.BENCH_DATA_DIR ?? join(fileURLToPath(new URL('.', import.meta.url)), '.data');
const SIGNER = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(3));
const GOALS = { firstRowsMs: 2000, verifiedMs: 10_000, queryP95Ms: 300, memoryMb: 2048 };

// ----------------------------------------------------------------------------------------- node adapters

const nodeSha256 = (...chunks: readonly Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const chunk of chunks) h.update(chunk);
  return h.digest();
};

const nodeInflateRaw = zlibTransform(() => createInflateRaw({ chunkSize: 256 * 1024 }));

// ---------------------------------------------------------------------------------------- the bundle

const ACTIONS = [
  'user.signed_in', 'user.signed_out', 'user.password_changed', 'user.mfa_enabled', 'document.viewed', 'document.shared', 'document.deleted',
  'document.downloaded', 'document.created', 'folder.created', 'folder.shared', 'admin.role_granted', 'admin.role_revoked', 'api_key.created',
  'api_key.revoked', 'export.created', 'export.downloaded', 'billing.invoice_paid', 'settings.updated', 'session.expired', 'user.invited',
  'user.removed', 'webhook.delivered', 'webhook.failed',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'curl/8.5.0', 'custody-cli/0.1.0', 'python-requests/2.32.3',
  'okhttp/4.12.0', 'Go-http-client/2.0',
];
const FIRST = ['Alice', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Marta', 'Noah'];
const LAST = ['Martin', 'Schmidt', 'Rossi', 'Nakamura', 'Okafor', 'García', 'Novak', 'Dubois', 'Kowalski', 'Silva', 'Jensen', 'Haddad'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function eventLine(i: number, random: () => number, base: number): string {
  const user = Math.floor(random() ** 2 * 5000);
  const service = random() < 0.15;
  const action = ACTIONS[Math.floor(random() ** 1.5 * ACTIONS.length)] as string;
  const ip = random() < 0.1
    ? `2001:db8:${Math.floor(random() * 16).toString(16)}::${Math.floor(random() * 65535).toString(16)}`
    : random() < 0.6 ? `10.${Math.floor(random() * 4)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}` : `198.51.100.${Math.floor(random() * 256)}`;
  const doc = Math.floor(random() * 200_000);
  const event = {
    v: 1, organization_id: 'org_bench', seq: i, id: `019ceb74-9cbc-7c1e-8b0f-${i.toString(16).padStart(12, '0')}`,
    received_at: new Date(base + i * 250 + 40).toISOString(), salt: Buffer.from(createHash('md5').update(String(i)).digest()).toString('base64'),
    action, occurred_at: new Date(base + i * 250 - Math.floor(random() * 2000)).toISOString(),
    actor: service ? { id: `svc_${user % 40}`, type: 'api_key' } : { id: `user_${user}`, type: 'user', name: `${FIRST[user % FIRST.length]} ${LAST[(user * 7) % LAST.length]}` },
    targets: action.startsWith('document.') || action.startsWith('folder.')
      ? [{ id: `doc_${doc}`, type: 'document', name: `Contract ${doc % 500} revision ${doc % 7}` }, ...(random() < 0.2 ? [{ id: `folder_${doc % 300}`, type: 'folder', name: `Matter ${doc % 300}` }] : [])]
      : [],
    context: { location: ip, user_agent: AGENTS[Math.floor(random() * AGENTS.length)], request_id: `req_${(i * 2654435761 >>> 0).toString(16)}`, session_id: `sess_${user}_${Math.floor(i / 5000)}` },
    metadata: { permission: random() < 0.5 ? 'view' : 'edit', region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3], retries: Math.floor(random() * 4), mfa: random() < 0.8 },
    version: 1,
  };
  return canonicalize(event);
}

async function buildBundle(path: string): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  console.log(`building a ${EVENTS.toLocaleString('en-US')}-event bundle in ${path} (once)…`);
  const started = performance.now();
  const random = rng(42);
  const base = Date.UTC(2026, 0, 5, 8);
  const lines: Uint8Array[] = [];
  const leaves: Uint8Array[] = [];
  const encoder = new TextEncoder();
  const hasher = createHasher(nodeSha256);
  for (let i = 0; i < EVENTS; i++) {
    const bytes = encoder.encode(eventLine(i, random, base));
    lines.push(bytes);
    leaves.push(hashLeaf(bytes, { hasher }));
  }
  const root = rootHash(leaves, { hasher });
  const note = signCheckpoint({ origin: ORIGIN, size: BigInt(EVENTS), root }, SIGNER.skey);
  const handle = await open(`${path}.tmp`, 'w');
  const sink: ByteSink = { write: async (chunk) => void (await handle.write(chunk)) };
  const writer = createBundleWriter({
    sink, bagName: 'BENCH-2026-001', origin: ORIGIN, mode: 'complete-range', treeSize: BigInt(EVENTS), range: { from: 0n, to: BigInt(EVENTS) },
    controlNumbers: { prefix: 'BENCH', width: 7 }, exportedAt: new Date('2026-03-14T09:00:00Z'),
    crypto: { sha256: nodeSha256, createSha256: () => { const h = createHash('sha256'); return { update: (b) => void h.update(b), digest: () => h.digest() }; } },
    compression: { deflateRaw: zlibTransform(() => createDeflateRaw({ level: 6, chunkSize: 256 * 1024 })) }, crc32: (d, p = 0) => zlibCrc32(d, p),
  });
  for (let i = 0; i < EVENTS; i++) await writer.addEvent(BigInt(i), lines[i] as Uint8Array, leaves[i]);
  await writer.finish({
    checkpoints: [{ note }], proofHashes: [],
    custody: {
      exportId: 'exp_bench', exportedBy: { type: 'cli', id: 'bench', name: 'bench' }, reason: 'benchmark', matter: { name: 'Bench', number: 'B-1' },
      custodian: 'bench', sourceOrganization: 'Bench Corp', filter: {}, toolVersion: 'bench',
    },
    keys: [SIGNER.vkey], signer: SIGNER.skey,
  });
  await handle.close();
  renameSync(`${path}.tmp`, path);
  console.log(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ------------------------------------------------------------------------------------------ measuring

function vmHwmMb(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? process.resourceUsage().maxRSS / 1024 : Number(match[1]) / 1024;
}

const field = (f: string, value: string, op: 'eq' | 'prefix' | 'cidr' = 'eq', negate = false): TQueryTerm => ({ kind: 'field', field: f as never, op, value, negate });
const text = (value: string, negate = false): TQueryTerm => ({ kind: 'text', value, negate });
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5, 8);

const FILTERS: TQuery[] = [
  { terms: [field('action', 'user.signed_in')] },
  { terms: [field('action', 'document.', 'prefix')] },
  { terms: [field('action', 'user.signed_in', 'eq', true)] },
  { terms: [field('actor.id', 'user_42')] },
  { terms: [field('actor.type', 'api_key')] },
  { terms: [field('actor.name', 'alice', 'prefix')] },
  { terms: [field('ip', '10.0.0.0/8', 'cidr')] },
  { terms: [field('ip', '10.2.128.0/17', 'cidr')] },
  { terms: [field('ip', '2001:db8:a::/48', 'cidr')] },
  { terms: [field('ip', '198.51.100.7')] },
  { terms: [field('target.id', 'doc_1234')] },
  { terms: [field('target.type', 'folder')] },
  { terms: [field('ua', 'curl', 'prefix')] },
  { terms: [field('meta.region', 'eu-west-1')] },
  { terms: [field('control', 'BENCH0500000')] },
  { terms: [field('status', 'verified')] },
  { terms: [{ kind: 'time', after: START + 0.2 * DAY * SCALE, before: START + 0.4 * DAY * SCALE }] },
  { terms: [field('action', 'document.shared'), field('ip', '10.0.0.0/8', 'cidr'), field('meta.permission', 'edit')] },
  { terms: [field('actor.type', 'user'), { kind: 'time', after: START, before: START + DAY * SCALE }, field('action', 'admin.', 'prefix', true)] },
  { terms: [field('seq', '12345')] },
];
const SEARCHES: TQuery[] = [
  'firefox', 'contract', 'revision 3', '"contract 42 revision"', 'chloé', 'garcía', 'martin', 'req_1f2e', 'matter', 'python',
  '"signed in"', 'eu west', 'okhttp', 'admin role', 'webhook failed', 'sess_17', 'doc_77', 'safari macintosh', '"go http client"', 'cont*',
].map((value) => ({ terms: [text(value)] }));

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

/** verifyBundle in a worker thread (the second core), as the app can do with a second Web Worker. */
function workerVerify(path: string): (source: ByteSource, options: VerifyBundleOptions) => Promise<VerificationReport> {
  return (_source, options) => new Promise((resolve, reject) => {
    // A TypeScript worker: register tsx's loader in the thread, then load this file.
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(SELF).href)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { path, trustedKeys: options.trustedKeys } });
    worker.on('message', (message: { progress?: { phase: 'events'; bytes: number; events: number; proofs: number }; report?: VerificationReport }) => {
      if (message.progress !== undefined) options.onProgress?.(message.progress);
      if (message.report !== undefined) resolve(message.report);
    });
    worker.on('error', reject);
  });
}

async function verifyInWorker(): Promise<void> {
  const { path, trustedKeys } = workerData as { path: string; trustedKeys: string[] };
  const source = await fileSource(path);
  const report = await verifyBundle(source, {
    trustedKeys, inflate: nodeInflateRaw, hashArchive: true, maxFailuresPerCheck: 10_000,
    onProgress: (progress) => parentPort?.postMessage({ progress }),
  });
  await source.close();
  parentPort?.postMessage({ report });
}

async function measure(path: string, mode: 'inline' | 'worker'): Promise<void> {
  let heapPeak = 0;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 20);
  const source = await fileSource(path);
  const engine = createViewerEngine({
    // The worker thread reads the bundle itself: it does not take the loader's bytes (shareEventBytes).
    inflateRaw: nodeInflateRaw, notifyIntervalMs: 10, ...(mode === 'worker' ? { verify: workerVerify(path), shareEventBytes: false } : {}),
  });
  const t0 = performance.now();
  let firstRows = Number.NaN;
  let loaded = Number.NaN;
  let firstView: Promise<void> | undefined;
  engine.subscribe((state) => {
    const b = state.bundles[0];
    if (firstView === undefined && state.rows >= 100) {
      firstView = (async () => {
        const view = await engine.view({ terms: [] }, { column: 'time', direction: 'asc' });
        const rows = await engine.rows(view.viewId, 0, 100);
        if (rows.length === 100) firstRows = performance.now() - t0;
      })();
    }
    if (Number.isNaN(loaded) && b !== undefined && b.phase !== 'reading') loaded = performance.now() - t0;
  });
  await engine.openBundle(source, { fileName: 'bench.zip', trustedKeys: [SIGNER.vkey] });
  await engine.whenIdle();
  const verified = performance.now() - t0;
  await firstView;
  const state = engine.state().bundles[0];
  const timings = async (queries: TQuery[]): Promise<{ times: number[]; totals: number[] }> => {
    const times: number[] = [];
    const totals: number[] = [];
    for (const query of queries) {
      const started = performance.now();
      const view = await engine.view(query, { column: 'time', direction: 'desc' });
      await engine.rows(view.viewId, 0, 100);
      times.push(performance.now() - started);
      totals.push(view.total);
      await engine.releaseView(view.viewId);
    }
    return { times, totals };
  };
  const filters = await timings(FILTERS);
  const searches = await timings(SEARCHES);
  const extra: Record<string, number> = {};
  let started = performance.now();
  const all = await engine.view({ terms: [] }, { column: 'actor', direction: 'asc' });
  extra.sortActorMs = performance.now() - started;
  started = performance.now();
  await engine.histogram(all.viewId, { buckets: 200 });
  extra.histogramMs = performance.now() - started;
  started = performance.now();
  await engine.facets(all.viewId, ['action', 'actor.id', 'ip', 'target.id', 'meta.region'], 10);
  extra.facetsMs = performance.now() - started;
  clearInterval(sampler);
  const memory = engine.memory();
  process.stdout.write(`${JSON.stringify({
    mode, rows: engine.state().rows, verdict: state?.verdict, failures: state?.failures.slice(0, 3), firstRows, loaded, verified, filters, searches, extra,
    heapPeakMb: heapPeak / 2 ** 20, rssPeakMb: vmHwmMb(), memory: { columns: memory.columns / 2 ** 20, raw: memory.raw / 2 ** 20, index: memory.index / 2 ** 20 },
  })}\n`);
  await source.close();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------- main

interface Result {
  mode: string; rows: number; verdict: string; firstRows: number; loaded: number; verified: number;
  filters: { times: number[]; totals: number[] }; searches: { times: number[]; totals: number[] }; extra: Record<string, number>;
  heapPeakMb: number; rssPeakMb: number; memory: { columns: number; raw: number; index: number };
}

async function main(): Promise<void> {
  const path = join(DATA, `bundle-${EVENTS}.zip`);
  if (!existsSync(path)) await buildBundle(path);
  const size = (await (await open(path, 'r')).stat()).size;
  console.log(`bundle: ${path} (${(size / 2 ** 20).toFixed(1)} MiB, ${EVENTS.toLocaleString('en-US')} events); ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const results: Result[] = [];
  for (const mode of ['inline', 'worker'] as const) {
    const child = spawnSync(process.execPath, [...process.execArgv, SELF, '--measure', mode, path], {
      encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    try {
      results.push(JSON.parse(line) as Result);
    } catch {
      console.error(`the ${mode} run failed (exit ${child.status}): ${child.stdout.slice(-2000)}`);
      // The other mode's figures are still printed, but the bench did not run to its end.
      process.exitCode = 1;
    }
  }
  const f = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
  const m = (ms: number): string => `${ms.toFixed(0)} ms`;
  for (const r of results) {
    console.log(`\n${r.mode === 'inline' ? 'One thread (verifier inline in the engine Worker)' : 'Two threads (verifier in a second worker via the `verify` option)'}: ${r.rows.toLocaleString('en-US')} rows, verdict ${r.verdict}`);
    const rows: [string, string, string][] = [
      ['first 100 rows available', f(r.firstRows), `goal < ${f(GOALS.firstRowsMs)}`],
      ['fully loaded (all rows queryable)', f(r.loaded), ''],
      ['fully verified', f(r.verified), `goal < ${f(GOALS.verifiedMs)}`],
      ['20 filters: p50 / p95', `${m(percentile(r.filters.times, 50))} / ${m(percentile(r.filters.times, 95))}`, `goal p95 < ${GOALS.queryP95Ms} ms`],
      ['20 full-text searches: p50 / p95', `${m(percentile(r.searches.times, 50))} / ${m(percentile(r.searches.times, 95))}`, `goal p95 < ${GOALS.queryP95Ms} ms`],
      ['sort all by actor / histogram / 5 facets', `${m(r.extra.sortActorMs ?? 0)} / ${m(r.extra.histogramMs ?? 0)} / ${m(r.extra.facetsMs ?? 0)}`, ''],
      ['peak heap / peak RSS', `${r.heapPeakMb.toFixed(0)} MB / ${r.rssPeakMb.toFixed(0)} MB`, `goal < ${GOALS.memoryMb} MB`],
      ['engine memory: columns+dicts / raw lines / text index', `${r.memory.columns.toFixed(0)} / ${r.memory.raw.toFixed(0)} / ${r.memory.index.toFixed(0)} MB`, ''],
    ];
    for (const [label, value, goal] of rows) console.log(`  ${label.padEnd(56)} ${value.padStart(20)}   ${goal}`);
    console.log(`  filter matches: ${r.filters.totals.join(', ')}`);
    console.log(`  search matches: ${r.searches.totals.join(', ')}`);
  }
  writeFileSync(join(DATA, `last-result-${EVENTS}.json`), `${JSON.stringify(results, null, 2)}\n`);
}

if (!isMainThread) {
  await verifyInWorker();
} else if (process.argv[2] === '--measure') {
  await measure(process.argv[4] as string, process.argv[3] as 'inline' | 'worker');
} else {
  await main();
}
