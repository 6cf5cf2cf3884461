import { mergeConfig } from 'vitest/config';

import { nodePreset } from '@custody/vitest-config';

/**
 * Unit tests beside the code, and browser suites in `test/` that drive Debian's Chromium against the real
 * server. Suites run one at a time: each boots a server and a browser.
 */
export default mergeConfig(nodePreset, {
  test: {
    fileParallelism: false,
    setupFiles: ['test/csp-guard.ts'],
  },
});
