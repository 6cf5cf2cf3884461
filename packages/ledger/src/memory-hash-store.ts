import { bytesEqual } from './bytes';
import type { HashReader } from './hash-reader';
import type { NodeId } from './hash-plan';
import type { StoredHash } from './merkle-appender';
import { describeType, requireHash } from './validate';
import { VerificationError } from './verification-error';

/** Options of {@link MemoryHashStore}. */
export interface MemoryHashStoreOptions {
  /**
   * Allocates zeroed byte arrays for hash chunks. Default is `new Uint8Array(n)`; pass
   * `(n) => new Uint8Array(new SharedArrayBuffer(n))` to share the store with Workers through {@link MemoryHashStore.snapshot}.
   */
  readonly allocate?: (byteLength: number) => Uint8Array;
  /** Hashes per full chunk, a power of two >= 64. Default is 32,768 (1 MiB chunks). */
  readonly chunkHashes?: number;
}

/** The store's memory, for sharing with Workers (structured-clone it; chunks on a SharedArrayBuffer stay shared). */
export interface MemoryHashStoreSnapshot {
  readonly chunkHashes: number;
  readonly levels: readonly { readonly count: number; readonly chunks: readonly Uint8Array[] }[];
}

interface Level {
  count: number;
  chunks: Uint8Array[];
}

const FIRST_CHUNK_HASHES = 32;

/**
 * An in-memory, append-only store of the stored hashes of {@link MerkleAppender}, and a {@link HashReader}.
 * Each level is a growable array of 32-byte slots in fixed-size chunks (the last chunk grows by doubling), so a
 * 10,000,000-leaf tree (about 20M hashes) takes about 640 MB and never copies more than one chunk.
 * Hashes are written once: a write must append at the level's end (or repeat an identical hash).
 */
export class MemoryHashStore implements HashReader {
  readonly #levels: Level[] = [];
  readonly #allocate: (byteLength: number) => Uint8Array;
  readonly #chunkHashes: number;

  /** An empty store. */
  constructor(options: MemoryHashStoreOptions = {}) {
    this.#allocate = options.allocate ?? ((byteLength) => new Uint8Array(byteLength));
    const chunkHashes = options.chunkHashes ?? 32_768;
    if (!Number.isSafeInteger(chunkHashes) || chunkHashes < 64 || 2 ** Math.round(Math.log2(chunkHashes)) !== chunkHashes) {
      throw new VerificationError('INVALID_ARGUMENT', 'chunkHashes must be a power of two >= 64');
    }
    this.#chunkHashes = chunkHashes;
  }

  /** A store over the memory of a {@link snapshot} (e.g. in a Worker). Writes to it are not seen by others. */
  static fromSnapshot(snapshot: MemoryHashStoreSnapshot, options: Omit<MemoryHashStoreOptions, 'chunkHashes'> = {}): MemoryHashStore {
    const store = new MemoryHashStore({ ...options, chunkHashes: snapshot.chunkHashes });
    for (const level of snapshot.levels) store.#levels.push({ count: level.count, chunks: [...level.chunks] });
    return store;
  }

  /** The store's chunks and counts (no copy). */
  snapshot(): MemoryHashStoreSnapshot {
    return {
      chunkHashes: this.#chunkHashes,
      levels: this.#levels.map((level) => ({ count: level.count, chunks: [...level.chunks] })),
    };
  }

  /** Number of hashes stored at `level`. */
  count(level: number): number {
    return this.#levels[level]?.count ?? 0;
  }

  /** Total number of stored hashes. */
  get hashCount(): number {
    let total = 0;
    for (const level of this.#levels) total += level.count;
    return total;
  }

  /** Bytes allocated for hashes. */
  get byteLength(): number {
    let total = 0;
    for (const level of this.#levels) for (const chunk of level.chunks) total += chunk.length;
    return total;
  }

  /**
   * Writes stored hashes (as {@link MerkleAppender.append} returns them). Each must append at its level's end or
   * repeat the identical stored hash; anything else throws `INVALID_ARGUMENT` (hashes are written exactly once).
   */
  writeHashes(hashes: readonly StoredHash[]): void {
    if (!Array.isArray(hashes)) {
      throw new VerificationError('INVALID_ARGUMENT', `stored hashes must be an array, got ${describeType(hashes)}`);
    }
    for (const stored of hashes as readonly unknown[]) {
      if (stored === null || typeof stored !== 'object') {
        throw new VerificationError('INVALID_ARGUMENT', `stored hash must be an object, got ${describeType(stored)}`);
      }
      const { level, index, hash } = stored as Partial<StoredHash>;
      this.writeHash(level as number, index as bigint, hash as Uint8Array);
    }
  }

  /** Writes one stored hash; see {@link writeHashes}. */
  writeHash(level: number, index: bigint, hash: Uint8Array): void {
    if (!Number.isInteger(level) || level < 0 || level > 63 || typeof index !== 'bigint') {
      throw new VerificationError('INVALID_ARGUMENT', `invalid node id: level must be an integer in [0, 63] and index a bigint`);
    }
    requireHash(hash, `hash at level ${level}, index ${index}`);
    while (this.#levels.length <= level) this.#levels.push({ count: 0, chunks: [] });
    const slot = this.#levels[level] as Level;
    const position = slot.count;
    // Number(index) is exact below 2^53, and a larger index can never equal the count (no bigint allocation here).
    const target = Number(index);
    if (target !== position) {
      if (index >= 0n && target < position) {
        if (bytesEqual(this.readHash(level, index) ?? new Uint8Array(0), hash)) return;
        throw new VerificationError('INVALID_ARGUMENT', `hash at level ${level}, index ${index} is already stored with another value`);
      }
      throw new VerificationError('INVALID_ARGUMENT', `write at level ${level}, index ${index} leaves a gap: level holds ${position} hashes`);
    }
    const chunkIndex = Math.floor(position / this.#chunkHashes);
    const offset = (position % this.#chunkHashes) * 32;
    let chunk = slot.chunks[chunkIndex];
    if (chunk === undefined) {
      chunk = this.#allocate(FIRST_CHUNK_HASHES * 32);
      slot.chunks.push(chunk);
    } else if (offset >= chunk.length) {
      // The last chunk grows by doubling up to the full chunk size; full chunks never move.
      const grown = this.#allocate(Math.min(chunk.length * 2, this.#chunkHashes * 32));
      grown.set(chunk);
      slot.chunks[chunkIndex] = grown;
      chunk = grown;
    }
    chunk.set(hash, offset);
    slot.count = position + 1;
  }

  /** A copy of the hash at (level, index), or `undefined` if not stored. */
  readHash(level: number, index: bigint): Uint8Array | undefined {
    const slot = this.#levels[level];
    if (slot === undefined || typeof index !== 'bigint' || index < 0n || index >= BigInt(slot.count)) return undefined;
    const position = Number(index);
    const chunk = slot.chunks[Math.floor(position / this.#chunkHashes)];
    const offset = (position % this.#chunkHashes) * 32;
    return chunk?.slice(offset, offset + 32);
  }

  /** {@link HashReader}: copies of the hashes of `ids`, `undefined` where absent. */
  readHashes(ids: readonly NodeId[]): (Uint8Array | undefined)[] {
    return ids.map((id) => this.readHash(id.level, id.index));
  }
}
