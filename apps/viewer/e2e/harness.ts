/**
 * The e2e suites' helpers: everything of `browser.ts` (web build, static server, Chromium) plus vitest polling.
 */
import { expect } from 'vitest';

export * from './browser';

/** Retries `read` until it satisfies the assertion. */
export function poll<T>(read: () => Promise<T> | T, timeout = 45_000) {
  return expect.poll(read, { timeout, interval: 100 });
}

