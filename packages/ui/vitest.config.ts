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
  },
});
