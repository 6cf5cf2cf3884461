/**
 * What `import 'electron'` resolves to under vitest (vitest.config.ts alias). The real package's entry point
 * downloads the Electron binary when it is missing (not possible here: ELECTRON_SKIP_BINARY_DOWNLOAD), and main
 * process code must be tested without Electron anyway: declare the objects a test needs with
 * `vi.mock('electron', () => ({ … }))`.
 */
throw new Error("electron is not available in unit tests: mock it with vi.mock('electron', () => ({ ... }))");
