/**
 * A WebAssembly SHA-256 (FIPS 180-4) for browsers and Web Workers, where no native synchronous SHA-256 exists:
 * the same contracts as `createPortableSha256` and `portableSha256Into` (`./sha256`), with more throughput.
 *
 * There is no embedded binary: the module's bytes are generated at first use by the small assembler below, which
 * emits only what the compression function needs. The compression function (FIPS 180-4 §6.2.2) is fully
 * unrolled by the generator: the 64 rounds keep the working variables a…h in eight i32 locals whose roles rotate
 * by renaming instead of moving (round t uses local `(role - t) mod 8`), the message schedule is a rolling window
 * of sixteen i32 locals, the constants K are immediates, and the big-endian words are read with `i32.load` plus a
 * byte swap (WebAssembly has no `bswap`).
 *
 * Memory (owned and exported by the module, never grown, so views of it stay valid):
 *
 * | bytes | content |
 * |---|---|
 * | `[0, 32)` | the hash value H being updated: eight i32 words, little-endian as WebAssembly stores them |
 * | `[64, 64 + 64 KiB + 72)` | input: JS copies messages in 64 KiB slices, then pads the last piece in place |
 *
 * JS keeps each incremental hasher's H and partial block, and copies H in and out around each call, so any
 * number of hashers can be used interleaved (JS is single-threaded; nothing here awaits).
 */
import type { CreateSha256, IncrementalSha256, Sha256Into } from './types';

// ---------------------------------------------------------------------------------------------------------------
// A tiny WebAssembly assembler (WebAssembly core specification 1.0, chapter 5 "Binary format"): just the sections
// and instructions the compression function needs.
// ---------------------------------------------------------------------------------------------------------------

/** Instruction opcodes (core spec §5.4) and type codes (§5.3). */
const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
} as const;

/** Value type i32, the empty block type, the function type tag and the export kinds (core spec §5.3, §5.5.10). */
const I32 = 0x7f;
const EMPTY_BLOCK = 0x40;
const FUNC_TYPE = 0x60;
const EXPORT_FUNC = 0x00;
const EXPORT_MEMORY = 0x02;

/** Writes bytes: the module, its sections and the function body. */
class Writer {
  readonly #bytes: number[] = [];

  get length(): number {
    return this.#bytes.length;
  }

  /** Raw bytes (opcodes, type codes). */
  byte(...bytes: number[]): this {
    for (let i = 0; i < bytes.length; i++) this.#bytes.push(bytes[i] as number);
    return this;
  }

  /** Unsigned LEB128 (core spec §5.2.2): sizes, counts, indices and memory offsets. */
  u32(value: number): this {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.#bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.#bytes.push(v);
    return this;
  }

  /** Signed LEB128 of an i32 (core spec §5.2.2): the immediates of `i32.const`. */
  s32(value: number): this {
    let v = value | 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      // Done when the rest is pure sign extension of the byte's bit 6.
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        this.#bytes.push(byte);
        return this;
      }
      this.#bytes.push(byte | 0x80);
    }
  }

  /** A name (core spec §5.2.4): its UTF-8 length, then the bytes (ASCII here). */
  name(text: string): this {
    this.u32(text.length);
    for (let i = 0; i < text.length; i++) this.#bytes.push(text.charCodeAt(i));
    return this;
  }

  /** Another writer's bytes, prefixed with their size: a section's contents (§5.5.2) or a function body (§5.5.13). */
  sized(contents: Writer): this {
    this.u32(contents.length);
    for (const b of contents.#bytes) this.#bytes.push(b);
    return this;
  }

  /** A section (core spec §5.5.2): its id, then its size and contents. */
  section(id: number, contents: Writer): this {
    return this.byte(id).sized(contents);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.#bytes);
  }
}

/** Emits a function body's instructions (core spec §5.4) with a small fluent API. */
class Emitter extends Writer {
  op(...opcodes: number[]): this {
    return this.byte(...opcodes);
  }

  get(local: number): this {
    return this.byte(OP.localGet).u32(local);
  }

  set(local: number): this {
    return this.byte(OP.localSet).u32(local);
  }

  tee(local: number): this {
    return this.byte(OP.localTee).u32(local);
  }

  i32(value: number): this {
    return this.byte(OP.i32Const).s32(value);
  }

