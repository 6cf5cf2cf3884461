/**
 * Keeping a Worker responsive while it streams a bundle. Promise continuations (microtasks) never let the
 * Worker's message queue run, so a loader that only awaits already-available data would make every UI call wait
 * until it stops. These helpers yield to the event loop (a macrotask) when a task has run longer than a budget.
 */
import { webInflateRaw } from '@custody/bundle';
import type { ByteTransform } from '@custody/bundle';

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

/**
 * Raw DEFLATE decompression (`DecompressionStream('deflate-raw')`) that yields to the event loop between output
 * chunks once a time slice is used up: the engine's row loader consumes decompressed data in a tight loop, and
 * this is where it can let the UI's calls in.
 */
export function createSlicedInflateRaw(budgetMs = DEFAULT_SLICE_MS): ByteTransform {
  const slice = createSlicer(budgetMs);
  return (input) =>
    (async function* () {
      for await (const chunk of webInflateRaw(input)) {
        await slice();
        yield chunk;
      }
    })();
}
