/**
 * SHA-256 benchmark of the pure implementations: the portable TypeScript one (`src/platform/sha256.ts`) against
 * the WebAssembly one (`src/platform/sha256-wasm.ts`). `cd packages/bundle && npx tsx bench/sha256.bench.ts`.
 * A script that prints figures, not a vitest bench.
 *
 * - incremental hashing in 64 KiB updates (MB/s, 1 MB = 10^6 bytes), as whole-file hashing does;
 * - one-shot `sha256Into` of 65-byte (a Merkle node: 0x01 ‖ two hashes) and 550-byte (a leaf: 0x00 ‖ a typical
 *   canonical event) messages, in hashes/s, as the per-leaf loops of verification do;
 * - leaf hashes of a batch (2000 messages 0x00 ‖ line laid out as `checkLeafBatch` gets them, each followed by a
 *   `\n`; 550 bytes each, or mixed 300…800): `sha256Into` per message over a `subarray` (what `checkLeafBatch`
 *   does without `sha256IntoMany`) against one `sha256IntoMany` call (`simd`: 4-lane WebAssembly SIMD), hashes/s.
 *
 * Each figure is the best of several samples, portable and WebAssembly alternating, after a warm-up (WebAssembly
 * code starts in V8's baseline tier and is optimized in the background), so a busy machine disturbs them both
 * alike. It runs in Node (node:crypto shown for context), then, when Chromium is found (CHROMIUM_PATH, default
 * /usr/bin/chromium; BENCH_BROWSER=0 skips it), on a headless Chromium page and in a Web Worker of it, from an
 * esbuild bundle of the two source files.
 *
 * `BENCH_SCALE` (default 1) scales the work of every sample (bytes hashed, messages, batches), for a quick run; the
 * smoke test (`test/bench-smoke.test.ts`) runs it at 0.001, where the figures mean nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

import { createPortableSha256, portableSha256Into } from '../src/platform/sha256';
import { wasmSha256 } from '../src/platform/sha256-wasm';
import type { CreateSha256, Sha256Into, Sha256IntoMany } from '../src/platform/types';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BROWSER = process.env.BENCH_BROWSER !== '0';
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('BENCH_SCALE must be in (0, 1]');
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

interface Implementations {
  readonly incremental: Record<string, CreateSha256>;
  readonly oneShot: Record<string, Sha256Into>;
  /** Batch leaf hashing: `sha256IntoMany`, or a loop of `sha256Into` (see {@link manyOf}). */
  readonly leaves: Record<string, Sha256IntoMany>;
}

/** `sha256IntoMany` as a loop of `sha256Into` over subarrays, as `checkLeafBatch` hashes without it. */
function manyOf(into: Sha256Into): Sha256IntoMany {
  return (data, starts, ends, count, out) => {
    for (let i = 0; i < count; i++) into(data.subarray(starts[i], ends[i]), out, 32 * i);
  };
}

interface Config {
  readonly samples: number;
  /** Bytes hashed per incremental sample. */
  readonly incrementalBytes: number;
  /** One-shot message sizes and the hashes per sample of each. */
  readonly oneShot: readonly { readonly size: number; readonly count: number }[];
  /** Leaf batches: messages per batch, batches per sample, message sizes (min…max; equal for a fixed size). */
  readonly leaves: readonly { readonly batch: number; readonly batches: number; readonly min: number; readonly max: number }[];
}

/** Best (and median) rate of each implementation, per workload. */
type Results = Record<string, Record<string, { best: number; median: number }>>;

/** `n` times BENCH_SCALE, at least 1. */
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));

const CONFIG: Config = {
  samples: 7,
  incrementalBytes: scaled(32 * 1024 * 1024),
  oneShot: [
    { size: 65, count: scaled(200_000) },
    { size: 550, count: scaled(40_000) },
  ],
  leaves: [
    { batch: 2000, batches: scaled(20), min: 550, max: 550 },
    { batch: 2000, batches: scaled(20), min: 300, max: 800 },
  ],
};

/**
 * Runs every workload. Self-contained (it references nothing outside its body), because the browser runs it
 * from its source text (`measure.toString()`).
 */
