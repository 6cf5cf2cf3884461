import { describe, expect, it } from 'vitest';

import { CustodyClientError } from './custody-client-error';
import { CUSTODY_CLIENT_DEFAULTS, resolveCustodyOptions } from './custody-options';
import type { TCustodyOptions } from './custody-options';

const base = { url: 'https://audit.example.com/', apiKey: 'ck_test' };

function errorOf(options: TCustodyOptions): CustodyClientError {
  try {
    resolveCustodyOptions(options);
  } catch (error) {
    if (error instanceof CustodyClientError) return error;
    throw error;
  }
  throw new Error('expected INVALID_OPTIONS');
}

describe('resolveCustodyOptions', () => {
  describe('when only url and apiKey are given', () => {
    it('applies every documented default', () => {
      const resolved = resolveCustodyOptions(base);
      expect(resolved.batch).toEqual({ maxEvents: 100, maxDelayMs: 200, maxBytes: 4 * 1024 * 1024 });
      expect(resolved.retry).toEqual({ maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 30_000 });
      expect(resolved.queue).toEqual({ maxEvents: 10_000, policy: 'block', blockTimeoutMs: 30_000 });
      expect(resolved.timeoutMs).toBe(10_000);
      expect(resolved.batch).toEqual(CUSTODY_CLIENT_DEFAULTS.batch);
    });

    it('calls <url>/trpc, without a doubled slash', () => {
      expect(resolveCustodyOptions(base).trpcUrl).toBe('https://audit.example.com/trpc');
      expect(resolveCustodyOptions({ ...base, url: 'http://h:4000/custody' }).trpcUrl).toBe('http://h:4000/custody/trpc');
    });
  });

  describe('when a partial group is given', () => {
    it('keeps the defaults of the other fields', () => {
      const resolved = resolveCustodyOptions({ ...base, batch: { maxEvents: 5 }, retry: { maxAttempts: Infinity }, queue: { policy: 'reject' } });
      expect(resolved.batch).toEqual({ maxEvents: 5, maxDelayMs: 200, maxBytes: 4 * 1024 * 1024 });
      expect(resolved.retry.maxAttempts).toBe(Infinity);
      expect(resolved.queue).toEqual({ maxEvents: 10_000, policy: 'reject', blockTimeoutMs: 30_000 });
    });
  });

  describe('when an option is invalid', () => {
    it.each([
      ['url', { url: 'ftp://x' }],
      ['url', { url: 'not a url' }],
      ['url', { url: 'http://user:pw@127.0.0.1:4000' }],
      ['url', { url: 'http://127.0.0.1:4000/?x=1' }],
      ['url', { url: 'http://127.0.0.1:4000#frag' }],
      ['url', { url: 'http://127.0.0.1:4000/?' }],
      ['apiKey', { apiKey: '' }],
      ['organizationId', { organizationId: 'has space' }],
      ['batch.maxEvents', { batch: { maxEvents: 1_001 } }],
      ['batch.maxEvents', { batch: { maxEvents: 0 } }],
      ['batch.maxDelayMs', { batch: { maxDelayMs: -1 } }],
      ['batch.maxBytes', { batch: { maxBytes: 1_000 } }],
      ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
      ['retry.maxAttempts', { retry: { maxAttempts: 1.5 } }],
      ['retry.maxDelayMs', { retry: { baseDelayMs: 500, maxDelayMs: 100 } }],
      ['queue.maxEvents', { queue: { maxEvents: 0 } }],
      ['queue.policy', { queue: { policy: 'drop-newest' } }],
      ['queue.blockTimeoutMs', { queue: { blockTimeoutMs: Number.NaN } }],
      ['timeoutMs', { timeoutMs: 0 }],
    ])('throws INVALID_OPTIONS naming %s', (name, patch) => {
      const error = errorOf({ ...base, ...patch } as TCustodyOptions);
      expect(error.code).toBe('INVALID_OPTIONS');
      expect(error.message.startsWith(`${name} `)).toBe(true);
    });

    it('never echoes an API key', () => {
      expect(errorOf({ ...base, url: 'nope' }).message).not.toContain('ck_test');
    });
  });
});
