import { mergeConfig } from 'vitest/config';

import { nodePreset } from '@custody/vitest-config';

/**
 * Unit tests beside the code (`src/**\/*.test.ts`) and browser suites in `test/browser/` that drive
 * Debian's Chromium against the harness page (built by `test/global-setup.ts`). Files run one at a time:
 * each browser suite launches its own Chromium.
 */
export default mergeConfig(nodePreset, {
  test: {
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    // Above the harness's WAIT_MS, so a slow page fails with what it was waiting for, not a bare timeout.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
