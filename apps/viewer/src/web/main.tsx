/**
 * Entry of the static web build: the browser implementation of `ViewerApi` takes the place of Electron's preload
 * bridge (`window.custody`), then the same renderer mounts.
 */
import { mountViewer } from '../renderer/mount';
import { createBrowserViewerApi } from './browser-viewer-api';

window.custody = createBrowserViewerApi({ version: __CUSTODY_VERSION__ });
mountViewer(window.custody);