  /** `i32.load` at the address on the stack plus `offset` (memarg: alignment 2^2, offset). */
  load(offset: number): this {
    return this.byte(OP.i32Load, 2).u32(offset);
  }

  /** `i32.store` of [address, value] on the stack at address + `offset`. */
  store(offset: number): this {
    return this.byte(OP.i32Store, 2).u32(offset);
  }

  /** Pushes ROTR^n(local) (FIPS 180-4 §3.2: rotate right). */
  rotr(local: number, n: number): this {
    return this.get(local).i32(n).op(OP.i32Rotr);
  }

  /** Pushes SHR^n(local) (FIPS 180-4 §3.2: logical shift right). */
  shr(local: number, n: number): this {
    return this.get(local).i32(n).op(OP.i32ShrU);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4)
// ---------------------------------------------------------------------------------------------------------------

/**
 * FIPS 180-4 §4.2.2: the 64 constants K0…K63, the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes.
 */
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/**
 * FIPS 180-4 §5.3.3: the initial hash value H(0), the first 32 bits of the fractional parts of the square roots
 * of the first 8 primes, as the 32 bytes WebAssembly memory holds them (each word little-endian).
 */
const INITIAL_STATE = new Uint8Array(32);
[0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19].forEach((word, i) => {
  for (let j = 0; j < 4; j++) INITIAL_STATE[4 * i + j] = (word >>> (8 * j)) & 0xff;
});

/** Memory layout (see the module comment). */
const STATE = 0;
const INPUT = 64;
/** Bytes copied into the module per call; a multiple of 64. */
const SLICE = 64 * 1024;
/** The input area holds a slice, or a last piece of at most SLICE bytes plus at most 72 bytes of padding. */
const PAGES = Math.ceil((INPUT + SLICE + 72) / 65536);

/**
 * Generates the body of `compress(p: i32, n: i32)`: runs the SHA-256 compression function (FIPS 180-4 §6.2.2)
 * over the `n` 64-byte blocks at `p`, updating the hash value H at STATE. `n` may be 0.
 */
function compressBody(): Emitter {
  // Locals: the parameters, then `end`, the working variables, the schedule window, T1.
  const p = 0;
  const n = 1;
  const end = 2;
  const v = [3, 4, 5, 6, 7, 8, 9, 10];
  const w = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
  const t1 = 27;
  const localCount = 28 - 2;

  // A function body (core spec §5.5.13): the local declarations (one run of `localCount` i32), the instructions.
  const body = new Emitter();
  body.u32(1).u32(localCount).byte(I32);
  body.op(OP.block, EMPTY_BLOCK);
  body.get(n).op(OP.i32Eqz, OP.brIf, 0); // no blocks: nothing to do
  body.get(p).get(n).i32(6).op(OP.i32Shl, OP.i32Add).set(end); // end = p + 64n
  body.op(OP.loop, EMPTY_BLOCK); // one iteration per block M(i)

  // §6.2.2 step 2: initialize the working variables a…h with H(i-1).
  for (let j = 0; j < 8; j++) body.i32(STATE).load(STATE + 4 * j).set(v[j] as number);

  for (let t = 0; t < 64; t++) {
    // Round t's working variable `role` (a = 0 … h = 7) lives in local v[(role - t) mod 8]: renaming, no moves.
    const at = (role: number): number => v[(role - t + 64) & 7] as number;
    const [a, b, c, d, e, f, g, h] = [at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7)];
    const wt = w[t & 15] as number;

    // §6.2.2 step 1: the message schedule W_t, pushed and kept in the rolling window w[t mod 16].
    if (t < 16) {
      // W_t = M_t(i): the big-endian word at p + 4t. i32.load reads it little-endian, so swap its bytes:
      // bswap(x) = (ROTL^8(x) ∧ 0x00ff00ff) ∨ (ROTR^8(x) ∧ 0xff00ff00).
      body.get(p).load(4 * t).set(wt);
      body.get(wt).i32(8).op(OP.i32Rotl).i32(0x00ff00ff).op(OP.i32And);
      body.get(wt).i32(8).op(OP.i32Rotr).i32(0xff00ff00).op(OP.i32And);
      body.op(OP.i32Or).tee(wt);
    } else {
      // W_t = σ1(W_{t-2}) + W_{t-7} + σ0(W_{t-15}) + W_{t-16}, where (§4.1.2, 4.6 and 4.7)
      // σ0(x) = ROTR^7(x) ⊕ ROTR^18(x) ⊕ SHR^3(x) and σ1(x) = ROTR^17(x) ⊕ ROTR^19(x) ⊕ SHR^10(x).
      const w2 = w[(t - 2) & 15] as number;
      const w7 = w[(t - 7) & 15] as number;
      const w15 = w[(t - 15) & 15] as number;
      body.rotr(w2, 17).rotr(w2, 19).op(OP.i32Xor).shr(w2, 10).op(OP.i32Xor);
      body.get(w7).op(OP.i32Add);
      body.rotr(w15, 7).rotr(w15, 18).op(OP.i32Xor).shr(w15, 3).op(OP.i32Xor).op(OP.i32Add);
      body.get(wt).op(OP.i32Add); // W_{t-16}, about to be replaced in the window
      if (t < 62) body.tee(wt); // W_62 and W_63 are never read again
    }

    // §6.2.2 step 3: T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t (W_t is on the stack), where (§4.1.2)
    // Σ1(x) = ROTR^6(x) ⊕ ROTR^11(x) ⊕ ROTR^25(x) (4.5) and Ch(x, y, z) = (x ∧ y) ⊕ (¬x ∧ z) (4.2), computed as
    // z ⊕ (x ∧ (y ⊕ z)).
    body.get(h).op(OP.i32Add);
    body.rotr(e, 6).rotr(e, 11).op(OP.i32Xor).rotr(e, 25).op(OP.i32Xor, OP.i32Add);
    body.get(g).get(e).get(f).get(g).op(OP.i32Xor, OP.i32And, OP.i32Xor, OP.i32Add);
    body.i32(K[t] as number).op(OP.i32Add).tee(t1);
    // e ← d + T1: round t + 1 reads role e from d's local.
    body.get(d).op(OP.i32Add).set(d);
    // a ← T1 + T2, T2 = Σ0(a) + Maj(a, b, c), into h's local (round t + 1's role a), where (§4.1.2)
    // Σ0(x) = ROTR^2(x) ⊕ ROTR^13(x) ⊕ ROTR^22(x) (4.4) and Maj(x, y, z) = (x ∧ y) ⊕ (x ∧ z) ⊕ (y ∧ z) (4.3),
    // computed as y ⊕ ((x ⊕ y) ∧ (y ⊕ z)). (h, f, g, b, c, d shift by renaming.)
    body.get(t1);
    body.rotr(a, 2).rotr(a, 13).op(OP.i32Xor).rotr(a, 22).op(OP.i32Xor, OP.i32Add);
    body.get(b).get(a).get(b).op(OP.i32Xor).get(b).get(c).op(OP.i32Xor, OP.i32And, OP.i32Xor, OP.i32Add);
    body.set(h);
  }

