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
 *
 * A second, separate module (generated the same way, compiled only after the first) hashes four independent
 * messages at once in the i32x4 lanes of WebAssembly SIMD (core spec 2.0): `sha256IntoMany`, for the many leaf
 * hashes of verification. It is optional: where SIMD does not validate, or its result differs from the scalar
 * module's on a few known messages, it is left out and the scalar module still serves.
 */
import { padInPlace, paddedSize } from './sha256';
import type { CreateSha256, IncrementalSha256, Sha256Into, Sha256IntoMany } from './types';

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
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
} as const;

/**
 * Vector instructions (core spec 2.0 §5.4.8, the SIMD proposal): the prefix byte 0xFD, then a sub-opcode as an
 * unsigned LEB128. Memory instructions take a memarg (alignment exponent, offset); lane instructions a lane byte.
 */
const SIMD_PREFIX = 0xfd;
const SIMD = {
  v128Load: 0x00,
  v128Store: 0x0b,
  i8x16Shuffle: 0x0d,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128Bitselect: 0x52,
  v128Load32Lane: 0x56,
  v128Load32Zero: 0x5c,
  i32x4Shl: 0xab,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
} as const;

/** Value types i32 and v128, the empty block type, the function type tag and the export kinds (core spec §5.3, §5.5.10). */
const I32 = 0x7f;
const V128 = 0x7b;
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

  /** Vector instructions without immediates: each the 0xFD prefix and its LEB128 sub-opcode (core spec 2.0 §5.4.8). */
  simd(...opcodes: number[]): this {
    for (const opcode of opcodes) this.byte(SIMD_PREFIX).u32(opcode);
    return this;
  }

  /** `v128.load` at the address on the stack plus `offset` (alignment 2^4). */
  vload(offset: number): this {
    return this.simd(SIMD.v128Load).byte(4).u32(offset);
  }

  /** `v128.store` of [address, value] on the stack at address + `offset` (alignment 2^4). */
  vstore(offset: number): this {
    return this.simd(SIMD.v128Store).byte(4).u32(offset);
  }

  /** Pushes ROTR^n(local) in each i32 lane: (x >>> n) ∨ (x << 32 - n), as WebAssembly has no vector rotate. */
  vrotr(local: number, n: number): this {
    this.get(local).i32(n).simd(SIMD.i32x4ShrU);
    return this.get(local).i32(32 - n).simd(SIMD.i32x4Shl).simd(SIMD.v128Or);
  }

  /** Pushes SHR^n(local) in each i32 lane. */
  vshr(local: number, n: number): this {
    return this.get(local).i32(n).simd(SIMD.i32x4ShrU);
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
const INITIAL_WORDS = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const INITIAL_STATE = new Uint8Array(32);
INITIAL_WORDS.forEach((word, i) => {
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
  const ab = [28, 29]; // a ⊕ b of round t in ab[t mod 2]: b ⊕ c of round t + 1, for its Maj
  const localCount = 30 - 2;

  // A function body (core spec §5.5.13): the local declarations (one run of `localCount` i32), the instructions.
  const body = new Emitter();
  body.u32(1).u32(localCount).byte(I32);
  body.op(OP.block, EMPTY_BLOCK);
  body.get(n).op(OP.i32Eqz, OP.brIf, 0); // no blocks: nothing to do
  body.get(p).get(n).i32(6).op(OP.i32Shl, OP.i32Add).set(end); // end = p + 64n
  body.op(OP.loop, EMPTY_BLOCK); // one iteration per block M(i)

  // §6.2.2 step 2: initialize the working variables a…h with H(i-1).
  for (let j = 0; j < 8; j++) body.i32(STATE).load(STATE + 4 * j).set(v[j] as number);
  body.get(v[1] as number).get(v[2] as number).op(OP.i32Xor).set(ab[1] as number); // b ⊕ c for round 0's Maj

  for (let t = 0; t < 64; t++) {
    // Round t's working variable `role` (a = 0 … h = 7) lives in local v[(role - t) mod 8]: renaming, no moves.
    const at = (role: number): number => v[(role - t + 64) & 7] as number;
    // c is read only through the previous round's a ⊕ b (Maj below).
    const [a, b, d, e, f, g, h] = [at(0), at(1), at(3), at(4), at(5), at(6), at(7)];
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
      // Rotations nested, ROTR^17(x ⊕ ROTR^2(x)) and ROTR^7(x ⊕ ROTR^11(x)): x is copied once, not twice.
      body.get(w2).rotr(w2, 2).op(OP.i32Xor).i32(17).op(OP.i32Rotr).shr(w2, 10).op(OP.i32Xor);
      body.get(w7).op(OP.i32Add);
      body.get(w15).rotr(w15, 11).op(OP.i32Xor).i32(7).op(OP.i32Rotr).shr(w15, 3).op(OP.i32Xor).op(OP.i32Add);
      body.get(wt).op(OP.i32Add); // W_{t-16}, about to be replaced in the window
      if (t < 62) body.tee(wt); // W_62 and W_63 are never read again
    }

    // §6.2.2 step 3: T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t (W_t is on the stack), where (§4.1.2)
    // Σ1(x) = ROTR^6(x) ⊕ ROTR^11(x) ⊕ ROTR^25(x) (4.5) and Ch(x, y, z) = (x ∧ y) ⊕ (¬x ∧ z) (4.2), computed as
    // z ⊕ (x ∧ (y ⊕ z)). Σ1 nests its rotations, ROTR^6(x ⊕ ROTR^5(x ⊕ ROTR^14(x))): each rotation then works on
    // a fresh value, where x86's destructive rotate would otherwise copy x first for each.
    body.get(h).op(OP.i32Add);
    body.get(e).get(e).rotr(e, 14).op(OP.i32Xor).i32(5).op(OP.i32Rotr).op(OP.i32Xor).i32(6).op(OP.i32Rotr).op(OP.i32Add);
    body.get(g).get(e).get(f).get(g).op(OP.i32Xor, OP.i32And, OP.i32Xor, OP.i32Add);
    body.i32(K[t] as number).op(OP.i32Add).tee(t1);
    // e ← d + T1: round t + 1 reads role e from d's local.
    body.get(d).op(OP.i32Add).set(d);
    // a ← T1 + T2, T2 = Σ0(a) + Maj(a, b, c), into h's local (round t + 1's role a), where (§4.1.2)
    // Σ0(x) = ROTR^2(x) ⊕ ROTR^13(x) ⊕ ROTR^22(x) (4.4) and Maj(x, y, z) = (x ∧ y) ⊕ (x ∧ z) ⊕ (y ∧ z) (4.3),
    // computed as y ⊕ ((x ⊕ y) ∧ (y ⊕ z)), where y ⊕ z (b ⊕ c) is the previous round's a ⊕ b. Σ0 nested as
    // ROTR^2(x ⊕ ROTR^11(x ⊕ ROTR^9(x))). (h, f, g, b, c, d shift by renaming.)
    body.get(t1);
    body.get(a).get(a).rotr(a, 9).op(OP.i32Xor).i32(11).op(OP.i32Rotr).op(OP.i32Xor).i32(2).op(OP.i32Rotr).op(OP.i32Add);
    body.get(b).get(a).get(b).op(OP.i32Xor).tee(ab[t & 1] as number).get(ab[(t + 1) & 1] as number).op(OP.i32And, OP.i32Xor, OP.i32Add);
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
// The 4-lane SIMD module: four independent messages at once, one per i32x4 lane.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Memory layout of the SIMD module (its own memory, never grown):
 *
 * | bytes | content |
 * |---|---|
 * | `[0, 128)` | the four hash values H, word-interleaved: word k of lane j at `16k + 4j`, little-endian |
 * | `[128, 1152)` | the constants K_t, each in four lanes (a data segment: one memory operand per round) |
 * | `[1152, 1152 + 256 KiB)` | input: each message copied whole and padded in place (FIPS 180-4 §5.1.1), back to back |
 * | then 128 KiB | staging: a span of the caller's bytes holding the next messages, copied in at once |
 */
const STATE4 = 0;
const KTABLE4 = 128;
const INPUT4 = KTABLE4 + 64 * 16;
const REGION4 = 256 * 1024;
const STAGE4 = INPUT4 + REGION4;
const STAGE4_SIZE = 128 * 1024;
const PAGES4 = Math.ceil((STAGE4 + STAGE4_SIZE) / 65536);
/**
 * Longer messages are hashed by the scalar module instead, so that the input region holds many lane messages at
 * once (a leaf, an event line, is about 550 bytes; one over 64 KiB fails verification anyway).
 */
const LANE_MAX = 16 * 1024;

/** `i8x16.shuffle` lane indices that reverse the bytes of each i32 lane: big-endian words to little-endian. */
const BSWAP32 = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12];

/**
 * Generates the body of `compress4(p0: i32, p1: i32, p2: i32, p3: i32, n: i32)`: runs the SHA-256 compression
 * function (FIPS 180-4 §6.2.2) `n` times (n may be 0) in each of the four i32x4 lanes: lane j compresses the `n`
 * consecutive 64-byte blocks at `pj` into its H at STATE4 (word-interleaved, see the layout). Every lane works
 * on every block, so a caller that has no message for a lane points it at any readable bytes and ignores its H.
 *
 * The same round structure as {@link compressBody}, each operation on four lanes: v128 locals for a…h (renamed
 * per round) and the schedule window, the message words gathered from the four blocks (`v128.load32_zero`, then
 * `v128.load32_lane` three times) and byte-swapped with one `i8x16.shuffle`, rotations as two shifts and an or,
 * Ch and Maj with `v128.bitselect`.
 */
function compress4Body(): Emitter {
  // Locals: the parameters (i32), then the working variables, the schedule window and T1 (v128).
  const pointers = [0, 1, 2, 3];
  const n = 4;
  const v = [5, 6, 7, 8, 9, 10, 11, 12];
  const w = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28];
  const t1 = 29;
  const ab = 30; // a ⊕ b of the round, which is b ⊕ c of the next one (for Maj)
  const bc = 31;
  const vectorLocals = 32 - 5;

  const body = new Emitter();
  body.u32(1).u32(vectorLocals).byte(V128);
  body.op(OP.block, EMPTY_BLOCK);
  body.get(n).op(OP.i32Eqz, OP.brIf, 0); // no blocks: nothing to do
  body.op(OP.loop, EMPTY_BLOCK); // one iteration per block M(i) of each lane

  // §6.2.2 step 2: initialize the working variables a…h with H(i-1), four lanes per word.
  for (let j = 0; j < 8; j++) body.i32(STATE4).vload(STATE4 + 16 * j).set(v[j] as number);
  body.get(v[1] as number).get(v[2] as number).simd(SIMD.v128Xor).set(bc); // b ⊕ c for round 0's Maj

  for (let t = 0; t < 64; t++) {
    // Round t's working variable `role` (a = 0 … h = 7) lives in local v[(role - t) mod 8]: renaming, no moves.
    // (c is only read through b ⊕ c, the previous round's a ⊕ b, see Maj below.)
    const at = (role: number): number => v[(role - t + 64) & 7] as number;
    const [a, b, d, e, f, g, h] = [at(0), at(1), at(3), at(4), at(5), at(6), at(7)];
    const wt = w[t & 15] as number;

    // §6.2.2 step 1: the message schedule W_t of the four lanes, pushed and kept in the window w[t mod 16].
    if (t < 16) {
      // W_t = M_t(i): the big-endian word at pj + 4t of each lane j, gathered into one vector, then byte-swapped.
      body.get(pointers[0] as number).simd(SIMD.v128Load32Zero).byte(2).u32(4 * t).set(wt);
      for (let lane = 1; lane < 4; lane++) {
        body.get(pointers[lane] as number).get(wt).simd(SIMD.v128Load32Lane).byte(2).u32(4 * t).byte(lane).set(wt);
      }
      body.get(wt).get(wt).simd(SIMD.i8x16Shuffle).byte(...BSWAP32).tee(wt);
    } else {
      // W_t = σ1(W_{t-2}) + W_{t-7} + σ0(W_{t-15}) + W_{t-16} (§4.1.2, 4.6 and 4.7, as in the scalar module).
      const w2 = w[(t - 2) & 15] as number;
      const w7 = w[(t - 7) & 15] as number;
      const w15 = w[(t - 15) & 15] as number;
      body.vrotr(w2, 17).vrotr(w2, 19).simd(SIMD.v128Xor).vshr(w2, 10).simd(SIMD.v128Xor);
      body.get(w7).simd(SIMD.i32x4Add);
      body.vrotr(w15, 7).vrotr(w15, 18).simd(SIMD.v128Xor).vshr(w15, 3).simd(SIMD.v128Xor).simd(SIMD.i32x4Add);
      body.get(wt).simd(SIMD.i32x4Add); // W_{t-16}, about to be replaced in the window
      if (t < 62) body.tee(wt); // W_62 and W_63 are never read again
    }

    // §6.2.2 step 3: T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t (W_t is on the stack), where
    // Ch(x, y, z) = (x ∧ y) ⊕ (¬x ∧ z) = bitselect(y, z, x) (4.2).
    body.get(h).simd(SIMD.i32x4Add);
    body.vrotr(e, 6).vrotr(e, 11).simd(SIMD.v128Xor).vrotr(e, 25).simd(SIMD.v128Xor).simd(SIMD.i32x4Add);
    body.get(f).get(g).get(e).simd(SIMD.v128Bitselect).simd(SIMD.i32x4Add);
    body.i32(0).vload(KTABLE4 + 16 * t).simd(SIMD.i32x4Add).tee(t1);
    // e ← d + T1, into d's local (round t + 1's role e).
    body.get(d).simd(SIMD.i32x4Add).set(d);
    // a ← T1 + T2, T2 = Σ0(a) + Maj(a, b, c), into h's local (round t + 1's role a), where
    // Maj(x, y, z) = (x ∧ y) ⊕ (x ∧ z) ⊕ (y ∧ z) (4.3), computed as y ⊕ ((x ⊕ y) ∧ (y ⊕ z)), where y ⊕ z (b ⊕ c)
    // is the previous round's a ⊕ b, kept in a local (renaming again: the roles shift by one each round).
    const [abNow, bcNow] = t % 2 === 0 ? [ab, bc] : [bc, ab];
    body.get(t1);
    body.vrotr(a, 2).vrotr(a, 13).simd(SIMD.v128Xor).vrotr(a, 22).simd(SIMD.v128Xor).simd(SIMD.i32x4Add);
    body.get(b).get(a).get(b).simd(SIMD.v128Xor).tee(abNow).get(bcNow).simd(SIMD.v128And, SIMD.v128Xor, SIMD.i32x4Add);
    body.set(h);
  }

  // §6.2.2 step 4: H(i) = a…h + H(i-1), four lanes per word.
  for (let j = 0; j < 8; j++) {
    body.i32(STATE4);
    body.i32(STATE4).vload(STATE4 + 16 * j).get(v[j] as number).simd(SIMD.i32x4Add);
    body.vstore(STATE4 + 16 * j);
  }

  // Next block of each lane: pj += 64; loop while --n ≠ 0.
  for (const pointer of pointers) body.get(pointer).i32(64).op(OP.i32Add).set(pointer);
  body.get(n).i32(1).op(OP.i32Sub).tee(n).op(OP.brIf, 0);
  body.op(OP.end); // loop
  body.op(OP.end); // block
  body.op(OP.end); // function
  return body;
}

/**
 * The SIMD module (core spec 2.0 §5.5): `compress4: (i32, i32, i32, i32, i32) -> ()` and its memory. Separate
 * from the scalar module, so that where vector instructions do not validate only this one fails to compile.
 */
function assembleSimdModule(): Uint8Array<ArrayBuffer> {
  const module = new Writer();
  module.byte(0x00, 0x61, 0x73, 0x6d); // magic "\0asm"
  module.byte(0x01, 0x00, 0x00, 0x00); // version 1
  module.section(1, new Writer().u32(1).byte(FUNC_TYPE).u32(5).byte(I32, I32, I32, I32, I32).u32(0));
  module.section(3, new Writer().u32(1).u32(0));
  module.section(5, new Writer().u32(1).byte(0x00).u32(PAGES4));
  module.section(7, new Writer().u32(2).name('memory').byte(EXPORT_MEMORY).u32(0).name('compress4').byte(EXPORT_FUNC).u32(0));
  module.section(10, new Writer().u32(1).sized(compress4Body()));
  // Data (§5.5.14): one active segment of memory 0 at KTABLE4, the constants K_t (§4.2.2) four times each.
  const table = new Writer();
  for (const k of K) for (let lane = 0; lane < 4; lane++) table.byte(k & 0xff, (k >>> 8) & 0xff, (k >>> 16) & 0xff, k >>> 24);
  const segment = new Writer().u32(1).u32(0).byte(OP.i32Const).s32(KTABLE4).byte(OP.end).sized(table);
  module.section(11, segment);
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

/** Pads the last `rest` bytes of a message of `length` bytes, already at INPUT, and compresses them into H. */
function padAndCompress(engine: Engine, rest: number, length: number): void {
  engine.compress(INPUT, padInPlace(engine.heap, INPUT, rest, length) >>> 6);
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
function engineSha256Into(engine: Engine): Sha256Into {
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

/** The instantiated SIMD module: its memory and `compress4`. */
interface SimdEngine {
  readonly heap: Uint8Array;
  readonly compress4: (p0: number, p1: number, p2: number, p3: number, blocks: number) => void;
}

/**
 * `sha256IntoMany` over the SIMD module, with the scalar `sha256Into` for messages over LANE_MAX bytes.
 *
 * Messages are copied into the input region in order, each padded in place (FIPS 180-4 §5.1.1), until the region
 * is full; then the four lanes work through them as a queue: each call of `compress4` runs as many blocks as the
 * lane closest to its end still needs, so no lane idles while messages are queued and no mask is needed; the
 * lane that finishes has its digest written out, its H reset to H(0) (§5.3.3) and takes the next message. Lanes
 * with nothing left (at the end of a region) point at the region and their H is ignored.
 *
 * The copies avoid a `subarray` per message (which cost as much as a third of the SIMD gain): a span of `data`
 * holding the next messages is copied into the staging area at once, and each message is then copied from there
 * with `copyWithin`. Messages out of order or far apart just make smaller spans.
 */
function sha256IntoManyOf(engine: SimdEngine, scalar: Sha256Into): Sha256IntoMany {
  const { heap, compress4 } = engine;
  // The four H as 32 words, word k of lane j at 4k + j. Int32Array is in the platform's byte order, WebAssembly
  // memory little-endian: on a big-endian platform the known-answer check fails and this is not used.
  const state = new Int32Array(heap.buffer, STATE4, 32);
  const capacity = REGION4 / 64; // messages per region, at most (each takes at least one block)
  const queuedPointer = new Int32Array(capacity);
  const queuedBlocks = new Int32Array(capacity);
  const queuedIndex = new Int32Array(capacity);
  const lanePointer = new Int32Array(4);
  const laneLeft = new Int32Array(4); // blocks left; 0: no message
  const laneIndex = new Int32Array(4);
  let queued = 0;
  let next = 0;
  let busy = 0;

  /** Gives lane j the next queued message (H reset to H(0)), or nothing. */
  const assign = (j: number): void => {
    if (next < queued) {
      lanePointer[j] = queuedPointer[next] as number;
      laneLeft[j] = queuedBlocks[next] as number;
      laneIndex[j] = queuedIndex[next] as number;
      next += 1;
      busy += 1;
      for (let k = 0; k < 8; k++) state[4 * k + j] = INITIAL_WORDS[k] as number;
    } else {
      lanePointer[j] = INPUT4;
      laneLeft[j] = 0;
    }
  };

  /** Hashes the queued messages, then empties the queue. */
  const drain = (out: Uint8Array): void => {
    next = 0;
    busy = 0;
    for (let j = 0; j < 4; j++) assign(j);
    while (busy > 0) {
      let step = 0x7fffffff;
      for (let j = 0; j < 4; j++) {
        const left = laneLeft[j] as number;
        if (left > 0 && left < step) step = left;
      }
      compress4(lanePointer[0] as number, lanePointer[1] as number, lanePointer[2] as number, lanePointer[3] as number, step);
      for (let j = 0; j < 4; j++) {
        const left = laneLeft[j] as number;
        if (left === 0) continue;
        lanePointer[j] = (lanePointer[j] as number) + 64 * step;
        laneLeft[j] = left - step;
        if (left === step) {
          // Lane j's message is done: its digest, big-endian words (FIPS 180-4 §6.2.2), from the interleaved H.
          let offset = 32 * (laneIndex[j] as number);
          for (let k = 0; k < 8; k++) {
            const word = state[4 * k + j] as number;
            out[offset] = word >>> 24;
            out[offset + 1] = (word >>> 16) & 0xff;
            out[offset + 2] = (word >>> 8) & 0xff;
            out[offset + 3] = word & 0xff;
            offset += 4;
          }
          busy -= 1;
          assign(j);
        }
      }
    }
    queued = 0;
  };

  return (data, starts, ends, count, out) => {
    if (count < 0 || count > starts.length || count > ends.length || out.length < 32 * count) {
      throw new RangeError('sha256IntoMany: count exceeds starts, ends or out');
    }
    queued = 0; // a previous call may have thrown (a bad range) with messages queued
    let at = INPUT4;
    // data[stageFrom, stageTo) is at STAGE4.
    let stageFrom = 0;
    let stageTo = -1;
    for (let i = 0; i < count; i++) {
      const start = starts[i] as number;
      const end = ends[i] as number;
      if (!(start >= 0 && start <= end && end <= data.length)) throw new RangeError(`sha256IntoMany: bad range ${start}…${end} of message ${i}`);
      const length = end - start;
      if (length > LANE_MAX) {
        scalar(data.subarray(start, end), out, 32 * i);
        continue;
      }
      const total = paddedSize(length);
      if (at + total > INPUT4 + REGION4) {
        drain(out);
        at = INPUT4;
      }
      if (start < stageFrom || end > stageTo) {
        // Stage the span from this message to the end of the following ones that fit in the staging area
        // (the messages of a batch are usually consecutive), so each is then copied without a view.
        stageFrom = start;
        stageTo = end;
        for (let k = i + 1; k < count; k++) {
          const from = starts[k] as number;
          const to = ends[k] as number;
          if (to - from > LANE_MAX) continue;
          if (from < stageFrom || to > stageFrom + STAGE4_SIZE || to > data.length) break;
          if (to > stageTo) stageTo = to;
        }
        heap.set(data.subarray(stageFrom, stageTo), STAGE4);
      }
      heap.copyWithin(at, STAGE4 + start - stageFrom, STAGE4 + end - stageFrom);
      padInPlace(heap, at, length, length);
      queuedPointer[queued] = at;
      queuedBlocks[queued] = total >>> 6;
      queuedIndex[queued] = i;
      queued += 1;
      at += total;
    }
    drain(out);
  };
}

/** Generates, compiles and instantiates the SIMD module, or returns `undefined` where that is not possible. */
function instantiateSimd(scalar: Sha256Into): Sha256IntoMany | undefined {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleSimdModule()), {});
    const { memory, compress4 } = instance.exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof compress4 !== 'function') return undefined;
    const many = sha256IntoManyOf({ heap: new Uint8Array(memory.buffer), compress4: compress4 as SimdEngine['compress4'] }, scalar);
    // Known answers: the scalar hash (itself checked) of messages whose lengths cover no, partial and full
    // padding blocks, more messages than lanes, and lanes ending at different blocks.
    const lengths = [0, 3, 55, 56, 63, 64, 65, 119, 120, 200, 550];
    const starts = new Int32Array(lengths.length);
    const ends = new Int32Array(lengths.length);
    let total = 0;
    lengths.forEach((length, i) => {
      starts[i] = total;
      total += length;
      ends[i] = total;
    });
    const data = new Uint8Array(total);
    for (let i = 0; i < total; i++) data[i] = (i * 167 + 13) & 0xff;
    const got = new Uint8Array(32 * lengths.length);
    many(data, starts, ends, lengths.length, got);
    const want = new Uint8Array(32 * lengths.length);
    for (let i = 0; i < lengths.length; i++) scalar(data.subarray(starts[i], ends[i]), want, 32 * i);
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return undefined;
    return many;
  } catch {
    return undefined;
  }
}

