/**
 * CRC-32 (ISO-HDLC, the ZIP and gzip checksum: reflected polynomial 0xEDB88320), slicing-by-8. Node callers may
 * inject `zlib.crc32` (Node >= 20.15), which is several times faster.
 */
import type { Crc32 } from './types';

const TABLES = (() => {
  const tables = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n] ?? 0;
    for (let t = 1; t < 8; t++) {
      c = (tables[c & 0xff] ?? 0) ^ (c >>> 8);
      tables[t * 256 + n] = c;
    }
  }
  return tables;
})();

/**
 * The default {@link Crc32}: `crc32(data, previous)` continues the CRC-32 `previous` (0 for a new checksum) over
 * `data`, like `zlib.crc32(data, value)`. Returns an unsigned 32-bit integer.
 */
export const portableCrc32: Crc32 = (data, previous = 0) => {
  const t = TABLES;
  let crc = ~previous;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const a = crc ^ ((data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24));
    crc =
      (t[1792 + (a & 0xff)] ?? 0) ^
      (t[1536 + ((a >>> 8) & 0xff)] ?? 0) ^
      (t[1280 + ((a >>> 16) & 0xff)] ?? 0) ^
      (t[1024 + (a >>> 24)] ?? 0) ^
      (t[768 + (data[i + 4] ?? 0)] ?? 0) ^
      (t[512 + (data[i + 5] ?? 0)] ?? 0) ^
      (t[256 + (data[i + 6] ?? 0)] ?? 0) ^
      (t[data[i + 7] ?? 0] ?? 0);
  }
  for (; i < n; i++) crc = (t[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return ~crc >>> 0;
};
