/**
 * The `app://` protocol (Electron security checklist #18): production pages are served from the built renderer
 * folder through a privileged standard scheme, never `file://`.
 *
 * - `app://viewer/<path>`: a file of the renderer build, with the CSP and security headers. The path is
 *   percent-decoded, resolved against the root and must stay inside it, also after resolving symlinks
 *   (traversal guard); NUL bytes and backslashes are refused.
 * - `app://report/<token>.html`: an in-memory findings report registered by the PDF printer, under a script-free
 *   policy.
 * - Only GET and HEAD; every other host is 404. The scheme never gets `bypassCSP`.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

import type { CustomScheme } from 'electron';

import { APP_HOST, APP_SCHEME, REPORT_HOST } from '../app-origin';
import { appResponseHeaders, reportResponseHeaders } from './csp';

/** The scheme's privileges: standard + secure (a real origin, `crypto.subtle`, Workers), fetchable, no CSP bypass. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true, bypassCSP: false, corsEnabled: false, stream: false },
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** In-memory reports, by token (the PDF printer adds one, prints it and removes it). */
export type TReportStore = Map<string, string>;

/** Where the handler serves from. */
export interface TAppProtocolOptions {
  /** The renderer build (`out/renderer`). */
  readonly rendererDir: string;
  /** Reports waiting to be printed. */
  readonly reports?: TReportStore;
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
}

/**
 * Resolves `pathname` (as found in the URL) to a file under `root`, or null when it would leave the root.
 * Exported for tests: this is the traversal guard.
 */
export function resolveInsideRoot(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relativePath = decoded.replace(/^\/+/, '');
  const target = resolve(root, relativePath === '' ? 'index.html' : relativePath);
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return target;
}

/** Creates the `protocol.handle('app', …)` handler. */
export function createAppProtocolHandler(options: TAppProtocolOptions): (request: Request) => Promise<Response> {
  const root = resolve(options.rendererDir);
  let realRoot: Promise<string> | undefined;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.username !== '' || url.password !== '') return plain(400, 'bad request');

    if (url.host === REPORT_HOST) {
      const token = /^\/([0-9a-f]{32})\.html$/.exec(url.pathname)?.[1];
      const html = token === undefined ? undefined : options.reports?.get(token);
      if (html === undefined) return plain(404, 'not found');
      return new Response(request.method === 'HEAD' ? null : html, { status: 200, headers: reportResponseHeaders() });
    }
    if (url.host !== APP_HOST) return plain(404, 'not found');

    const target = resolveInsideRoot(root, url.pathname);
    if (target === null) return plain(404, 'not found');
    try {
      // Symlinks must not lead out of the root either.
      realRoot ??= realpath(root);
      const [real, rootReal] = await Promise.all([realpath(target), realRoot]);
      const rel = relative(rootReal, real);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return plain(404, 'not found');
      const info = await stat(real);
      if (!info.isFile()) return plain(404, 'not found');
      const body = request.method === 'HEAD' ? null : await readFile(real);
      const contentType = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
      return new Response(body, { status: 200, headers: appResponseHeaders(contentType) });
    } catch {
      return plain(404, 'not found');
    }
  };
}
