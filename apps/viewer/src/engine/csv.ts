/** RFC 4180 CSV: CRLF records, fields quoted when they hold a comma, quote, CR or LF, quotes doubled. */

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Collects UTF-8 text into one byte array, encoding in pieces (no giant intermediate string). */
export class Utf8Builder {
  #buf = new Uint8Array(1 << 16);
  #length = 0;
  #pending = '';
  readonly #encoder = new TextEncoder();

  append(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= 1 << 15) this.#flush();
  }

  #flush(): void {
    const text = this.#pending;
    this.#pending = '';
    if (text === '') return;
    const max = text.length * 3;
    if (this.#length + max > this.#buf.length) {
      let capacity = this.#buf.length * 2;
      while (capacity < this.#length + max) capacity *= 2;
      const next = new Uint8Array(capacity);
      next.set(this.#buf.subarray(0, this.#length));
      this.#buf = next;
    }
    this.#length += this.#encoder.encodeInto(text, this.#buf.subarray(this.#length)).written;
  }

  bytes(): Uint8Array {
    this.#flush();
    return this.#buf.slice(0, this.#length);
  }
}
