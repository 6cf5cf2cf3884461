/**
 * Ending the server process without waiting for a query thread stuck in a SQLite statement.
 */
import { workerThreadsStillRunning } from '@custody/core';

/** What `endProcess` logs through (the server's pino logger). */
export interface TExitLogger {
  warn(fields: object, message: string): void;
}

/**
 * Ends the process with `status`, once its worker threads have stopped (given `waitMs` to). `process.exit()` waits
 * for every worker thread, and a query thread inside a SQLite statement stops only when the statement returns:
 * better-sqlite3 cannot interrupt one, so a statistics query given up on past its time limit could hold a stopped
 * server for minutes. When threads still run after `waitMs`, the process ends by SIGTERM's default action instead
 * (a shell sees status 143; systemd and container runtimes take an end by SIGTERM as a clean stop). Nothing is lost
 * by it: by then every event is committed, the last checkpoints are signed and the database is closed, and such a
 * thread only reads.
 */
export async function endProcess(status: number, logger: TExitLogger, waitMs = 1_000): Promise<never> {
  const running = await workerThreadsStillRunning(waitMs);
  if (running === 0) process.exit(status);
  logger.warn(
    { threads: running, status },
    `${running} query thread(s) still inside a database statement that cannot be interrupted: ending the process by SIGTERM instead of waiting for them`,
  );
  process.removeAllListeners('SIGTERM');
  process.kill(process.pid, 'SIGTERM');
  // Should SIGTERM be ignored by whoever started the process (its disposition is inherited), SIGKILL.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1_000);
  return new Promise<never>(() => undefined);
}
