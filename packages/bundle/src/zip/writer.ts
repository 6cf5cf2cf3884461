/**
 * A streaming ZIP writer (APPNOTE 6.3.10): entries are written one after another to a {@link ByteSink}, never
 * seeking back. Entries whose bytes are known up front (a `Uint8Array`, or {@link PreparedEntry} data compressed
 * earlier) get their sizes and CRC-32 in the local header; streamed entries set bit 3 and are followed by a data
 * descriptor. The central directory is exact. ZIP64 records are added automatically when a size or offset exceeds
 * 0xFFFFFFFE or there are more than 65,534 entries (`forceZip64` adds them everywhere, for tests).
 *
 * Memory: one output buffer (256 KiB by default) plus one central-directory record per entry.
 */
import { BundleError } from '../errors';
import { portableCrc32, webDeflateRaw } from '../platform/defaults';
import type { ByteSink, ByteTransform, Crc32 } from '../platform/types';
import { AsyncQueue } from '../stream-utils';
import { utf8 } from '../text';
import {
  CENTRAL_HEADER_SIGNATURE, CENTRAL_HEADER_SIZE, DATA_DESCRIPTOR_SIGNATURE, END_SIGNATURE, END_SIZE, FILE_ATTRIBUTES,
  FLAG_DATA_DESCRIPTOR, FLAG_UTF8, LOCAL_HEADER_SIGNATURE, LOCAL_HEADER_SIZE, MAX_UINT16, MAX_UINT32, METHOD_DEFLATE,
  METHOD_STORE, VERSION_DEFLATE, VERSION_MADE_BY, VERSION_STORE, VERSION_ZIP64, ZIP64_END_SIGNATURE, ZIP64_END_SIZE,
  ZIP64_ENTRY_THRESHOLD, ZIP64_EXTRA_ID, ZIP64_LOCATOR_SIGNATURE, ZIP64_LOCATOR_SIZE, ZIP64_THRESHOLD, setUint64,
  toDosDateTime,
} from './format';
import { NameRegistry, checkEntryName } from './names';

/** Compression method of an entry. */
export type ZipMethod = 'store' | 'deflate';

/** Options of {@link createZipWriter}. */
export interface ZipWriterOptions {
  /** Raw DEFLATE compressor. Default: `CompressionStream('deflate-raw')` ({@link webDeflateRaw}). */
  readonly deflateRaw?: ByteTransform;
  /** CRC-32. Default: a portable slicing-by-8 implementation; Node callers may pass `zlib.crc32`. */
  readonly crc32?: Crc32;
  /** Write ZIP64 records for every entry and the end of the archive, whatever the sizes. Default is `false`. */
  readonly forceZip64?: boolean;
  /** Modification time of every entry (written as UTC MS-DOS fields). Default: the time the writer was created. */
  readonly modifiedAt?: Date;
  /** Longest entry name in UTF-8 bytes. Default is 1,024. */
  readonly maxNameLength?: number;
  /** Output is coalesced into writes of about this many bytes. Default is 256 KiB. */
  readonly bufferSize?: number;
}

/** Options of one entry. */
export interface ZipEntryOptions {
  /** Default is `'deflate'`. */
  readonly method?: ZipMethod;
  /** Default: the writer's `modifiedAt`. */
  readonly modifiedAt?: Date;
  /**
   * For streamed entries: write the ZIP64 local form (a ZIP64 extra field and a 24-byte data descriptor), which
   * strict readers need for entries over 4 GiB. Without it a streamed entry that turns out larger than 4 GiB
   * still gets a 64-bit data descriptor and a correct ZIP64 central record (read by Info-ZIP, libarchive,
   * 7-Zip, Python, Go and this package). Default: the writer's `forceZip64`.
   */
  readonly zip64?: boolean;
}

/** What was written for one entry. */
export interface ZipEntryInfo {
  readonly name: string;
  readonly method: ZipMethod;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Offset of the local header. */
  readonly offset: number;
}

