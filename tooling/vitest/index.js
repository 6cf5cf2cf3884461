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
    // A limit that catches a hang, not a slow machine: `npm test` runs about ten turbo tasks at once, and on a
    // two-core CI machine a test that takes 4 s alone has taken 44 s there (and one of 6.5 s over a minute).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Print every failure with its full diff: golden-vector suites report many cases at once.
    chaiConfig: { truncateThreshold: 0 },
  },
});
