/**
 * The transport's view of HTTP: a `fetch` wrapper that turns responses which are not JSON (a proxy's
 * error page, a load balancer's 503) into an `HttpResponseError` carrying the status, because the tRPC
 * client would otherwise fail to parse them and lose the status on the way.
 */
import type { TFetch } from '../custody-options';

/** A response that is not the server's JSON: its status and `Retry-After`, if any. */
export class HttpResponseError extends Error {
  override readonly name = 'HttpResponseError';
  readonly status: number;
  /** `Retry-After` in ms (delta-seconds or an HTTP date), when present and valid. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, retryAfterMs: number | undefined) {
    super(`HTTP ${status} without a JSON body`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Wraps `inner` (default: the global `fetch`, looked up at call time) as described above. */
export function createTransportFetch(inner: TFetch | undefined): TFetch {
  return async (input, init) => {
    const response = await (inner ?? globalThis.fetch)(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) return response;
    // Drain the body so the connection can be reused; its content is not trusted or needed.
    await response.body?.cancel().catch(() => undefined);
    throw new HttpResponseError(response.status, parseRetryAfter(response.headers.get('retry-after')));
  };
}

function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
