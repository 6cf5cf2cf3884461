/**
 * The Content Security Policy of the viewer's pages (Electron security checklist #7, viewer.md §4.1).
 *
 * Scripts and workers come only from the app itself: no inline script, no eval, no remote origin. The engine
 * Worker is a bundled file (`worker-src 'self'`; `blob:` for workers a library may spawn from a Blob).
 * `'wasm-unsafe-eval'` lets the verifier compile its WebAssembly SHA-256 (built by @custody/bundle from its own
 * code, never from input); it allows WebAssembly compilation only, not `eval` or any other string-to-script. Styles
 * allow inline attributes (React `style` props), images allow `data:` (inline icons), and `connect-src 'self'`
 * means no request ever leaves the app. The same policy is a response header on `app://` (protocol handler), a
 * `<meta>` tag in the built index.html (so the static web build carries it to any server) and a header from
 * `custody viewer`.
 */

/** The renderer's policy. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The policy of an in-memory findings report printed to PDF: no script at all, inline styles only. The report is
 * generated HTML with every evidence value escaped; the policy makes sure nothing in it could run anyway.
 */
export const REPORT_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Headers sent with every `app://viewer` response. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-cache',
  };
}

/** Headers sent with an `app://report` response. */
export function reportResponseHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': REPORT_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
