/**
 * UUID version 7 (RFC 9562 §5.7): 48-bit big-endian Unix milliseconds, version `0111`, 12 bits `rand_a`,
 * variant `10`, 62 bits `rand_b`. Event ids are lowercase (RFC 9562 §4: output lowercase).
 *
 * Monotonicity (RFC 9562 §6.2, method 2): within one generator, ids strictly increase. When the clock has
 * not advanced past the previous id (same millisecond, or a clock that moved backwards), the previous
 * timestamp is kept and the 74 random bits are incremented as one counter; on counter overflow the
 * timestamp advances by one millisecond. Fresh random bits are drawn on every new millisecond, with the top
 * bit of `rand_a` cleared to leave room for increments.
 */

/** A lowercase UUIDv7: version nibble 7, variant bits 10. */
export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const MAX_UNIX_MS = 2 ** 48 - 1;

/** Options of `createUuidV7Generator`. */
export interface TUuidV7GeneratorOptions {
  /** Clock in Unix milliseconds. Default is `Date.now`. */
  readonly now?: () => number;
  /** Fills a buffer with random bytes. Default is `globalThis.crypto.getRandomValues`. */
  readonly random?: (bytes: Uint8Array) => void;
}

/**
 * Creates an independent, monotonic UUIDv7 generator. Pass `nowMs` to a call to use that timestamp
 * (an integer 0 ≤ nowMs < 2^48) instead of the clock; monotonicity still applies, so a `nowMs` not greater
 * than the previous id's timestamp yields the previous timestamp with an incremented counter.
 * Throws `RangeError` for an invalid `nowMs`.
 */
export function createUuidV7Generator(options: TUuidV7GeneratorOptions = {}): (nowMs?: number) => string {
  const now = options.now ?? Date.now;
  const random = options.random ?? ((bytes: Uint8Array) => void globalThis.crypto.getRandomValues(bytes));
  const state = new Uint8Array(16);
  let lastMs = -1;

  const reseed = (): void => {
    random(state.subarray(6));
    state[6] = (state[6] as number) & 0x07; // version added at the end; top rand_a bit cleared
  };

  return (nowMs?: number): string => {
    const ms = nowMs ?? now();
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_UNIX_MS) {
      throw new RangeError(`uuidv7 timestamp must be an integer in 0..2^48-1, got ${String(ms)}`);
    }
    if (ms > lastMs) {
      lastMs = ms;
      reseed();
    } else if (!incrementCounter(state)) {
      if (lastMs === MAX_UNIX_MS) throw new RangeError('uuidv7 timestamp space exhausted');
      lastMs += 1;
      reseed();
    }
    writeTimestamp(state, lastMs);
    return format(state);
  };
}

const defaultGenerator = createUuidV7Generator();

/**
 * Returns a new lowercase UUIDv7 string from the process-wide monotonic generator
 * (`createUuidV7Generator()`); see there for `nowMs`.
 *
 * ```ts
 * generateUuidV7(); // e.g. '019b7a3e-4c1d-7a2b-9f3e-1c2d3e4f5a6b'
 * ```
 */
export function generateUuidV7(nowMs?: number): string {
  return defaultGenerator(nowMs);
}

/** Returns the Unix millisecond timestamp embedded in a UUIDv7 (no validation beyond the hex digits). */
export function getUuidV7Timestamp(uuid: string): number {
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16);
}

// The counter is the 74 bits of rand_a (low 4 bits of byte 6, byte 7) and rand_b (low 6 bits of byte 8,
// bytes 9-15). Returns false on overflow.
function incrementCounter(state: Uint8Array): boolean {
  for (let index = 15; index >= 6; index--) {
    const limit = index === 8 ? 0x3f : index === 6 ? 0x0f : 0xff;
    const value = (state[index] as number) & limit;
    if (value < limit) {
      state[index] = ((state[index] as number) & ~limit) | (value + 1);
      return true;
    }
    state[index] = (state[index] as number) & ~limit;
  }
  return false;
}

function writeTimestamp(state: Uint8Array, ms: number): void {
  const high = Math.floor(ms / 2 ** 32);
  const low = ms >>> 0;
  state[0] = (high >>> 8) & 0xff;
  state[1] = high & 0xff;
  state[2] = (low >>> 24) & 0xff;
  state[3] = (low >>> 16) & 0xff;
  state[4] = (low >>> 8) & 0xff;
  state[5] = low & 0xff;
  state[6] = 0x70 | ((state[6] as number) & 0x0f);
  state[8] = 0x80 | ((state[8] as number) & 0x3f);
}

function format(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
