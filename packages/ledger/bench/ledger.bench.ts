/**
 * @custody/ledger benchmark: `npm run bench` (= `tsx bench/ledger.bench.ts`). A script that prints figures, not a
 * vitest bench. `BENCH_SCALE=0.1 npm run bench` for a quick run (all sizes scaled).
 *
 * SHA-256 is Node's `crypto.createHash`, injected as the server does. Figures:
 *   1. raw SHA-256 rate for 64-byte messages;
 *   2. leaves appended/s (leaf hash + MerkleAppender + MemoryHashStore), 1M leaves, as % of the raw rate;
 *   3. inclusion proofs generated/s (plans over the store) and verified/s at size 1M;
 *   4. root of 1,000,000 leaf hashes (rootHash) in seconds;
 *   5. headline: 1,000,000 inclusion proofs of a 10,000,000-leaf tree verified on all cores (worker_threads),
 *      the tree built into a MemoryHashStore first (timed separately), then the same leaves as one multi-leaf proof.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  MemoryHashStore, MerkleAppender, createHasher, createMultiLeafVerifier, proveInclusion, proveMultiLeaf, rootHash,
  verifyInclusion, type MemoryHashStoreSnapshot, type Sha256,
} from '../src/index';

/** Node's SHA-256 as the server injects it. */
const nodeSha256: Sha256 = (...chunks) => {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
};
const hasher = createHasher(nodeSha256);
const options = { hasher };

/**
 * For comparison only: Node's one-shot `crypto.hash` (Node >= 20.12), which skips the Hash object. Chunks are
 * copied into a scratch buffer (crypto.hash reads it synchronously).
 */
const scratch = new Uint8Array(1024);
const oneShotSha256: Sha256 = (...chunks) => {
  if (chunks.length === 1) return oneShotHash('sha256', chunks[0] as Uint8Array, 'buffer');
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const target = length <= scratch.length ? scratch.subarray(0, length) : new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    target.set(chunk, offset);
    offset += chunk.length;
  }
  return oneShotHash('sha256', target, 'buffer');
};
const HASHERS = { createHash: hasher, 'crypto.hash': createHasher(oneShotSha256) } as const;
type Adapter = keyof typeof HASHERS;
const encoder = new TextEncoder();

/** Leaf data of leaf i (ASCII `leaf-i`) written into a reusable buffer. */
function leafData(i: number, buffer: Uint8Array): Uint8Array {
  const { written } = encoder.encodeInto(`leaf-${i}`, buffer);
  return buffer.subarray(0, written);
}

/** The sampled leaf indexes of the headline: `count` distinct, increasing, spread over [0, size). */
function sampleIndex(j: number, size: number, count: number): number {
  const stride = Math.floor(size / count);
  return j * stride + ((j * 7919) % stride);
}

// ------------------------------------------------------------------------------------------------ worker side

interface WorkerInput {
  snapshot: MemoryHashStoreSnapshot;
  size: number;
  count: number;
  from: number;
  to: number;
  root: Uint8Array;
}

if (!isMainThread) {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  const store = MemoryHashStore.fromSnapshot(input.snapshot);
  const size = BigInt(input.size);
  const n = input.to - input.from;
  // Phase A: generate this worker's proofs into one flat buffer (not part of the verification figure).
  let started = performance.now();
  const maxLength = 64;
  const flat = new Uint8Array(n * maxLength * 32);
  const lengths = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const proof = proveInclusion(store, BigInt(sampleIndex(input.from + k, input.size, input.count)), size, options);
    lengths[k] = proof.length;
    proof.forEach((hash, p) => flat.set(hash, (k * maxLength + p) * 32));
  }
  port.postMessage({ phase: 'generated', ms: performance.now() - started });
  port.on('message', (adapter: Adapter) => {
    // Phase B: verify as an investigator would: hash the leaf data, check the path against the signed root.
    const verifier = { hasher: HASHERS[adapter] };
    started = performance.now();
    const buffer = new Uint8Array(64);
    for (let k = 0; k < n; k++) {
      const index = sampleIndex(input.from + k, input.size, input.count);
      const proof: Uint8Array[] = [];
      for (let p = 0; p < (lengths[k] ?? 0); p++) proof.push(flat.subarray((k * maxLength + p) * 32, (k * maxLength + p + 1) * 32));
      verifyInclusion(verifier.hasher.hashLeaf(leafData(index, buffer)), BigInt(index), size, proof, input.root, verifier);
    }
    port.postMessage({ phase: 'verified', ms: performance.now() - started, verified: n });
  });
}

// ------------------------------------------------------------------------------------------------ main side

interface Row {
  metric: string;
  value: string;
  goal: string;
  met: string;
}

