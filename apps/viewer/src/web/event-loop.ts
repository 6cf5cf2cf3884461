/**
 * Keeping a Worker responsive while it streams a bundle. Promise continuations (microtasks) never let the
 * Worker's message queue run, so a loader that only awaits already-available data would make every UI call wait
 * until it stops. These helpers yield to the event loop (a macrotask) when a task has run longer than a budget.
 */
import { webInflateChecked, webInflateRaw } from '@custody/bundle';
import type { ByteTransform, CheckedInflate } from '@custody/bundle';

/** Default budget of continuous work before yielding, in ms. */
export const DEFAULT_SLICE_MS = 25;

/** Resolves on a fresh macrotask (a MessageChannel message: not clamped like nested timers). */
export function createMacrotaskYield(): () => Promise<void> {
  if (typeof MessageChannel === 'undefined') return () => new Promise((resolve) => setTimeout(resolve, 0));
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

/** A time slicer: `await slice()` yields only when `budgetMs` have passed since the last yield. */
export function createSlicer(budgetMs = DEFAULT_SLICE_MS): () => Promise<void> | undefined {
  const yieldNow = createMacrotaskYield();
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < budgetMs) return undefined;
    return yieldNow().then(() => {
      last = performance.now();
    });
  };
}

/** Passes `source` on, yielding to the event loop between chunks once a time slice is used up. */
async function* sliced(source: AsyncIterable<Uint8Array>, slice: () => Promise<void> | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    await slice();
    yield chunk;
  }
}

/**
 * Raw DEFLATE decompression (`DecompressionStream('deflate-raw')`) that yields to the event loop between output
 * chunks once a time slice is used up: the engine's row loader consumes decompressed data in a tight loop, and
 * this is where it can let the UI's calls in.
 */
export function createSlicedInflateRaw(budgetMs = DEFAULT_SLICE_MS): ByteTransform {
  const slice = createSlicer(budgetMs);
  return (input) => sliced(webInflateRaw(input), slice);
}

/** The same for the inflate that checks an entry's CRC-32 and size natively (`webInflateChecked`). */
export function createSlicedInflateChecked(budgetMs = DEFAULT_SLICE_MS): CheckedInflate {
  const slice = createSlicer(budgetMs);
  return (input, expected) => sliced(webInflateChecked(input, expected), slice);
}
