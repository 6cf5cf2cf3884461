import type { ViteUserConfig } from 'vitest/config';

/** vitest in Node for `src/**\/*.test.ts` and `test/**\/*.test.ts`. */
export declare const nodePreset: ViteUserConfig;