  // §6.2.2 step 4: H(i) = a…h + H(i-1). After 64 rounds (a multiple of 8) role j is back in local v[j].
  for (let j = 0; j < 8; j++) {
    body.i32(STATE);
    body.i32(STATE).load(STATE + 4 * j).get(v[j] as number).op(OP.i32Add);
    body.store(STATE + 4 * j);
  }

  // Next block: p += 64; loop while p ≠ end.
  body.get(p).i32(64).op(OP.i32Add).tee(p).get(end).op(OP.i32Ne, OP.brIf, 0);
  body.op(OP.end); // loop
  body.op(OP.end); // block
  body.op(OP.end); // function
  return body;
}

/**
 * The module (core spec §5.5): one function `compress: (i32, i32) -> ()` and its memory, both exported.
 */
function assembleModule(): Uint8Array<ArrayBuffer> {
  const module = new Writer();
  module.byte(0x00, 0x61, 0x73, 0x6d); // magic "\0asm" (§5.5.16)
  module.byte(0x01, 0x00, 0x00, 0x00); // version 1
  // Types (§5.5.4): one function type, (i32, i32) -> ().
  module.section(1, new Writer().u32(1).byte(FUNC_TYPE).u32(2).byte(I32, I32).u32(0));
  // Functions (§5.5.6): one function, of type 0.
  module.section(3, new Writer().u32(1).u32(0));
  // Memories (§5.5.8): one memory of PAGES pages, no maximum (limits flag 0x00).
  module.section(5, new Writer().u32(1).byte(0x00).u32(PAGES));
  // Exports (§5.5.10): the memory and the function, both index 0.
  module.section(7, new Writer().u32(2).name('memory').byte(EXPORT_MEMORY).u32(0).name('compress').byte(EXPORT_FUNC).u32(0));
  // Code (§5.5.13): one body, prefixed with its size.
  module.section(10, new Writer().u32(1).sized(compressBody()));
  return module.bytes();
}

