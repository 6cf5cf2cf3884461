/**
 * Mounts the viewer into `#root` with a host API (Electron's bridge or the browser implementation).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import type { ViewerApi } from '../shared/ipc-contract';
import '@custody/ui/styles.css';

import { App } from './app';
import './styles.css';

/** Renders the app. */
export function mountViewer(api: ViewerApi): void {
  const root = document.getElementById('root');
  if (root === null) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
}
