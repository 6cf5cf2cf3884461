/**
 * Extracts the columns of one `events.ndjson` line without `JSON.parse` or per-field strings: a single pass over
 * the canonical bytes that records where each wanted string is (action, actor, context, metadata, targets) and
 * reads `seq` and `occurred_at` as numbers. The store then interns those byte ranges. Lines the fast path does
 * not recognize (not an object, unexpected syntax) fall back to `JSON.parse`, so any JSON line still yields
 * its fields; a line that is not JSON yields none and a problem. This only reads: whether a line is canonical
 * and proven is the verifier's job.
 */
export const F_ACTION = 1;
export const F_ACTOR_ID = 2;
export const F_ACTOR_NAME = 3;
export const F_ACTOR_TYPE = 4;
export const F_IP = 5;
export const F_REQUEST = 6;
export const F_SESSION = 7;
export const F_UA = 8;
/** Starts a target (no range). */
export const F_TARGET = 9;
export const F_TARGET_ID = 10;
export const F_TARGET_NAME = 11;
export const F_TARGET_TYPE = 12;
export const F_META_KEY = 13;
/** A metadata string value. */
export const F_META_STRING = 14;
/** A metadata number, boolean or null: its JSON text. */
export const F_META_LITERAL = 15;

/** The range holds JSON escapes (decode before use). */
export const FLAG_ESCAPED = 1;
/** The range is in `scratch`, not in the line. */
export const FLAG_SCRATCH = 2;

const Q = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;

const enc = new TextEncoder();
const dec = new TextDecoder();
const key = (text: string): Uint8Array => enc.encode(text);
const K_ACTION = key('action');
const K_ACTOR = key('actor');
const K_CONTEXT = key('context');
const K_METADATA = key('metadata');
const K_OCCURRED_AT = key('occurred_at');
const K_SEQ = key('seq');
const K_TARGETS = key('targets');
const K_ID = key('id');
const K_NAME = key('name');
const K_TYPE = key('type');
const K_LOCATION = key('location');
const K_REQUEST_ID = key('request_id');
const K_SESSION_ID = key('session_id');
const K_USER_AGENT = key('user_agent');

class Fail extends Error {}
const FAIL = new Fail('scan');

export class EventScan {
  kinds: Int32Array = new Int32Array(64);
  starts: Int32Array = new Int32Array(64);
  ends: Int32Array = new Int32Array(64);
  flags: Int32Array = new Int32Array(64);
  count = 0;
  seq = Number.NaN;
  time = Number.NaN;
  /** Why the line could not be read, if it could not. */
  problem: string | undefined;
  scratch: Uint8Array = new Uint8Array(1024);
  #scratchLength = 0;
  #b: Uint8Array = new Uint8Array(0);
  #end = 0;

  /**
   * Scans the line that starts at `start`, finding its end as it goes: when the fast path reads one JSON object
   * that is followed by a newline before `limit`, returns that newline's index, with the fields exactly as
   * `scan(bytes, start, newline)` would give them. Otherwise returns -1 and leaves the fields undefined: the
   * line is not complete before `limit`, or is one the fast path does not read (malformed, whitespace, a
   * trailing `\r`); the caller then finds the newline itself and calls `scan`. The fast path never reads past a
   * newline byte (a raw one fails it, inside a string or out), so the line found is the line up to the first
   * newline, as a search for it would find.
   */
  scanLine(bytes: Uint8Array, start: number, limit: number): number {
    const end = this.#fast(bytes, start, limit);
    return end >= 0 && end < limit && bytes[end] === NEWLINE ? end : -1;
  }

  /** Scans `bytes[start, end)` (one line without its newline). */
  scan(bytes: Uint8Array, start: number, end: number): void {
    if (this.#fast(bytes, start, end) === end) return;
    this.#reset(bytes, end);
    this.#fallback(bytes, start, end);
  }

  #reset(bytes: Uint8Array, limit: number): void {
    this.count = 0;
    this.seq = Number.NaN;
    this.time = Number.NaN;
    this.problem = undefined;
    this.#scratchLength = 0;
    this.#b = bytes;
    this.#end = limit;
  }

