/**
 * An independent reference implementation for golden vectors and property tests: the recursive definitions of
 * RFC 9162 §2.1 (MTH, PATH, SUBPROOF) and of MULTIPROOF, and recursive verifiers that rebuild the roots from a
 * proof, written directly from the definitions and sharing no code with `src/` (SHA-256 from node:crypto).
 * Each verifier returns the outcome the library must produce: `{ ok: true }` or the error code, checking inputs in
 * the library's documented order (sizes, indexes, roots, leaf hashes, proof length, proof hashes, roots).
 */
import { createHash } from 'node:crypto';

export type Outcome = { ok: true } | { ok: false; code: string };

const LIMIT = 1n << 64n;

export function sha256(...chunks: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const chunk of chunks) h.update(chunk);
  return new Uint8Array(h.digest());
}

export const refLeafHash = (data: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), data);
export const refNodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Uint8Array.of(1), l, r);
export const EMPTY_ROOT = sha256(new Uint8Array(0));

/** The largest power of two strictly smaller than n (n >= 2), by counting. */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) by the recursive definition. */
export function refMth(leaves: readonly Uint8Array[], lo = 0, hi = leaves.length): Uint8Array {
  if (hi === lo) return EMPTY_ROOT;
  if (hi - lo === 1) return leaves[lo]!;
  const k = split(hi - lo);
  return refNodeHash(refMth(leaves, lo, lo + k), refMth(leaves, lo + k, hi));
}

/** PATH(m, D[lo:hi]), RFC 9162 §2.1.3.1. */
export function refPath(m: number, leaves: readonly Uint8Array[], lo = 0, hi = leaves.length): Uint8Array[] {
  if (hi - lo === 1) return [];
  const k = split(hi - lo);
  if (m < k) return [...refPath(m, leaves, lo, lo + k), refMth(leaves, lo + k, hi)];
  return [...refPath(m - k, leaves, lo + k, hi), refMth(leaves, lo, lo + k)];
}

/** PROOF(m, D[lo:hi]) = SUBPROOF(m, D[lo:hi], true), RFC 9162 §2.1.4.1. */
export function refConsistency(m: number, leaves: readonly Uint8Array[], lo = 0, hi = leaves.length, b = true): Uint8Array[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [refMth(leaves, lo, hi)];
  const k = split(n);
  if (m <= k) return [...refConsistency(m, leaves, lo, lo + k, b), refMth(leaves, lo + k, hi)];
  return [...refConsistency(m - k, leaves, lo + k, hi, false), refMth(leaves, lo, lo + k)];
}

/** MULTIPROOF(S, D[lo:hi]) from the definition in src/multi-leaf.ts. */
export function refMultiProof(set: ReadonlySet<number>, leaves: readonly Uint8Array[], lo = 0, hi = leaves.length): Uint8Array[] {
  let any = false;
  for (let i = lo; i < hi && !any; i++) any = set.has(i);
  if (!any) return [refMth(leaves, lo, hi)];
  if (hi - lo === 1) return [];
  const k = split(hi - lo);
  return [...refMultiProof(set, leaves, lo, lo + k), ...refMultiProof(set, leaves, lo + k, hi)];
}

const isHash = (h: unknown): boolean => h instanceof Uint8Array && h.length === 32;
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const fail = (code: string): Outcome => ({ ok: false, code });

function pathLength(m: number, n: number): number {
  if (n === 1) return 0;
  const k = split(n);
  return 1 + (m < k ? pathLength(m, k) : pathLength(m - k, n - k));
}

/** Reference inclusion verifier: rebuild the root recursively, consuming the proof from its end. */
export function refVerifyInclusion(c: {
  index: bigint; size: bigint; leafHash: Uint8Array; proof: readonly Uint8Array[]; root: Uint8Array;
}): Outcome {
  if (c.size < 0n || c.size >= LIMIT) return fail('INVALID_TREE_SIZE');
  if (c.index < 0n || c.index >= LIMIT || c.index >= c.size) return fail('INVALID_INDEX');
  if (!isHash(c.root) || !isHash(c.leafHash)) return fail('INVALID_HASH');
  const m = Number(c.index);
  const n = Number(c.size);
  if (c.proof.length !== pathLength(m, n)) return fail('INVALID_PROOF');
  if (!c.proof.every(isHash)) return fail('INVALID_HASH');
  let next = c.proof.length - 1;
  const rebuild = (i: number, size: number): Uint8Array => {
    if (size === 1) return c.leafHash;
    const k = split(size);
    const sibling = c.proof[next--]!;
    return i < k ? refNodeHash(rebuild(i, k), sibling) : refNodeHash(sibling, rebuild(i - k, size - k));
  };
  return same(rebuild(m, n), c.root) ? { ok: true } : fail('INCLUSION_PROOF_MISMATCH');
}

function subproofLength(m: number, n: number, b: boolean): number {
  if (m === n) return b ? 0 : 1;
  const k = split(n);
  return 1 + (m <= k ? subproofLength(m, k, b) : subproofLength(m - k, n - k, false));
}

