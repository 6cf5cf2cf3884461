/**
 * Shared-memory pieces of the query threads' statistics copy (`EventFacets`, `SearchBitmaps`): growable
 * `SharedArrayBuffer`s, and locks that are an Int32 word of a header holding the owner thread's tag (0 when
 * free), so the pool can free the locks of a thread it stopped.
 */

/** A growable `SharedArrayBuffer` (ES2024, in Node 20), beyond the TypeScript library this project targets. */
export interface TGrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(byteLength: number): void;
}

export const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => TGrowableSharedArrayBuffer;

/** Takes the lock at `header[index]` for `tag` if it is free. */
export function tryLock(header: Int32Array, index: number, tag: number): boolean {
  return Atomics.compareExchange(header, index, 0, tag) === 0;
}

/** Takes the lock at `header[index]` for `tag`, waiting up to `waitMs` for its holder (without spinning). */
export function lock(header: Int32Array, index: number, tag: number, waitMs: number): boolean {
  const until = Date.now() + waitMs;
  while (!tryLock(header, index, tag)) {
    const left = until - Date.now();
    if (left <= 0) return false;
    const holder = Atomics.load(header, index);
    if (holder !== 0) Atomics.wait(header, index, holder, Math.min(left, 50));
  }
  return true;
}

export function unlock(header: Int32Array, index: number): void {
  Atomics.store(header, index, 0);
  Atomics.notify(header, index);
}

/** Frees the lock at `header[index]` if the (stopped) thread tagged `tag` holds it; whether it did. */
export function releaseLock(header: Int32Array, index: number, tag: number): boolean {
  if (Atomics.compareExchange(header, index, tag, 0) !== tag) return false;
  Atomics.notify(header, index);
  return true;
}
