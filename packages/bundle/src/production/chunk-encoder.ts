/**
 * Batches the string rows of a writer into byte chunks of about a fixed size, so a 1,000,000-row export encodes
 * (and hands to the zip layer) some thousands of ~16 KiB chunks instead of a million tiny arrays. Encoding one large
 * string is several times faster than encoding each row.
 */
import { ProductionError } from './production-error';

/** Options of {@link createChunkEncoder}. */
export interface TChunkEncoderOptions {
  /**
   * Emit a chunk once this many UTF-16 code units are buffered. Default is 16,384 (measured fastest: larger
   * buffers flatten and encode out of cache); at least 1.
   */
  readonly chunkChars?: number;
}

/** A batching encoder; see {@link createChunkEncoder}. */
export interface TChunkEncoder {
  /** Buffers `text`; returns the encoded buffer once it reaches `chunkChars`, else `undefined`. */
  push(text: string): Uint8Array | undefined;
  /** Encodes and returns whatever is buffered (`undefined` when nothing is). Call once at the end. */
  flush(): Uint8Array | undefined;
}

const ENCODER = new TextEncoder();

/** UTF-8 (no BOM), the default encoding of every production text file. */
export function encodeUtf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/**
 * Wraps an encoder (`encodeUtf8`, or a writer's `encode`, which knows the file's encoding) in a batching buffer.
 * Memory stays bounded by `chunkChars` plus one row.
 *
 * ```ts
 * const chunks = createChunkEncoder(dat.encode);
 * const emit = (bytes?: Uint8Array) => { if (bytes) sink.write(bytes); };
 * emit(chunks.push(dat.header()));
 * for (const { event, leafHash, controlNumber, bytes } of rows) emit(chunks.push(dat.row(event, { … })));
 * emit(chunks.flush());
 * ```
 */
export function createChunkEncoder(encode: (text: string) => Uint8Array, options: TChunkEncoderOptions = {}): TChunkEncoder {
  const chunkChars = options.chunkChars ?? 16_384;
  if (typeof encode !== 'function') throw new ProductionError('INVALID_ARGUMENT', 'encode must be a function');
  if (!Number.isSafeInteger(chunkChars) || chunkChars < 1) {
    throw new ProductionError('INVALID_ARGUMENT', `chunkChars must be a positive integer, got ${String(chunkChars)}`);
  }
  let buffer = '';
  return {
    push(text: string): Uint8Array | undefined {
      buffer += text;
      if (buffer.length < chunkChars) return undefined;
      const bytes = encode(buffer);
      buffer = '';
      return bytes;
    },
    flush(): Uint8Array | undefined {
      if (buffer === '') return undefined;
      const bytes = encode(buffer);
      buffer = '';
      return bytes;
    },
  };
}
