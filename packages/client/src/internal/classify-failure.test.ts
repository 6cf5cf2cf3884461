import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';

import { classifyFailure } from './classify-failure';
import { HttpResponseError } from './http-response-error';

/** A TRPCClientError as the client builds it from the server's JSON error body. */
function serverError(httpStatus: number, appError: Record<string, unknown> | null, message = 'server says no') {
  return TRPCClientError.from({ error: { message, code: -32000, data: { httpStatus, appError, code: 'X', path: 'events.createBatch' } } });
}

describe('classifyFailure', () => {
  describe('when there is no HTTP status (connection refused, reset, DNS)', () => {
    it('is retryable', () => {
      const failure = classifyFailure(TRPCClientError.from(new TypeError('fetch failed')));
      expect(failure).toMatchObject({ kind: 'retryable', httpStatus: undefined });
      expect(failure.message).toContain('fetch failed');
    });

    it('treats anything a custom fetch throws the same way', () => {
      expect(classifyFailure(new Error('socket hang up')).kind).toBe('retryable');
    });
  });

  describe('when the server answered 429 with retryAfterMs', () => {
    it('is retryable and carries the hint', () => {
      const failure = classifyFailure(serverError(429, { code: 'TOO_MANY_REQUESTS', details: { retryAfterMs: 1_200 } }));
      expect(failure).toMatchObject({ kind: 'retryable', httpStatus: 429, retryAfterMs: 1_200, serverCode: 'TOO_MANY_REQUESTS' });
    });
  });

  describe('when the server answered a 5xx or 408', () => {
    it.each([500, 502, 503, 504, 408])('retries %i', (status) => {
      expect(classifyFailure(serverError(status, { code: 'UNAVAILABLE' })).kind).toBe('retryable');
    });
  });

  describe('when a proxy answered 503 with a page and Retry-After', () => {
    it('is retryable and carries Retry-After', () => {
      const failure = classifyFailure(TRPCClientError.from(new HttpResponseError(503, 2_000)));
      expect(failure).toMatchObject({ kind: 'retryable', httpStatus: 503, retryAfterMs: 2_000 });
    });
  });

  describe('when the server refused the request', () => {
    it.each([
      [400, 'BAD_REQUEST'],
      [401, 'UNAUTHORIZED'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
      [409, 'IDEMPOTENCY_CONFLICT'],
      [413, 'PAYLOAD_TOO_LARGE'],
    ])('settles %i as %s, never retried', (status, code) => {
      const failure = classifyFailure(serverError(status, { code: 'WHATEVER' }, 'nope'));
      expect(failure).toMatchObject({ kind: 'fatal', code, httpStatus: status, message: 'nope', serverCode: 'WHATEVER' });
    });
  });

  describe('when a 4xx is not a tRPC error (a proxy page, a wrong URL)', () => {
    it('is UNEXPECTED_RESPONSE rather than a Custody code', () => {
      const failure = classifyFailure(TRPCClientError.from(new HttpResponseError(404, undefined)));
      expect(failure).toMatchObject({ kind: 'fatal', code: 'UNEXPECTED_RESPONSE', httpStatus: 404 });
      expect(failure.message).toContain('is the URL right?');
    });

    it('still recognises 413, which any hop may send', () => {
      expect(classifyFailure(TRPCClientError.from(new HttpResponseError(413, undefined)))).toMatchObject({ kind: 'fatal', code: 'PAYLOAD_TOO_LARGE' });
    });
  });

  describe('when the server sent a hostile retry hint', () => {
    it('ignores hints that are not non-negative finite numbers', () => {
      expect(classifyFailure(serverError(429, { code: 'X', details: { retryAfterMs: -1 } })).kind).toBe('retryable');
      expect(classifyFailure(serverError(429, { code: 'X', details: { retryAfterMs: -1 } }))).toMatchObject({ retryAfterMs: undefined });
      expect(classifyFailure(serverError(429, { code: 'X', details: { retryAfterMs: '5' } }))).toMatchObject({ retryAfterMs: undefined });
    });
  });
});
