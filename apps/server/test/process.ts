/** Runs the real `custody serve` process (from the TypeScript sources) for crash and shutdown tests. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface TServerProcess {
  child: ChildProcess;
  url: string;
  /** The bootstrap admin key, when this start created it. */
  bootstrapKey: string | null;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `custody serve` with `env` and waits until it listens. */
export async function startServerProcess(env: Record<string, string>): Promise<TServerProcess> {
  // BENCH_PROFILE=<dir>: write a V8 CPU profile of each server process there (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(root, 'src', 'cli.ts'), 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /Custody is running at (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    // The banner is on stderr (stdout holds only the JSON log lines).
    child.stderr?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited during start:\n${out}`));
    });
  });
  const key = /^\s+(custody_sk_\S+)\s*$/m.exec(out)?.[1] ?? null;
  return { child, url, bootstrapKey: key, output: () => out, exited };
}
