/**
 * Fails a browser suite whose pages ran into the server's Content-Security-Policy for the console (an inline script,
 * a style or a request the policy refuses): the console would be broken there for users. `newContext` (harness.ts)
 * collects the violations of every context it makes; this file is a setup file of every suite (vitest.config.ts).
 */
import { afterAll, expect } from 'vitest';

/** What the console's pages ran into of the policy, page by page. */
export const cspViolations: string[] = [];

afterAll(() => {
  expect(cspViolations, 'Content-Security-Policy violations').toEqual([]);
});
