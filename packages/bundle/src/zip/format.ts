/**
 * ZIP record layouts (PKWARE APPNOTE.TXT 6.3.10) used by the writer and the reader. All integers little-endian.
 *
 * ```text
 * local file header   50 4b 03 04  30 bytes + name + extra      (4.3.7)
 * data descriptor     50 4b 07 08  16 bytes, or 24 with ZIP64    (4.3.9)
 * central directory   50 4b 01 02  46 bytes + name + extra + comment (4.3.12)
 * ZIP64 end record    50 4b 06 06  56 bytes                      (4.3.14)
 * ZIP64 locator       50 4b 06 07  20 bytes                      (4.3.15)
 * end of central dir  50 4b 05 06  22 bytes + comment            (4.3.16)
 * ```
 */

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
export const END_SIGNATURE = 0x06054b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const ZIP64_END_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const END_SIZE = 22;

/** Extra field id of the ZIP64 extended information (4.5.3). */
export const ZIP64_EXTRA_ID = 0x0001;
/** Extra field id of the Info-ZIP Unicode Path field, which could silently rename an entry: rejected. */
export const UNICODE_PATH_EXTRA_ID = 0x7075;

/** General purpose flag bits (4.4.4). */
export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;
export const FLAG_MASKED_HEADERS = 0x2000;

export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

/** 16- and 32-bit fields hold at most these; larger values go to ZIP64 records (the maximum marks "see ZIP64"). */
export const MAX_UINT16 = 0xffff;
export const MAX_UINT32 = 0xffffffff;
/** Sizes and offsets above this need ZIP64 (0xFFFFFFFF itself is the ZIP64 marker). */
export const ZIP64_THRESHOLD = 0xfffffffe;
/** More entries than this need ZIP64 (0xFFFF is the marker). */
export const ZIP64_ENTRY_THRESHOLD = 0xfffe;

/** Version needed to extract: 1.0 store, 2.0 deflate, 4.5 ZIP64. */
export const VERSION_STORE = 10;
export const VERSION_DEFLATE = 20;
export const VERSION_ZIP64 = 45;
/** Version made by: upper byte 3 = Unix (so `unzip` applies the permission bits), lower byte 4.5. */
export const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64;
/** External attributes: a regular file, mode 0644. */
export const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;

/** Writes a 64-bit unsigned integer (a safe integer) at `offset`. */
export function setUint64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, Math.floor(value / 0x100000000), true);
}

/** Reads a 64-bit unsigned integer; `undefined` above `Number.MAX_SAFE_INTEGER`. */
export function getUint64(view: DataView, offset: number): number | undefined {
  const low = view.getUint32(offset, true);
  const high = view.getUint32(offset + 4, true);
  if (high > 0x1fffff) return undefined;
  return high * 0x100000000 + low;
}

/** MS-DOS date and time (local time by the spec; we write UTC fields). Years before 1980 clamp to 1980-01-01. */
export function toDosDateTime(date: Date): { date: number; time: number } {
  const year = date.getUTCFullYear();
  if (!Number.isFinite(year) || year < 1980) return { date: (1 << 5) | 1, time: 0 };
  const clamped = Math.min(year, 2107);
  return {
    date: ((clamped - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
  };
}

/** The UTC `Date` of DOS fields (invalid fields give the nearest representable values, never throws). */
export function fromDosDateTime(date: number, time: number): Date {
  const year = 1980 + (date >>> 9);
  const month = Math.max(1, Math.min(12, (date >>> 5) & 15));
  const day = Math.max(1, date & 31);
  return new Date(Date.UTC(year, month - 1, day, (time >>> 11) & 31, (time >>> 5) & 63, (time & 31) * 2));
}
