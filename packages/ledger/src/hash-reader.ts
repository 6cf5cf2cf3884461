/**
 * Reading plans from a hash store. {@link MemoryHashStore} is a {@link HashReader}; a database implements
 * {@link AsyncHashReader} with one query per plan (`WHERE (level, idx) IN (…)`).
 */
import type { HasherOptions } from './hasher';
import {
  planConsistency, planFrontier, planInclusion, planMultiLeaf, planRange, planRoot, type HashPlan, type NodeId,
} from './hash-plan';
import { describeType } from './validate';
import { VerificationError } from './verification-error';

/** A synchronous hash store: the hash of each id, in order, or `undefined` where it has none. */
export interface HashReader {
  readHashes(ids: readonly NodeId[]): readonly (Uint8Array | undefined)[];
}

/** An asynchronous hash store (e.g. SQL); same contract as {@link HashReader}. */
export interface AsyncHashReader {
  readHashes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]>;
}

function requireReader(reader: unknown): void {
  if (reader === null || typeof reader !== 'object' || typeof (reader as HashReader).readHashes !== 'function') {
    throw new VerificationError('INVALID_ARGUMENT', `hash reader must have a readHashes method, got ${describeType(reader)}`);
  }
}

/** Reads a plan's hashes from `reader` and assembles them. Throws `MISSING_HASH` if the store lacks one. */
export function resolvePlan<T>(reader: HashReader, plan: HashPlan<T>): T {
  requireReader(reader);
  return plan.assemble(plan.ids.length === 0 ? [] : reader.readHashes(plan.ids));
}

/** Async {@link resolvePlan}: one `readHashes` call per plan. */
export async function resolvePlanAsync<T>(reader: AsyncHashReader, plan: HashPlan<T>): Promise<T> {
  requireReader(reader);
  return plan.assemble(plan.ids.length === 0 ? [] : await reader.readHashes(plan.ids));
}

/** Inclusion proof of leaf `index` in the tree of `size`, from stored hashes (RFC 9162 §2.1.3.1). */
export function proveInclusion(reader: HashReader, index: bigint, size: bigint, options?: HasherOptions): Uint8Array[] {
  return resolvePlan(reader, planInclusion(index, size, options));
}

/** Async {@link proveInclusion}. */
export async function proveInclusionAsync(reader: AsyncHashReader, index: bigint, size: bigint, options?: HasherOptions): Promise<Uint8Array[]> {
  return resolvePlanAsync(reader, planInclusion(index, size, options));
}

/** Consistency proof from size m to n, from stored hashes (RFC 9162 §2.1.4.1). */
export function proveConsistency(reader: HashReader, m: bigint, n: bigint, options?: HasherOptions): Uint8Array[] {
  return resolvePlan(reader, planConsistency(m, n, options));
}

/** Async {@link proveConsistency}. */
export async function proveConsistencyAsync(reader: AsyncHashReader, m: bigint, n: bigint, options?: HasherOptions): Promise<Uint8Array[]> {
  return resolvePlanAsync(reader, planConsistency(m, n, options));
}

/** Multi-leaf proof of strictly increasing `indexes`, from stored hashes. */
export function proveMultiLeaf(reader: HashReader, indexes: readonly bigint[], size: bigint, options?: HasherOptions): Uint8Array[] {
  return resolvePlan(reader, planMultiLeaf(indexes, size, options));
}

/** Async {@link proveMultiLeaf}. */
export async function proveMultiLeafAsync(
  reader: AsyncHashReader, indexes: readonly bigint[], size: bigint, options?: HasherOptions,
): Promise<Uint8Array[]> {
  return resolvePlanAsync(reader, planMultiLeaf(indexes, size, options));
}

/** Range proof of leaves [a, b), from stored hashes. */
export function proveRange(reader: HashReader, a: bigint, b: bigint, size: bigint, options?: HasherOptions): Uint8Array[] {
  return resolvePlan(reader, planRange(a, b, size, options));
}

/** Async {@link proveRange}. */
export async function proveRangeAsync(
  reader: AsyncHashReader, a: bigint, b: bigint, size: bigint, options?: HasherOptions,
): Promise<Uint8Array[]> {
  return resolvePlanAsync(reader, planRange(a, b, size, options));
}

/** The root of the tree at `size` (any size the store covers), from stored hashes. */
export function readRoot(reader: HashReader, size: bigint, options?: HasherOptions): Uint8Array {
  return resolvePlan(reader, planRoot(size, options));
}

/** Async {@link readRoot}. */
export async function readRootAsync(reader: AsyncHashReader, size: bigint, options?: HasherOptions): Promise<Uint8Array> {
  return resolvePlanAsync(reader, planRoot(size, options));
}

/** The frontier at `size`, for {@link MerkleAppender.restore}. */
export function readFrontier(reader: HashReader, size: bigint): Uint8Array[] {
  return resolvePlan(reader, planFrontier(size));
}

/** Async {@link readFrontier}. */
export async function readFrontierAsync(reader: AsyncHashReader, size: bigint): Promise<Uint8Array[]> {
  return resolvePlanAsync(reader, planFrontier(size));
}
