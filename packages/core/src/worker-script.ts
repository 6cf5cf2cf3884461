/**
 * Starting one of `@custody/core`'s worker threads (the ingest writer, the bundle leaf checkers).
 *
 * The script is the bundled `<name>.js` beside the running file (the server's `dist/`, where every
 * module of this package shares the bundle's URL), else the TypeScript source `<name>.ts` beside this
 * file, loaded through tsx (workspace installs, tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The file URL of tsx's ESM API (`register`), found through tsx's own export map. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = exports['./esm/api']?.import?.default;
  if (entry === undefined) throw new Error('tsx/esm/api has no ESM entry: the installed tsx is not the one @custody/core was built for');
  return pathToFileURL(join(dirname(manifest), entry)).href;
}

/** Starts the worker script `name` (e.g. `log-writer.worker`) with `workerData`. */
/**
 * How long a thread's start waits, after the thread stopped, for its `start-failed` message before saying only that
 * it stopped: a thread that cannot open the database posts why, then throws (`databaseWorker`), and its `error` or
 * `exit` event can reach this side before the message does.
 */
export const START_FAILED_GRACE_MS = 100;

export function startWorkerScript(name: string, workerData: unknown): Worker {
  const bundled = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return trackWorkerThread(new Worker(bundled, { workerData }));
  const source = new URL(`./${name}.ts`, import.meta.url).href;
  // tsx registers its loader per thread: register it in the worker before importing the TypeScript file.
  // Resolved here: an eval worker resolves bare names from the process's working directory.
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return trackWorkerThread(new Worker(bootstrap, { eval: true, workerData }));
}

/** Worker threads started (or tracked) here that have not exited. */
const running = new Set<Worker>();

/** Counts `worker` among the threads {@link workerThreadsStillRunning} waits for, until it exits; returns it. */
export function trackWorkerThread(worker: Worker): Worker {
  running.add(worker);
  worker.once('exit', () => running.delete(worker));
  return worker;
}

/**
 * Waits up to `ms` for the worker threads started here to exit, and says how many still run.
 *
 * Node's `process.exit()` waits for every worker thread to stop, and a thread inside a SQLite statement cannot stop
 * before the statement returns (better-sqlite3 cannot interrupt one): a query thread given up on (a call past its
 * time limit, its statement still running) holds the process's exit for as long as its statement runs, minutes
 * for a pathological one. A process that is done with everything else checks this first, and ends another way
 * when threads remain (see the server's `endProcess`).
 */
export async function workerThreadsStillRunning(ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, Math.min(25, Math.max(1, deadline - Date.now()))));
  return running.size;
}
