import { describe, expect, it } from 'vitest';

import { HttpResponseError, createTransportFetch } from './http-response-error';

describe('createTransportFetch', () => {
  describe('when the response is JSON', () => {
    it('passes it through untouched, whatever the status', async () => {
      const response = new Response('{"error":{}}', { status: 429, headers: { 'content-type': 'application/json; charset=utf-8' } });
      const wrapped = createTransportFetch(() => Promise.resolve(response));
      expect(await wrapped('http://x/trpc/a')).toBe(response);
    });
  });

  describe('when the response is not JSON (a proxy page)', () => {
    it('throws an HttpResponseError with the status and Retry-After in ms', async () => {
      const wrapped = createTransportFetch(() =>
        Promise.resolve(new Response('<h1>busy</h1>', { status: 503, headers: { 'content-type': 'text/html', 'retry-after': '3' } })),
      );
      const error = await wrapped('http://x/trpc/a').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HttpResponseError);
      expect(error).toMatchObject({ status: 503, retryAfterMs: 3_000 });
    });

    it('reads an HTTP-date Retry-After, and ignores garbage', async () => {
      const later = new Date(Date.now() + 60_000).toUTCString();
      const dated = createTransportFetch(() => Promise.resolve(new Response('x', { status: 503, headers: { 'retry-after': later } })));
      const error = (await dated('http://x').catch((e: unknown) => e)) as HttpResponseError;
      expect(error.retryAfterMs).toBeGreaterThan(50_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
      const garbage = createTransportFetch(() => Promise.resolve(new Response('x', { status: 502, headers: { 'retry-after': 'soon' } })));
      expect(((await garbage('http://x').catch((e: unknown) => e)) as HttpResponseError).retryAfterMs).toBeUndefined();
    });
  });
});
