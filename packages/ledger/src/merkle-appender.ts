import { copyBytes } from './bytes';
import { resolveHasher, type Hasher, type HasherOptions } from './hasher';
import { LIMIT_64, describeType, requireHash, requireSize } from './validate';
import { popCount } from './tree-math';
import { VerificationError } from './verification-error';

/** A hash to persist: the perfect subtree (`level`, `index`) (see {@link NodeId}) and its 32-byte hash. */
export interface StoredHash {
  readonly level: number;
  readonly index: bigint;
  readonly hash: Uint8Array;
}

/** `BigInt(level)` for every level, to keep bigint allocation off the append path. */
const LEVELS = Array.from({ length: 65 }, (_, level) => BigInt(level));

/**
 * The append structure of the log: O(log n) memory (the frontier, one hash per one-bit of the size), emitting each
 * stored hash exactly once. Appending leaf n returns the leaf hash at (0, n) plus one hash per perfect subtree the
 * leaf completes: 1 + trailingZeros(n + 1) hashes, fewer than 2 on average. The caller writes them, e.g. in the
 * same SQL transaction as the event; plans ({@link planInclusion} …) then read them back.
 *
 * ```ts
 * const appender = MerkleAppender.restore(size, readFrontier(store, size), { hasher });
 * const stored = appender.appendMany(batch.map((bytes) => hashLeaf(bytes, { hasher })));
 * store.writeHashes(stored);
 * const root = appender.root(); // sign a checkpoint for (appender.size, root)
 * ```
 */
export class MerkleAppender {
  readonly #hasher: Hasher;
  // The frontier as parallel arrays, left to right: levels strictly decreasing.
  readonly #levels: number[] = [];
  readonly #hashes: Uint8Array[] = [];
  #size = 0n;

  /** An empty tree. Default hasher is {@link defaultHasher}. */
  constructor(options?: HasherOptions) {
    this.#hasher = resolveHasher(options);
  }

  /**
   * Restores the appender at `size` from its frontier: the hashes of the perfect subtrees of size's binary
   * decomposition, left to right (largest first), as {@link planFrontier}/{@link readFrontier} return them.
   * Throws `INVALID_TREE_SIZE`, `INVALID_PROOF` (wrong number of hashes) or `INVALID_HASH`.
   */
  static restore(size: bigint, frontier: readonly Uint8Array[], options?: HasherOptions): MerkleAppender {
    requireSize(size);
    if (!Array.isArray(frontier)) {
      throw new VerificationError('INVALID_PROOF', `frontier must be an array of hashes, got ${describeType(frontier)}`);
    }
    const expected = popCount(size);
    if (frontier.length !== expected) {
      throw new VerificationError('INVALID_PROOF', `frontier has ${frontier.length} hashes, expected ${expected} for size ${size}`, {
        details: { found: frontier.length, expected },
      });
    }
    const appender = new MerkleAppender(options);
    let position = 0;
    for (let level = 63; level >= 0; level--) {
      if (((size >> (LEVELS[level] as bigint)) & 1n) === 1n) {
        appender.#levels.push(level);
        appender.#hashes.push(copyBytes(requireHash(frontier[position], `frontier hash ${position}`)));
        position += 1;
      }
    }
    appender.#size = size;
    return appender;
  }

  /** The number of leaves. */
  get size(): bigint {
    return this.#size;
  }

  /** Copies of the frontier hashes, left to right (largest subtree first). */
  frontier(): Uint8Array[] {
    return this.#hashes.map(copyBytes);
  }

  /**
   * Appends one leaf hash (`SHA-256(0x00 || data)`, see {@link hashLeaf}) and returns the new stored hashes:
   * `(0, n)` first, then each completed subtree bottom-up. Throws `INVALID_HASH`, or `INVALID_TREE_SIZE` at 2^64 - 1.
   */
  append(leafHash: Uint8Array): StoredHash[] {
    requireHash(leafHash, 'leaf hash');
    if (this.#size + 1n >= LIMIT_64) throw new VerificationError('INVALID_TREE_SIZE', 'tree is full');
    return this.#append(copyBytes(leafHash), []);
  }

  /** Appends leaf hashes in order; returns all new stored hashes. Validates every hash before appending any. */
  appendMany(leafHashes: readonly Uint8Array[]): StoredHash[] {
    if (!Array.isArray(leafHashes)) {
      throw new VerificationError('INVALID_ARGUMENT', `leaf hashes must be an array, got ${describeType(leafHashes)}`);
    }
    for (let i = 0; i < leafHashes.length; i++) requireHash(leafHashes[i], `leaf hash ${i}`);
    if (this.#size + BigInt(leafHashes.length) >= LIMIT_64) throw new VerificationError('INVALID_TREE_SIZE', 'tree is full');
    const out: StoredHash[] = [];
    for (const leafHash of leafHashes as readonly Uint8Array[]) this.#append(copyBytes(leafHash), out);
    return out;
  }

  #append(leafHash: Uint8Array, out: StoredHash[]): StoredHash[] {
    const n = this.#size;
    out.push({ level: 0, index: n, hash: leafHash });
    let hash = leafHash;
    let level = 0;
    let top = this.#levels.length - 1;
    // Binary-counter carry: every frontier subtree of the same level merges with the new one.
    while (top >= 0 && this.#levels[top] === level) {
      hash = this.#hasher.hashChildren(this.#hashes[top] as Uint8Array, hash);
      this.#levels.pop();
      this.#hashes.pop();
      top -= 1;
      level += 1;
      out.push({ level, index: n >> (LEVELS[level] as bigint), hash });
    }
    this.#levels.push(level);
    this.#hashes.push(hash);
    this.#size = n + 1n;
    return out;
  }

  /** The current root MTH(D[0:size]) (RFC 9162 §2.1.1), folding the frontier: O(log n) hashes. */
  root(): Uint8Array {
    const count = this.#hashes.length;
    if (count === 0) return this.#hasher.emptyRoot();
    let hash = this.#hashes[count - 1] as Uint8Array;
    for (let i = count - 2; i >= 0; i--) hash = this.#hasher.hashChildren(this.#hashes[i] as Uint8Array, hash);
    return copyBytes(hash);
  }
}