/** Reference consistency verifier: rebuild both roots recursively, consuming the proof from its end. */
export function refVerifyConsistency(c: {
  size1: bigint; size2: bigint; root1: Uint8Array; root2: Uint8Array; proof: readonly Uint8Array[];
}): Outcome {
  if (c.size1 < 0n || c.size1 >= LIMIT || c.size2 < 0n || c.size2 >= LIMIT) return fail('INVALID_TREE_SIZE');
  if (c.size1 === 0n || c.size1 > c.size2) return fail('INVALID_TREE_SIZE');
  if (!isHash(c.root1) || !isHash(c.root2)) return fail('INVALID_HASH');
  const m = Number(c.size1);
  const n = Number(c.size2);
  if (c.proof.length !== subproofLength(m, n, true)) return fail('INVALID_PROOF');
  if (!c.proof.every(isHash)) return fail('INVALID_HASH');
  if (m === n) return same(c.root1, c.root2) ? { ok: true } : fail('CONSISTENCY_PROOF_MISMATCH');
  let next = c.proof.length - 1;
  const rebuild = (old: number, size: number, b: boolean): [Uint8Array, Uint8Array] => {
    if (old === size) {
      if (b) return [c.root1, c.root1];
      const h = c.proof[next--]!;
      return [h, h];
    }
    const k = split(size);
    if (old <= k) {
      const right = c.proof[next--]!;
      const [o, s] = rebuild(old, k, b);
      return [o, refNodeHash(s, right)];
    }
    const left = c.proof[next--]!;
    const [o, s] = rebuild(old - k, size - k, false);
    return [refNodeHash(left, o), refNodeHash(left, s)];
  };
  const [o, s] = rebuild(m, n, true);
  return same(o, c.root1) && same(s, c.root2) ? { ok: true } : fail('CONSISTENCY_PROOF_MISMATCH');
}

/** Reference multi-leaf / range verifier: rebuild the root recursively, consuming the proof from its start. */
export function refVerifyMultiLeaf(c: {
  size: bigint; indexes: readonly bigint[]; leafHashes: readonly Uint8Array[]; proof: readonly Uint8Array[];
  root: Uint8Array; range?: { start: bigint; end: bigint };
}): Outcome {
  if (c.size < 0n || c.size >= LIMIT) return fail('INVALID_TREE_SIZE');
  let indexes: readonly bigint[];
  if (c.range !== undefined) {
    const { start, end } = c.range;
    if (start < 0n || start >= LIMIT || end < 0n || end >= LIMIT) return fail('INVALID_INDEX');
    if (start >= end || end > c.size) return fail('INVALID_INDEX');
    if (!isHash(c.root)) return fail('INVALID_HASH');
    if (BigInt(c.leafHashes.length) !== end - start) return fail('INVALID_PROOF');
    if (!c.leafHashes.every(isHash)) return fail('INVALID_HASH');
    indexes = c.leafHashes.map((_, i) => start + BigInt(i));
  } else {
    if (c.indexes.length === 0) return fail('INVALID_INDEX');
    let previous = -1n;
    for (let i = 0; i < c.indexes.length; i++) {
      const index = c.indexes[i]!;
      if (index < 0n || index >= LIMIT || index >= c.size || index <= previous) return fail('INVALID_INDEX');
      if (!isHash(c.leafHashes[i])) return fail('INVALID_HASH');
      previous = index;
    }
    if (!isHash(c.root)) return fail('INVALID_HASH');
    indexes = c.indexes;
  }
  const set = new Map(indexes.map((index, i) => [Number(index), c.leafHashes[i]!]));
  const n = Number(c.size);
  const hasAny = (lo: number, hi: number): boolean => {
    for (let i = lo; i < hi; i++) if (set.has(i)) return true;
    return false;
  };
  const count = (lo: number, hi: number): number => {
    if (!hasAny(lo, hi)) return 1;
    if (hi - lo === 1) return 0;
    const k = split(hi - lo);
    return count(lo, lo + k) + count(lo + k, hi);
  };
  if (c.proof.length !== count(0, n)) return fail('INVALID_PROOF');
  if (!c.proof.every(isHash)) return fail('INVALID_HASH');
  let next = 0;
  const rebuild = (lo: number, hi: number): Uint8Array => {
    if (!hasAny(lo, hi)) return c.proof[next++]!;
    if (hi - lo === 1) return set.get(lo)!;
    const k = split(hi - lo);
    const left = rebuild(lo, lo + k);
    return refNodeHash(left, rebuild(lo + k, hi));
  };
  const code = c.range === undefined ? 'MULTI_PROOF_MISMATCH' : 'RANGE_PROOF_MISMATCH';
  return same(rebuild(0, n), c.root) ? { ok: true } : fail(code);
}

/** Leaf i of the project vectors: the ASCII string `leaf-i`. */
export function projectLeafData(i: number): Uint8Array {
  return new TextEncoder().encode(`leaf-${i}`);
}
