/** Helpers of the Exports page's downloads: saving a file with the browser, and checking a saved one. */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeHex } from '@custody/ledger';

import { formatCount } from './format';

/** A byte count for people: `512 B`, `15 KB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? 'TB'}`;
}

/**
 * Has the browser save `url`'s answer to disk with its own downloads (any size, nothing held in this page's memory):
 * posts a form carrying `fields` into the frame named `target`. A form, since only a navigation is saved by the
 * browser, and a navigation cannot send an Authorization header; the fields go in the body, never in the URL.
 * The form is in the document only while it is submitted.
 */
export function postToFrame(url: string, fields: Readonly<Record<string, string>>, target: string): void {
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = url;
  form.target = target;
  form.enctype = 'application/x-www-form-urlencoded';
  form.hidden = true;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  try {
    form.submit();
  } finally {
    form.remove();
  }
}

/**
 * The API's error body (`{ code, message }`) as one sentence: `Invalid API key (UNAUTHORIZED · HTTP 401)`, the
 * status where it is known; null for a body of another shape.
 */
function apiErrorSentence(text: string, status?: number): string | null {
  let body: { code?: unknown; message?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return null;
  }
  if (typeof body?.message !== 'string') return null;
  const notes = [...(typeof body.code === 'string' ? [body.code] : []), ...(status === undefined ? [] : [`HTTP ${status}`])];
  const sentence = `${body.message}${notes.length === 0 ? '' : ` (${notes.join(' · ')})`}`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** A refused request's answer as one sentence (`apiErrorSentence`), or its status alone. */
export async function httpErrorOf(response: Response): Promise<string> {
  return apiErrorSentence(await response.text().catch(() => ''), response.status) ?? `HTTP ${response.status}`;
}

/**
 * What a frame that `postToFrame` targeted shows, when it shows a page: the server's error (`apiErrorSentence`),
 * the failure of a request that got no answer, or null while it holds no answer (a file the browser saved leaves
 * the frame as it was).
 */
export function frameErrorOf(frame: HTMLIFrameElement): string | null {
  // Null for a page of another origin, such as the browser's own error page for a request that got no answer.
  const doc = frame.contentDocument;
  if (doc === null) return 'the browser could not fetch the file (is the server reachable?); try again';
  if (doc.location.href === 'about:blank') return null;
  const text = doc.body?.textContent?.trim() ?? '';
  return apiErrorSentence(text) ?? (text === '' ? 'the server answered with an empty page' : `the server answered: ${text.slice(0, 200)}`);
}

/** How far `hashFile` has read. */
export interface THashProgress {
  read: number;
  total: number;
}

/**
 * The SHA-256 (hex) of `file`, read a chunk at a time (a file of any size, never whole in memory), reporting
 * progress about ten times a second and letting the page render and take clicks between (a file of gigabytes reads
 * for seconds). Rejects with an `AbortError` once `signal` aborts.
 */
export async function hashFile(file: Blob, onProgress: (progress: THashProgress) => void, signal?: AbortSignal): Promise<string> {
  const hash = sha256.create();
  const reader = file.stream().getReader();
  let read = 0;
  let shown = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      read += value.byteLength;
      const now = performance.now();
      if (now - shown >= 100) {
        shown = now;
        onProgress({ read, total: file.size });
        // Chunks already buffered resolve as microtasks, which would keep the page from rendering and answering
        // clicks (Cancel) until the whole file is read: give the event loop a turn.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  } finally {
    reader.releaseLock();
  }
  onProgress({ read, total: file.size });
  return encodeHex(hash.digest());
}
