/**
 * A limit on how long a caller waits for the database, for the waits no statement time limit bounds: a database that
 * stops answering without closing its connections (a frozen host, a network dropping packets) answers no statement,
 * not even to say that its own `statement_timeout` passed.
 */
import { AppError } from './errors';

/**
 * `work`, or UNAVAILABLE once `ms` have passed without its answer (`details.timeoutMs`); `ms` 0 waits as long as it
 * takes. What `work` does goes on. For a read (`kind` `'read'`, the default) the answer says to retry. For a change
 * (`'change'`) it says that the change may still be made, with `details.applied: 'unknown'`: the caller looks before
 * repeating one that is not idempotent (an API key created twice, say).
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, what: string, kind: 'read' | 'change' = 'read'): Promise<T> {
  if (ms <= 0) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          kind === 'read'
            ? new AppError('UNAVAILABLE', `the database did not answer ${what} within ${ms} ms; retry`, { details: { timeoutMs: ms } })
            : new AppError('UNAVAILABLE', `the database did not confirm ${what} within ${ms} ms; it may still be made: look before you repeat it`, {
                details: { timeoutMs: ms, applied: 'unknown' },
              }),
        ),
      ms,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
