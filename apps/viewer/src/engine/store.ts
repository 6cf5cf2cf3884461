/**
 * The columnar store: one typed-array column per field, strings dictionary-encoded, multi-valued fields
 * (targets, metadata) as offset + flat arrays, and each row's exact canonical line as (block, offset, length)
 * into the retained raw blocks. Rows are appended in increasing rowId order (several bundles may interleave);
 * no object is held per row.
 */
import { Dictionary } from './dictionary';
import {
  EventScan, FLAG_ESCAPED, FLAG_SCRATCH, F_ACTION, F_ACTOR_ID, F_ACTOR_NAME, F_ACTOR_TYPE, F_IP, F_META_KEY, F_META_LITERAL,
  F_META_STRING, F_REQUEST, F_SESSION, F_TARGET, F_TARGET_ID, F_TARGET_NAME, F_TARGET_TYPE, F_UA,
} from './event-scan';
import { GrowFloat64, GrowInt32, GrowUint16, GrowUint8 } from './growable';
import { ByteInterner } from './interner';
import { FreeText } from './free-text';
import { ipSortText } from './ip';

const dec = new TextDecoder();
const enc = new TextEncoder();

const NEWLINE = 0x0a;

/** Annotation flags per row. */
export const FLAG_STARRED = 1;
export const FLAG_NOTED = 2;
export const FLAG_TAGGED = 4;

export class ColumnStore {
  /** Full-text terms of the searchable dictionaries' values. */
  readonly terms = new ByteInterner();
  /**
   * Each row's own free text (request and session ids), scanned by a search. The words of dictionary columns are not
   * kept per row either: a search marks the dictionary values holding the word, then the rows holding those values
   * (`query.ts`). Posting every word on every row made 22.6 million (term, row) pairs per million events.
   */
  readonly freeText = new FreeText();

  readonly action = new Dictionary(this.terms);
  readonly actorType = new Dictionary(this.terms);
  readonly actorId = new Dictionary(this.terms);
  readonly actorName = new Dictionary(this.terms);
  readonly ip = new Dictionary(undefined, ipSortText);
  readonly ua = new Dictionary(this.terms);
  readonly targetType = new Dictionary(this.terms);
  readonly targetId = new Dictionary(this.terms);
  readonly targetName = new Dictionary(this.terms);
  readonly metaKey = new Dictionary();
  readonly metaValue = new Dictionary(this.terms);

  readonly bundle = new GrowUint16(1 << 12);
  readonly line = new GrowInt32(1 << 12);
  readonly seq = new GrowFloat64(1 << 12);
  readonly time = new GrowFloat64(1 << 12);
  readonly actionCol = new GrowInt32(1 << 12);
  readonly actorTypeCol = new GrowInt32(1 << 12);
  readonly actorIdCol = new GrowInt32(1 << 12);
  readonly actorNameCol = new GrowInt32(1 << 12);
  readonly ipCol = new GrowInt32(1 << 12);
  readonly uaCol = new GrowInt32(1 << 12);
  /** Targets of row r: `[targetEnd[r - 1] (0 for r = 0), targetEnd[r])` in the target arrays. */
  readonly targetEnd = new GrowInt32(1 << 12);
  readonly targetTypeCol = new GrowInt32(1 << 12);
  readonly targetIdCol = new GrowInt32(1 << 12);
  readonly targetNameCol = new GrowInt32(1 << 12);
  readonly metaEnd = new GrowInt32(1 << 12);
  readonly metaKeyCol = new GrowInt32(1 << 12);
  readonly metaValueCol = new GrowInt32(1 << 12);
  /** 1 where the metadata value is a JSON string (only those are full-text words, as on the server). */
  readonly metaString = new GrowUint8(1 << 12);
  readonly rawBlock = new GrowInt32(1 << 12);
  readonly rawStart = new GrowInt32(1 << 12);
  readonly rawLength = new GrowInt32(1 << 12);
  /** Annotation flags (FLAG_STARRED | FLAG_NOTED | FLAG_TAGGED). */
  readonly flags = new GrowUint8(1 << 12);
  /** Raw blocks by index; `undefined` once their bundle is closed. */
  readonly blocks: (Uint8Array | undefined)[] = [];
  /** Rows whose line could not be read (why). */
  readonly readProblems = new Map<number, string>();

