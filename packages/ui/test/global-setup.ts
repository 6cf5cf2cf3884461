/**
 * Vitest global setup: builds the component harness with Vite before any suite runs, so `npm test` (and a
 * bare `npx vitest run`) needs nothing built beforehand. The browser suites serve the result.
 */
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

export async function setup(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('./harness/vite.config.ts', import.meta.url)), logLevel: 'warn', mode: 'production' });
}
