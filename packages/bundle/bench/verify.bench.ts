/**
 * @custody/bundle benchmark: `npm run bench` (= `tsx bench/verify.bench.ts`). `BENCH_SCALE=0.1 npm run bench`
 * for a quick run. A script that prints figures, not a vitest bench.
 *
 * 1. Prepares a log: 1,000,000 shown events (realistic ~550-byte canonical events from createLoggedEvent) in a
 *    complete range with ~10% withheld leaves, plus leaves before and after the range; a ledger tree
 *    (MerkleAppender + MemoryHashStore), two signed checkpoints, the range proof. Events go to a source file (the
 *    "database cursor") so the writer is timed without event generation.
 * 2. Prints the machine's raw SHA-256 rate (552-byte messages, hashes/s, and MB/s streaming).
 * 3. In fresh child processes (so peak RSS is the phase's own): writes the bundle (Node adapters: zlib deflate,
 *    zlib.crc32, node:crypto, temp-file spools), then verifies it inline and with 2 worker threads.
 *
 * Environment: BENCH_SCALE (default 1; below 0.1 the raw SHA-256 rates are measured on proportionally less too),
 * BENCH_LEVEL (zlib level for the writer, default 6), BENCH_KEEP=1 keeps the temp folder, BENCH_CSV=1 adds
 * data/events.csv (production CSV writer) to the bundle.
 */
import { spawnSync } from 'node:child_process';
import { createHash, hash as oneShotHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDeflateRaw } from 'node:zlib';

import {
  MemoryHashStore, MerkleAppender, checkpointBodyHash, decodeBase64, encodeBase64, generateSigner, hashLeaf,
  proveConsistency, proveRange, readRoot, signCheckpoint,
} from '@custody/ledger';
import { createLoggedEvent, parseLoggedEvent } from '@custody/schema';

import {
  createBundleWriter, createEventCsvWriter, formatVerificationReport, verifyBundle, type ByteTransform,
} from '../src/index';
import { eventInput } from '../test/fixtures';
import {
  fileSpool, nodeCrc32, nodeCrypto, nodeInflateRaw, nodeSha256, openFileSink, openFileSource, zlibTransform,
} from '../test/node-adapters';
import { createWorkerChecker } from '../test/worker-checker';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const LEVEL = Number(process.env.BENCH_LEVEL ?? '6');
const ORIGIN = 'bench.custody.example/org_bench';

interface Job {
  dir: string;
  from: number;
  to: number;
  treeSize: number;
  withheldEvery: number;
  checkpoints: { note: string; consistencyProof?: string[] }[];
  proofHashes: string[];
  vkey: string;
  skey: string;
  csv: boolean;
}

interface PhaseResult {
  ms: number;
  maxRssMb: number;
  [key: string]: unknown;
}

/**
 * Peak RSS of this process in MB. Linux: VmHWM of /proc/self/status (the high-water mark of this program's own
 * address space). `resourceUsage().maxRSS` is not used because Linux carries it over from the forked parent
 * across exec, which would report the parent's memory for a child.
 */
function maxRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function withheld(seq: number, job: Pick<Job, 'from' | 'withheldEvery'>): boolean {
  return (seq - job.from) % job.withheldEvery === job.withheldEvery - 1;
}

// ------------------------------------------------------------------------------------------------ children

/** Reads NDJSON lines from a file, like a database cursor. */
async function* readLines(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  const buffer = new Uint8Array(4 << 20);
  let carry = new Uint8Array(0);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      let chunk = buffer.subarray(0, bytesRead);
      if (carry.length > 0) {
        const joined = new Uint8Array(carry.length + chunk.length);
        joined.set(carry);
        joined.set(chunk, carry.length);
        chunk = joined;
      }
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        // A view, like a database driver's row buffer: the writer copies the bytes before asking for the next row.
        yield chunk.subarray(start, nl);
        start = nl + 1;
      }
      carry = chunk.slice(start);
    }
  } finally {
    await handle.close();
  }
}

function zlibDeflate(level: number): ByteTransform {
  return zlibTransform(() => createDeflateRaw({ level, chunkSize: 256 * 1024 }));
}

