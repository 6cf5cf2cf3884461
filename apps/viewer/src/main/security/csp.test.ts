import { describe, expect, it } from 'vitest';

import { CONTENT_SECURITY_POLICY, appResponseHeaders } from './csp';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name as string, values]));
}

describe('the content security policy', () => {
  const policy = directives(CONTENT_SECURITY_POLICY);

  it('allows scripts only from the app: no inline script, no eval, no remote origin; WebAssembly compiles', () => {
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(CONTENT_SECURITY_POLICY.replaceAll("'wasm-unsafe-eval'", '')).not.toMatch(/unsafe-eval|strict-dynamic|https?:|\*/);
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('keeps every request inside the app', () => {
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });

  it('allows the engine Worker from the app (and blob: workers), inline styles and data: images', () => {
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(policy.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
  });

  it('is sent with every app:// response with nosniff and no referrer', () => {
    const headers = appResponseHeaders('text/html');
    expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
  });
});
