/**
 * A ZIP reader over a random-access {@link ByteSource} that treats the archive as hostile. `openZip` reads the
 * end records and the central directory and checks them against every local header before anything is
 * returned; entry data is then streamed on demand with size, compression-ratio and CRC-32 checks.
 *
 * Accepted archives are the unambiguous subset of APPNOTE 6.3.10 a careful writer produces:
 * - exactly one end-of-central-directory record, ending the file (a comment must end exactly at the end), and,
 *   when present, a ZIP64 end record and locator that agree with it;
 * - single disk; no encryption (bits 0 and 6), no masked headers (bit 13); methods STORE and DEFLATE only;
 * - entries that tile the file: the first at offset 0, each next one exactly where the previous one's data (and
 *   data descriptor) ends, the central directory right after the last one, the end records right after it. No
 *   overlapping entries (the classic "overlapping files" zip bomb), no hidden bytes between them;
 * - local headers that repeat the central directory's flags, method, name, CRC and sizes (or zeros with bit 3);
 * - names that pass {@link checkEntryName} (UTF-8, no traversal, no backslash, no drive letter, no control
 *   characters), unique after case folding and NFC, with no Info-ZIP Unicode Path field (0x7075);
 * - the configured {@link ZipLimits}.
 *
 * Every problem is a {@link BundleError} with a closed code. Entry data is inflated only while it stays within
 * its declared size (checked against the limits when opening), so a lying size cannot inflate unboundedly.
 */
import { BundleError } from '../errors';
import { portableCrc32, webInflateChecked, webInflateRaw } from '../platform/defaults';
import type { ByteSource, ByteTransform, CheckedInflate, Crc32 } from '../platform/types';
import { pieces } from '../stream-utils';
import { decodeUtf8 } from '../text';
import {
  CENTRAL_HEADER_SIGNATURE, CENTRAL_HEADER_SIZE, DATA_DESCRIPTOR_SIGNATURE, END_SIGNATURE, END_SIZE, FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED, FLAG_MASKED_HEADERS, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, LOCAL_HEADER_SIGNATURE, LOCAL_HEADER_SIZE,
  MAX_UINT16, MAX_UINT32, METHOD_DEFLATE, METHOD_STORE, UNICODE_PATH_EXTRA_ID, ZIP64_END_SIGNATURE, ZIP64_END_SIZE,
  ZIP64_EXTRA_ID, ZIP64_LOCATOR_SIGNATURE, ZIP64_LOCATOR_SIZE, fromDosDateTime, getUint64,
} from './format';
import { NameRegistry, checkEntryName } from './names';
import type { ZipMethod } from './writer';

/** Limits applied while opening and reading an archive. */
export interface ZipLimits {
  /** Most entries. Default is 10,000. */
  readonly maxEntries: number;
  /** Longest entry name in UTF-8 bytes. Default is 1,024. */
  readonly maxNameLength: number;
  /** Largest uncompressed entry. Default is 64 GiB. */
  readonly maxEntrySize: number;
  /** Largest sum of uncompressed sizes. Default is 256 GiB. */
  readonly maxTotalSize: number;
  /** Highest uncompressed/compressed ratio of an entry larger than `compressionRatioFloor`. Default is 100. */
  readonly maxCompressionRatio: number;
  /** Entries up to this uncompressed size are exempt from the ratio limit. Default is 1 MiB. */
  readonly compressionRatioFloor: number;
  /** Largest central directory (read into memory). Default is 64 MiB. */
  readonly maxCentralDirectorySize: number;
}

/** The default {@link ZipLimits}. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = Object.freeze({
  maxEntries: 10_000,
  maxNameLength: 1024,
  maxEntrySize: 64 * 2 ** 30,
  maxTotalSize: 256 * 2 ** 30,
  maxCompressionRatio: 100,
  compressionRatioFloor: 2 ** 20,
  maxCentralDirectorySize: 64 * 2 ** 20,
});

/** Options of {@link openZip}. */
export interface ZipReaderOptions {
  /** Overrides of {@link DEFAULT_ZIP_LIMITS}. */
  readonly limits?: Partial<ZipLimits>;
  /** Raw DEFLATE decompressor. Default: `DecompressionStream('deflate-raw')`. */
  readonly inflateRaw?: ByteTransform;
  /** CRC-32. Default: portable; Node callers may pass `zlib.crc32`. */
  readonly crc32?: Crc32;
  /**
   * Inflates a DEFLATE entry and checks its CRC-32 and size in one native pass, when the CRC is to be checked; the
   * plain `inflateRaw` and `crc32` then only name the problem of an entry it fails. Default: `DecompressionStream`
   * with gzip framing when `inflateRaw` is not given, else none (`inflateRaw` and `crc32` do all of it).
   */
  readonly inflateChecked?: CheckedInflate;
  /** Bytes per source read while streaming an entry. Default is 1 MiB. */
  readonly readSize?: number;
}