/** Sizes and CRC-32 of data encoded by an {@link EntryEncoder}. */
export interface EncodedEntry {
  readonly method: ZipMethod;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

/** Entry data compressed earlier (for example spooled to a temporary store), with its sizes and CRC-32. */
export interface PreparedEntry extends EncodedEntry {
  /** The compressed bytes (exactly `compressedSize` of them). */
  readonly data: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** A push-style encoder: `write` uncompressed chunks, then `close` for the sizes and CRC-32. */
export interface EntryEncoder {
  /**
   * Adds uncompressed bytes; resolves when the encoder no longer needs `chunk` (the caller may then reuse it).
   * Awaiting each write serializes with the compressor: batch small writes (see `ChunkBuffer`).
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes the compressor; resolves when every compressed byte has been passed to the output. */
  close(): Promise<EncodedEntry>;
}

/** A streamed entry being written by {@link ZipWriter.openEntry}. */
export interface ZipEntryWriter {
  /** Adds uncompressed bytes; resolves when `chunk` may be reused (as {@link EntryEncoder.write}). */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the entry (writes its data descriptor). */
  close(): Promise<ZipEntryInfo>;
}

const methodCode = (method: ZipMethod): number => (method === 'store' ? METHOD_STORE : METHOD_DEFLATE);
const methodVersion = (method: ZipMethod): number => (method === 'store' ? VERSION_STORE : VERSION_DEFLATE);

function requireMethod(method: unknown): ZipMethod {
  if (method === undefined) return 'deflate';
  if (method !== 'store' && method !== 'deflate') throw new BundleError('INVALID_ARGUMENT', `unknown compression method ${JSON.stringify(method) ?? typeof method}`);
  return method;
}

/**
 * Creates an {@link EntryEncoder} that passes compressed bytes to `output` (awaited, in order). Used by the ZIP
 * writer for streamed entries and by callers that spool compressed entries for {@link ZipWriter.addPrepared}.
 */
export function createEntryEncoder(
  output: (chunk: Uint8Array) => Promise<void> | void,
  options: { readonly method?: ZipMethod; readonly deflateRaw?: ByteTransform; readonly crc32?: Crc32 } = {},
): EntryEncoder {
  const method = requireMethod(options.method);
  const crc32 = options.crc32 ?? portableCrc32;
  let crc = 0;
  let uncompressedSize = 0;
  let compressedSize = 0;
  let closed = false;
  if (method === 'store') {
    return {
      async write(chunk) {
        if (closed) throw new BundleError('INVALID_ARGUMENT', 'write after close');
        crc = crc32(chunk, crc);
        uncompressedSize += chunk.length;
        compressedSize += chunk.length;
        await output(chunk);
      },
      close() {
        closed = true;
        return Promise.resolve({ method, crc32: crc, compressedSize, uncompressedSize });
      },
    };
  }
  const deflateRaw = options.deflateRaw ?? webDeflateRaw;
  const queue = new AsyncQueue<Uint8Array>(1 << 20);
  const pump = (async () => {
    for await (const chunk of deflateRaw(queue)) {
      compressedSize += chunk.length;
      await output(chunk);
    }
  })();
  // A rejection to race against pushes when the compressor fails; never unhandled.
  const failed = new Promise<never>((_, reject) => {
    pump.catch(reject);
  });
  failed.catch(() => undefined);
  const wrap = (error: unknown): BundleError =>
    error instanceof BundleError ? error : new BundleError('INVALID_ARGUMENT', 'compressor failed', { cause: error });
  return {
    async write(chunk) {
      if (closed) throw new BundleError('INVALID_ARGUMENT', 'write after close');
      crc = crc32(chunk, crc);
      uncompressedSize += chunk.length;
      try {
        const released = new Promise<void>((resolve) => void queue.push(chunk, chunk.length, resolve).catch(() => resolve()));
        await Promise.race([released, failed]);
      } catch (error) {
        throw wrap(error);
      }
    },
    async close() {
      if (closed) throw new BundleError('INVALID_ARGUMENT', 'close called twice');
      closed = true;
      queue.close();
      try {
        await pump;
      } catch (error) {
        throw wrap(error);
      }
      return { method, crc32: crc, compressedSize, uncompressedSize };
    },
  };
}

interface CentralRecord {
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly flags: number;
  readonly method: ZipMethod;
  readonly time: number;
  readonly date: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly offset: number;
  readonly zip64Local: boolean;
}

/** The result of {@link ZipWriter.finish}. */
export interface ZipFinishResult {
  readonly bytesWritten: number;
  readonly entries: readonly ZipEntryInfo[];
  readonly zip64: boolean;
}

/**
 * A streaming ZIP writer; see the module header. Entries are written strictly one at a time, in call order:
 * await each `add…` call (or `close()` an opened entry) before starting the next.
 *
 * ```ts
 * const zip = createZipWriter(sink, { modifiedAt: new Date('2026-01-01T00:00:00Z') });
 * await zip.addEntry('bag/bagit.txt', utf8('BagIt-Version: 1.0\n…'), { method: 'store' });
 * const entry = zip.openEntry('bag/data/events.ndjson');
 * for await (const line of lines) await entry.write(line);
 * await entry.close();
 * const { bytesWritten } = await zip.finish();
 * ```
 */
export class ZipWriter {
  readonly #sink: ByteSink;
  readonly #deflateRaw: ByteTransform;
  readonly #crc32: Crc32;
  readonly #forceZip64: boolean;
  readonly #modifiedAt: Date;
  readonly #maxNameLength: number;
  readonly #bufferSize: number;
  readonly #names = new NameRegistry();
  readonly #records: CentralRecord[] = [];
  /** Chunks to write before the buffer: filled buffers and chunks too big for the buffer, in order. */
  readonly #pendingWrites: Uint8Array[] = [];
  #buffer: Uint8Array;
  #buffered = 0;
  #offset = 0;
  #busy = false;
  #finished = false;
  #failure: Error | undefined;

