/**
 * Byte-keyed interning: maps UTF-8 byte strings to dense ids without creating a JavaScript string per lookup
 * (a repeated value costs a hash and a byte comparison). Used for the dictionary-encoded columns and for the
 * full-text terms. Open addressing over an Int32Array; the bytes live in one growable pool.
 */
import { GrowInt32 } from './growable';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A 32-bit hash of `bytes[start, end)`: MurmurHash3's x86_32 block mix over little-endian 4-byte words, its tail
 * rule and its finalizer (seed 0). Four bytes per multiply keep the dependency chain a quarter as long as a
 * byte-at-a-time hash's, which matters for the long values (user agents, names) hashed once per row.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0;
  let i = start;
  const blocks = end - 3;
  for (; i < blocks; i += 4) {
    let k = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = end - i;
  if (tail > 0) {
    let k = bytes[i] as number;
    if (tail > 1) k |= (bytes[i + 1] as number) << 8;
    if (tail > 2) k |= (bytes[i + 2] as number) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Open addressing with linear probing. Each slot is two Int32s, the value's hash and its id + 1 (0: empty), so a
 * probe compares hashes without touching any other array; the bytes are compared only on equal hashes. Values
 * are appended to one pool in id order, so value `id` is `pool[starts[id], starts[id + 1])`.
 */
export class ByteInterner {
  #pool = new Uint8Array(1 << 12);
  #poolLength = 0;
  /** `starts[id]` for every id, then the pool's length. */
  readonly #starts = new GrowInt32(64);
  #size = 0;
  #table = new Int32Array(2 << 8);
  #mask = (1 << 8) - 1;

  constructor() {
    this.#starts.push(0);
  }

  get size(): number {
    return this.#size;
  }

  /** Approximate bytes held. */
  get byteSize(): number {
    return this.#pool.length + this.#table.byteLength + this.#starts.array.byteLength;
  }

  /** The id of `bytes[start, end)`, or -1. */
  find(bytes: Uint8Array, start: number, end: number, hash = hashBytes(bytes, start, end)): number {
    const table = this.#table;
    const mask = this.#mask;
    let slot = hash & mask;
    for (;;) {
      const entry = table[2 * slot + 1] as number;
      if (entry === 0) return -1;
      if (table[2 * slot] === hash && this.#equals(entry - 1, bytes, start, end)) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** The id of `bytes[start, end)`, adding it if new. `added` tells whether it was new. */
  intern(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(bytes, start, end);
    const table = this.#table;
    const mask = this.#mask;
    let slot = hash & mask;
    for (;;) {
      const entry = table[2 * slot + 1] as number;
      if (entry === 0) break;
      if (table[2 * slot] === hash && this.#equals(entry - 1, bytes, start, end)) {
        this.added = false;
        return entry - 1;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.#size;
    const length = end - start;
    if (this.#poolLength + length > this.#pool.length) {
      let capacity = this.#pool.length * 2;
      while (capacity < this.#poolLength + length) capacity *= 2;
      const next = new Uint8Array(capacity);
      next.set(this.#pool.subarray(0, this.#poolLength));
      this.#pool = next;
    }
    const pool = this.#pool;
    let at = this.#poolLength;
    for (let i = start; i < end; i++) pool[at++] = bytes[i] as number;
    this.#poolLength = at;
    this.#starts.push(at);
    this.#size = id + 1;
    table[2 * slot] = hash;
    table[2 * slot + 1] = id + 1;
    if ((id + 1) * 2 > mask) this.#grow();
    this.added = true;
    return id;
  }

  /** Whether the last `intern` added a value. */
  added = false;

  /** The bytes of an id (a view into the pool: copy to keep). */
  bytes(id: number): Uint8Array {
    return this.#pool.subarray(this.#starts.array[id], this.#starts.array[id + 1]);
  }

  /** The ids whose bytes start with `prefix`, in increasing order. */
  idsWithPrefix(prefix: Uint8Array): number[] {
    const out: number[] = [];
    const pool = this.#pool;
    const starts = this.#starts.array;
    const length = prefix.length;
    for (let id = 0; id < this.#size; id++) {
      const s = starts[id] as number;
      if ((starts[id + 1] as number) - s < length) continue;
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
    const starts = this.#starts.array;
    const s = starts[id] as number;
    const length = (starts[id + 1] as number) - s;
    if (length !== end - start) return false;
    const pool = this.#pool;
    for (let i = 0; i < length; i++) if (pool[s + i] !== bytes[start + i]) return false;
    return true;
  }

  #grow(): void {
    const old = this.#table;
    const capacity = (old.length >> 1) * 2;
    const table = new Int32Array(2 * capacity);
    const mask = capacity - 1;
    for (let o = 1; o < old.length; o += 2) {
      const entry = old[o] as number;
      if (entry === 0) continue;
      const hash = old[o - 1] as number;
      let slot = hash & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = hash;
      table[2 * slot + 1] = entry;
    }
    this.#table = table;
    this.#mask = mask;
  }
}