/** One entry of an opened archive. Sizes and offsets are safe integers. */
export interface ZipEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly method: ZipMethod;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Offset of the local header. */
  readonly offset: number;
  /** Offset of the entry's data. */
  readonly dataOffset: number;
  readonly modifiedAt: Date;
  /** Whether the entry uses ZIP64 fields. */
  readonly zip64: boolean;
  /** Whether the entry has a data descriptor (bit 3). */
  readonly hasDataDescriptor: boolean;
}

/** Options of {@link ZipArchive.stream}. */
export interface ZipStreamOptions {
  /** Check the CRC-32 at the end. Default is `true`. */
  readonly verifyCrc?: boolean;
}

/** An opened archive. */
export interface ZipArchive {
  /** Entries in file order. */
  readonly entries: readonly ZipEntry[];
  /** Size of the archive in bytes. */
  readonly size: number;
  /** Whether the archive has ZIP64 end records. */
  readonly zip64: boolean;
  /** The entry with exactly this name. */
  get(name: string): ZipEntry | undefined;
  /**
   * Streams an entry's uncompressed bytes. Throws (while iterating) `BAD_ZIP` for corrupt deflate data or an
   * entry that inflates beyond or short of its declared size, `CRC_MISMATCH`, `TRUNCATED`.
   */
  stream(entry: ZipEntry, options?: ZipStreamOptions): AsyncIterable<Uint8Array>;
  /** Reads a whole entry; `LIMIT_EXCEEDED` if its declared size exceeds `maxBytes`. */
  read(entry: ZipEntry, maxBytes: number): Promise<Uint8Array>;
}

// Compressed bytes handed to the decompressor at a time: bounds what one piece of a hostile entry can inflate to at
// once (DEFLATE's limit is 1032:1, so 66 MB) where the decompressor emits a piece's output together (DecompressionStream).
const INFLATE_PIECE = 1 << 16;

function bad(message: string, details?: Record<string, string | number | boolean>): BundleError {
  return new BundleError('BAD_ZIP', message, details === undefined ? {} : { details });
}

function resolveLimits(overrides: Partial<ZipLimits> | undefined): ZipLimits {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new BundleError('INVALID_ARGUMENT', `zip limit ${key} must be a non-negative number`);
    }
  }
  return limits;
}

function limit(name: string, message: string, value: number): BundleError {
  return new BundleError('LIMIT_EXCEEDED', message, { details: { limit: name, value } });
}

