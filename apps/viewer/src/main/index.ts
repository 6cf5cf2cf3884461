/**
 * The Electron main process, thin on purpose: it wires the security policies (src/main/security/, one module
 * each), the `app://` protocol, the IPC handlers (src/main/ipc-handlers.ts) and the window and menu. The viewer's
 * logic lives in the renderer; main opens files, reads byte ranges, keeps the trusted keys and recent files,
 * writes case files beside bundles, and prints reports.
 *
 * 1. Before ready: the privileged `app://` scheme, sandbox for every renderer, single instance.
 * 2. Ready: session policies (permissions, network, protocol), per-contents policies (navigation, new windows,
 *    webviews), IPC handlers, the menu, the window.
 * 3. Files from the command line, a second instance or macOS "open-file" are queued and pushed to the renderer.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, shell } from 'electron';
import type { WebContents, WebPreferences } from 'electron';

import { EVENTS } from '../shared/ipc-contract';
import type { TMenuCommand, TOpenedFile } from '../shared/ipc-contract';
import { APP_ENTRY_URL, isAppUrl } from './app-origin';
import type { TAppOrigins } from './app-origin';
import { bundlePathsFromArgv } from './command-line';
import { loadMainEnv } from './env';
import { FileRegistry } from './files/file-registry';
import { RecentFiles } from './files/recent-files';
import { TrustedKeyStore } from './files/trusted-keys';
import { createIpcHandlers } from './ipc-handlers';
import { buildMenuTemplate } from './menu';
import { renderReportPdf } from './report-pdf';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './security/app-protocol';
import type { TReportStore } from './security/app-protocol';
import { createExternalOpener } from './security/external-links';
import { registerIpcHandlers } from './security/ipc-guard';
import { guardNavigation } from './security/navigation';
import { blockNetwork } from './security/network';
import { denyAllPermissions } from './security/permissions';
import { insecureWebPreferences, windowWebPreferences } from './security/web-preferences';
import { denyWindowOpen } from './security/window-open';

// 1. Before ready ---------------------------------------------------------------------------------------------
const env = loadMainEnv();
if (env.CUSTODY_VIEWER_USER_DATA !== undefined) app.setPath('userData', env.CUSTODY_VIEWER_USER_DATA);
const origins: TAppOrigins = { devServer: env.ELECTRON_RENDERER_URL ?? null };
const here = fileURLToPath(new URL('.', import.meta.url));

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

const files = new FileRegistry();
const reports: TReportStore = new Map();
// `app.isPackaged` runs are `viewer a.zip`; unpackaged ones are `electron <app> a.zip`.
const pending: string[] = bundlePathsFromArgv(process.argv, process.cwd(), app.isPackaged ? 1 : 2);
let mainWindow: BrowserWindow | null = null;
let recentFiles: RecentFiles | null = null;

const openExternal = createExternalOpener({
  confirm: async (url) => {
    const options = { type: 'question' as const, buttons: ['Cancel', 'Open in browser'], defaultId: 0, cancelId: 0, message: 'Open this link in your web browser?', detail: url };
    const result = mainWindow === null ? await dialog.showMessageBox(options) : await dialog.showMessageBox(mainWindow, options);
    return result.response === 1;
  },
  open: (url) => shell.openExternal(url),
});

function send(channel: string, payload: unknown): void {
  if (mainWindow !== null && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
}

/** Queues files named by the OS and, once the window exists, opens them and pushes them to the renderer. */
async function openFromOs(paths: readonly string[]): Promise<void> {
  if (mainWindow === null) {
    pending.push(...paths);
    return;
  }
  const opened: TOpenedFile[] = [];
  for (const path of paths) {
    try {
      const file = await files.open(path);
      opened.push(file);
      await recentFiles?.add({ path: file.location, name: file.name, size: file.size });
    } catch {
      // unreadable files are skipped; the renderer sees only what opened
    }
  }
  if (opened.length > 0) send(EVENTS.filesOpened, opened);
}

