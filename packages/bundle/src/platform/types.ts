/**
 * The injected platform. `@custody/bundle` does no I/O and imports no Node module: bytes come from a
 * {@link ByteSource}, go to a {@link ByteSink}, and hashing and (de)compression are injected, with portable
 * defaults that run in browsers and Workers (see `platform/defaults.ts`).
 */
import type { Ed25519, Sha256, Sha256Into } from '@custody/ledger';

export type { Ed25519, Sha256, Sha256Into };

/** An incremental SHA-256: `update` any number of times, then `digest` once (32 bytes). */
export interface IncrementalSha256 {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}

/**
 * Creates an {@link IncrementalSha256}. In Node:
 *
 * ```ts
 * import { createHash } from 'node:crypto';
 * const createSha256: CreateSha256 = () => {
 *   const h = createHash('sha256');
 *   return { update: (bytes) => void h.update(bytes), digest: () => h.digest() };
 * };
 * ```
 */
export type CreateSha256 = () => IncrementalSha256;

/**
 * Many independent SHA-256 hashes in one call: `sha256IntoMany(data, starts, ends, count, out)` writes SHA-256 of
 * `data[starts[i], ends[i])` to `out[32i, 32i + 32)` for every `i < count`, and touches no other byte of `out`.
 *
 * - Ranges may overlap, be empty, and come in any order; `data` is not modified.
 * - Throws a `RangeError`, before or while writing (earlier digests may then be written), unless
 *   `0 <= starts[i] <= ends[i] <= data.length` for every `i < count` and `count <= starts.length`,
 *   `count <= ends.length`, `32 * count <= out.length`.
 * - Synchronous; `out` must not be a view of `data`'s bytes being hashed.
 *
 * It exists for throughput: `wasmSha256().sha256IntoMany` hashes four messages at once in WebAssembly SIMD lanes
 * (the per-leaf hashes of verification, many short messages). Equivalent to calling a {@link Sha256Into} per
 * message.
 */
export type Sha256IntoMany = (data: Uint8Array, starts: Int32Array, ends: Int32Array, count: number, out: Uint8Array) => void;

/**
 * `crc32(data, previous)` continues CRC-32 `previous` (0 to start) over `data` and returns it unsigned, like
 * Node's `zlib.crc32(data, value)`.
 */
export type Crc32 = (data: Uint8Array, previous?: number) => number;

/**
 * An asynchronous stream transform, e.g. raw DEFLATE (RFC 1951) compression or decompression. It must consume
 * `input` lazily (backpressure), must be done with an input chunk when it requests the next one (producers reuse
 * their buffers: copy what you keep), and must stop when its output is no longer read (the consumer calls
 * `return()`). Errors for corrupt input may be of any type: the ZIP layer turns them into `BundleError('BAD_ZIP')`.
 */
export type ByteTransform = (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/**
 * Raw DEFLATE decompression that also checks its output against the CRC-32 and size a ZIP entry declares, in one
 * native pass (the web default frames the data as a gzip member, RFC 1952, whose trailer holds them). Same contract
 * as {@link ByteTransform}; a mismatch or corrupt data fails the iteration without saying which, and the ZIP
 * reader then reads the entry again with the plain transform and {@link Crc32} to name the problem.
 */
export type CheckedInflate = (
  input: AsyncIterable<Uint8Array>,
  expected: { readonly crc32: number; readonly size: number },
) => AsyncIterable<Uint8Array>;

/**
 * Where a writer puts bytes, in order. `write` may return a promise (backpressure); the writer awaits it before
 * the next write. The writer never modifies a chunk after passing it to `write`, so a sink may keep it.
 */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void> | void;
}

/**
 * Random-access bytes to read an archive from (Node: a `FileHandle` adapter; browsers: `File.slice()`).
 * `read(offset, length)` must return exactly `length` bytes when `offset + length <= size`; fewer bytes are
 * treated as a truncated source. `size` must not change while reading.
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The crypto of the bundle layer. Each member is optional; defaults are portable (see `resolveCrypto`). */
export interface BundleCrypto {
  /** One-shot SHA-256 (leaf and node hashes, key ids). Default: the ledger's `nobleSha256`. */
  readonly sha256?: Sha256;
  /**
   * The same hash written into a buffer, for the per-leaf loops (leaf and node hashes). Default: an injected
   * `sha256` then a copy; with none, `wasmSha256().sha256Into` (WebAssembly), else `portableSha256Into`. Node:
   * `crypto.hash('sha256', data, 'latin1')` copied out, which allocates no buffer.
   */
  readonly sha256Into?: Sha256Into;
  /**
   * Incremental SHA-256 for whole files. Default: `wasmSha256().createSha256` (WebAssembly), else
   * {@link createPortableSha256} (pure TypeScript).
   */
  readonly createSha256?: CreateSha256;
  /**
   * SHA-256 of one whole buffer, possibly in native code off the calling thread: the archive's own hash
   * (`hashArchive`) when the archive is small enough to hold at once. Default, where `createSha256` is not
   * injected: WebCrypto's `crypto.subtle.digest` when the platform has it (the CPU's SHA extensions, several times
   * the WebAssembly hash's speed).
   */
  readonly digestSha256?: (data: Uint8Array) => Promise<Uint8Array>;
  /** Ed25519 for signing and verifying notes. Default: the ledger's `nobleEd25519`. */
  readonly ed25519?: Ed25519;
}
