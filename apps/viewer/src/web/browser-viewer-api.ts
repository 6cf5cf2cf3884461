/**
 * `ViewerApi` for a plain browser (the static web build served by `custody viewer`, and the Playwright suites):
 *
 * - files come from a file input or a drop: the `File` is the byte source (`File.slice`), read in ranges, never
 *   whole; handles are random ids the page keeps for the session;
 * - trusted keys, recent files and case files live in IndexedDB (a browser cannot write beside the bundle); case
 *   files can also be downloaded and uploaded;
 * - exports and reports are downloads; "PDF" opens the browser's print dialog on the report.
 *
 * Creating the API touches nothing; the DOM and IndexedDB are used on first call.
 */
import { keyFingerprint, parseVerifierKey } from '@custody/ledger';

import { CASE_FILE_SUFFIX, MAX_READ_LENGTH, ZTrustedKeySchema } from '../shared/ipc-contract';
import type { TCaseFile, TDirectFileAccess, TFileHandle, TMenuCommand, TOpenedFile, TRecentFile, TSaveResult, TTrustedKey, ViewerApi } from '../shared/ipc-contract';
import { createIndexedDbKvStore } from './kv-store';
import type { TKvStore } from './kv-store';

/** Options (tests inject storage and a fixed version). */
export interface TBrowserViewerApiOptions {
  readonly store?: TKvStore;
  readonly version?: string;
}

interface TRecentRecord {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
  readonly openedAt: string;
}

const RECENT_KEY = 'recent-files';
const TRUSTED_KEY = 'trusted-keys';
const MAX_RECENT = 12;