async function childWrite(job: Job): Promise<PhaseResult> {
  const started = performance.now();
  const sink = await openFileSink(join(job.dir, 'bundle.zip'));
  const writer = createBundleWriter({
    sink, bagName: 'BENCH-2026-001', origin: ORIGIN, mode: 'complete-range', treeSize: BigInt(job.treeSize),
    range: { from: BigInt(job.from), to: BigInt(job.to) }, controlNumbers: { prefix: 'BENCH', width: 7 }, exportedAt: new Date('2026-03-14T09:00:00Z'),
    crypto: nodeCrypto, compression: { deflateRaw: zlibDeflate(LEVEL) }, crc32: nodeCrc32, spool: fileSpool(job.dir),
  });
  const leaves = await open(join(job.dir, 'leaves.bin'), 'r');
  const hashes = new Uint8Array(32 * 65536);
  let hashOffset = 0;
  let hashEnd = 0;
  const csv = job.csv ? writer.openFile('data/events.csv') : undefined;
  const csvWriter = job.csv ? createEventCsvWriter() : undefined;
  if (csv !== undefined && csvWriter !== undefined) await csv.write(csvWriter.header());
  let seq = job.from;
  for await (const bytes of readLines(join(job.dir, 'source.ndjson'))) {
    if (hashOffset >= hashEnd) {
      const { bytesRead } = await leaves.read(hashes, 0, hashes.length, null);
      hashOffset = 0;
      hashEnd = bytesRead;
    }
    const leafHash = hashes.subarray(hashOffset, hashOffset + 32);
    hashOffset += 32;
    if (withheld(seq, job)) {
      await writer.addWithheld(BigInt(seq), leafHash);
    } else {
      const controlNumber = await writer.addEvent(BigInt(seq), bytes, leafHash);
      if (csv !== undefined && csvWriter !== undefined) {
        const parsed = parseLoggedEvent(bytes);
        if (parsed.ok) await csv.write(csvWriter.row(parsed.event, { controlNumber, leafHash }));
      }
    }
    seq += 1;
  }
  await csv?.close();
  await leaves.close();
  const result = await writer.finish({
    checkpoints: job.checkpoints.map((c) => ({ note: c.note, ...(c.consistencyProof === undefined ? {} : { consistencyProof: c.consistencyProof.map(decodeBase64) }) })),
    proofHashes: job.proofHashes.map(decodeBase64),
    custody: {
      exportId: 'exp_bench', exportedBy: { type: 'cli', id: 'bench', name: 'benchmark' }, reason: 'benchmark',
      matter: { name: 'Bench v. Mark', number: 'BENCH-1' }, custodian: 'bench', sourceOrganization: 'Bench Corp',
      filter: { every: job.withheldEvery }, toolVersion: 'bench',
    },
    keys: [job.vkey],
    signer: job.skey,
  });
  await sink.close();
  return {
    ms: performance.now() - started, maxRssMb: maxRssMb(), bytes: result.bytesWritten, counts: result.counts,
    eventsSize: result.files.find((f) => f.path === 'data/events.ndjson')?.size ?? 0,
  };
}

async function childVerify(job: Job, threads: number): Promise<PhaseResult> {
  const source = await openFileSource(join(job.dir, 'bundle.zip'));
  const checker = threads > 0 ? createWorkerChecker(threads) : undefined;
  await checker?.ready();
  const started = performance.now();
  const report = await verifyBundle(source, {
    trustedKeys: [job.vkey], crypto: nodeCrypto, inflate: nodeInflateRaw, crc32: nodeCrc32,
    ...(checker === undefined ? {} : { checker }),
  });
  const ms = performance.now() - started;
  await checker?.close();
  await source.close();
  if (!report.valid) console.error(formatVerificationReport(report));
  return { ms, maxRssMb: maxRssMb(), valid: report.valid, events: report.counts.events, leaves: report.counts.leaves };
}

// ------------------------------------------------------------------------------------------------ parent

/**
 * The machine's raw SHA-256 rates: 300,000 hashes of each kind and 256 MiB streamed, less below BENCH_SCALE=0.1
 * (proportionally: the smoke test's tiny runs would otherwise spend most of their time here).
 */
