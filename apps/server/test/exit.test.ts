/**
 * The server's last step, `endProcess`: a worker thread inside a SQLite statement (which cannot be interrupted)
 * must not hold the process. `process.exit()` alone waited for the statement: minutes for a query thread given up on.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A script that starts a tracked worker thread running `statement` in SQLite, then ends through `endProcess`. */
function script(statement: string): string {
  return `
import { Worker } from 'node:worker_threads';
import { trackWorkerThread } from '@custody/core';
import { endProcess } from ${JSON.stringify(pathToFileURL(join(root, 'src', 'exit.ts')).href)};
const code = \`
  const { parentPort, workerData } = require('node:worker_threads');
  const db = new (require(workerData.module))(':memory:');
  parentPort.postMessage('started');
  db.prepare(workerData.statement).get();
\`;
const module = ${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))};
const worker = trackWorkerThread(new Worker(code, { eval: true, execArgv: [], workerData: { module, statement: ${JSON.stringify(statement)} } }));
process.on('SIGTERM', () => console.error('a handler of our own, removed before the end'));
worker.once('message', () => {
  console.error('worker started');
  void endProcess(0, { warn: (fields, message) => console.error(JSON.stringify(fields), message) }, 300);
});
`;
}

describe('endProcess', () => {
  // Evaluated in the server's folder, so that '@custody/core' is the one the server's `exit.ts` imports.
  const run = (statement: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(statement)], { cwd: root, encoding: 'utf8', timeout: 90_000, killSignal: 'SIGKILL' });

  it('ends by SIGTERM, saying why, when a thread is still inside a statement that would run for hours', () => {
    // A recursive count to 10^11: hours of one SQLite statement.
    const r = run('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000000) SELECT count(*) FROM c');
    // Killed (SIGKILL) after 90 s otherwise: a process inside exit() runs no signal handler, and ours ignores SIGTERM.
    expect(r.error, 'the process was still running after 90 s: endProcess waited for the statement').toBeUndefined();
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(r.stderr).toContain('worker started');
    expect(r.stderr).toContain('{"threads":1,"status":0} 1 query thread(s) still inside a database statement that cannot be interrupted');
    expect(r.stderr).not.toContain('a handler of our own');
  });

  it('exits with the status when the threads are done', () => {
    const r = run('SELECT 1');
    expect(r.error).toBeUndefined();
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('still inside');
  });
});
