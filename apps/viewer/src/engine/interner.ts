/**
 * Byte-keyed interning: maps UTF-8 byte strings to dense ids without creating a JavaScript string per lookup
 * (a repeated value costs a hash and a byte comparison). Used for the dictionary-encoded columns and for the
 * full-text terms. Open addressing over an Int32Array; the bytes live in one growable pool.
 */
import { GrowInt32 } from './growable';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** FNV-1a over `bytes[start, end)`. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export class ByteInterner {
  #pool = new Uint8Array(1 << 12);
  #poolLength = 0;
  readonly #starts = new GrowInt32(64);
  readonly #ends = new GrowInt32(64);
  readonly #hashes = new GrowInt32(64);
  /** id + 1 per slot; 0 is empty. */
  #table = new Int32Array(1 << 8);
  #mask = (1 << 8) - 1;

  get size(): number {
    return this.#starts.length;
  }

  /** Approximate bytes held. */
  get byteSize(): number {
    return this.#pool.length + this.#table.byteLength + this.#starts.array.byteLength * 3;
  }

  /** The id of `bytes[start, end)`, or -1. */
  find(bytes: Uint8Array, start: number, end: number, hash = hashBytes(bytes, start, end)): number {
    const table = this.#table;
    let slot = hash & this.#mask;
    for (;;) {
      const entry = table[slot] as number;
      if (entry === 0) return -1;
      const id = entry - 1;
      if (this.#hashes.array[id] === hash && this.#equals(id, bytes, start, end)) return id;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** The id of `bytes[start, end)`, adding it if new. `added` tells whether it was new. */
  intern(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(bytes, start, end);
    const table = this.#table;
    let slot = hash & this.#mask;
    for (;;) {
      const entry = table[slot] as number;
      if (entry === 0) break;
      const id = entry - 1;
      if (this.#hashes.array[id] === hash && this.#equals(id, bytes, start, end)) {
        this.added = false;
        return id;
      }
      slot = (slot + 1) & this.#mask;
    }
    const id = this.#starts.length;
    const length = end - start;
    if (this.#poolLength + length > this.#pool.length) {
      let capacity = this.#pool.length * 2;
      while (capacity < this.#poolLength + length) capacity *= 2;
      const next = new Uint8Array(capacity);
      next.set(this.#pool.subarray(0, this.#poolLength));
      this.#pool = next;
    }
    this.#pool.set(bytes.subarray(start, end), this.#poolLength);
    this.#starts.push(this.#poolLength);
    this.#poolLength += length;
    this.#ends.push(this.#poolLength);
    this.#hashes.push(hash);
    table[slot] = id + 1;
    if ((id + 1) * 2 > this.#mask) this.#grow();
    this.added = true;
    return id;
  }

  /** Whether the last `intern` added a value. */
  added = false;

  /** The bytes of an id (a view into the pool: copy to keep). */
  bytes(id: number): Uint8Array {
    return this.#pool.subarray(this.#starts.array[id], this.#ends.array[id]);
  }

  /** The ids whose bytes start with `prefix`, in increasing order. */
  idsWithPrefix(prefix: Uint8Array): number[] {
    const out: number[] = [];
    const pool = this.#pool;
    const starts = this.#starts.array;
    const ends = this.#ends.array;
    const length = prefix.length;
    for (let id = 0; id < this.#starts.length; id++) {
      const s = starts[id] as number;
      if ((ends[id] as number) - s < length) continue;
      let i = 0;
      while (i < length && pool[s + i] === prefix[i]) i++;
      if (i === length) out.push(id);
    }
    return out;
  }

  text(id: number): string {
    return decoder.decode(this.bytes(id));
  }

  findText(text: string): number {
    const bytes = encoder.encode(text);
    return this.find(bytes, 0, bytes.length);
  }

  #equals(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const s = this.#starts.array[id] as number;
    const e = this.#ends.array[id] as number;
    if (e - s !== end - start) return false;
    const pool = this.#pool;
    for (let i = 0; i < e - s; i++) if (pool[s + i] !== bytes[start + i]) return false;
    return true;
  }

  #grow(): void {
    const capacity = this.#table.length * 2;
    const table = new Int32Array(capacity);
    const mask = capacity - 1;
    const hashes = this.#hashes.array;
    for (let id = 0; id < this.#starts.length; id++) {
      let slot = (hashes[id] as number) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.#table = table;
    this.#mask = mask;
  }
}