  constructor(sink: ByteSink, options: ZipWriterOptions = {}) {
    if (sink === null || typeof sink !== 'object' || typeof sink.write !== 'function') {
      throw new BundleError('INVALID_ARGUMENT', 'sink must have a write(chunk) method');
    }
    this.#sink = sink;
    this.#deflateRaw = options.deflateRaw ?? webDeflateRaw;
    this.#crc32 = options.crc32 ?? portableCrc32;
    this.#forceZip64 = options.forceZip64 === true;
    this.#modifiedAt = options.modifiedAt ?? new Date();
    this.#maxNameLength = options.maxNameLength ?? 1024;
    this.#bufferSize = options.bufferSize ?? 1 << 18;
    this.#buffer = new Uint8Array(this.#bufferSize);
  }

  /** Bytes produced so far (including bytes still in the output buffer). */
  get bytesWritten(): number {
    return this.#offset;
  }

  /** Entries completed so far. */
  get entryCount(): number {
    return this.#records.length;
  }

  /**
   * Adds an entry. Bytes are compressed in memory and written with sizes in the local header; an async iterable
   * is streamed (data descriptor).
   */
  async addEntry(
    name: string, content: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: ZipEntryOptions = {},
  ): Promise<ZipEntryInfo> {
    if (content instanceof Uint8Array) {
      const method = requireMethod(options.method);
      this.#begin(name);
      try {
        const chunks: Uint8Array[] = [];
        const encoder = createEntryEncoder((chunk) => void chunks.push(chunk), { method, deflateRaw: this.#deflateRaw, crc32: this.#crc32 });
        if (content.length > 0) await encoder.write(content);
        const encoded = await encoder.close();
        return await this.#writePrepared(name, { ...encoded, data: chunks }, options);
      } catch (error) {
        throw this.#fail(error);
      } finally {
        this.#busy = false;
      }
    }
    const entry = this.openEntry(name, options);
    for await (const chunk of content) await entry.write(chunk);
    return entry.close();
  }

  /** Adds an entry whose data was compressed earlier ({@link createEntryEncoder}). */
  async addPrepared(name: string, prepared: PreparedEntry, options: Omit<ZipEntryOptions, 'method' | 'zip64'> = {}): Promise<ZipEntryInfo> {
    this.#begin(name);
    try {
      return await this.#writePrepared(name, prepared, options);
    } catch (error) {
      throw this.#fail(error);
    } finally {
      this.#busy = false;
    }
  }

  /** Starts a streamed entry; nothing else may be added until it is closed. */
  openEntry(name: string, options: ZipEntryOptions = {}): ZipEntryWriter {
    const method = requireMethod(options.method);
    this.#begin(name);
    const zip64Local = options.zip64 ?? this.#forceZip64;
    const nameBytes = utf8(name);
    const { date, time } = toDosDateTime(options.modifiedAt ?? this.#modifiedAt);
    const flags = FLAG_UTF8 | FLAG_DATA_DESCRIPTOR;
    const offset = this.#offset;
    let closed = false;
    let pending: Promise<void> = Promise.resolve();
    try {
      this.#emit(this.#localHeader({ nameBytes, flags, method, date, time, crc32: 0, compressedSize: 0, uncompressedSize: 0, zip64: zip64Local, streamed: true }));
    } catch (error) {
      this.#busy = false;
      throw this.#fail(error);
    }
    const encoder = createEntryEncoder((chunk) => this.#emitAsync(chunk), { method, deflateRaw: this.#deflateRaw, crc32: this.#crc32 });
    return {
      write: (chunk) => {
        if (closed) return Promise.reject(new BundleError('INVALID_ARGUMENT', `entry ${name} is closed`));
        pending = pending.then(() => encoder.write(chunk));
        return pending.catch((error: unknown) => {
          throw this.#fail(error);
        });
      },
      close: async () => {
        if (closed) throw new BundleError('INVALID_ARGUMENT', `entry ${name} is already closed`);
        closed = true;
        try {
          await pending;
          const encoded = await encoder.close();
          const big = encoded.compressedSize > ZIP64_THRESHOLD || encoded.uncompressedSize > ZIP64_THRESHOLD;
          this.#emit(dataDescriptor(encoded, zip64Local || big));
          const record: CentralRecord = { name, nameBytes, flags, method, date, time, offset, zip64Local, ...pickSizes(encoded) };
          this.#records.push(record);
          await this.#flushIfFull();
          return info(record);
        } catch (error) {
          throw this.#fail(error);
        } finally {
          this.#busy = false;
        }
      },
    };
  }

  /** Writes the central directory and end records and flushes. The writer cannot be used afterwards. */
  async finish(): Promise<ZipFinishResult> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#busy) throw new BundleError('INVALID_ARGUMENT', 'an entry is still open');
    if (this.#finished) throw new BundleError('INVALID_ARGUMENT', 'zip writer is already finished');
    this.#finished = true;
    try {
      const cdOffset = this.#offset;
      for (const record of this.#records) this.#emit(this.#centralHeader(record));
      const cdSize = this.#offset - cdOffset;
      const count = this.#records.length;
      const zip64 = this.#forceZip64 || count > ZIP64_ENTRY_THRESHOLD || cdOffset > ZIP64_THRESHOLD || cdSize > ZIP64_THRESHOLD;
      if (zip64) {
        const end64Offset = this.#offset;
        const end64 = new Uint8Array(ZIP64_END_SIZE);
        const v = new DataView(end64.buffer);
        v.setUint32(0, ZIP64_END_SIGNATURE, true);
        setUint64(v, 4, ZIP64_END_SIZE - 12);
        v.setUint16(12, VERSION_MADE_BY, true);
        v.setUint16(14, VERSION_ZIP64, true);
        setUint64(v, 24, count);
        setUint64(v, 32, count);
        setUint64(v, 40, cdSize);
        setUint64(v, 48, cdOffset);
        this.#emit(end64);
        const locator = new Uint8Array(ZIP64_LOCATOR_SIZE);
        const l = new DataView(locator.buffer);
        l.setUint32(0, ZIP64_LOCATOR_SIGNATURE, true);
        setUint64(l, 8, end64Offset);
        l.setUint32(16, 1, true);
        this.#emit(locator);
      }
      const end = new Uint8Array(END_SIZE);
      const e = new DataView(end.buffer);
      e.setUint32(0, END_SIGNATURE, true);
      e.setUint16(8, zip64 ? MAX_UINT16 : count, true);
      e.setUint16(10, zip64 ? MAX_UINT16 : count, true);
      e.setUint32(12, zip64 ? MAX_UINT32 : cdSize, true);
      e.setUint32(16, zip64 ? MAX_UINT32 : cdOffset, true);
      this.#emit(end);
      await this.#flush();
      return { bytesWritten: this.#offset, entries: this.#records.map(info), zip64 };
    } catch (error) {
      throw this.#fail(error);
    }
  }

  #begin(name: string): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#finished) throw new BundleError('INVALID_ARGUMENT', 'zip writer is already finished');
    if (this.#busy) throw new BundleError('INVALID_ARGUMENT', `cannot add ${name}: another entry is still being written`);
    if (typeof name !== 'string') throw new BundleError('INVALID_ARGUMENT', 'entry name must be a string');
    checkEntryName(name, this.#maxNameLength);
    if (name.endsWith('/')) throw new BundleError('INVALID_ARGUMENT', 'directory entries are not written; folders are implied by file names');
    this.#names.add(name);
    this.#busy = true;
  }

  #fail(error: unknown): Error {
    const wrapped = error instanceof Error ? error : new BundleError('INVALID_ARGUMENT', 'zip writer failed', { cause: error });
    this.#failure ??= wrapped;
    return wrapped;
  }

  async #writePrepared(name: string, prepared: PreparedEntry, options: Omit<ZipEntryOptions, 'method' | 'zip64'>): Promise<ZipEntryInfo> {
    const method = requireMethod(prepared.method);
    for (const key of ['crc32', 'compressedSize', 'uncompressedSize'] as const) {
      const value = prepared[key];
      if (!Number.isSafeInteger(value) || value < 0) throw new BundleError('INVALID_ARGUMENT', `prepared ${key} must be a non-negative safe integer`);
    }
    if (method === 'store' && prepared.compressedSize !== prepared.uncompressedSize) {
      throw new BundleError('INVALID_ARGUMENT', 'a stored entry has equal compressed and uncompressed sizes');
    }
    const nameBytes = utf8(name);
    const { date, time } = toDosDateTime(options.modifiedAt ?? this.#modifiedAt);
    const offset = this.#offset;
    const sizes = pickSizes(prepared);
    const zip64Local = this.#forceZip64 || sizes.compressedSize > ZIP64_THRESHOLD || sizes.uncompressedSize > ZIP64_THRESHOLD;
    const flags = FLAG_UTF8;
    this.#emit(this.#localHeader({ nameBytes, flags, method, date, time, ...sizes, zip64: zip64Local, streamed: false }));
    let written = 0;
    const data = prepared.data;
    const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
    for await (const chunk of chunks) {
      written += chunk.length;
      if (written > sizes.compressedSize) break;
      await this.#emitAsync(chunk);
    }
    if (written !== sizes.compressedSize) {
      throw new BundleError('INVALID_ARGUMENT', `prepared entry ${name} has ${written > sizes.compressedSize ? 'more' : 'fewer'} bytes than its compressedSize ${sizes.compressedSize}`);
    }
    const record: CentralRecord = { name, nameBytes, flags, method, date, time, offset, zip64Local, ...sizes };
    this.#records.push(record);
    return info(record);
  }

  #localHeader(h: {
    nameBytes: Uint8Array; flags: number; method: ZipMethod; date: number; time: number; crc32: number;
    compressedSize: number; uncompressedSize: number; zip64: boolean; streamed: boolean;
  }): Uint8Array {
    const extraLength = h.zip64 ? 20 : 0;
    const out = new Uint8Array(LOCAL_HEADER_SIZE + h.nameBytes.length + extraLength);
    const v = new DataView(out.buffer);
    v.setUint32(0, LOCAL_HEADER_SIGNATURE, true);
    v.setUint16(4, h.zip64 ? VERSION_ZIP64 : methodVersion(h.method), true);
    v.setUint16(6, h.flags, true);
    v.setUint16(8, methodCode(h.method), true);
    v.setUint16(10, h.time, true);
    v.setUint16(12, h.date, true);
    v.setUint32(14, h.crc32, true);
    v.setUint32(18, h.zip64 ? MAX_UINT32 : h.compressedSize, true);
    v.setUint32(22, h.zip64 ? MAX_UINT32 : h.uncompressedSize, true);
    v.setUint16(26, h.nameBytes.length, true);
    v.setUint16(28, extraLength, true);
    out.set(h.nameBytes, LOCAL_HEADER_SIZE);
    if (h.zip64) {
      const at = LOCAL_HEADER_SIZE + h.nameBytes.length;
      v.setUint16(at, ZIP64_EXTRA_ID, true);
      v.setUint16(at + 2, 16, true);
      // A streamed entry's sizes are unknown here: zero, with the real values in the data descriptor.
      setUint64(v, at + 4, h.streamed ? 0 : h.uncompressedSize);
      setUint64(v, at + 12, h.streamed ? 0 : h.compressedSize);
    }
    return out;
  }

  #centralHeader(r: CentralRecord): Uint8Array {
    const force = this.#forceZip64;
    const bigU = force || r.uncompressedSize > ZIP64_THRESHOLD;
    const bigC = force || r.compressedSize > ZIP64_THRESHOLD;
    const bigO = force || r.offset > ZIP64_THRESHOLD;
    const fields = (bigU ? 1 : 0) + (bigC ? 1 : 0) + (bigO ? 1 : 0);
    const extraLength = fields > 0 ? 4 + 8 * fields : 0;
    const out = new Uint8Array(CENTRAL_HEADER_SIZE + r.nameBytes.length + extraLength);
    const v = new DataView(out.buffer);
    const zip64 = fields > 0 || r.zip64Local;
    v.setUint32(0, CENTRAL_HEADER_SIGNATURE, true);
    v.setUint16(4, VERSION_MADE_BY, true);
    v.setUint16(6, zip64 ? VERSION_ZIP64 : methodVersion(r.method), true);
    v.setUint16(8, r.flags, true);
    v.setUint16(10, methodCode(r.method), true);
    v.setUint16(12, r.time, true);
    v.setUint16(14, r.date, true);
    v.setUint32(16, r.crc32, true);
    v.setUint32(20, bigC ? MAX_UINT32 : r.compressedSize, true);
    v.setUint32(24, bigU ? MAX_UINT32 : r.uncompressedSize, true);
    v.setUint16(28, r.nameBytes.length, true);
    v.setUint16(30, extraLength, true);
    v.setUint32(38, FILE_ATTRIBUTES, true);
    v.setUint32(42, bigO ? MAX_UINT32 : r.offset, true);
    out.set(r.nameBytes, CENTRAL_HEADER_SIZE);
    if (fields > 0) {
      let at = CENTRAL_HEADER_SIZE + r.nameBytes.length;
      v.setUint16(at, ZIP64_EXTRA_ID, true);
      v.setUint16(at + 2, 8 * fields, true);
      at += 4;
      if (bigU) {
        setUint64(v, at, r.uncompressedSize);
        at += 8;
      }
      if (bigC) {
        setUint64(v, at, r.compressedSize);
        at += 8;
      }
      if (bigO) setUint64(v, at, r.offset);
    }
    return out;
  }

  /**
   * Copies bytes into the output buffer; full buffers queue up for the sink. Copying means callers may reuse
   * their chunks as soon as a write resolves, while the sink may keep the chunks it gets.
   */
  #emit(chunk: Uint8Array): void {
    this.#offset += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const room = this.#buffer.length - this.#buffered;
      if (room === 0) {
        this.#pendingWrites.push(this.#takeBuffer());
        continue;
      }
      const take = Math.min(room, chunk.length - at);
      this.#buffer.set(chunk.subarray(at, at + take), this.#buffered);
      this.#buffered += take;
      at += take;
    }
  }

  #takeBuffer(): Uint8Array {
    const out = this.#buffer.subarray(0, this.#buffered);
    this.#buffer = new Uint8Array(this.#bufferSize);
    this.#buffered = 0;
    return out;
  }