  /** The fast path over one object at `start`, reading no byte at or past `limit`: the index after it, or -1. */
  #fast(bytes: Uint8Array, start: number, limit: number): number {
    this.#reset(bytes, limit);
    try {
      return this.#object(start, this.#topMember);
    } catch (error) {
      if (!(error instanceof Fail)) throw error;
      return -1;
    }
  }

  #push(kind: number, start: number, end: number, flags: number): void {
    if (this.count === this.kinds.length) {
      const grow = (a: Int32Array): Int32Array => {
        const next = new Int32Array(a.length * 2);
        next.set(a);
        return next;
      };
      this.kinds = grow(this.kinds);
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      this.flags = grow(this.flags);
    }
    const n = this.count++;
    this.kinds[n] = kind;
    this.starts[n] = start;
    this.ends[n] = end;
    this.flags[n] = flags;
  }

  // ---------------------------------------------------------------------------------------- fast path

  #at(i: number): number {
    if (i >= this.#end) throw FAIL;
    return this.#b[i] as number;
  }

  /** `i` at an opening quote: returns the index of the closing quote; sets `#escaped`. */
  #string(i: number): number {
    const b = this.#b;
    const end = this.#end;
    let j = i + 1;
    let escaped = false;
    while (j < end) {
      const c = b[j] as number;
      if (c === Q) {
        this.#escaped = escaped;
        return j;
      }
      if (c === BACKSLASH) {
        escaped = true;
        // Any escaped byte but a control character (which JSON forbids, and which could be a line's newline).
        if (j + 1 < end && (b[j + 1] as number) < 0x20) throw FAIL;
        j += 2;
        continue;
      }
      if (c < 0x20) throw FAIL;
      j++;
    }
    throw FAIL;
  }

  #escaped = false;

  #keyIs(start: number, end: number, k: Uint8Array): boolean {
    if (end - start !== k.length) return false;
    const b = this.#b;
    for (let i = 0; i < k.length; i++) if (b[start + i] !== k[i]) return false;
    return true;
  }

  /** Skips any JSON value at `i`; returns the index after it. */
  #skip(i: number): number {
    const c = this.#at(i);
    if (c === Q) return this.#string(i) + 1;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      let depth = 0;
      let j = i;
      for (;;) {
        const d = this.#at(j);
        if (d === Q) {
          j = this.#string(j) + 1;
          continue;
        }
        if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
        else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
          depth--;
          if (depth === 0) return j + 1;
        } else if (d < 0x20) {
          // Whitespace (or a newline: the line's end) between tokens: canonical JSON has none; the fallback reads it.
          throw FAIL;
        }
        j++;
      }
    }
    return this.#literalEnd(i);
  }

  /** End of a number or literal at `i`. */
  #literalEnd(i: number): number {
    const b = this.#b;
    let j = i;
    while (j < this.#end) {
      const c = b[j] as number;
      if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY) break;
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c >= 0x61 && c <= 0x7a) || c === 0x45)) throw FAIL;
      j++;
    }
    if (j === i) throw FAIL;
    return j;
  }

  /** Iterates the members of the object at `i`; `member(keyStart, keyEnd, valueAt)` returns the index after the value. */
  #object(i: number, member: (ks: number, ke: number, at: number) => number): number {
    if (this.#at(i) !== OPEN_OBJECT) throw FAIL;
    let j = i + 1;
    if (this.#at(j) === CLOSE_OBJECT) return j + 1;
    for (;;) {
      if (this.#at(j) !== Q) throw FAIL;
      const ke = this.#string(j);
      if (this.#escaped) throw FAIL;
      if (this.#at(ke + 1) !== COLON) throw FAIL;
      j = member(j + 1, ke, ke + 2);
      const c = this.#at(j);
      if (c === COMMA) {
        j++;
        continue;
      }
      if (c === CLOSE_OBJECT) return j + 1;
      throw FAIL;
    }
  }

  /** A string value at `i` recorded as `kind`; a non-string is skipped. */
  #stringField(kind: number, i: number): number {
    if (this.#at(i) !== Q) return this.#skip(i);
    const close = this.#string(i);
    this.#push(kind, i + 1, close, this.#escaped ? FLAG_ESCAPED : 0);
    return close + 1;
  }

  #entityKinds = [F_ACTOR_ID, F_ACTOR_NAME, F_ACTOR_TYPE];
  readonly #entityMember = (ks: number, ke: number, at: number): number => {
    const kinds = this.#entityKinds;
    if (this.#keyIs(ks, ke, K_ID)) return this.#stringField(kinds[0] as number, at);
    if (this.#keyIs(ks, ke, K_NAME)) return this.#stringField(kinds[1] as number, at);
    if (this.#keyIs(ks, ke, K_TYPE)) return this.#stringField(kinds[2] as number, at);
    return this.#skip(at);
  };
  readonly #actorKinds = [F_ACTOR_ID, F_ACTOR_NAME, F_ACTOR_TYPE];
  readonly #targetKinds = [F_TARGET_ID, F_TARGET_NAME, F_TARGET_TYPE];

  #entity(i: number, kinds: number[]): number {
    this.#entityKinds = kinds;
    return this.#object(i, this.#entityMember);
  }

  readonly #topMember = (ks: number, ke: number, at: number): number => {
    {
      switch (ke - ks) {
        case 3:
          if (this.#keyIs(ks, ke, K_SEQ)) {
            const e = this.#literalEnd(at);
            this.seq = readNumber(this.#b, at, e);
            return e;
          }
          break;
        case 5:
          if (this.#keyIs(ks, ke, K_ACTOR)) {
            if (this.#at(at) !== OPEN_OBJECT) return this.#skip(at);
            return this.#entity(at, this.#actorKinds);
          }
          break;
        case 6:
          if (this.#keyIs(ks, ke, K_ACTION)) return this.#stringField(F_ACTION, at);
          break;
        case 7:
          if (this.#keyIs(ks, ke, K_CONTEXT)) return this.#context(at);
          if (this.#keyIs(ks, ke, K_TARGETS)) return this.#targets(at);
          break;
        case 8:
          if (this.#keyIs(ks, ke, K_METADATA)) return this.#metadata(at);
          break;
        case 11:
          if (this.#keyIs(ks, ke, K_OCCURRED_AT)) {
            if (this.#at(at) !== Q) return this.#skip(at);
            const close = this.#string(at);
            this.time = this.#escaped ? Number.NaN : readTime(this.#b, at + 1, close);
            return close + 1;
          }
          break;
        default:
          break;
      }
      return this.#skip(at);
    }
  };

  readonly #contextMember = (ks: number, ke: number, at: number): number => {
    if (this.#keyIs(ks, ke, K_LOCATION)) return this.#stringField(F_IP, at);
    if (this.#keyIs(ks, ke, K_USER_AGENT)) return this.#stringField(F_UA, at);
    if (this.#keyIs(ks, ke, K_REQUEST_ID)) return this.#stringField(F_REQUEST, at);
    if (this.#keyIs(ks, ke, K_SESSION_ID)) return this.#stringField(F_SESSION, at);
    return this.#skip(at);
  };

  #context(i: number): number {
    if (this.#at(i) !== OPEN_OBJECT) return this.#skip(i);
    return this.#object(i, this.#contextMember);
  }

  readonly #metaMember = (ks: number, ke: number, at: number): number => {
    const c = this.#at(at);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) return this.#skip(at);
    this.#push(F_META_KEY, ks, ke, 0);
    if (c === Q) return this.#stringField(F_META_STRING, at);
    const e = this.#literalEnd(at);
    this.#push(F_META_LITERAL, at, e, 0);
    return e;
  };

  #metadata(i: number): number {
    if (this.#at(i) !== OPEN_OBJECT) return this.#skip(i);
    return this.#object(i, this.#metaMember);
  }

  #targets(i: number): number {
    if (this.#at(i) !== OPEN_ARRAY) return this.#skip(i);
    let j = i + 1;
    if (this.#at(j) === CLOSE_ARRAY) return j + 1;
    for (;;) {
      if (this.#at(j) === OPEN_OBJECT) {
        this.#push(F_TARGET, 0, 0, 0);
        j = this.#entity(j, this.#targetKinds);
      } else {
        j = this.#skip(j);
      }
      const c = this.#at(j);
      if (c === COMMA) {
        j++;
        continue;
      }
      if (c === CLOSE_ARRAY) return j + 1;
      throw FAIL;
    }
  }

  // ----------------------------------------------------------------------------------------- fallback

  #text(kind: number, value: unknown): void {
    if (typeof value !== 'string') return;
    this.#scratchText(kind, value);
  }

  #scratchText(kind: number, value: string): void {
    const needed = this.#scratchLength + value.length * 3;
    if (needed > this.scratch.length) {
      const next = new Uint8Array(Math.max(needed, this.scratch.length * 2));
      next.set(this.scratch.subarray(0, this.#scratchLength));
      this.scratch = next;
    }
    const { written } = enc.encodeInto(value, this.scratch.subarray(this.#scratchLength));
    this.#push(kind, this.#scratchLength, this.#scratchLength + written, FLAG_SCRATCH);
    this.#scratchLength += written;
  }

  #fallback(bytes: Uint8Array, start: number, end: number): void {
    let value: unknown;
    try {
      value = JSON.parse(dec.decode(bytes.subarray(start, end)));
    } catch {
      this.problem = 'the line is not valid JSON: its fields cannot be shown';
      return;
    }
    if (!isRecord(value)) {
      this.problem = 'the line is not a JSON object: its fields cannot be shown';
      return;
    }
    const entity = (e: unknown, id: number, name: number, type: number): void => {
      if (!isRecord(e)) return;
      this.#text(id, e.id);
      this.#text(name, e.name);
      this.#text(type, e.type);
    };
    this.#text(F_ACTION, value.action);
    entity(value.actor, F_ACTOR_ID, F_ACTOR_NAME, F_ACTOR_TYPE);
    if (isRecord(value.context)) {
      this.#text(F_IP, value.context.location);
      this.#text(F_REQUEST, value.context.request_id);
      this.#text(F_SESSION, value.context.session_id);
      this.#text(F_UA, value.context.user_agent);
    }
    if (isRecord(value.metadata)) {
      for (const [k, v] of Object.entries(value.metadata)) {
        if (v !== null && typeof v === 'object') continue;
        this.#scratchText(F_META_KEY, k);
        if (typeof v === 'string') this.#scratchText(F_META_STRING, v);
        else this.#scratchText(F_META_LITERAL, JSON.stringify(v) ?? 'null');
      }
    }
    if (typeof value.occurred_at === 'string') this.time = Date.parse(value.occurred_at);
    if (typeof value.seq === 'number') this.seq = value.seq;
    if (Array.isArray(value.targets)) {
      for (const target of value.targets) {
        if (!isRecord(target)) continue;
        this.#push(F_TARGET, 0, 0, 0);
        entity(target, F_TARGET_ID, F_TARGET_NAME, F_TARGET_TYPE);
      }
    }
    if (Number.isNaN(this.time)) this.problem = 'occurred_at is missing or not a timestamp';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON number in `bytes[start, end)`. */
function readNumber(bytes: Uint8Array, start: number, end: number): number {
  if (end - start <= 15) {
    let n = 0;
    for (let i = start; i < end; i++) {
      const d = (bytes[i] as number) - 0x30;
      if (d < 0 || d > 9) return Number(dec.decode(bytes.subarray(start, end)));
      n = n * 10 + d;
    }
    return n;
  }
  return Number(dec.decode(bytes.subarray(start, end)));
}

function digits(bytes: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) {
    const d = (bytes[at + i] as number) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Milliseconds of a canonical `YYYY-MM-DDTHH:MM:SS.sssZ`; other forms through `Date.parse`; NaN if invalid. */
export function readTime(bytes: Uint8Array, start: number, end: number): number {
  if (end - start === 24 && bytes[start + 4] === 0x2d && bytes[start + 7] === 0x2d && bytes[start + 10] === 0x54 &&
    bytes[start + 13] === COLON && bytes[start + 16] === COLON && bytes[start + 19] === 0x2e && bytes[start + 23] === 0x5a) {
    const y = digits(bytes, start, 4);
    const mo = digits(bytes, start + 5, 2);
    const d = digits(bytes, start + 8, 2);
    const h = digits(bytes, start + 11, 2);
    const mi = digits(bytes, start + 14, 2);
    const s = digits(bytes, start + 17, 2);
    const ms = digits(bytes, start + 20, 3);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && ms >= 0) {
      if (y >= 100 && d <= daysInMonth(y, mo)) return Date.UTC(y, mo - 1, d, h, mi, s, ms);
    }
  }
  return Date.parse(dec.decode(bytes.subarray(start, end)));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
