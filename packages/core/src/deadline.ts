/**
 * A limit on how long a caller waits for the database, for the waits no statement time limit bounds: a database that
 * stops answering without closing its connections (a frozen host, a network dropping packets) answers no statement,
 * not even to say that its own `statement_timeout` passed.
 */
import { AppError } from './errors';

/**
 * `work`, or UNAVAILABLE once `ms` have passed without its answer (`details.timeoutMs`); `ms` 0 waits as long as it
 * takes. What `work` does goes on: only a read, or a write whose caller may repeat it, should be waited for so.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (ms <= 0) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('UNAVAILABLE', `the database did not answer ${what} within ${ms} ms; retry`, { details: { timeoutMs: ms } })), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