/** Reads exactly `length` bytes or throws `TRUNCATED`. */
export async function readExactly(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  if (offset < 0 || offset + length > source.size) {
    throw new BundleError('TRUNCATED', `${what} at offset ${offset} extends past the end of the ${source.size}-byte archive`, {
      details: { offset, length, size: source.size },
    });
  }
  const bytes = await source.read(offset, length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new BundleError('TRUNCATED', `short read of ${what} at offset ${offset}`, { details: { offset, length } });
  }
  return bytes;
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

interface Zip64Fields {
  uncompressedSize?: number;
  compressedSize?: number;
  offset?: number;
  disk?: number;
}

/**
 * Parses an extra-field block: rejects malformed blocks, duplicated fields and the Unicode Path field; returns
 * the ZIP64 field's values for the markers given (in APPNOTE order: uncompressed, compressed, offset, disk).
 */
function parseExtra(
  extra: Uint8Array, want: { uncompressed: boolean; compressed: boolean; offset: boolean; disk: boolean }, where: string,
): { zip64: Zip64Fields | undefined } {
  const v = viewOf(extra);
  const seen = new Set<number>();
  let zip64: Zip64Fields | undefined;
  let at = 0;
  while (at < extra.length) {
    if (at + 4 > extra.length) throw bad(`${where}: truncated extra field header`);
    const id = v.getUint16(at, true);
    const size = v.getUint16(at + 2, true);
    if (at + 4 + size > extra.length) throw bad(`${where}: extra field 0x${id.toString(16)} overflows its block`);
    if (seen.has(id)) throw bad(`${where}: duplicate extra field 0x${id.toString(16)}`);
    seen.add(id);
    if (id === UNICODE_PATH_EXTRA_ID) {
      throw new BundleError('UNSAFE_PATH', `${where}: Info-ZIP Unicode Path extra field (an alternative name) is not accepted`);
    }
    if (id === ZIP64_EXTRA_ID) {
      const fields: Zip64Fields = {};
      let p = at + 4;
      const end = at + 4 + size;
      const take = (): number => {
        if (p + 8 > end) throw bad(`${where}: ZIP64 extra field is too short`);
        const value = getUint64(v, p);
        if (value === undefined) throw new BundleError('LIMIT_EXCEEDED', `${where}: ZIP64 value above 2^53`);
        p += 8;
        return value;
      };
      if (want.uncompressed) fields.uncompressedSize = take();
      if (want.compressed) fields.compressedSize = take();
      if (want.offset) fields.offset = take();
      if (want.disk) {
        if (p + 4 > end) throw bad(`${where}: ZIP64 extra field is too short`);
        fields.disk = v.getUint32(p, true);
      }
      zip64 = fields;
    }
    at += 4 + size;
  }
  return { zip64 };
}

interface CentralEntry {
  name: string;
  versionNeeded: number;
  time: number;
  date: number;
  nameBytes: Uint8Array;
  flags: number;
  method: ZipMethod;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
  modifiedAt: Date;
  zip64: boolean;
}

interface EndRecord {
  count: number;
  cdSize: number;
  cdOffset: number;
  /** Where the central directory must end: the ZIP64 end record or the end record. */
  cdEnd: number;
  zip64: boolean;
}

async function readEndRecords(source: ByteSource): Promise<EndRecord> {
  const size = source.size;
  const tailLength = Math.min(size, END_SIZE + MAX_UINT16 + ZIP64_LOCATOR_SIZE);
  const tailStart = size - tailLength;
  const tail = size === 0 ? new Uint8Array(0) : await readExactly(source, tailStart, tailLength, 'archive tail');
  const tv = viewOf(tail);
  let endAt = -1;
  for (let i = tail.length - END_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === END_SIGNATURE && i + END_SIZE + tv.getUint16(i + 20, true) === tail.length) {
      endAt = i;
      break;
    }
  }
  if (endAt < 0) {
    for (let i = tail.length - END_SIZE; i >= 0; i--) {
      if (tv.getUint32(i, true) === END_SIGNATURE) throw bad('the end of central directory record is not at the end of the file (trailing data or a bad comment length)');
    }
    const head = size >= 4 ? await readExactly(source, 0, 4, 'archive head') : new Uint8Array(0);
    if (head.length === 4 && viewOf(head).getUint32(0, true) === LOCAL_HEADER_SIGNATURE) {
      throw new BundleError('TRUNCATED', 'archive is truncated: no end of central directory record');
    }
    throw bad('not a zip archive: no end of central directory record');
  }
  const endOffset = tailStart + endAt;
  const disk = tv.getUint16(endAt + 4, true);
  const cdDisk = tv.getUint16(endAt + 6, true);
  const onDisk = tv.getUint16(endAt + 8, true);
  const total = tv.getUint16(endAt + 10, true);
  const cdSize32 = tv.getUint32(endAt + 12, true);
  const cdOffset32 = tv.getUint32(endAt + 16, true);
  const hasLocator = endAt >= ZIP64_LOCATOR_SIZE && tv.getUint32(endAt - ZIP64_LOCATOR_SIZE, true) === ZIP64_LOCATOR_SIGNATURE;
  const markers = onDisk === MAX_UINT16 || total === MAX_UINT16 || cdSize32 === MAX_UINT32 || cdOffset32 === MAX_UINT32 ||
    disk === MAX_UINT16 || cdDisk === MAX_UINT16;
  if (!hasLocator) {
    if (markers && (onDisk === MAX_UINT16 || total === MAX_UINT16 || cdSize32 === MAX_UINT32 || cdOffset32 === MAX_UINT32)) {
      throw bad('end record has ZIP64 markers but there is no ZIP64 locator');
    }
    if (disk !== 0 || cdDisk !== 0) throw new BundleError('UNSUPPORTED', 'multi-disk archives are not supported');
    if (onDisk !== total) throw bad('end record entry counts disagree');
    return { count: total, cdSize: cdSize32, cdOffset: cdOffset32, cdEnd: endOffset, zip64: false };
  }
  const locatorOffset = endOffset - ZIP64_LOCATOR_SIZE;
  const lv = viewOf(tail.subarray(endAt - ZIP64_LOCATOR_SIZE, endAt));
  const end64Offset = getUint64(lv, 8);
  const locatorDisk = lv.getUint32(4, true);
  const disks = lv.getUint32(16, true);
  if (locatorDisk !== 0 || disks > 1) throw new BundleError('UNSUPPORTED', 'multi-disk archives are not supported');
  if (end64Offset === undefined || end64Offset + ZIP64_END_SIZE > locatorOffset) throw bad('ZIP64 locator points outside the archive');
  const end64 = await readExactly(source, end64Offset, ZIP64_END_SIZE, 'ZIP64 end record');
  const ev = viewOf(end64);
  if (ev.getUint32(0, true) !== ZIP64_END_SIGNATURE) throw bad('ZIP64 locator does not point to a ZIP64 end record');
  const recordSize = getUint64(ev, 4);
  if (recordSize === undefined || recordSize < ZIP64_END_SIZE - 12 || end64Offset + 12 + recordSize !== locatorOffset) {
    throw bad('ZIP64 end record size does not reach the locator');
  }
  if (ev.getUint32(16, true) !== 0 || ev.getUint32(20, true) !== 0) throw new BundleError('UNSUPPORTED', 'multi-disk archives are not supported');
  const onDisk64 = getUint64(ev, 24);
  const total64 = getUint64(ev, 32);
  const cdSize64 = getUint64(ev, 40);
  const cdOffset64 = getUint64(ev, 48);
  if (onDisk64 === undefined || total64 === undefined || cdSize64 === undefined || cdOffset64 === undefined) {
    throw new BundleError('LIMIT_EXCEEDED', 'ZIP64 end record value above 2^53');
  }
  if (onDisk64 !== total64) throw bad('ZIP64 end record entry counts disagree');
  const agree = (value32: number, marker: number, value64: number): boolean => value32 === marker || value32 === value64;
  if (!agree(total, MAX_UINT16, total64) || !agree(onDisk, MAX_UINT16, onDisk64) || !agree(cdSize32, MAX_UINT32, cdSize64) ||
    !agree(cdOffset32, MAX_UINT32, cdOffset64) || !(disk === 0 || disk === MAX_UINT16) || !(cdDisk === 0 || cdDisk === MAX_UINT16)) {
    throw bad('end record and ZIP64 end record disagree');
  }
  return { count: total64, cdSize: cdSize64, cdOffset: cdOffset64, cdEnd: end64Offset, zip64: true };
}

