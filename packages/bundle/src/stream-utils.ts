/**
 * Small async-stream helpers: a bounded queue that turns pushes into an async iterable (backpressure), a
 * read-ahead wrapper that overlaps producing and consuming, and chunk helpers.
 */
import { BundleError } from './errors';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A bounded single-consumer queue. `push` resolves once the queued weight is below `capacity` (backpressure);
 * iterating yields items in order until `close()`, or throws after `fail(error)`. If the consumer stops early,
 * later pushes reject.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #weights: number[] = [];
  #releases: ((() => void) | undefined)[] = [];
  #head = 0;
  #weight = 0;
  #closed = false;
  #error: { error: unknown } | undefined;
  #cancelled = false;
  #consumer: Waiter | undefined;
  #producers: Waiter[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /**
   * Queues `item`; resolves when there is room again. `onRelease` is called once the consumer is done with the
   * item: when it asks for the next one, or stops.
   */
  push(item: T, weight = 1, onRelease?: () => void): Promise<void> {
    if (this.#cancelled) return Promise.reject(new BundleError('INVALID_ARGUMENT', 'stream consumer stopped'));
    if (this.#closed) return Promise.reject(new BundleError('INVALID_ARGUMENT', 'push after close'));
    this.#items.push(item);
    this.#weights.push(weight);
    this.#releases.push(onRelease);
    this.#weight += weight;
    this.#wakeConsumer();
    if (this.#weight < this.#capacity) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#producers.push({ resolve, reject }));
  }

  /** Ends the stream after the queued items. */
  close(): void {
    this.#closed = true;
    this.#wakeConsumer();
  }

  /** Ends the stream with an error (after the queued items). */
  fail(error: unknown): void {
    if (this.#error === undefined) this.#error = { error };
    this.#closed = true;
    this.#wakeConsumer();
  }

  #wakeConsumer(): void {
    const consumer = this.#consumer;
    if (consumer !== undefined) {
      this.#consumer = undefined;
      consumer.resolve();
    }
  }

  #wakeProducers(): void {
    while (this.#producers.length > 0 && this.#weight < this.#capacity) this.#producers.shift()?.resolve();
  }

  #cancel(): void {
    this.#cancelled = true;
    for (const release of this.#releases) release?.();
    this.#items = [];
    this.#weights = [];
    this.#releases = [];
    this.#head = 0;
    this.#weight = 0;
    const error = new BundleError('INVALID_ARGUMENT', 'stream consumer stopped');
    for (const producer of this.#producers.splice(0)) producer.reject(error);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    let release: (() => void) | undefined;
    try {
      for (;;) {
        if (this.#head < this.#items.length) {
          const item = this.#items[this.#head] as T;
          const weight = this.#weights[this.#head] ?? 0;
          release = this.#releases[this.#head];
          this.#head += 1;
          if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
            this.#items = this.#items.slice(this.#head);
            this.#weights = this.#weights.slice(this.#head);
            this.#releases = this.#releases.slice(this.#head);
            this.#head = 0;
          }
          this.#weight -= weight;
          this.#wakeProducers();
          yield item;
          // The consumer asked for the next item: it is done with this one.
          release?.();
          release = undefined;
          continue;
        }
        if (this.#closed) {
          if (this.#error !== undefined) throw this.#error.error;
          return;
        }
        await new Promise<void>((resolve, reject) => {
          this.#consumer = { resolve, reject };
        });
      }
    } finally {
      release?.();
      if (!this.#closed || this.#head < this.#items.length) this.#cancel();
    }
  }
}

/**
 * Batches small writes into large chunks for a consumer that may keep each chunk until it releases it (a
 * compressor): two buffers alternate, and a buffer is refilled only after the consumer released it, so no
 * memory is allocated per chunk. `write` resolves when the bytes are buffered (waiting only when switching
 * buffers); `end` flushes and resolves when the consumer released the last chunk.
 */
export class ChunkBuffer {
  readonly #size: number;
  readonly #buffers: Uint8Array[];
  readonly #released: (Promise<void> | undefined)[] = [undefined, undefined];
  readonly #consume: (chunk: Uint8Array) => Promise<void>;
  readonly #encoder = new TextEncoder();
  #current = 0;
  #length = 0;
  #waiting = false;
  #error: { error: unknown } | undefined;

  /** `consume(chunk)` must resolve when the consumer no longer needs `chunk`. */
  constructor(size: number, consume: (chunk: Uint8Array) => Promise<void>) {
    this.#size = size;
    this.#buffers = [new Uint8Array(size), new Uint8Array(size)];
    this.#consume = consume;
  }

  /** Appends bytes (and a newline); returns a promise only when it had to wait. */
  add(bytes: Uint8Array, newline = false): Promise<void> | undefined {
    if (this.#waiting) throw new BundleError('INVALID_ARGUMENT', 'await the previous write before writing again');
    const needed = bytes.length + (newline ? 1 : 0);
    if (this.#length + needed <= this.#size) {
      const buffer = this.#buffers[this.#current] as Uint8Array;
      buffer.set(bytes, this.#length);
      this.#length += bytes.length;
      if (newline) buffer[this.#length++] = 0x0a;
      return undefined;
    }
    return this.#addSlow(bytes, newline);
  }

  /** Appends UTF-8 text (which carries its own newline). */
  addText(text: string): Promise<void> | undefined {
    if (this.#waiting) throw new BundleError('INVALID_ARGUMENT', 'await the previous write before writing again');
    if (text.length * 3 <= this.#size - this.#length) {
      const { written } = this.#encoder.encodeInto(text, (this.#buffers[this.#current] as Uint8Array).subarray(this.#length));
      this.#length += written;
      return undefined;
    }
    return this.add(this.#encoder.encode(text));
  }

  async #addSlow(bytes: Uint8Array, newline: boolean): Promise<void> {
    this.#waiting = true;
    try {
      await this.#switch();
    } finally {
      this.#waiting = false;
    }
    if (bytes.length + 1 > this.#size) {
      // Larger than a buffer: hand over a private copy.
      const copy = new Uint8Array(bytes.length + (newline ? 1 : 0));
      copy.set(bytes);
      if (newline) copy[bytes.length] = 0x0a;
      this.#waiting = true;
      try {
        await this.#hand(copy);
      } finally {
        this.#waiting = false;
      }
      return;
    }
    const buffer = this.#buffers[this.#current] as Uint8Array;
    buffer.set(bytes, 0);
    this.#length = bytes.length;
    if (newline) buffer[this.#length++] = 0x0a;
  }

  /** Hands the current buffer over and waits until the other one is free. */
  async #switch(): Promise<void> {
    if (this.#length > 0) {
      const index = this.#current;
      const released = this.#hand((this.#buffers[index] as Uint8Array).subarray(0, this.#length));
      this.#released[index] = released;
      this.#current ^= 1;
      this.#length = 0;
    }
    await this.#released[this.#current];
    this.#released[this.#current] = undefined;
    if (this.#error !== undefined) throw this.#error.error;
  }

  #hand(chunk: Uint8Array): Promise<void> {
    const released = this.#consume(chunk).catch((error: unknown) => {
      this.#error ??= { error };
    });
    return released;
  }

  /** Flushes the rest; resolves when every chunk was released (rejects with the consumer's error). */
  async end(): Promise<void> {
    await this.#switch();
    await this.#released[this.#current ^ 1];
    if (this.#error !== undefined) throw this.#error.error;
  }
}

/**
 * Reads `source` ahead of the consumer, keeping at most about `maxBytes` buffered, so producing (I/O,
 * decompression in a thread pool) overlaps with consuming. Stops the source when the consumer stops.
 */
export async function* readAhead(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const queue = new AsyncQueue<Uint8Array>(maxBytes);
  const iterator = source[Symbol.asyncIterator]();
  let stop = false;
  const pump = (async () => {
    try {
      for (;;) {
        if (stop) break;
        const step = await iterator.next();
        if (step.done === true) break;
        await queue.push(step.value, step.value.length + 64);
      }
      queue.close();
    } catch (error) {
      queue.fail(error);
    } finally {
      if (stop) await iterator.return?.()?.catch?.(() => undefined);
    }
  })();
  try {
    yield* queue;
  } finally {
    stop = true;
    await pump.catch(() => undefined);
  }
}

/** Yields `bytes` in pieces of at most `size` bytes (views, no copies). */
export function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, Math.min(bytes.length, offset + size));
}

/** An async iterable of the given chunks. */
export async function* fromChunks(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** Concatenates chunks. */
export function concatChunks(chunks: readonly Uint8Array[], length?: number): Uint8Array {
  const total = length ?? chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
