/**
 * Pieces shared by the Electron renderer build (electron.vite.config.ts) and the static web build
 * (vite.web.config.ts).
 */
import { readFileSync } from 'node:fs';

import type { Plugin } from 'vite';

import { CONTENT_SECURITY_POLICY } from './src/main/security/csp.ts';

/** Adds the CSP as a `<meta>` tag to the built index.html (build only: dev needs Vite's inline refresh script). */
export function cspMetaPlugin(): Plugin {
  return {
    name: 'custody-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
    },
  };
}

/** The viewer's version (package.json), compiled into the renderer as `__CUSTODY_VERSION__`. */
export const version = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;
