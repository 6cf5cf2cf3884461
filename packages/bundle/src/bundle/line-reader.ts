/**
 * Reads lines from a stream of chunks (an entry of the archive), hashing every byte for the manifest and
 * enforcing a maximum line length. The fast path `next()` is synchronous; `nextLine()` awaits more data.
 */
import { BundleError } from '../errors';
import type { IncrementalSha256 } from '../platform/types';

export class LineReader {
  /** The current line: `buf[start, end)` (without the `\n`). Valid until the next call. */
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  /** 1-based number of the current line. */
  line = 0;
  /** Bytes read so far. */
  bytes = 0;
  /** The last line had no final `\n`. */
  missingFinalNewline = false;
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #hash: IncrementalSha256 | undefined;
  readonly #maxLineLength: number;
  readonly #file: string;
  #chunk: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #carry: Uint8Array[] = [];
  #carryLength = 0;
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>, options: { hash?: IncrementalSha256; maxLineLength: number; file: string }) {
    this.#iterator = source[Symbol.asyncIterator]();
    this.#hash = options.hash;
    this.#maxLineLength = options.maxLineLength;
    this.#file = options.file;
  }

  /** Whether the stream is exhausted (after `nextLine()` returned false). */
  get done(): boolean {
    return this.#done && this.#pos >= this.#chunk.length && this.#carryLength === 0;
  }

  /** The next line if it is complete in the current chunk (synchronous). */
  next(): boolean {
    const chunk = this.#chunk;
    if (this.#pos >= chunk.length) return false;
    const newline = chunk.indexOf(0x0a, this.#pos);
    if (newline < 0) {
      this.#keep(chunk.subarray(this.#pos));
      this.#pos = chunk.length;
      return false;
    }
    if (this.#carryLength > 0) {
      this.#keep(chunk.subarray(this.#pos, newline));
      this.#takeCarry();
    } else {
      if (newline - this.#pos > this.#maxLineLength) this.#tooLong(newline - this.#pos);
      this.buf = chunk;
      this.start = this.#pos;
      this.end = newline;
    }
    this.#pos = newline + 1;
    this.line += 1;
    return true;
  }

  /** The next line, reading more data as needed; false at the end of the stream. */
  async nextLine(): Promise<boolean> {
    for (;;) {
      if (this.next()) return true;
      if (this.#done) {
        if (this.#carryLength === 0) return false;
        this.#takeCarry();
        this.line += 1;
        this.missingFinalNewline = true;
        return true;
      }
      const step = await this.#iterator.next();
      if (step.done === true) {
        this.#done = true;
        continue;
      }
      this.#hash?.update(step.value);
      this.bytes += step.value.length;
      this.#chunk = step.value;
      this.#pos = 0;
    }
  }

  /** Reads the rest of the stream (hashing it) without splitting lines. */
  async drain(): Promise<void> {
    this.#chunk = new Uint8Array(0);
    this.#pos = 0;
    this.#carry = [];
    this.#carryLength = 0;
    for (;;) {
      const step = await this.#iterator.next();
      if (step.done === true) break;
      this.#hash?.update(step.value);
      this.bytes += step.value.length;
    }
    this.#done = true;
  }

  /** Stops reading (closes the underlying stream). */
  async close(): Promise<void> {
    await this.#iterator.return?.();
  }

  #keep(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#carryLength += piece.length;
    if (this.#carryLength > this.#maxLineLength) this.#tooLong(this.#carryLength);
    this.#carry.push(piece.slice());
  }

  #takeCarry(): void {
    const out = new Uint8Array(this.#carryLength);
    let at = 0;
    for (const piece of this.#carry) {
      out.set(piece, at);
      at += piece.length;
    }
    this.#carry = [];
    this.#carryLength = 0;
    this.buf = out;
    this.start = 0;
    this.end = out.length;
  }

  #tooLong(length: number): never {
    throw new BundleError('LIMIT_EXCEEDED', `${this.#file} line ${this.line + 1} is longer than the limit of ${this.#maxLineLength} bytes`, {
      details: { limit: 'maxLineLength', value: length, file: this.#file, line: this.line + 1 },
    });
  }
}
