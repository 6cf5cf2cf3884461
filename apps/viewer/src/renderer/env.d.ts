import type { ViewerApi } from '../shared/ipc-contract';

declare global {
  /** The viewer's version, compiled in by Vite. */
  const __CUSTODY_VERSION__: string;

  interface Window {
    /** The host's API: the preload bridge in Electron, `createBrowserViewerApi()` in a browser. */
    custody: ViewerApi;
  }
}

export {};
