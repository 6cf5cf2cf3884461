// @ts-check
/**
 * Shared vitest presets. A package's `vitest.config.ts`:
 *
 * ```ts
 * import { nodePreset } from '@custody/vitest-config';
 * export default nodePreset;
 * ```
 */
import { defineConfig } from 'vitest/config';

/** Tests beside the code (`src/**\/*.test.ts`) and integration suites in `test/`, run in Node. */
export const nodePreset = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Print every failure with its full diff: golden-vector suites report many cases at once.
    chaiConfig: { truncateThreshold: 0 },
  },
});
