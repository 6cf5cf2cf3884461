import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

import { nodePreset } from '@custody/vitest-config';

/**
 * One vitest run for the whole app (`npm test`):
 *
 * - unit tests beside the code: the main-process policies and IPC handlers, the contract, the browser ViewerApi,
 *   the engine's own tests (`src/engine/**`), and `test/` (the shape test);
 * - browser suites in `e2e/` that drive Debian's Chromium against the static web build (`e2e/harness.ts` builds
 *   `dist-web/` first when it is missing or older than its sources), and the `_electron` suite, which runs only
 *   where the Electron binary exists.
 *
 * `electron` resolves to a stub that throws: the real package's entry point tries to download its binary when it
 * is missing. Tests that need Electron objects declare them with `vi.mock('electron', …)`.
 */
export default defineConfig({
  ...nodePreset,
  resolve: {
    alias: { electron: fileURLToPath(new URL('./test/electron-unavailable.ts', import.meta.url)) },
  },
  test: {
    ...nodePreset.test,
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Browser suites each start a Chromium; on 2 cores they run one at a time.
    fileParallelism: false,
  },
});
