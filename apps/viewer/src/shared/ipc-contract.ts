/**
 * The viewer's one boundary between the renderer and the platform.
 *
 * 1. `ViewerApi`: everything the renderer may ask of its host, as plain async functions. In Electron it is the
 *    preload bridge (`window.custody`, src/preload/index.ts) over the IPC channels below; in a browser it is
 *    `createBrowserViewerApi()` (src/web/browser-viewer-api.ts). The renderer knows nothing else about its host.
 * 2. `CHANNELS` / `EVENTS`: the IPC channel names (invoke: renderer → main; events: main → renderer).
 * 3. Zod schemas for every payload, in both directions. Main parses every argument tuple before use
 *    (src/main/security/ipc-guard.ts), so a compromised renderer can send nothing but well-formed requests.
 *
 * Files are addressed by opaque handles that the host issued (`h_` + 32 hex digits); the renderer never names a
 * path. Everything crossing the boundary is structured-clone-able data (no class instances).
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// 1. Limits
// ---------------------------------------------------------------------------------------------------------------

/** Largest byte range one `readFileRange` call returns (the engine reads in smaller blocks). */
export const MAX_READ_LENGTH = 64 * 1024 * 1024;
/** Largest case file accepted (JSON text, in UTF-16 code units). */
export const MAX_CASE_FILE_LENGTH = 64 * 1024 * 1024;
/** Largest export (CSV, report HTML) written in one call. */
export const MAX_EXPORT_LENGTH = 512 * 1024 * 1024;
/** Largest report rendered to PDF. */
export const MAX_REPORT_LENGTH = 64 * 1024 * 1024;
/** Most files opened by one drop or file input. */
export const MAX_USER_FILES = 32;
/** Suffix of the case file written beside a bundle: `<bundle>.custody-case.json`. */
export const CASE_FILE_SUFFIX = '.custody-case.json';

// ---------------------------------------------------------------------------------------------------------------
// 2. Payload schemas (Z<Name>Schema) and their types (T<Name>)
// ---------------------------------------------------------------------------------------------------------------

/** An opaque file handle issued by the host: never a path. */
export const ZFileHandleSchema = z.string().regex(/^h_[0-9a-f]{32}$/, 'not a file handle');
export type TFileHandle = z.infer<typeof ZFileHandleSchema>;

/** A file the host opened for reading. `location` is for display only (a path in Electron). */
export const ZOpenedFileSchema = z.object({
  handle: ZFileHandleSchema,
  name: z.string().min(1).max(1024),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  location: z.string().max(4096),
});
export type TOpenedFile = z.infer<typeof ZOpenedFileSchema>;

/** A recently opened file, addressed by an id the host issued. */
export const ZRecentFileSchema = z.object({
  id: z.string().regex(/^r_[0-9a-f]{16}$/),
  name: z.string().min(1).max(1024),
  location: z.string().max(4096),
  size: z.number().int().min(0),
  openedAt: z.string(),
  /** False when the host cannot reopen it without asking the user again (browsers). */
  reopenable: z.boolean(),
});
export type TRecentFile = z.infer<typeof ZRecentFileSchema>;

/** A verifier key (C2SP signed note: `<name>+<hex8>+<base64>`), checked again with the ledger by the host. */
export const ZVerifierKeySchema = z
  .string()
  .max(1024)
  .regex(/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/, 'not a verifier key (name+keyid+base64)');

/** A key the examiner trusts, stored by the host (Electron: userData/trusted-keys.json; browsers: IndexedDB). */
export const ZTrustedKeySchema = z.object({
  vkey: ZVerifierKeySchema,
  name: z.string(),
  keyId: z.string(),
  fingerprint: z.string(),
  label: z.string().max(200),
  addedAt: z.string(),
});
export type TTrustedKey = z.infer<typeof ZTrustedKeySchema>;

/** The label a user gives a trusted key. */
export const ZKeyLabelSchema = z.string().max(200);

/** Case file text (JSON, produced and parsed by the engine). */
export const ZCaseFileTextSchema = z.string().min(2).max(MAX_CASE_FILE_LENGTH);

/** A case file read by the host, with where it lives (display). */
export const ZCaseFileSchema = z.object({ text: z.string(), location: z.string() });
export type TCaseFile = z.infer<typeof ZCaseFileSchema>;

/** Where the host wrote something (display), or null when the user cancelled. */
export const ZSaveResultSchema = z.object({ location: z.string() }).nullable();
export type TSaveResult = z.infer<typeof ZSaveResultSchema>;

/** A file name suggested to a save dialog: a bare name, no folders, no control characters. */
export const ZSuggestedNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|\p{Cc}]+$/u, 'a file name without folders or reserved characters')
  .refine((name) => name !== '.' && name !== '..', 'a file name without folders or reserved characters');