function rawShaRates(): { hashesPerSecond: number; createHashPerSecond: number; mbPerSecond: number } {
  const share = Math.min(1, SCALE * 10);
  const message = new Uint8Array(552).fill(0x61);
  const n = Math.max(1000, Math.round(300_000 * share));
  let t = performance.now();
  for (let i = 0; i < n; i++) oneShotHash('sha256', message, 'buffer');
  const hashesPerSecond = n / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < n; i++) createHash('sha256').update(message).digest();
  const createHashPerSecond = n / ((performance.now() - t) / 1000);
  const big = new Uint8Array(Math.max(1, Math.round(64 * share)) << 22);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 255;
  t = performance.now();
  const h = createHash('sha256');
  for (let at = 0; at < big.length; at += 4 << 20) h.update(big.subarray(at, at + (4 << 20)));
  h.digest();
  const mbPerSecond = big.length / 1e6 / ((performance.now() - t) / 1000);
  return { hashesPerSecond, createHashPerSecond, mbPerSecond };
}

async function prepare(dir: string): Promise<Job> {
  const shownTarget = Math.max(100, Math.round(1_000_000 * SCALE));
  const withheldEvery = 10;
  const rangeLength = Math.ceil((shownTarget * withheldEvery) / (withheldEvery - 1));
  const margin = Math.max(16, Math.round(10_000 * SCALE));
  const from = margin;
  const to = from + rangeLength;
  const treeSize = to + margin;
  const inputs = Array.from({ length: 64 }, (_, i) => eventInput(i));
  const store = new MemoryHashStore();
  const appender = new MerkleAppender();
  const source = await open(join(dir, 'source.ndjson'), 'w');
  const leavesFile = await open(join(dir, 'leaves.bin'), 'w');
  const sourceBuffer = new Uint8Array(8 << 20);
  let sourceLength = 0;
  const leafBuffer = new Uint8Array(32 * 65536);
  let leafLength = 0;
  const salt = new Uint8Array(16);
  const batch: Uint8Array[] = [];
  for (let seq = 0; seq < treeSize; seq++) {
    new DataView(salt.buffer).setUint32(0, seq);
    new DataView(salt.buffer).setUint32(12, Math.imul(seq, 2654435761));
    const { bytes } = createLoggedEvent(inputs[seq % 64]!, {
      organizationId: 'org_bench', seq, id: `019ceb74-9cbc-7c1e-8b0f-${seq.toString(16).padStart(12, '0')}`,
      receivedAt: 1_773_475_200_000 + seq, salt,
    });
    const leaf = hashLeaf(bytes, { hasher: undefined });
    batch.push(leaf);
    if (batch.length === 4096) store.writeHashes(appender.appendMany(batch.splice(0)));
    if (seq >= from && seq < to) {
      if (sourceLength + bytes.length + 1 > sourceBuffer.length) {
        await source.write(sourceBuffer, 0, sourceLength);
        sourceLength = 0;
      }
      sourceBuffer.set(bytes, sourceLength);
      sourceBuffer[sourceLength + bytes.length] = 10;
      sourceLength += bytes.length + 1;
      if (leafLength === leafBuffer.length) {
        await leavesFile.write(leafBuffer, 0, leafLength);
        leafLength = 0;
      }
      leafBuffer.set(leaf, leafLength);
      leafLength += 32;
    }
  }
  store.writeHashes(appender.appendMany(batch.splice(0)));
  await source.write(sourceBuffer, 0, sourceLength);
  await leavesFile.write(leafBuffer, 0, leafLength);
  await source.close();
  await leavesFile.close();
  const signer = generateSigner(ORIGIN);
  const old = from + Math.floor(rangeLength / 2);
  const oldNote = signCheckpoint({ origin: ORIGIN, size: BigInt(old), root: readRoot(store, BigInt(old)) }, signer.skey);
  const newNote = signCheckpoint(
    { origin: ORIGIN, size: BigInt(treeSize), root: appender.root(), prev: checkpointBodyHash(oldNote) }, signer.skey,
  );
  return {
    dir, from, to, treeSize, withheldEvery,
    checkpoints: [
      { note: oldNote },
      { note: newNote, consistencyProof: proveConsistency(store, BigInt(old), BigInt(treeSize)).map(encodeBase64) },
    ],
    proofHashes: proveRange(store, BigInt(from), BigInt(to), BigInt(treeSize)).map(encodeBase64),
    vkey: signer.vkey, skey: signer.skey, csv: process.env.BENCH_CSV === '1',
  };
}

function runChild(phase: string, jobPath: string): PhaseResult {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, phase, jobPath], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`${phase} failed with status ${child.status}`);
  const last = child.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as PhaseResult;
}

