/**
 * A {@link LeafBatchChecker} for tests: runs `checkLeafBatch` inline on each batch twice, hashing each leaf with
 * Node's SHA-256 and with the leaf hashes precomputed by `wasmSha256().sha256IntoMany` (WebAssembly SIMD), and
 * records every batch whose two results differ. It returns the first result, so verification is unchanged.
 */
import { isDeepStrictEqual } from 'node:util';

import { checkLeafBatch, wasmSha256, type LeafBatch, type LeafBatchChecker } from '../src/index';
import { nodeSha256Into } from './node-adapters';

export interface DifferentialChecker extends LeafBatchChecker {
  /** Batches checked so far. */
  readonly batches: number;
  /** Batches whose results differed. */
  readonly mismatches: readonly LeafBatch[];
}

export function createDifferentialChecker(): DifferentialChecker {
  const many = wasmSha256()?.sha256IntoMany;
  if (many === undefined) throw new Error('WebAssembly SIMD SHA-256 unavailable in Node: it must compile here');
  let batches = 0;
  const mismatches: LeafBatch[] = [];
  return {
    concurrency: 1,
    get batches() {
      return batches;
    },
    mismatches,
    check: (batch, context) => {
      const oneByOne = checkLeafBatch(batch, context, nodeSha256Into);
      const precomputed = checkLeafBatch(batch, context, nodeSha256Into, many);
      batches += 1;
      if (!isDeepStrictEqual(precomputed, oneByOne)) mismatches.push(batch);
      return Promise.resolve(oneByOne);
    },
  };
}
