/**
 * A token bucket per key, in memory (per process): `perSecond` sustained, `burst` at once.
 */
export class RateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** `perSecond` of 0 disables limiting. */
  constructor(perSecond: number, burst = perSecond * 2) {
    this.#perSecond = perSecond;
    this.#burst = Math.max(burst, 1);
  }

  /**
   * Takes `cost` tokens for `key`. Returns 0 when allowed, else the milliseconds to wait before a retry.
   */
  take(key: string, cost = 1, now = Date.now()): number {
    if (this.#perSecond <= 0) return 0;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size > 100_000) this.#buckets.clear();
      bucket = { tokens: this.#burst, at: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond);
    bucket.at = now;
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - bucket.tokens) / this.#perSecond) * 1000);
  }
}
