/**
 * The static web build of the renderer: `dist-web/`, relative paths (`base: './'`), the engine Worker bundled as
 * its own file, no request to anything but its own folder. It works offline from any static server; `custody
 * viewer` serves it on 127.0.0.1 (apps/server). The browser `ViewerApi` (src/web/) replaces the Electron bridge.
 */
import { resolve } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

import { cspMetaPlugin, version } from './vite.shared.ts';

export default defineConfig({
  root: resolve(import.meta.dirname, 'src/web'),
  base: './',
  plugins: [react(), cspMetaPlugin()],
  define: { __CUSTODY_VERSION__: JSON.stringify(version) },
  worker: { format: 'es' },
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, 'dist-web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
});