// 2. Per-contents policies: every web contents the app ever creates ----------------------------------------------
app.on('web-contents-created', (_event, contents: WebContents) => {
  // Page contents only (DevTools' own contents have their own, privileged settings). `getLastWebPreferences` is
  // an undocumented Electron method: when present it proves the settings; the windows are created with
  // `windowWebPreferences` either way.
  const lastPreferences = (contents as { getLastWebPreferences?: () => WebPreferences | null }).getLastWebPreferences?.();
  const isPage = contents.getType() === 'window' || contents.getType() === 'webview';
  const problems = isPage && lastPreferences !== undefined && lastPreferences !== null ? insecureWebPreferences(lastPreferences) : [];
  if (problems.length > 0) {
    console.error(`custody viewer: refusing web contents with insecure preferences: ${problems.join(', ')}`);
    contents.close();
    return;
  }
  guardNavigation(contents, {
    isAllowed: (url) => isAppUrl(url, origins),
    onBlocked: (url, kind) => console.warn(`custody viewer: blocked ${kind} to ${url}`),
  });
  denyWindowOpen(contents, openExternal);
});

app.on('second-instance', (_event, argv, cwd) => {
  void openFromOs(bundlePathsFromArgv(argv, cwd, 1));
  if (mainWindow !== null) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});
app.on('open-file', (event, path) => {
  event.preventDefault();
  void openFromOs([path]);
});

async function rebuildMenu(recent: RecentFiles): Promise<void> {
  const template = buildMenuTemplate(await recent.list(), {
    send: (command: TMenuCommand) => send(EVENTS.menuCommand, command),
    openRecent: (id) => {
      void recent.pathOf(id).then((path) => (path === null ? undefined : openFromOs([path])));
    },
    clearRecent: () => {
      void recent.clear().then(() => rebuildMenu(recent));
    },
  }, { isMac: process.platform === 'darwin', isDev: origins.devServer !== null });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Custody Viewer',
    backgroundColor: '#f6f7f9',
    webPreferences: windowWebPreferences({ preload: join(here, '../preload/index.cjs') }),
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    mainWindow = null;
    void files.closeAll();
  });
  void window.loadURL(origins.devServer ?? APP_ENTRY_URL);
  return window;
}

// 3. Ready ---------------------------------------------------------------------------------------------------
void app.whenReady().then(async () => {
  const defaultSession = session.defaultSession;
  denyAllPermissions(defaultSession);
  blockNetwork(defaultSession, origins, (url) => console.warn(`custody viewer: blocked request to ${url}`));
  protocol.handle('app', createAppProtocolHandler({ rendererDir: join(here, '../renderer'), reports }));

  const userData = app.getPath('userData');
  const recent = new RecentFiles(userData);
  recentFiles = recent;
  const handlers = createIpcHandlers({
    files,
    recent,
    trustedKeys: new TrustedKeyStore(userData),
    appVersion: app.getVersion(),
    showOpenDialog: async ({ title, filters, multiple }) => {
      const options = { title, filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })), properties: multiple ? ['openFile' as const, 'multiSelections' as const] : ['openFile' as const] };
      const result = mainWindow === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(mainWindow, options);
      return result.canceled ? [] : result.filePaths;
    },
    showSaveDialog: async ({ title, defaultName, filters }) => {
      const options = { title, defaultPath: join(app.getPath('documents'), defaultName), filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) };
      const result = mainWindow === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(mainWindow, options);
      return result.canceled || result.filePath === undefined || result.filePath === '' ? null : result.filePath;
    },
    printToPdf: (html) => renderReportPdf(html, reports, (options) => new BrowserWindow(options)),
    takePending: () => pending.splice(0),
    recentChanged: () => void rebuildMenu(recent),
  });
  registerIpcHandlers(ipcMain, handlers, origins);
  await rebuildMenu(recent);
  mainWindow = createWindow();

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => {
  void files.closeAll();
});
