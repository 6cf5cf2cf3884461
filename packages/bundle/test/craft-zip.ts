/**
 * Hand-crafts ZIP archives byte by byte for the hostile-input suite: every header field can be overridden, names
 * are raw bytes, data can lie about its sizes, entries can share offsets, records can be dropped.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface CraftEntry {
  /** Name as text (UTF-8) or raw bytes. */
  name: string | Uint8Array;
  /** Uncompressed content. */
  data?: Uint8Array | string;
  /** 0 store, 8 deflate, anything else for unsupported methods. */
  method?: number;
  /** Raw compressed bytes to write instead of compressing `data`. */
  raw?: Uint8Array;
  flags?: number;
  crc?: number;
  /** Sizes written in both headers (default: the real ones). */
  compressedSize?: number;
  uncompressedSize?: number;
  /** Overrides for the central record only. */
  central?: { crc?: number; compressedSize?: number; uncompressedSize?: number; offset?: number; flags?: number; method?: number; name?: string | Uint8Array; extra?: Uint8Array };
  /** Overrides for the local header only. */
  local?: { crc?: number; compressedSize?: number; uncompressedSize?: number; flags?: number; method?: number; name?: string | Uint8Array; extra?: Uint8Array };
  /** Extra field bytes in both headers. */
  extra?: Uint8Array;
  /** Write a data descriptor after the data (16 bytes with signature). */
  descriptor?: boolean;
  /** Reuse the local header of entry `n` (overlapping entries). */
  sameOffsetAs?: number;
}

export interface CraftOptions {
  /** Bytes before the first entry. */
  prefix?: Uint8Array;
  /** Bytes between the last entry and the central directory. */
  gap?: Uint8Array;
  /** EOCD overrides. */
  end?: { disk?: number; cdDisk?: number; onDisk?: number; total?: number; cdSize?: number; cdOffset?: number; comment?: Uint8Array };
  /** Bytes after the EOCD. */
  trailer?: Uint8Array;
}

const enc = new TextEncoder();
const bytesOf = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? enc.encode(v) : v);

/** Builds the archive. */
export function craftZip(entries: readonly CraftEntry[], options: CraftOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const push = (part: Uint8Array): void => {
    parts.push(part);
    offset += part.length;
  };
  if (options.prefix) push(options.prefix);
  const records: { entry: CraftEntry; offset: number; crc: number; csize: number; usize: number; name: Uint8Array; method: number; flags: number }[] = [];
  for (const entry of entries) {
    const data = bytesOf(entry.data ?? '');
    const method = entry.method ?? 8;
    const compressed = entry.raw ?? (method === 8 ? deflateRawSync(data) : data);
    const crc = entry.crc ?? crc32(data);
    const csize = entry.compressedSize ?? compressed.length;
    const usize = entry.uncompressedSize ?? data.length;
    const name = bytesOf(entry.name);
    const flags = entry.flags ?? 0x0800;
    if (entry.sameOffsetAs !== undefined) {
      const target = records[entry.sameOffsetAs];
      records.push({ entry, offset: target?.offset ?? 0, crc, csize, usize, name, method, flags });
      continue;
    }
    const localName = bytesOf(entry.local?.name ?? name);
    const extra = entry.local?.extra ?? entry.extra ?? new Uint8Array(0);
    const header = new Uint8Array(30 + localName.length + extra.length);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, entry.local?.flags ?? flags, true);
    v.setUint16(8, entry.local?.method ?? method, true);
    v.setUint16(10, 0, true);
    v.setUint16(12, 0x21, true);
    v.setUint32(14, entry.local?.crc ?? crc, true);
    v.setUint32(18, entry.local?.compressedSize ?? csize, true);
    v.setUint32(22, entry.local?.uncompressedSize ?? usize, true);
    v.setUint16(26, localName.length, true);
    v.setUint16(28, extra.length, true);
    header.set(localName, 30);
    header.set(extra, 30 + localName.length);
    const at = offset;
    push(header);
    push(compressed);
    if (entry.descriptor === true) {
      const d = new Uint8Array(16);
      const dv = new DataView(d.buffer);
      dv.setUint32(0, 0x08074b50, true);
      dv.setUint32(4, crc, true);
      dv.setUint32(8, csize, true);
      dv.setUint32(12, usize, true);
      push(d);
    }
    records.push({ entry, offset: at, crc, csize, usize, name, method, flags });
  }
  if (options.gap) push(options.gap);
  const cdOffset = offset;
  for (const r of records) {
    const c = r.entry.central ?? {};
    const name = bytesOf(c.name ?? r.name);
    const extra = c.extra ?? r.entry.extra ?? new Uint8Array(0);
    const header = new Uint8Array(46 + name.length + extra.length);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 0x031e, true);
    v.setUint16(6, 20, true);
    v.setUint16(8, c.flags ?? r.flags, true);
    v.setUint16(10, c.method ?? r.method, true);
    v.setUint16(12, 0, true);
    v.setUint16(14, 0x21, true);
    v.setUint32(16, c.crc ?? r.crc, true);
    v.setUint32(20, c.compressedSize ?? r.csize, true);
    v.setUint32(24, c.uncompressedSize ?? r.usize, true);
    v.setUint16(28, name.length, true);
    v.setUint16(30, extra.length, true);
    v.setUint32(42, c.offset ?? r.offset, true);
    header.set(name, 46);
    header.set(extra, 46 + name.length);
    push(header);
  }
  const cdSize = offset - cdOffset;
  const e = options.end ?? {};
  const comment = e.comment ?? new Uint8Array(0);
  const end = new Uint8Array(22 + comment.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(4, e.disk ?? 0, true);
  ev.setUint16(6, e.cdDisk ?? 0, true);
  ev.setUint16(8, e.onDisk ?? records.length, true);
  ev.setUint16(10, e.total ?? records.length, true);
  ev.setUint32(12, e.cdSize ?? cdSize, true);
  ev.setUint32(16, e.cdOffset ?? cdOffset, true);
  ev.setUint16(20, comment.length, true);
  end.set(comment, 22);
  push(end);
  if (options.trailer) push(options.trailer);
  const out = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
