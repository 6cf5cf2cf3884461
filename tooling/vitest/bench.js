// @ts-check
/**
 * Running a package's benchmark scripts from its tests (`test/bench-smoke.test.ts`), so that a bench that stops
 * running fails `npm test`: the figures are printed, never judged, and the tests check only that each is printed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The default of `runBench`'s `inherit`: every variable of the caller but its `BENCH_*`, so only `env` sets the scale. */
const notBenchSettings = (/** @type {string} */ name) => !name.startsWith('BENCH_');

/**
 * Runs `bench/<script>` of the package at `root` in a fresh Node (with tsx) to its end, or kills it after
 * `timeoutMs`: its exit status and everything it printed, stdout and stderr in the order they came.
 *
 * @param {string} root
 * @param {string} script
 * @param {{ env?: Record<string, string>, args?: readonly string[], timeoutMs?: number, inherit?: (name: string) => boolean }} [options]
 * @returns {Promise<{ status: number | null, out: string }>}
 */
export function runBench(root, script, { env = {}, args = [], timeoutMs = 150_000, inherit = notBenchSettings } = {}) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => inherit(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', script), ...args], {
      cwd: root,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let out = '';
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => (out += chunk.toString()));
    child.stderr.on('data', (/** @type {Buffer} */ chunk) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

/** `text` as a regular expression source matching itself. */
export const literal = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
