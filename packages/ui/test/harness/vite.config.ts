/**
 * Builds the component harness (`index.html` + `main.tsx`) into `node_modules/.cache/harness-dist/`,
 * which the browser suites serve and drive with Chromium. `vite --config test/harness/vite.config.ts`
 * serves it for development.
 */
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where the built harness goes (outside `dist/`, never committed). */
export const HARNESS_OUT_DIR = fileURLToPath(new URL('../../node_modules/.cache/harness-dist/', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: HARNESS_OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
  },
});