/** Something to save: the view as CSV, the findings report as HTML. */
export const ZSaveExportSchema = z.object({
  suggestedName: ZSuggestedNameSchema,
  kind: z.enum(['csv', 'html', 'json']),
  data: z.string().max(MAX_EXPORT_LENGTH),
});
export type TSaveExport = z.infer<typeof ZSaveExportSchema>;

/** The findings report to print to PDF (Electron) or to the browser's print dialog. */
export const ZPrintReportSchema = z.object({
  suggestedName: ZSuggestedNameSchema,
  html: z.string().min(1).max(MAX_REPORT_LENGTH),
});
export type TPrintReport = z.infer<typeof ZPrintReportSchema>;

/**
 * Absolute paths of files the user gave the page (dropped on the window or chosen in a file input), read by the
 * preload from Chromium's `File` objects: never typed by the page.
 */
export const ZUserFilePathsSchema = z.array(z.string().min(1).max(4096)).min(1).max(MAX_USER_FILES);

/** What hosts the renderer. */
export const ZPlatformInfoSchema = z.object({
  kind: z.enum(['electron', 'web']),
  version: z.string(),
  /** The host can render the findings report to a PDF file itself. */
  pdf: z.boolean(),
  /** Case files live beside the bundle (`<bundle>.custody-case.json`) rather than in browser storage. */
  caseFileBesideBundle: z.boolean(),
});
export type TPlatformInfo = z.infer<typeof ZPlatformInfoSchema>;

/** Commands from the application menu (Electron) for the renderer to carry out. */
export const ZMenuCommandSchema = z.enum(['open', 'close-all', 'export-view', 'report-html', 'report-pdf']);
export type TMenuCommand = z.infer<typeof ZMenuCommandSchema>;

// ---------------------------------------------------------------------------------------------------------------
// 3. The API
// ---------------------------------------------------------------------------------------------------------------

/**
 * The renderer's whole view of its host. Every member is a plain function; results are plain data.
 * Rejections carry a short message meant for the user.
 */
export interface ViewerApi {
  /** What hosts the renderer. */
  getPlatform(): Promise<TPlatformInfo>;
  /** Asks the user for bundles (Electron: the open dialog; browsers: a file input). Empty when cancelled. */
  openFiles(): Promise<TOpenedFile[]>;
  /**
   * Opens files the user gave the page: dropped on the window or chosen in a file input. Electron: the preload
   * asks Chromium for their paths (the page cannot make one up); browsers: the `File` is the byte source.
   */
  openUserFiles(files: readonly File[]): Promise<TOpenedFile[]>;
  /** Files the host was asked to open before the renderer was ready (command line, OS "open with"). */
  takePendingFiles(): Promise<TOpenedFile[]>;
  /**
   * Bytes `offset … offset+length-1` of an opened file: exactly `length` bytes unless the file ends first.
   * Requires `0 <= offset`, `1 <= length <= MAX_READ_LENGTH`.
   */
  readFileRange(handle: TFileHandle, offset: number, length: number): Promise<Uint8Array>;
  /** Releases a handle. Unknown handles are ignored. */
  closeFile(handle: TFileHandle): Promise<void>;
  /** Recently opened bundles, most recent first. */
  listRecentFiles(): Promise<TRecentFile[]>;
  /** Reopens a recent bundle (browsers ask the user to pick it again). Null when it cannot be opened. */
  openRecentFile(id: string): Promise<TOpenedFile | null>;
  /** Forgets the recent files. */
  clearRecentFiles(): Promise<void>;
  /** The case file of an opened bundle, or null when there is none yet. */
  loadCaseFile(handle: TFileHandle): Promise<TCaseFile | null>;
  /** Saves the case file of an opened bundle (Electron: beside it, never inside or over it; browsers: storage). */
  saveCaseFile(handle: TFileHandle, text: string): Promise<TSaveResult>;
  /** Asks the user for a case file to load (Electron: dialog; browsers: upload). Null when cancelled. */
  importCaseFile(): Promise<TCaseFile | null>;
  /** Lets the user save a copy of a case file elsewhere (Electron: save dialog; browsers: download). */
  exportCaseFile(suggestedName: string, text: string): Promise<TSaveResult>;
  /** The keys the examiner trusts. */
  listTrustedKeys(): Promise<TTrustedKey[]>;
  /** Trusts a verifier key (the UI asks the examiner first). Returns the new list. */
  trustKey(vkey: string, label: string): Promise<TTrustedKey[]>;
  /** Stops trusting a key. Returns the new list. */
  untrustKey(vkey: string): Promise<TTrustedKey[]>;
  /** Saves an export (the current view as CSV, the findings report as HTML). Null when cancelled. */
  saveExport(file: TSaveExport): Promise<TSaveResult>;
  /** Renders the findings report to PDF (Electron: printToPDF + save dialog; browsers: the print dialog). */
  printReportToPdf(report: TPrintReport): Promise<TSaveResult>;
  /** Subscribes to application-menu commands. Returns an unsubscribe function. */
  onMenuCommand(listener: (command: TMenuCommand) => void): () => void;
  /** Subscribes to files opened by the host (menu → Open Recent, command line, second instance). */
  onFilesOpened(listener: (files: TOpenedFile[]) => void): () => void;
}