  readonly #scan = new EventScan();
  #rows = 0;

  get rows(): number {
    return this.#rows;
  }

  /** Registers a raw block; returns its index. */
  addBlock(block: Uint8Array): number {
    this.blocks.push(block);
    return this.blocks.length - 1;
  }

  /** Replaces a block (trimmed copy) keeping its index. */
  replaceBlock(index: number, block: Uint8Array | undefined): void {
    this.blocks[index] = block;
  }

  #inTarget = false;
  #targetType = -1;
  #targetId = -1;
  #targetName = -1;

  #flushTarget(): void {
    if (!this.#inTarget) return;
    this.targetTypeCol.push(this.#targetType);
    this.targetIdCol.push(this.#targetId);
    this.targetNameCol.push(this.#targetName);
    this.#inTarget = false;
  }

  /** Appends the line `block[start, end)` of bundle `bundle` (line index `line`); returns the rowId. */
  addRow(bundle: number, line: number, blockIndex: number, block: Uint8Array, start: number, end: number): number {
    this.#scan.scan(block, start, end);
    return this.#addScanned(bundle, line, blockIndex, block, start, end);
  }

  /**
   * Appends the complete lines of `block[start, used)`, numbered from `line`, calling `added(rowId)` for each,
   * and returns where the first incomplete line starts (`used` when there is none). Bytes of `[start, searched)`
   * are known to hold no newline. Each line's end is found by the scanner as it reads the line
   * (`EventScan.scanLine`), which spares a separate search for each newline; where it cannot (a malformed or
   * non-canonical line, the incomplete last one), by searching for the newline from the first byte not yet
   * searched. Either way a line ends at its first newline.
   */
  addLines(bundle: number, line: number, blockIndex: number, block: Uint8Array, start: number, used: number, searched: number, added: (row: number) => void): number {
    const scan = this.#scan;
    let lineStart = start;
    while (lineStart < used) {
      let end = scan.scanLine(block, lineStart, used);
      if (end < 0) {
        end = block.subarray(0, used).indexOf(NEWLINE, Math.max(lineStart, searched));
        if (end < 0) break;
        scan.scan(block, lineStart, end);
      }
      added(this.#addScanned(bundle, line++, blockIndex, block, lineStart, end));
      lineStart = end + 1;
    }
    return lineStart;
  }

  #addScanned(bundle: number, line: number, blockIndex: number, block: Uint8Array, start: number, end: number): number {
    const row = this.#rows;
    const scan = this.#scan;
    this.bundle.push(bundle);
    this.line.push(line);
    this.seq.push(scan.seq);
    this.time.push(scan.time);
    this.rawBlock.push(blockIndex);
    this.rawStart.push(start);
    this.rawLength.push(end - start);
    this.flags.push(0);
    let action = -1;
    let actorType = -1;
    let actorId = -1;
    let actorName = -1;
    let ip = -1;
    let ua = -1;
    let metaKey = -1;
    this.#inTarget = false;
    const count = scan.count;
    const kinds = scan.kinds;
    const flags = scan.flags;
    for (let f = 0; f < count; f++) {
      const kind = kinds[f] as number;
      if (kind === F_TARGET) {
        this.#flushTarget();
        this.#inTarget = true;
        this.#targetType = this.#targetId = this.#targetName = -1;
        continue;
      }
      const flag = flags[f] as number;
      let bytes = (flag & FLAG_SCRATCH) !== 0 ? scan.scratch : block;
      let s = scan.starts[f] as number;
      let e = scan.ends[f] as number;
      if ((flag & FLAG_ESCAPED) !== 0) {
        let text: string;
        try {
          text = JSON.parse(`"${dec.decode(bytes.subarray(s, e))}"`) as string;
        } catch {
          text = dec.decode(bytes.subarray(s, e));
        }
        bytes = enc.encode(text);
        s = 0;
        e = bytes.length;
      }
      switch (kind) {
        case F_ACTION:
          action = this.action.intern(bytes, s, e);
          break;
        case F_ACTOR_ID:
          actorId = this.actorId.intern(bytes, s, e);
          break;
        case F_ACTOR_NAME:
          actorName = this.actorName.intern(bytes, s, e);
          break;
        case F_ACTOR_TYPE:
          actorType = this.actorType.intern(bytes, s, e);
          break;
        case F_IP:
          ip = this.ip.intern(bytes, s, e);
          break;
        case F_UA:
          ua = this.ua.intern(bytes, s, e);
          break;
        case F_REQUEST:
        case F_SESSION:
          this.freeText.add(row, bytes, s, e);
          break;
        case F_TARGET_ID:
          if (this.#inTarget) {
            this.#targetId = this.targetId.intern(bytes, s, e);
          }
          break;
        case F_TARGET_NAME:
          if (this.#inTarget) {
            this.#targetName = this.targetName.intern(bytes, s, e);
          }
          break;
        case F_TARGET_TYPE:
          if (this.#inTarget) {
            this.#targetType = this.targetType.intern(bytes, s, e);
          }
          break;
        case F_META_KEY:
          this.#flushTarget();
          metaKey = this.metaKey.intern(bytes, s, e);
          break;
        case F_META_STRING:
        case F_META_LITERAL: {
          const value = this.metaValue.intern(bytes, s, e);
          this.metaKeyCol.push(metaKey);
          this.metaValueCol.push(value);
          this.metaString.push(kind === F_META_STRING ? 1 : 0);
          break;
        }
        default:
          break;
      }
      if (kind < F_TARGET && kind !== F_ACTION) this.#flushTarget();
    }
    this.#flushTarget();
    this.actionCol.push(action);
    this.actorTypeCol.push(actorType);
    this.actorIdCol.push(actorId);
    this.actorNameCol.push(actorName);
    this.ipCol.push(ip);
    this.uaCol.push(ua);
    this.targetEnd.push(this.targetIdCol.length);
    this.metaEnd.push(this.metaKeyCol.length);
    if (scan.problem !== undefined) this.readProblems.set(row, scan.problem);
    this.#rows = row + 1;
    return row;
  }

  targetStart(row: number): number {
    return row === 0 ? 0 : (this.targetEnd.array[row - 1] as number);
  }

  metaStart(row: number): number {
    return row === 0 ? 0 : (this.metaEnd.array[row - 1] as number);
  }

  /** The exact line of a row (a view: copy to keep), or undefined once its bundle is closed. */
  raw(row: number): Uint8Array | undefined {
    const block = this.blocks[this.rawBlock.array[row] as number];
    if (block === undefined) return undefined;
    const start = this.rawStart.array[row] as number;
    return block.subarray(start, start + (this.rawLength.array[row] as number));
  }

  /** `type:id` of each target, joined with `; `. */
  targets(row: number): string {
    const start = this.targetStart(row);
    const end = this.targetEnd.array[row] as number;
    if (end === start) return '';
    const parts: string[] = [];
    for (let i = start; i < end; i++) {
      const type = this.targetTypeCol.array[i] as number;
      const id = this.targetIdCol.array[i] as number;
      parts.push(`${type < 0 ? '' : (this.targetType.values[type] as string)}:${id < 0 ? '' : (this.targetId.values[id] as string)}`);
    }
    return parts.join('; ');
  }


  dictionaries(): Dictionary[] {
    return [this.action, this.actorType, this.actorId, this.actorName, this.ip, this.ua, this.targetType, this.targetId, this.targetName, this.metaKey, this.metaValue];
  }

  /** Approximate bytes held by columns, dictionaries, index and raw blocks. */
  byteSize(): { columns: number; raw: number; index: number } {
    let columns = 0;
    for (const column of [
      this.bundle, this.line, this.seq, this.time, this.actionCol, this.actorTypeCol, this.actorIdCol, this.actorNameCol, this.ipCol,
      this.uaCol, this.targetEnd, this.targetTypeCol, this.targetIdCol, this.targetNameCol, this.metaEnd, this.metaKeyCol,
      this.metaValueCol, this.metaString, this.rawBlock, this.rawStart, this.rawLength, this.flags,
    ]) columns += column.array.byteLength;
    for (const dictionary of this.dictionaries()) columns += dictionary.interner.byteSize;
    let raw = 0;
    for (const block of this.blocks) raw += block?.byteLength ?? 0;
    return { columns, raw, index: this.freeText.byteSize + this.terms.byteSize };
  }
}
