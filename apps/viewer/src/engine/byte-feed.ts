/**
 * A bounded queue of byte chunks from one producer to one reader: the engine's row loader hands the verifier each
 * chunk of `data/events.ndjson` it reads (`VerifyBundleOptions.eventsContent`), so the rows shown are the bytes
 * verified and the entry is inflated once instead of twice.
 *
 * - `push(chunk)` queues a chunk (never changed afterwards). While more than `limitBytes` wait unread it returns a
 *   promise, resolved once the reader has taken them down to half the limit: await it before reading more.
 *   Otherwise it returns `undefined`, so the loader's loop does not await per chunk.
 * - `end()` or `fail(error)` close the feed; the reader gets every queued chunk first, then the end or the error.
 * - When the reader stops (its iterator's `return`, a throw, the end) or `cancel()` is called (the verification
 *   settled without reading everything), the queue and every later push are dropped and a waiting producer is
 *   released: a verifier that stops early never stalls the loader.
 * - One reader: a second iteration throws.
 */
export class ByteFeed implements AsyncIterable<Uint8Array> {
  readonly #limit: number;
  readonly #onRead: ((bytes: number) => void) | undefined;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #failed = false;
  #error: unknown;
  #cancelled = false;
  #reading = false;
  #wakeReader: (() => void) | undefined;
  #space: { promise: Promise<void>; resolve: () => void } | undefined;

  /** `onRead(bytes)` is called as the reader takes each chunk (the verifier Worker acknowledges with it). */
  constructor(limitBytes: number, onRead?: (bytes: number) => void) {
    if (!(limitBytes > 0)) throw new RangeError('limitBytes must be positive');
    this.#limit = limitBytes;
    this.#onRead = onRead;
  }

  /** Whether the reader is gone (later pushes are dropped). */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Bytes queued and not yet read. */
  get queuedBytes(): number {
    return this.#queued;
  }

  push(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#cancelled || this.#ended || this.#failed || chunk.length === 0) return undefined;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wake();
    if (this.#queued <= this.#limit) return undefined;
    if (this.#space === undefined) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#space = { promise, resolve };
    }
    return this.#space.promise;
  }

  end(): void {
    if (this.#ended || this.#failed) return;
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#error = error;
    this.#wake();
  }

  cancel(): void {
    this.#cancelled = true;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#release();
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#reading) throw new Error('a ByteFeed has one reader');
    this.#reading = true;
    try {
      for (;;) {
        if (this.#cancelled) return;
        const chunk = this.#queue.shift();
        if (chunk !== undefined) {
          this.#queued -= chunk.length;
          if (this.#queued <= this.#limit / 2) this.#release();
          this.#onRead?.(chunk.length);
          yield chunk;
          continue;
        }
        if (this.#failed) throw this.#error;
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wakeReader = resolve;
        });
      }
    } finally {
      this.cancel();
    }
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = undefined;
    wake?.();
  }

  #release(): void {
    const space = this.#space;
    this.#space = undefined;
    space?.resolve();
  }
}
