/**
 * electron-vite: main, preload and renderer (viewer.md §4.3).
 *
 * - main: ESM for Electron's Node; workspace packages and zod are bundled in, so the packaged app needs no
 *   node_modules.
 * - preload: one self-contained CommonJS file (`out/preload/index.cjs`): sandboxed preloads cannot load ES
 *   modules or require anything but `electron`.
 * - renderer: the React app (`src/renderer/index.html`) with its engine Worker; the CSP `<meta>` is added to the
 *   built page (not in dev, where Vite's React refresh needs an inline script).
 */
import { resolve } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

import { cspMetaPlugin, version } from './vite.shared.ts';

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { exclude: ['@custody/ledger', '@custody/bundle', '@custody/schema', '@custody/ui', 'zod'] },
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    base: './',
    plugins: [react(), cspMetaPlugin()],
    define: { __CUSTODY_VERSION__: JSON.stringify(version) },
    worker: { format: 'es' },
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      target: 'es2022',
      sourcemap: true,
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