/** FIPS 180-4 Appendix B.1 ("abc"): checked once after instantiation. */
const ABC_DIGEST = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

/** Generates, compiles and instantiates the module, or returns `undefined` where that is not possible. */
function instantiate(): WasmSha256Api | undefined {
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
    const sha256Into = engineSha256Into(engine);
    const check = new Uint8Array(32);
    sha256Into(new Uint8Array([0x61, 0x62, 0x63]), check, 0);
    if (Array.from(check, (byte) => byte.toString(16).padStart(2, '0')).join('') !== ABC_DIGEST) return undefined;
    // The SIMD module is optional: where it does not compile or fails its check, the scalar one still serves.
    const sha256IntoMany = instantiateSimd(sha256Into);
    return Object.freeze({ createSha256: () => new WasmSha256(engine), sha256Into, ...(sha256IntoMany === undefined ? {} : { sha256IntoMany }) });
  } catch {
    return undefined;
  }
}

/** What {@link wasmSha256} returns. */
export interface WasmSha256Api {
  readonly createSha256: CreateSha256;
  readonly sha256Into: Sha256Into;
  /** Present where WebAssembly SIMD (core spec 2.0) compiles here and passed its self-check. */
  readonly sha256IntoMany?: Sha256IntoMany;
}

let instantiated = false;
let cached: WasmSha256Api | undefined;