// ---------------------------------------------------------------------------------------------------------------
// The JS side: copying in slices, padding (FIPS 180-4 §5.1.1), the hashers.
// ---------------------------------------------------------------------------------------------------------------

/** An instantiated module: its memory, the H view of it, and `compress`. */
interface Engine {
  readonly heap: Uint8Array;
  readonly state: Uint8Array;
  readonly compress: (pointer: number, blocks: number) => void;
}

/** Compresses `bytes[from, to)` (whole blocks) into the engine's H, copying it into the module slice by slice. */
function compressWhole(engine: Engine, bytes: Uint8Array, from: number, to: number): void {
  const { heap, compress } = engine;
  for (let at = from; at < to; at += SLICE) {
    const size = Math.min(SLICE, to - at);
    heap.set(from === 0 && size === bytes.length ? bytes : bytes.subarray(at, at + size), INPUT);
    compress(INPUT, size >>> 6);
  }
}

/**
 * Pads the last `rest` bytes of a message of `length` bytes, already at INPUT, in place (FIPS 180-4 §5.1.1: a
 * 1 bit, zeros, the length in bits as a 64-bit big-endian integer) and compresses them into H.
 */
function padAndCompress(engine: Engine, rest: number, length: number): void {
  const heap = engine.heap;
  const total = (rest + 72) & ~63; // the least multiple of 64 that holds rest + 1 + 8 bytes
  heap[INPUT + rest] = 0x80;
  heap.fill(0, INPUT + rest + 1, INPUT + total - 8);
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  const low = bits >>> 0;
  const at = INPUT + total - 8;
  heap[at] = high >>> 24;
  heap[at + 1] = (high >>> 16) & 0xff;
  heap[at + 2] = (high >>> 8) & 0xff;
  heap[at + 3] = high & 0xff;
  heap[at + 4] = low >>> 24;
  heap[at + 5] = (low >>> 16) & 0xff;
  heap[at + 6] = (low >>> 8) & 0xff;
  heap[at + 7] = low & 0xff;
  engine.compress(INPUT, total >>> 6);
}

/** Writes H as the big-endian digest (FIPS 180-4 §6.2.2) to `out[offset, offset + 32)`. */
function writeDigest(state: Uint8Array, out: Uint8Array, offset: number): void {
  // Byte j of the digest is byte (j mod 4) of word ⌊j / 4⌋ big-endian, stored at j ^ 3 (little-endian).
  for (let j = 0; j < 32; j++) out[offset + j] = state[j ^ 3] as number;
}