const rows: Row[] = [];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function row(metric: string, value: string, goal = '', met: boolean | undefined = undefined): void {
  rows.push({ metric, value, goal, met: met === undefined ? '' : met ? 'yes' : 'NO' });
  console.log(`  ${metric}: ${value}${goal ? `   (goal ${goal}: ${met === true ? 'met' : 'NOT met'})` : ''}`);
}

function time<T>(action: () => T): [T, number] {
  const started = performance.now();
  const result = action();
  return [result, performance.now() - started];
}

async function runWorkers(
  snapshot: MemoryHashStoreSnapshot, size: number, count: number, root: Uint8Array,
): Promise<{ generateMs: number; verify: Record<Adapter, { ms: number; cpuMs: number; verified: number }>; threads: number }> {
  const threads = availableParallelism();
  const per = Math.ceil(count / threads);
  // tsx registers its loader in-process, so a Worker registers it again before importing this TypeScript file.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const workers = Array.from({ length: threads }, (_, t) => new Worker(bootstrap, {
    eval: true,
    workerData: { snapshot, size, count, from: t * per, to: Math.min(count, (t + 1) * per), root } satisfies WorkerInput,
  }));
  const started = performance.now();
  await Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => resolve());
  })));
  const generateMs = performance.now() - started;
  const verify = {} as Record<Adapter, { ms: number; cpuMs: number; verified: number }>;
  for (const adapter of Object.keys(HASHERS) as Adapter[]) {
    // Process CPU time covers all threads; the main thread only waits, so this is the workers' CPU time, which
    // (unlike wall time) does not grow when other processes share the cores.
    const cpuStarted = process.cpuUsage();
    const verifyStarted = performance.now();
    const results = await Promise.all(workers.map((worker) => new Promise<{ verified: number }>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: { verified: number }) => resolve(message));
      worker.postMessage(adapter);
    })));
    const cpu = process.cpuUsage(cpuStarted);
    verify[adapter] = {
      ms: performance.now() - verifyStarted,
      cpuMs: (cpu.user + cpu.system) / 1000,
      verified: results.reduce((sum, r) => sum + r.verified, 0),
    };
  }
  await Promise.all(workers.map((worker) => worker.terminate()));
  return { generateMs, verify, threads };
}