function parseCentralDirectory(cd: Uint8Array, count: number, limits: ZipLimits): CentralEntry[] {
  const v = viewOf(cd);
  const entries: CentralEntry[] = [];
  const names = new NameRegistry();
  let total = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const where = `central directory entry ${i}`;
    if (at + CENTRAL_HEADER_SIZE > cd.length) throw bad(`${where} extends past the central directory`);
    if (v.getUint32(at, true) !== CENTRAL_HEADER_SIGNATURE) throw bad(`${where} has a bad signature`);
    const versionNeeded = v.getUint16(at + 6, true);
    const flags = v.getUint16(at + 8, true);
    const methodCode = v.getUint16(at + 10, true);
    const time = v.getUint16(at + 12, true);
    const date = v.getUint16(at + 14, true);
    const crc32 = v.getUint32(at + 16, true);
    const csize32 = v.getUint32(at + 20, true);
    const usize32 = v.getUint32(at + 24, true);
    const nameLength = v.getUint16(at + 28, true);
    const extraLength = v.getUint16(at + 30, true);
    const commentLength = v.getUint16(at + 32, true);
    const diskStart = v.getUint16(at + 34, true);
    const offset32 = v.getUint32(at + 42, true);
    const end = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (end > cd.length) throw bad(`${where} extends past the central directory`);
    if (nameLength > limits.maxNameLength) {
      throw limit('maxNameLength', `${where}: name of ${nameLength} bytes is longer than the limit of ${limits.maxNameLength}`, nameLength);
    }
    const nameBytes = cd.subarray(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    const name = decodeUtf8(nameBytes);
    if (name === undefined) throw new BundleError('UNSAFE_PATH', `${where}: name is not valid UTF-8`);
    if ((flags & FLAG_UTF8) === 0 && nameBytes.some((b) => b >= 0x80)) {
      throw new BundleError('UNSAFE_PATH', `${where}: non-ASCII name without the UTF-8 flag (CP437 by the spec)`, { details: { name } });
    }
    checkEntryName(name, limits.maxNameLength);
    const label = `entry ${JSON.stringify(name)}`;
    if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || methodCode === 99) {
      throw new BundleError('UNSUPPORTED', `${label} is encrypted`, { details: { name } });
    }
    if ((flags & FLAG_MASKED_HEADERS) !== 0) throw new BundleError('UNSUPPORTED', `${label} has masked local headers`);
    if (methodCode !== METHOD_STORE && methodCode !== METHOD_DEFLATE) {
      throw new BundleError('UNSUPPORTED', `${label} uses compression method ${methodCode}; only store (0) and deflate (8) are supported`, {
        details: { name, method: methodCode },
      });
    }
    const extra = cd.subarray(at + CENTRAL_HEADER_SIZE + nameLength, at + CENTRAL_HEADER_SIZE + nameLength + extraLength);
    const want = {
      uncompressed: usize32 === MAX_UINT32, compressed: csize32 === MAX_UINT32, offset: offset32 === MAX_UINT32, disk: diskStart === MAX_UINT16,
    };
    const { zip64 } = parseExtra(extra, want, label);
    const needsZip64 = want.uncompressed || want.compressed || want.offset || want.disk;
    if (needsZip64 && zip64 === undefined) throw bad(`${label} has ZIP64 markers but no ZIP64 extra field`);
    const uncompressedSize = want.uncompressed ? (zip64?.uncompressedSize ?? 0) : usize32;
    const compressedSize = want.compressed ? (zip64?.compressedSize ?? 0) : csize32;
    const offset = want.offset ? (zip64?.offset ?? 0) : offset32;
    if ((want.disk ? zip64?.disk : diskStart) !== 0) throw new BundleError('UNSUPPORTED', 'multi-disk archives are not supported');
    const method: ZipMethod = methodCode === METHOD_STORE ? 'store' : 'deflate';
    if (method === 'store' && compressedSize !== uncompressedSize) throw bad(`${label} is stored but its sizes differ`);
    const isDirectory = name.endsWith('/');
    if (isDirectory && uncompressedSize !== 0) throw bad(`${label} is a directory with data`);
    if (uncompressedSize > limits.maxEntrySize) {
      throw limit('maxEntrySize', `${label} declares ${uncompressedSize} bytes, more than the limit of ${limits.maxEntrySize}`, uncompressedSize);
    }
    if (uncompressedSize > limits.compressionRatioFloor && uncompressedSize > limits.maxCompressionRatio * compressedSize) {
      throw limit('maxCompressionRatio', `${label} has a compression ratio of ${(uncompressedSize / Math.max(1, compressedSize)).toFixed(0)}:1, more than the limit of ${limits.maxCompressionRatio}:1`, uncompressedSize);
    }
    total += uncompressedSize;
    if (total > limits.maxTotalSize) {
      throw limit('maxTotalSize', `entries declare ${total} bytes in total, more than the limit of ${limits.maxTotalSize}`, total);
    }
    names.add(name);
    entries.push({
      name, versionNeeded, time, date, nameBytes, flags, method, crc32, compressedSize, uncompressedSize, offset, modifiedAt: fromDosDateTime(date, time),
      zip64: zip64 !== undefined,
    });
    at = end;
  }
  if (at !== cd.length) throw bad('central directory has bytes after its last entry');
  return entries;
}

