/**
 * Renderer entry in Electron: the preload has put the bridge on `window.custody`; the app uses nothing else.
 */
import { mountViewer } from './mount';

mountViewer(window.custody);