async function main(): Promise<void> {
  const scale = Number(process.env['BENCH_SCALE'] ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_SCALE must be in (0, 1]');
  const scaled = (n: number): number => Math.max(1000, Math.round(n * scale));

  console.log('@custody/ledger benchmark');
  console.log(`  machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`  load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}${scale === 1 ? '' : `   BENCH_SCALE=${scale}`}`);
  console.log('');

  // 1 and 2. Raw SHA-256 of 64-byte messages and appending 1M leaves (leaf hash + MerkleAppender + MemoryHashStore,
  // in batches of 1000 as a server would), interleaved in 10 rounds so both see the same machine load.
  const message = new Uint8Array(64).fill(7);
  const rounds = 10;
  const rawPerRound = scaled(200_000);
  for (let i = 0; i < 100_000; i++) createHash('sha256').update(message).digest(); // warm-up
  let rawMs = 0;

  const size1 = Math.ceil(scaled(1_000_000) / (rounds * 1000)) * rounds * 1000;
  const store1 = new MemoryHashStore();
  const appender1 = new MerkleAppender(options);
  const buffer = new Uint8Array(64);
  let appendMs = 0;
  for (let round = 0; round < rounds; round++) {
    rawMs += time(() => {
      for (let i = 0; i < rawPerRound; i++) createHash('sha256').update(message).digest();
    })[1];
    const first = (round * size1) / rounds;
    appendMs += time(() => {
      for (let i = first; i < first + size1 / rounds; i += 1000) {
        const batch: Uint8Array[] = [];
        for (let j = i; j < i + 1000; j++) batch.push(hasher.hashLeaf(leafData(j, buffer)));
        store1.writeHashes(appender1.appendMany(batch));
      }
    })[1];
  }
  const rawRate = (rounds * rawPerRound) / (rawMs / 1000);
  row('raw SHA-256, 64-byte messages (createHash)', `${fmt(rawRate)} hashes/s`);
  const appendRate = size1 / (appendMs / 1000);
  const appendPercent = (100 * appendRate) / rawRate;
  // The leaf hashes, read back from level 0 of the store (small on-heap copies rather than 1M digest Buffers).
  const leafHashes = Array.from({ length: size1 }, (_, i) => store1.readHash(0, BigInt(i)) as Uint8Array);
  row(`leaves appended/s (${fmt(size1)} leaves, leaf hash + appender + store)`, `${fmt(appendRate)}/s = ${appendPercent.toFixed(0)}% of raw`, '>= 25% of raw', appendPercent >= 25);
  row('stored hashes per leaf', (store1.hashCount / size1).toFixed(3));
  const root1 = appender1.root();

  // 3. Inclusion proofs at size 1M from the store.
  const proofCount = scaled(200_000);
  const size1n = BigInt(size1);
  const indexes = Array.from({ length: proofCount }, (_, j) => BigInt(sampleIndex(j, size1, proofCount)));
  const [proofs, proveMs] = time(() => indexes.map((index) => proveInclusion(store1, index, size1n, options)));
  row(`inclusion proofs generated/s at size ${fmt(size1)}`, `${fmt(proofCount / (proveMs / 1000))}/s`);
  const [, verifyMs] = time(() => indexes.forEach((index, k) => verifyInclusion(leafHashes[Number(index)] as Uint8Array, index, size1n, proofs[k] as Uint8Array[], root1, options)));
  row(`inclusion proofs verified/s at size ${fmt(size1)} (1 thread)`, `${fmt(proofCount / (verifyMs / 1000))}/s`);

  // 4. Root of 1M leaf hashes from the array.
  const [root, rootMs] = time(() => rootHash(leafHashes, options));
  if (!Buffer.from(root).equals(Buffer.from(root1))) throw new Error('rootHash and MerkleAppender disagree');
  row(`root of ${fmt(size1)} leaves (rootHash)`, seconds(rootMs));
  leafHashes.length = 0;

  // 5. Headline: 10M-leaf tree, 1M inclusion proofs verified on all cores.
  const size10 = scaled(10_000_000);
  const sampleCount = scaled(1_000_000);
  console.log('');
  const store10 = new MemoryHashStore({ allocate: (bytes) => new Uint8Array(new SharedArrayBuffer(bytes)) });
  const appender10 = new MerkleAppender(options);
  const [, buildMs] = time(() => {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < size10; i++) {
      batch.push(hasher.hashLeaf(leafData(i, buffer)));
      if (batch.length === 1000 || i === size10 - 1) {
        store10.writeHashes(appender10.appendMany(batch));
        batch.length = 0;
      }
    }
  });
  const root10 = appender10.root();
  row(`build ${fmt(size10)}-leaf tree into MemoryHashStore`, `${seconds(buildMs)} (${fmt(size10 / (buildMs / 1000))} leaves/s, ${(store10.byteLength / 2 ** 20).toFixed(0)} MiB for ${fmt(store10.hashCount)} hashes)`);
  const { generateMs, verify, threads } = await runWorkers(store10.snapshot(), size10, sampleCount, root10);
  row(`generate ${fmt(sampleCount)} inclusion proofs (${threads} worker threads)`, seconds(generateMs));
  const goalMs = 60_000 * scale;
  for (const [adapter, { ms, cpuMs, verified }] of Object.entries(verify)) {
    if (verified !== sampleCount) throw new Error(`verified ${verified} of ${sampleCount}`);
    const headline = adapter === 'createHash';
    row(
      `verify ${fmt(sampleCount)} inclusion proofs of ${fmt(size10)} leaves (${threads} worker threads, ${adapter})`,
      `${seconds(ms)} wall (${fmt(sampleCount / (ms / 1000))}/s); CPU ${seconds(cpuMs)} = ${seconds(cpuMs / threads)} per core`,
      headline ? (scale === 1 ? '< 60 s on 2 cores' : `< ${seconds(goalMs)} (60 s scaled)`) : '',
      headline ? ms < goalMs : undefined,
    );
  }

  const sorted = Array.from({ length: sampleCount }, (_, j) => BigInt(sampleIndex(j, size10, sampleCount)));
  const [multiProof, multiProveMs] = time(() => proveMultiLeaf(store10, sorted, BigInt(size10), options));
  row(`generate one multi-leaf proof of the same ${fmt(sampleCount)} leaves`, `${seconds(multiProveMs)} (${fmt(multiProof.length)} hashes)`);
  const [, multiVerifyMs] = time(() => {
    const verifier = createMultiLeafVerifier(BigInt(size10), multiProof, options);
    for (const index of sorted) verifier.push(index, hasher.hashLeaf(leafData(Number(index), buffer)));
    verifier.finish(root10);
  });
  row(`verify it (streaming, 1 thread)`, seconds(multiVerifyMs));

  console.log('');
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...[['metric', 'value', 'goal', 'met'][c]!.length, ...rows.map((r) => [r.metric, r.value, r.goal, r.met][c]!.length)]));
  const line = (cells: string[]): string => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  console.log(line(['metric', 'value', 'goal', 'met']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line([r.metric, r.value, r.goal, r.met]));
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