/**
 * What a browser host adds to `ViewerApi` (`createBrowserViewerApi`): the picked `File` behind a handle, which the
 * engine's Workers then read themselves. Not part of the IPC contract: Electron's files are read in its main
 * process, through `readFileRange`.
 */
export interface TDirectFileAccess {
  fileBlob(handle: TFileHandle): Blob | undefined;
}

/** The API's member names, checked against `ViewerApi` by the compiler (the shape test compares at run time). */
export const VIEWER_API_KEYS = Object.keys({
  getPlatform: true,
  openFiles: true,
  openUserFiles: true,
  takePendingFiles: true,
  readFileRange: true,
  closeFile: true,
  listRecentFiles: true,
  openRecentFile: true,
  clearRecentFiles: true,
  loadCaseFile: true,
  saveCaseFile: true,
  importCaseFile: true,
  exportCaseFile: true,
  listTrustedKeys: true,
  trustKey: true,
  untrustKey: true,
  saveExport: true,
  printReportToPdf: true,
  onMenuCommand: true,
  onFilesOpened: true,
} satisfies Record<keyof ViewerApi, true>).sort() as (keyof ViewerApi)[];

// ---------------------------------------------------------------------------------------------------------------
// 4. IPC channels and their argument schemas
// ---------------------------------------------------------------------------------------------------------------

/** Invoke channels (renderer → main), one per request member of `ViewerApi`. */
export const CHANNELS = {
  getPlatform: 'custody:get-platform',
  openFiles: 'custody:open-files',
  openUserFiles: 'custody:open-user-files',
  takePendingFiles: 'custody:take-pending-files',
  readFileRange: 'custody:read-file-range',
  closeFile: 'custody:close-file',
  listRecentFiles: 'custody:list-recent-files',
  openRecentFile: 'custody:open-recent-file',
  clearRecentFiles: 'custody:clear-recent-files',
  loadCaseFile: 'custody:load-case-file',
  saveCaseFile: 'custody:save-case-file',
  importCaseFile: 'custody:import-case-file',
  exportCaseFile: 'custody:export-case-file',
  listTrustedKeys: 'custody:list-trusted-keys',
  trustKey: 'custody:trust-key',
  untrustKey: 'custody:untrust-key',
  saveExport: 'custody:save-export',
  printReportToPdf: 'custody:print-report-to-pdf',
} as const satisfies Record<Exclude<keyof ViewerApi, 'onMenuCommand' | 'onFilesOpened'>, `custody:${string}`>;
export type TChannel = keyof typeof CHANNELS;

/** Event channels (main → renderer). */
export const EVENTS = {
  menuCommand: 'custody:menu-command',
  filesOpened: 'custody:files-opened',
} as const;

/**
 * The argument tuple of every invoke channel. `openUserFiles` carries paths (the preload turns the page's
 * `File`s into the paths Chromium recorded for them).
 */
export const CHANNEL_ARGS = {
  getPlatform: z.tuple([]),
  openFiles: z.tuple([]),
  openUserFiles: z.tuple([ZUserFilePathsSchema]),
  takePendingFiles: z.tuple([]),
  readFileRange: z.tuple([ZFileHandleSchema, z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.number().int().min(1).max(MAX_READ_LENGTH)]),
  closeFile: z.tuple([ZFileHandleSchema]),
  listRecentFiles: z.tuple([]),
  openRecentFile: z.tuple([z.string().regex(/^r_[0-9a-f]{16}$/, 'not a recent-file id')]),
  clearRecentFiles: z.tuple([]),
  loadCaseFile: z.tuple([ZFileHandleSchema]),
  saveCaseFile: z.tuple([ZFileHandleSchema, ZCaseFileTextSchema]),
  importCaseFile: z.tuple([]),
  exportCaseFile: z.tuple([ZSuggestedNameSchema, ZCaseFileTextSchema]),
  listTrustedKeys: z.tuple([]),
  trustKey: z.tuple([ZVerifierKeySchema, ZKeyLabelSchema]),
  untrustKey: z.tuple([ZVerifierKeySchema]),
  saveExport: z.tuple([ZSaveExportSchema]),
  printReportToPdf: z.tuple([ZPrintReportSchema]),
} as const satisfies Record<TChannel, z.ZodType>;

/** The argument types of a channel as main receives them (after the preload's conversion). */
export type TChannelArgs<C extends TChannel> = z.infer<(typeof CHANNEL_ARGS)[C]>;