/** Checks local headers against the central directory and that entries tile the file up to the directory. */
async function checkLocalHeaders(source: ByteSource, central: CentralEntry[], cdOffset: number): Promise<ZipEntry[]> {
  const sorted = [...central].sort((a, b) => a.offset - b.offset);
  const out: ZipEntry[] = [];
  let expected = 0;
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i] as CentralEntry;
    const label = `entry ${JSON.stringify(c.name)}`;
    if (c.offset !== expected) {
      throw c.offset < expected
        ? bad(`${label} overlaps the previous entry`, { name: c.name, offset: c.offset })
        : bad(`${expected === 0 ? 'data before the first entry' : 'unaccounted bytes before'} ${label}`, { name: c.name, offset: c.offset });
    }
    const fixed = await readExactly(source, c.offset, LOCAL_HEADER_SIZE, `local header of ${label}`);
    const v = viewOf(fixed);
    if (v.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) throw bad(`${label}: bad local header signature`, { name: c.name });
    const versionNeeded = v.getUint16(4, true);
    const flags = v.getUint16(6, true);
    const methodCode = v.getUint16(8, true);
    const time = v.getUint16(10, true);
    const date = v.getUint16(12, true);
    const crc32 = v.getUint32(14, true);
    const csize32 = v.getUint32(18, true);
    const usize32 = v.getUint32(22, true);
    const nameLength = v.getUint16(26, true);
    const extraLength = v.getUint16(28, true);
    if (flags !== c.flags) throw bad(`${label}: local header flags differ from the central directory`, { name: c.name });
    if (methodCode !== (c.method === 'store' ? METHOD_STORE : METHOD_DEFLATE)) throw bad(`${label}: local header method differs`, { name: c.name });
    // Fields a careful writer repeats exactly; a difference means the headers were edited.
    if (versionNeeded > c.versionNeeded || time !== c.time || date !== c.date) {
      throw bad(`${label}: local header version or time differs from the central directory`, { name: c.name });
    }
    const variable = await readExactly(source, c.offset + LOCAL_HEADER_SIZE, nameLength + extraLength, `local name of ${label}`);
    const localName = variable.subarray(0, nameLength);
    if (localName.length !== c.nameBytes.length || localName.some((b, j) => b !== c.nameBytes[j])) {
      throw bad(`${label}: local header name differs from the central directory`, { name: c.name });
    }
    const want = { uncompressed: usize32 === MAX_UINT32, compressed: csize32 === MAX_UINT32, offset: false, disk: false };
    // The local ZIP64 field holds both sizes whenever present (APPNOTE 4.5.3).
    if (want.uncompressed !== want.compressed) throw bad(`${label}: local header has only one ZIP64 size marker`, { name: c.name });
    const { zip64 } = parseExtra(variable.subarray(nameLength), want, `local header of ${label}`);
    if ((want.uncompressed || want.compressed) && zip64 === undefined) throw bad(`${label}: local ZIP64 markers without a ZIP64 extra field`);
    const localU = want.uncompressed ? (zip64?.uncompressedSize ?? 0) : usize32;
    const localC = want.compressed ? (zip64?.compressedSize ?? 0) : csize32;
    const hasDescriptor = (flags & FLAG_DATA_DESCRIPTOR) !== 0;
    const matches = crc32 === c.crc32 && localU === c.uncompressedSize && localC === c.compressedSize;
    const zeros = crc32 === 0 && localU === 0 && localC === 0;
    if (!matches && !(hasDescriptor && zeros)) {
      throw bad(`${label}: local header CRC or sizes differ from the central directory`, { name: c.name });
    }
    const dataOffset = c.offset + LOCAL_HEADER_SIZE + nameLength + extraLength;
    const dataEnd = dataOffset + c.compressedSize;
    const next = i + 1 < sorted.length ? (sorted[i + 1] as CentralEntry).offset : cdOffset;
    if (dataEnd > next) throw bad(`${label}: data overlaps what follows it`, { name: c.name });
    let end = dataEnd;
    if (hasDescriptor) {
      const length = next - dataEnd;
      if (length !== 12 && length !== 16 && length !== 20 && length !== 24) {
        throw bad(`${label}: ${length} bytes between its data and the next record, not a data descriptor`, { name: c.name });
      }
      const d = viewOf(await readExactly(source, dataEnd, length, `data descriptor of ${label}`));
      const signed = length === 16 || length === 24;
      if (signed && d.getUint32(0, true) !== DATA_DESCRIPTOR_SIGNATURE) throw bad(`${label}: bad data descriptor signature`, { name: c.name });
      const base = signed ? 4 : 0;
      const wide = length - base === 20;
      const dc = d.getUint32(base, true);
      const dcs = wide ? getUint64(d, base + 4) : d.getUint32(base + 4, true);
      const dus = wide ? getUint64(d, base + 12) : d.getUint32(base + 8, true);
      if (dc !== c.crc32 || dcs !== c.compressedSize || dus !== c.uncompressedSize) {
        throw bad(`${label}: data descriptor differs from the central directory`, { name: c.name });
      }
      end = next;
    }
    expected = end;
    out.push({
      name: c.name, isDirectory: c.name.endsWith('/'), method: c.method, crc32: c.crc32, compressedSize: c.compressedSize,
      uncompressedSize: c.uncompressedSize, offset: c.offset, dataOffset, modifiedAt: c.modifiedAt,
      zip64: c.zip64 || zip64 !== undefined, hasDataDescriptor: hasDescriptor,
    });
  }
  if (expected !== cdOffset) {
    throw bad(expected < cdOffset ? 'unaccounted bytes before the central directory' : 'last entry overlaps the central directory');
  }
  return out;
}