  async #emitAsync(chunk: Uint8Array): Promise<void> {
    this.#emit(chunk);
    await this.#flushIfFull();
  }

  async #flushIfFull(): Promise<void> {
    if (this.#pendingWrites.length > 0 || this.#buffered >= this.#buffer.length - 1024) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#buffered > 0) this.#pendingWrites.push(this.#takeBuffer());
    while (this.#pendingWrites.length > 0) {
      const chunk = this.#pendingWrites.shift() as Uint8Array;
      if (chunk.length > 0) await this.#sink.write(chunk);
    }
  }
}

function pickSizes(e: EncodedEntry): { crc32: number; compressedSize: number; uncompressedSize: number } {
  return { crc32: e.crc32, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize };
}

function info(r: CentralRecord): ZipEntryInfo {
  return { name: r.name, method: r.method, crc32: r.crc32, compressedSize: r.compressedSize, uncompressedSize: r.uncompressedSize, offset: r.offset };
}

function dataDescriptor(e: EncodedEntry, zip64: boolean): Uint8Array {
  const out = new Uint8Array(zip64 ? 24 : 16);
  const v = new DataView(out.buffer);
  v.setUint32(0, DATA_DESCRIPTOR_SIGNATURE, true);
  v.setUint32(4, e.crc32, true);
  if (zip64) {
    setUint64(v, 8, e.compressedSize);
    setUint64(v, 16, e.uncompressedSize);
  } else {
    v.setUint32(8, e.compressedSize, true);
    v.setUint32(12, e.uncompressedSize, true);
  }
  return out;
}

/** Creates a {@link ZipWriter} over `sink`. */
export function createZipWriter(sink: ByteSink, options?: ZipWriterOptions): ZipWriter {
  return new ZipWriter(sink, options);
}