class WasmSha256 implements IncrementalSha256 {
  readonly #engine: Engine;
  /** This hasher's H, as the module stores it (copied in and out around each call). */
  readonly #state = new Uint8Array(INITIAL_STATE);
  readonly #block = new Uint8Array(64);
  #blockLength = 0;
  #length = 0;
  #done = false;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  update(bytes: Uint8Array): void {
    if (this.#done) throw new Error('sha256: update after digest');
    const n = bytes.length;
    this.#length += n;
    let at = 0;
    if (this.#blockLength > 0) {
      at = Math.min(64 - this.#blockLength, n);
      this.#block.set(at === n ? bytes : bytes.subarray(0, at), this.#blockLength);
      this.#blockLength += at;
      if (this.#blockLength < 64) return;
    }
    const whole = n - ((n - at) & 63);
    if (this.#blockLength === 64 || whole > at) {
      const engine = this.#engine;
      engine.state.set(this.#state);
      if (this.#blockLength === 64) {
        engine.heap.set(this.#block, INPUT);
        engine.compress(INPUT, 1);
        this.#blockLength = 0;
      }
      compressWhole(engine, bytes, at, whole);
      this.#state.set(engine.state);
    }
    if (whole < n) {
      this.#block.set(whole === 0 ? bytes : bytes.subarray(whole), 0);
      this.#blockLength = n - whole;
    }
  }

  digest(): Uint8Array {
    if (this.#done) throw new Error('sha256: digest called twice');
    this.#done = true;
    const engine = this.#engine;
    engine.state.set(this.#state);
    engine.heap.set(this.#block, INPUT); // bytes past blockLength are overwritten by the padding
    padAndCompress(engine, this.#blockLength, this.#length);
    const out = new Uint8Array(32);
    writeDigest(engine.state, out, 0);
    return out;
  }
}

/** `sha256Into` over an engine: no allocation for messages up to 64 KiB (longer ones take a view per slice). */
function sha256IntoOf(engine: Engine): Sha256Into {
  const { heap, state } = engine;
  return (data, out, offset) => {
    state.set(INITIAL_STATE);
    const n = data.length;
    // Whole slices while more than a slice remains, so the last piece and its padding fit in the input area.
    const last = n > SLICE ? n - (((n - 1) % SLICE) + 1) : 0;
    compressWhole(engine, data, 0, last);
    heap.set(last === 0 ? data : data.subarray(last), INPUT);
    padAndCompress(engine, n - last, n);
    writeDigest(state, out, offset);
  };
}

/** FIPS 180-4 Appendix B.1 ("abc"): checked once after instantiation. */
const ABC_DIGEST = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

/** Generates, compiles and instantiates the module, or returns `undefined` where that is not possible. */
function instantiate(): { readonly createSha256: CreateSha256; readonly sha256Into: Sha256Into } | undefined {
  try {
    if (typeof WebAssembly !== 'object' || WebAssembly === null) return undefined;
    // Synchronous compilation needs 'wasm-unsafe-eval' (or 'unsafe-eval') under a Content-Security-Policy, and
    // Chromium before about 2024 (at least up to 114) refused modules over 4 KB (this one is about 8 KB) on the
    // main thread, allowing up to 8 MB since: both throw here. Workers have no such limit.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleModule()), {});
    const { memory, compress } = instance.exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof compress !== 'function') return undefined;
    const heap = new Uint8Array(memory.buffer);
    const engine: Engine = {
      heap,
      state: heap.subarray(STATE, STATE + 32),
      compress: compress as (pointer: number, blocks: number) => void,
    };
    const sha256Into = sha256IntoOf(engine);
    const check = new Uint8Array(32);
    sha256Into(new Uint8Array([0x61, 0x62, 0x63]), check, 0);
    if (Array.from(check, (byte) => byte.toString(16).padStart(2, '0')).join('') !== ABC_DIGEST) return undefined;
    return Object.freeze({ createSha256: () => new WasmSha256(engine), sha256Into });
  } catch {
    return undefined;
  }
}

let instantiated = false;
let cached: { readonly createSha256: CreateSha256; readonly sha256Into: Sha256Into } | undefined;

/**
 * The WebAssembly SHA-256 of this realm, or `undefined` where WebAssembly is unavailable or may not be compiled
 * (no `WebAssembly`, a Content-Security-Policy without 'wasm-unsafe-eval', a failed self-check): callers then
 * fall back to `createPortableSha256` and `portableSha256Into` (`./sha256`). Never throws.
 *
 * The module (about 8 KB) is generated, compiled, instantiated and checked against a known answer synchronously
 * on the first call, which takes a few milliseconds (mostly running the generator's cold code), and the result,
 * including `undefined`, is cached for the realm: every call returns the same object.
 *
 * - `createSha256()` returns an {@link IncrementalSha256}: `update` with any sizes any number of times, then
 *   `digest` once (a new 32-byte array). `update` after `digest`, or a second `digest`, throws an `Error`, as the
 *   portable hasher does. Any number of hashers may be used interleaved.
 * - `sha256Into(data, out, offset)` writes SHA-256 of `data` to `out[offset, offset + 32)` and touches no other
 *   byte of `out`; it allocates nothing for messages up to 64 KiB.
 *
 * Each realm (window, Worker) compiles its own module; within a realm all hashers share one instance, which is
 * safe because every call runs to completion synchronously.
 */
export function wasmSha256(): { readonly createSha256: CreateSha256; readonly sha256Into: Sha256Into } | undefined {
  if (!instantiated) {
    instantiated = true;
    cached = instantiate();
  }
  return cached;
}
