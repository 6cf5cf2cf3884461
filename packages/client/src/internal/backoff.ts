/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
 * spreading retries uniformly over the whole window keeps many clients that failed together from
 * retrying together.
 */

/** The settings `computeBackoffDelay` reads (the `retry` options). */
export interface TBackoffSettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The wait before the next attempt after `failedAttempts` failures (≥ 1): a uniformly random time in
 * `[0, min(maxDelayMs, baseDelayMs · 2^(failedAttempts − 1))]`. A server's `retryAfterMs` (429) is a
 * floor, itself capped at `maxDelayMs` so a hostile or buggy value cannot stall the client.
 * `random` returns a number in [0, 1) (default `Math.random`).
 */
export function computeBackoffDelay(
  failedAttempts: number,
  settings: TBackoffSettings,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  // 2^exponent overflows to Infinity for huge attempt counts; Math.min keeps the ceiling finite.
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(exponent, 52));
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterMs === undefined ? 0 : Math.min(Math.max(0, retryAfterMs), settings.maxDelayMs);
  return Math.max(jittered, floor);
}
