/**
 * Renders the findings report to PDF: the HTML is registered in memory, loaded from `app://report/<token>.html`
 * into a hidden, sandboxed window with JavaScript disabled and a script-free CSP, printed with `printToPDF`, and
 * forgotten. Nothing is written to disk until the user picks where the PDF goes.
 */
import { randomBytes } from 'node:crypto';

import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';

import { APP_SCHEME, REPORT_HOST } from './app-origin';
import type { TReportStore } from './security/app-protocol';
import { windowWebPreferences } from './security/web-preferences';

/** Creates the hidden window (main: `new BrowserWindow(options)`). */
export type TWindowFactory = (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** Prints `html` to PDF bytes through a hidden window. */
export async function renderReportPdf(html: string, reports: TReportStore, createWindow: TWindowFactory): Promise<Uint8Array> {
  const token = randomBytes(16).toString('hex');
  reports.set(token, html);
  const window = createWindow({ show: false, width: 1000, height: 1400, webPreferences: windowWebPreferences({ javascript: false }) });
  try {
    await window.loadURL(`${APP_SCHEME}://${REPORT_HOST}/${token}.html`);
    const pdf = await window.webContents.printToPDF({ printBackground: true, pageSize: 'A4', landscape: false });
    return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  } finally {
    reports.delete(token);
    window.destroy();
  }
}