function randomHex(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A stable id for a file the user picked (browsers expose no path): name, size and modification time. */
async function fileIdentity(file: { name: string; size: number; lastModified: number }): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${file.name}\n${file.size}\n${file.lastModified}`));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Lets the user pick files with a temporary file input. Resolves with [] when the picker is cancelled. */
function pickFiles(accept: string, multiple: boolean): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.style.display = 'none';
    input.dataset.custodyPicker = 'true';
    const done = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done(Array.from(input.files ?? [])), { once: true });
    input.addEventListener('cancel', () => done([]), { once: true });
    document.body.append(input);
    input.click();
  });
}

/** Offers `data` as a download named `name`. */
function download(name: string, data: BlobPart, type: string): TSaveResult {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { location: `download: ${name}` };
}

const MIME: Record<'csv' | 'html' | 'json', string> = { csv: 'text/csv;charset=utf-8', html: 'text/html;charset=utf-8', json: 'application/json' };

/** Creates the browser implementation of `ViewerApi`. */
export function createBrowserViewerApi(options: TBrowserViewerApiOptions = {}): ViewerApi & TDirectFileAccess {
  let store: TKvStore | undefined = options.store;
  const kv = (): TKvStore => (store ??= createIndexedDbKvStore());
  const open = new Map<TFileHandle, { file: File; identity: string }>();
  /** Files picked this session, by recent id: they can be reopened without asking again. */
  const session = new Map<string, File>();

  async function register(files: readonly File[]): Promise<TOpenedFile[]> {
    const opened: TOpenedFile[] = [];
    const recent = (await kv().get<TRecentRecord[]>(RECENT_KEY)) ?? [];
    let next = recent;
    for (const file of files) {
      const identity = await fileIdentity(file);
      const handle = `h_${randomHex(16)}`;
      open.set(handle, { file, identity });
      session.set(`r_${identity}`, file);
      opened.push({ handle, name: file.name, size: file.size, location: `${file.name} (chosen in this browser)` });
      next = [
        { id: `r_${identity}`, name: file.name, size: file.size, lastModified: file.lastModified, openedAt: new Date().toISOString() },
        ...next.filter((r) => r.id !== `r_${identity}`),
      ];
    }
    await kv().set(RECENT_KEY, next.slice(0, MAX_RECENT));
    return opened;
  }

  function entry(handle: TFileHandle): { file: File; identity: string } {
    const found = open.get(handle);
    if (found === undefined) throw new Error('this file is no longer open');
    return found;
  }

  async function trustedKeys(): Promise<TTrustedKey[]> {
    const stored = (await kv().get<unknown[]>(TRUSTED_KEY)) ?? [];
    return stored.flatMap((k) => {
      const parsed = ZTrustedKeySchema.safeParse(k);
      return parsed.success ? [parsed.data] : [];
    });
  }

  const api = {
    getPlatform: () => Promise.resolve({ kind: 'web' as const, version: options.version ?? '0.1.0', pdf: false, caseFileBesideBundle: false }),
    openFiles: async () => register(await pickFiles('.zip,application/zip', true)),
    openUserFiles: (files: readonly File[]) => register(files),
    takePendingFiles: () => Promise.resolve([]),
    async readFileRange(handle: TFileHandle, offset: number, length: number) {
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 1 || length > MAX_READ_LENGTH) {
        throw new Error('invalid byte range');
      }
      const { file } = entry(handle);
      return new Uint8Array(await file.slice(offset, Math.min(file.size, offset + length)).arrayBuffer());
    },
    /** The picked file itself, for the Workers to read without the page in between (`TDirectFileAccess`). */
    fileBlob: (handle: TFileHandle): Blob | undefined => open.get(handle)?.file,
    closeFile: (handle: TFileHandle) => {
      open.delete(handle);
      return Promise.resolve();
    },
    async listRecentFiles(): Promise<TRecentFile[]> {
      const recent = (await kv().get<TRecentRecord[]>(RECENT_KEY)) ?? [];
      return recent.map((r) => ({ id: r.id, name: r.name, size: r.size, location: `${r.name} (browser)`, openedAt: r.openedAt, reopenable: session.has(r.id) }));
    },
    async openRecentFile(id: string) {
      const file = session.get(id);
      if (file === undefined) return null; // a browser needs the user to pick the file again
      const [opened] = await register([file]);
      return opened ?? null;
    },
    async clearRecentFiles() {
      session.clear();
      await kv().delete(RECENT_KEY);
    },
    async loadCaseFile(handle: TFileHandle): Promise<TCaseFile | null> {
      const { file, identity } = entry(handle);
      const text = await kv().get<string>(`case:${identity}`);
      return text === undefined ? null : { text, location: `browser storage (${file.name}${CASE_FILE_SUFFIX})` };
    },
    async saveCaseFile(handle: TFileHandle, text: string): Promise<TSaveResult> {
      const { file, identity } = entry(handle);
      JSON.parse(text); // a case file is JSON; refuse anything else before storing it
      await kv().set(`case:${identity}`, text);
      return { location: `browser storage (${file.name}${CASE_FILE_SUFFIX})` };
    },
    async importCaseFile(): Promise<TCaseFile | null> {
      const [file] = await pickFiles('.json,application/json', false);
      if (file === undefined) return null;
      return { text: await file.text(), location: `${file.name} (uploaded)` };
    },
    exportCaseFile: (suggestedName: string, text: string) =>
      Promise.resolve(download(suggestedName.endsWith(CASE_FILE_SUFFIX) ? suggestedName : `${suggestedName}${CASE_FILE_SUFFIX}`, text, MIME.json)),
    listTrustedKeys: () => trustedKeys(),
    async trustKey(vkey: string, label: string) {
      const key = parseVerifierKey(vkey);
      const entryKey: TTrustedKey = { vkey: key.vkey, name: key.name, keyId: key.keyId, fingerprint: keyFingerprint(key.vkey), label: label.trim(), addedAt: new Date().toISOString() };
      const keys = await trustedKeys();
      const next = keys.some((k) => k.vkey === key.vkey) ? keys.map((k) => (k.vkey === key.vkey ? { ...k, label: entryKey.label } : k)) : [...keys, entryKey];
      await kv().set(TRUSTED_KEY, next);
      return next;
    },
    async untrustKey(vkey: string) {
      const next = (await trustedKeys()).filter((k) => k.vkey !== vkey);
      await kv().set(TRUSTED_KEY, next);
      return next;
    },
    saveExport: (file: { suggestedName: string; kind: 'csv' | 'html' | 'json'; data: string }) => Promise.resolve(download(file.suggestedName, file.data, MIME[file.kind])),
    printReportToPdf(report: { suggestedName: string; html: string }): Promise<TSaveResult> {
      // Browsers print through their own dialog ("Save as PDF"): the report goes into a hidden frame and is printed.
      const frame = document.createElement('iframe');
      frame.style.position = 'fixed';
      frame.style.width = '0';
      frame.style.height = '0';
      frame.style.border = '0';
      frame.setAttribute('sandbox', 'allow-modals allow-same-origin');
      frame.srcdoc = report.html;
      document.body.append(frame);
      return new Promise((resolve) => {
        frame.addEventListener('load', () => {
          frame.contentWindow?.print();
          setTimeout(() => frame.remove(), 1000);
          resolve({ location: 'print dialog' });
        }, { once: true });
      });
    },
    onMenuCommand: (_listener: (command: TMenuCommand) => void) => () => undefined,
    onFilesOpened: (_listener: (files: TOpenedFile[]) => void) => () => undefined,
  } satisfies ViewerApi & TDirectFileAccess;
  return api;
}
