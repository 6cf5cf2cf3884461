/**
 * Vite builds the console into `dist/` (served by `@custody/server` at `/`). In development `vite` serves it
 * on its own port and proxies the API to a server on 127.0.0.1:4000 (`npm start` from the repository root).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = 'http://127.0.0.1:4000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    proxy: {
      '/trpc': API,
      '/v1': API,
      '/.well-known': API,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