async function main(): Promise<void> {
  const [phase, jobPath] = process.argv.slice(2);
  if (phase !== undefined && jobPath !== undefined) {
    const job = JSON.parse(readFileSync(jobPath, 'utf8')) as Job;
    const timer = process.env.BENCH_MEMLOG === '1' ? setInterval(() => {
      const m = process.memoryUsage();
      (globalThis as { gc?: () => void }).gc?.();
      process.stderr.write(`rss ${(m.rss / 1e6).toFixed(0)} heap ${(m.heapUsed / 1e6).toFixed(0)}/${(m.heapTotal / 1e6).toFixed(0)} external ${(m.external / 1e6).toFixed(0)} arrayBuffers ${(m.arrayBuffers / 1e6).toFixed(0)}\n`);
    }, 1000) : undefined;
    const result = phase === 'write' ? await childWrite(job) : await childVerify(job, phase === 'verify-workers' ? 2 : 0);
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log('@custody/bundle benchmark');
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`scale ${SCALE}, writer zlib level ${LEVEL}${process.env.BENCH_CSV === '1' ? ', with data/events.csv' : ''}`);
  const dir = mkdtempSync(join(tmpdir(), 'custody-bundle-bench-'));
  if (process.env.BENCH_PREPARE_ONLY === '1') {
    const job = await prepare(dir);
    writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
    console.log(`prepared in ${dir}`);
    return;
  }
  try {
    let t = performance.now();
    const job = await prepare(dir);
    const jobPath = join(dir, 'job.json');
    writeFileSync(jobPath, JSON.stringify(job));
    console.log(`prepared ${fmt(job.treeSize)} events and the tree in ${fmt((performance.now() - t) / 1000, 1)} s (not measured below)`);
    const raw = rawShaRates();
    console.log(`raw SHA-256: ${fmt(raw.hashesPerSecond)} hashes/s of 552-byte messages (crypto.hash), ${fmt(raw.createHashPerSecond)}/s (createHash); ${fmt(raw.mbPerSecond)} MB/s streaming`);
    t = performance.now();
    const write = runChild('write', jobPath);
    const counts = write.counts as { events: number; withheld: number; leaves: number };
    const zipSize = statSync(join(dir, 'bundle.zip')).size;
    console.log('');
    console.log(`bundle: ${fmt(counts.events)} events shown, ${fmt(counts.withheld)} withheld (complete range of ${fmt(counts.leaves)} leaves in a tree of ${fmt(job.treeSize)}); ` +
      `events.ndjson ${fmt((write.eventsSize as number) / 1e6, 1)} MB, zip ${fmt(zipSize / 1e6, 1)} MB`);
    const verifyInline = runChild('verify-inline', jobPath);
    const verifyWorkers = runChild('verify-workers', jobPath);
    const rows: [string, string, string, string][] = [
      ['write (1 thread + zlib pool)', `${fmt(write.ms / 1000, 2)} s`, `${fmt(counts.events / (write.ms / 1000))} events/s`, `${fmt(write.maxRssMb)} MB`],
      ['verify, inline', `${fmt(verifyInline.ms / 1000, 2)} s`, `${fmt(counts.events / (verifyInline.ms / 1000))} events/s`, `${fmt(verifyInline.maxRssMb)} MB`],
      ['verify, 2 worker threads', `${fmt(verifyWorkers.ms / 1000, 2)} s`, `${fmt(counts.events / (verifyWorkers.ms / 1000))} events/s`, `${fmt(verifyWorkers.maxRssMb)} MB`],
    ];
    console.log('');
    console.log(`${'phase'.padEnd(30)} ${'time'.padStart(9)} ${'rate'.padStart(20)} ${'peak RSS'.padStart(10)}`);
    for (const [a, b, c, d] of rows) console.log(`${a.padEnd(30)} ${b.padStart(9)} ${c.padStart(20)} ${d.padStart(10)}`);
    const best = counts.events / (Math.min(verifyInline.ms, verifyWorkers.ms) / 1000);
    console.log('');
    console.log(`verification: ${fmt(best)} events/s = ${fmt((100 * best) / raw.hashesPerSecond, 0)}% of the raw rate of 552-byte hashes; goal >= 300,000 events/s: ${best >= 300_000 ? 'met' : 'NOT met'}`);
    console.log(`valid: inline ${String(verifyInline.valid)}, workers ${String(verifyWorkers.valid)}; write peak RSS goal < 300 MB: ${write.maxRssMb < 300 ? 'met' : 'NOT met'}`);
    void nodeSha256;
  } finally {
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