/**
 * The WebAssembly SHA-256 of this realm, or `undefined` where WebAssembly is unavailable or may not be compiled
 * (no `WebAssembly`, a Content-Security-Policy without 'wasm-unsafe-eval', a failed self-check): callers then
 * fall back to `createPortableSha256` and `portableSha256Into` (`./sha256`). Never throws.
 *
 * The modules (about 8 KB, and 18 KB for SIMD) are generated, compiled, instantiated and checked against known
 * answers synchronously on the first call, which takes about 5 ms plus about 8 ms for SIMD (Node 20 and Chromium
 * on the build machine; mostly running the generator's cold code), and the result, including `undefined`, is
 * cached for the realm: every call returns the same object.
 *
 * - `createSha256()` returns an {@link IncrementalSha256}: `update` with any sizes any number of times, then
 *   `digest` once (a new 32-byte array). `update` after `digest`, or a second `digest`, throws an `Error`, as the
 *   portable hasher does. Any number of hashers may be used interleaved.
 * - `sha256Into(data, out, offset)` writes SHA-256 of `data` to `out[offset, offset + 32)` and touches no other
 *   byte of `out`; it allocates nothing for messages up to 64 KiB.
 * - `sha256IntoMany(data, starts, ends, count, out)` ({@link Sha256IntoMany}), only where WebAssembly SIMD
 *   compiles (a second, separate module of about 18 KB, checked against the scalar hash): four messages at once,
 *   one per i32x4 lane, for the per-leaf hashes of verification. Messages over 16 KiB go to `sha256Into`.
 *
 * Each realm (window, Worker) compiles its own module; within a realm all hashers share one instance, which is
 * safe because every call runs to completion synchronously.
 */
export function wasmSha256(): WasmSha256Api | undefined {
  if (!instantiated) {
    instantiated = true;
    cached = instantiate();
  }
  return cached;
}