/**
 * Opens a ZIP archive from a random-access source, validating it as described in the module header. Throws
 * {@link BundleError}: `BAD_ZIP`, `TRUNCATED`, `UNSAFE_PATH`, `DUPLICATE_ENTRY`, `LIMIT_EXCEEDED`, `UNSUPPORTED`.
 */
export async function openZip(source: ByteSource, options: ZipReaderOptions = {}): Promise<ZipArchive> {
  if (source === null || typeof source !== 'object' || typeof source.read !== 'function' || !Number.isSafeInteger(source.size) || source.size < 0) {
    throw new BundleError('INVALID_ARGUMENT', 'source must be { size, read(offset, length) } with a safe integer size');
  }
  const limits = resolveLimits(options.limits);
  const inflateRaw = options.inflateRaw ?? webInflateRaw;
  const crc32 = options.crc32 ?? portableCrc32;
  const inflateChecked = options.inflateChecked ?? (options.inflateRaw === undefined ? webInflateChecked : undefined);
  const readSize = options.readSize ?? 1 << 20;
  const endRecord = await readEndRecords(source);
  if (endRecord.count > limits.maxEntries) {
    throw limit('maxEntries', `archive has ${endRecord.count} entries, more than the limit of ${limits.maxEntries}`, endRecord.count);
  }
  if (endRecord.cdSize > limits.maxCentralDirectorySize) {
    throw limit('maxCentralDirectorySize', `central directory of ${endRecord.cdSize} bytes exceeds the limit of ${limits.maxCentralDirectorySize}`, endRecord.cdSize);
  }
  if (endRecord.cdOffset + endRecord.cdSize !== endRecord.cdEnd) {
    throw bad('central directory does not end where the end record begins');
  }
  if (endRecord.cdSize < endRecord.count * CENTRAL_HEADER_SIZE) throw bad('central directory is too small for its entry count');
  const cd = await readExactly(source, endRecord.cdOffset, endRecord.cdSize, 'central directory');
  const central = parseCentralDirectory(cd, endRecord.count, limits);
  const entries = await checkLocalHeaders(source, central, endRecord.cdOffset);
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const known = new Set(entries);

  const requireEntry = (entry: ZipEntry): void => {
    if (!known.has(entry)) throw new BundleError('INVALID_ARGUMENT', 'entry does not belong to this archive');
  };

  async function* rawData(entry: ZipEntry): AsyncGenerator<Uint8Array> {
    let offset = entry.dataOffset;
    const end = entry.dataOffset + entry.compressedSize;
    let next: Promise<Uint8Array> | undefined;
    const start = (at: number): Promise<Uint8Array> => readExactly(source, at, Math.min(readSize, end - at), `data of ${entry.name}`);
    if (offset < end) next = start(offset);
    while (next !== undefined) {
      const chunk = await next;
      offset += chunk.length;
      // Read the next chunk while this one is being consumed.
      next = offset < end ? start(offset) : undefined;
      next?.catch(() => undefined);
      if (entry.method === 'deflate') yield* pieces(chunk, INFLATE_PIECE);
      else yield chunk;
    }
  }

  async function* stream(entry: ZipEntry, streamOptions: ZipStreamOptions = {}): AsyncGenerator<Uint8Array> {
    requireEntry(entry);
    const verifyCrc = streamOptions.verifyCrc !== false;
    if (entry.method === 'store' || !verifyCrc || inflateChecked === undefined) {
      yield* streamPlain(entry, verifyCrc);
      return;
    }
    const label = `entry ${JSON.stringify(entry.name)}`;
    let produced = 0;
    let failed = false;
    try {
      for await (const chunk of inflateChecked(rawData(entry), { crc32: entry.crc32, size: entry.uncompressedSize })) {
        produced += chunk.length;
        if (produced > entry.uncompressedSize) {
          throw bad(`${label} inflates beyond its declared ${entry.uncompressedSize} bytes`, { name: entry.name });
        }
        yield chunk;
      }
    } catch (error) {
      if (error instanceof BundleError) throw error;
      failed = true;
    }
    if (!failed && produced === entry.uncompressedSize) return;
    // The native check failed without saying why: read the entry again, the plain way, to name the problem
    // (corrupt data, wrong size, CRC-32 mismatch). Tampered archives only; a good entry is read once.
    for await (const chunk of streamPlain(entry, true)) void chunk;
    throw bad(`${label}: corrupt deflate data`, { name: entry.name });
  }

  /** Streams an entry through `inflateRaw`, counting its size and (`verifyCrc`) its CRC-32 with `crc32`. */
  async function* streamPlain(entry: ZipEntry, verifyCrc: boolean): AsyncGenerator<Uint8Array> {
    const label = `entry ${JSON.stringify(entry.name)}`;
    let crc = 0;
    let produced = 0;
    if (entry.method === 'store') {
      for await (const chunk of rawData(entry)) {
        if (verifyCrc) crc = crc32(chunk, crc);
        produced += chunk.length;
        yield chunk;
      }
    } else {
      const output = inflateRaw(rawData(entry));
      const iterator = output[Symbol.asyncIterator]();
      try {
        for (;;) {
          let step: IteratorResult<Uint8Array>;
          try {
            step = await iterator.next();
          } catch (error) {
            if (error instanceof BundleError) throw error;
            throw bad(`${label}: corrupt deflate data`, { name: entry.name });
          }
          if (step.done === true) break;
          const chunk = step.value;
          produced += chunk.length;
          if (produced > entry.uncompressedSize) {
            // Enforced while inflating: a lying size (zip bomb) stops here, not at the end.
            throw bad(`${label} inflates beyond its declared ${entry.uncompressedSize} bytes`, { name: entry.name });
          }
          if (verifyCrc) crc = crc32(chunk, crc);
          yield chunk;
        }
      } finally {
        await iterator.return?.()?.catch?.(() => undefined);
      }
    }
    if (produced !== entry.uncompressedSize) {
      throw bad(`${label} has ${produced} bytes, not its declared ${entry.uncompressedSize}`, { name: entry.name });
    }
    if (verifyCrc && crc !== entry.crc32) {
      throw new BundleError('CRC_MISMATCH', `${label}: CRC-32 mismatch`, {
        details: { name: entry.name, expected: hex32(entry.crc32), found: hex32(crc) },
      });
    }
  }

  return {
    entries,
    size: source.size,
    zip64: endRecord.zip64,
    get: (name) => byName.get(name),
    stream,
    async read(entry, maxBytes) {
      requireEntry(entry);
      if (entry.uncompressedSize > maxBytes) {
        throw limit('maxFileSize', `entry ${JSON.stringify(entry.name)} has ${entry.uncompressedSize} bytes, more than the ${maxBytes} allowed here`, entry.uncompressedSize);
      }
      const out = new Uint8Array(entry.uncompressedSize);
      let at = 0;
      for await (const chunk of stream(entry)) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
  };
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