function measure(impls: Implementations, config: Config): Results {
  const now = (): number => performance.now();
  const summary = (rates: number[]): { best: number; median: number } => {
    const sorted = [...rates].sort((x, y) => x - y);
    return { best: sorted[sorted.length - 1] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  };
  const hexOf = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  // Deterministic pseudo-random input.
  const input = new Uint8Array(64 * 1024);
  let seed = 0x9e3779b9;
  for (let i = 0; i < input.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    input[i] = seed >>> 24;
  }
  const results: Results = {};

  // Incremental, 64 KiB updates.
  const updates = Math.max(1, Math.round(config.incrementalBytes / input.length));
  const digests = new Set<string>();
  const incremental: Record<string, number[]> = {};
  for (let sample = -1; sample < config.samples; sample++) {
    for (const [label, create] of Object.entries(impls.incremental)) {
      const hash = create();
      const start = now();
      for (let i = 0; i < updates; i++) hash.update(input);
      const digest = hash.digest();
      const seconds = (now() - start) / 1000;
      digests.add(hexOf(digest));
      if (sample >= 0) (incremental[label] ??= []).push((updates * input.length) / 1e6 / seconds);
    }
  }
  if (digests.size !== 1) throw new Error(`incremental digests differ: ${[...digests].join(', ')}`);
  results['incremental, 64 KiB updates (MB/s)'] = Object.fromEntries(
    Object.entries(incremental).map(([label, rates]) => [label, summary(rates)]),
  );

  // One-shot into a buffer, at an offset.
  for (const { size, count } of config.oneShot) {
    const data = input.subarray(0, size);
    const out = new Uint8Array(64);
    const rates: Record<string, number[]> = {};
    const outputs = new Set<string>();
    for (let sample = -1; sample < config.samples; sample++) {
      for (const [label, into] of Object.entries(impls.oneShot)) {
        const start = now();
        for (let i = 0; i < count; i++) into(data, out, 16);
        const seconds = (now() - start) / 1000;
        outputs.add(hexOf(out.subarray(16, 48)));
        if (sample >= 0) (rates[label] ??= []).push(count / seconds);
      }
    }
    if (outputs.size !== 1) throw new Error(`one-shot digests differ for ${size} bytes`);
    results[`one-shot sha256Into, ${size} bytes (hashes/s)`] = Object.fromEntries(
      Object.entries(rates).map(([label, r]) => [label, summary(r)]),
    );
  }

  // Leaf batches: each message 0x00 ‖ line, followed by '\n', as checkLeafBatch gets them.
  for (const { batch, batches, min, max } of config.leaves) {
    const starts = new Int32Array(batch);
    const ends = new Int32Array(batch);
    let length = 0;
    for (let i = 0; i < batch; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      starts[i] = length;
      length += min + (seed % (max - min + 1));
      ends[i] = length;
      length += 1;
    }
    const layout = new Uint8Array(length);
    for (let i = 0; i < length; i++) layout[i] = input[i % input.length] as number;
    for (let i = 0; i < batch; i++) {
      layout[starts[i] as number] = 0;
      layout[ends[i] as number] = 0x0a;
    }
    const out = new Uint8Array(32 * batch);
    const rates: Record<string, number[]> = {};
    const outputs = new Set<string>();
    for (let sample = -1; sample < config.samples; sample++) {
      for (const [label, many] of Object.entries(impls.leaves)) {
        out.fill(0);
        const start = now();
        for (let b = 0; b < batches; b++) many(layout, starts, ends, batch, out);
        const seconds = (now() - start) / 1000;
        outputs.add(hexOf(out));
        if (sample >= 0) (rates[label] ??= []).push((batch * batches) / seconds);
      }
    }
    if (outputs.size !== 1) throw new Error(`leaf batch digests differ for ${min}…${max} bytes`);
    const sizes = min === max ? `${min} bytes` : `${min}…${max} bytes`;
    results[`leaf hashes, batches of ${batch}, ${sizes} (hashes/s)`] = Object.fromEntries(
      Object.entries(rates).map(([label, r]) => [label, summary(r)]),
    );
  }
  return results;
}

function print(title: string, results: Results): void {
  console.log(`\n${title}`);
  const format = (n: number): string => (n >= 10_000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(0));
  for (const [workload, byImpl] of Object.entries(results)) {
    console.log(`  ${workload}`);
    const portable = byImpl.portable?.best ?? 0;
    const wasm = byImpl.wasm?.best ?? 0;
    for (const [label, { best, median }] of Object.entries(byImpl)) {
      let ratio = portable > 0 && label !== 'portable' ? `  ${(best / portable).toFixed(2)}× portable` : '';
      if (label === 'simd' && wasm > 0) ratio += `  ${(best / wasm).toFixed(2)}× wasm`;
      console.log(`    ${label.padEnd(12)} best ${format(best).padStart(11)}   median ${format(median).padStart(11)}${ratio}`);
    }
  }
}

/** The Node implementations, plus node:crypto for context. */
function nodeImplementations(): Implementations {
  const start = performance.now();
  const wasm = wasmSha256();
  console.log(`first wasmSha256() call (generate, compile, instantiate, self-check): ${(performance.now() - start).toFixed(1)} ms`);
  if (wasm === undefined) throw new Error('the WebAssembly SHA-256 did not instantiate in Node');
  return {
    incremental: {
      portable: createPortableSha256,
      wasm: wasm.createSha256,
      'node:crypto': () => {
        const h = createHash('sha256');
        return { update: (bytes) => void h.update(bytes), digest: () => h.digest() };
      },
    },
    oneShot: {
      portable: portableSha256Into,
      wasm: wasm.sha256Into,
      'node:crypto': (data, out, offset) => void out.set(createHash('sha256').update(data).digest(), offset),
    },
    leaves: {
      portable: manyOf(portableSha256Into),
      wasm: manyOf(wasm.sha256Into),
      ...(wasm.sha256IntoMany === undefined ? {} : { simd: wasm.sha256IntoMany }),
      'node:crypto': manyOf((data, out, offset) => void out.set(createHash('sha256').update(data).digest(), offset)),
    },
  };
}

/** Bundles the two implementations for the browser and runs {@link measure} on a page and in a Worker. */
async function measureInChromium(): Promise<void> {
  if (!BROWSER) return;
  if (!existsSync(CHROMIUM)) {
    console.log(`\n(Chromium not found at ${CHROMIUM}: set CHROMIUM_PATH to measure in a browser)`);
    return;
  }
  const [{ build }, { chromium }] = await Promise.all([import('esbuild'), import('playwright-core')]);
  const bundled = await build({
    stdin: {
      contents: [
        "import { createPortableSha256, portableSha256Into } from './src/platform/sha256';",
        "import { wasmSha256 } from './src/platform/sha256-wasm';",
        'const manyOf = (into) => (data, starts, ends, count, out) => {',
        '  for (let i = 0; i < count; i++) into(data.subarray(starts[i], ends[i]), out, 32 * i);',
        '};',
        'globalThis.benchImplementations = () => {',
        '  const start = performance.now();',
        '  const wasm = wasmSha256();',
        '  globalThis.benchFirstCallMs = performance.now() - start;',
        "  if (wasm === undefined) throw new Error('the WebAssembly SHA-256 did not instantiate');",
        '  return {',
        '    incremental: { portable: createPortableSha256, wasm: wasm.createSha256 },',
        '    oneShot: { portable: portableSha256Into, wasm: wasm.sha256Into },',
        '    leaves: {',
        '      portable: manyOf(portableSha256Into),',
        '      wasm: manyOf(wasm.sha256Into),',
        '      ...(wasm.sha256IntoMany === undefined ? {} : { simd: wasm.sha256IntoMany }),',
        '    },',
        '  };',
        '};',
      ].join('\n'),
      resolveDir: PACKAGE_DIR,
      loader: 'ts',
      sourcefile: 'sha256-bench-entry.ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const bundle = bundled.outputFiles[0]?.text ?? '';
  // tsx compiles this file with esbuild's keepNames, so measure's source calls __name(): define it as identity.
  const prelude = 'globalThis.__name ??= (target) => target;\n';
  const run = `(${measure.toString()})(globalThis.benchImplementations(), ${JSON.stringify(CONFIG)})`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: prelude + bundle });
    console.log(`\nbrowser: ${browser.version()}, headless`);
    const onPage = await page.evaluate<Results>(run);
    const firstCallMs = await page.evaluate<number>('globalThis.benchFirstCallMs');
    print(`Chromium, page (main thread); first wasmSha256() call ${firstCallMs.toFixed(1)} ms:`, onPage);
    const workerSource = [
      prelude,
      bundle,
      'onmessage = () => {',
      `  try { const ok = ${run}; postMessage({ ok, firstCallMs: globalThis.benchFirstCallMs }); }`,
      '  catch (e) { postMessage({ error: String(e) }); }',
      '};',
    ].join('\n');
    const inWorker = await page.evaluate<{ ok?: Results; firstCallMs?: number; error?: string }>(
      `new Promise((resolve) => {
        const worker = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(workerSource)}], { type: 'text/javascript' })));
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => resolve({ error: event.message });
        worker.postMessage(null);
      })`,
    );
    if (inWorker.ok === undefined) throw new Error(`in the Worker: ${inWorker.error ?? 'no result'}`);
    print(`Chromium, Web Worker; first wasmSha256() call ${(inWorker.firstCallMs ?? NaN).toFixed(1)} ms:`, inWorker.ok);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`best and median of ${CONFIG.samples} samples (portable and wasm alternating, after a warm-up)${SCALE === 1 ? '' : `; BENCH_SCALE=${SCALE}`}`);
  print('Node:', measure(nodeImplementations(), CONFIG));
  await measureInChromium();
}

await main();
