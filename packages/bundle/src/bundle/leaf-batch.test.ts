/**
 * `checkLeafBatch` with the leaf hashes precomputed by `sha256IntoMany` (WebAssembly SIMD) against hashing each
 * leaf as the loop reaches it: identical results on random, mostly hostile batches (wrong and right hashes, bad
 * leaf lines, flags that disagree with kinds, event ends out of range or out of order, counts beyond the arrays).
 * The tamper and fuzz suites (`test/`) run the same comparison on every batch of real bundles.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { portableSha256Into } from '../platform/sha256';
import { wasmSha256 } from '../platform/sha256-wasm';
import type { Sha256Into } from '../platform/types';
import { checkLeafBatch, type LeafBatch, type LeafBatchContext } from './leaf-batch';

const nodeSha256Into: Sha256Into = (data, out, offset) => void out.set(createHash('sha256').update(data).digest(), offset);
const encoder = new TextEncoder();

function many(): NonNullable<NonNullable<ReturnType<typeof wasmSha256>>['sha256IntoMany']> {
  const fn = wasmSha256()?.sha256IntoMany;
  if (fn === undefined) throw new Error('WebAssembly SIMD SHA-256 unavailable in Node: it must compile here');
  return fn;
}

interface Spec {
  readonly events: readonly string[];
  /** Per leaf: its kind, whether its hash is the right one, and whether its line is garbled. */
  readonly leaves: readonly { readonly kind: 'event' | 'withheld' | 'purged'; readonly seq: number; readonly right: boolean; readonly garbled: boolean; readonly flag: boolean }[];
  /** Replacements of event ends (index, value), possibly out of range. */
  readonly endEdits: readonly (readonly [number, number])[];
  readonly extraEventCount: number;
  readonly extraLeafCount: number;
  readonly treeSize: number;
}

/** Builds a batch from a spec, event lines laid out as 0x00 ‖ line ‖ '\n'. */
function batchOf(spec: Spec): LeafBatch {
  const lines = spec.events.map((line) => encoder.encode(line));
  const events = new Uint8Array(lines.reduce((sum, line) => sum + line.length + 2, 0));
  const eventEnds = new Uint32Array(lines.length);
  let at = 0;
  lines.forEach((line, i) => {
    events.set(line, at + 1);
    eventEnds[i] = at + 1 + line.length;
    events[at + 1 + line.length] = 0x0a;
    at += line.length + 2;
  });
  for (const [index, value] of spec.endEdits) if (lines.length > 0) eventEnds[index % lines.length] = value;
  let eventIndex = 0;
  const leafLines = spec.leaves.map((leaf) => {
    const line = lines[eventIndex] ?? new Uint8Array(0);
    if (leaf.kind === 'event') eventIndex += 1;
    const hash = createHash('sha256').update(Uint8Array.of(0)).update(line).digest();
    if (!leaf.right) hash[leaf.seq % 32] = (hash[leaf.seq % 32] as number) ^ 1;
    const text = `${leaf.seq} ${leaf.kind} ${hash.toString('base64')}`;
    return leaf.garbled ? text.slice(0, 20) : text;
  });
  const leaves = encoder.encode(leafLines.map((line) => `${line}\n`).join(''));
  const leafEnds = new Uint32Array(leafLines.length);
  let end = -1;
  leafLines.forEach((line, i) => {
    end += encoder.encode(line).length + 1;
    leafEnds[i] = end;
  });
  const eventFlags = Uint8Array.from(spec.leaves, (leaf) => ((leaf.kind === 'event') !== leaf.flag ? 1 : 0));
  return {
    leafLine: 10, eventLine: 7, leaves, leafCount: leafLines.length + spec.extraLeafCount, leafEnds, eventFlags,
    events, eventCount: lines.length + spec.extraEventCount, eventEnds,
  };
}

const eventText = fc.oneof(
  fc.nat({ max: 60 }).map((seq) => `{"organization_id":"org_acme","seq":${seq},"text":"${'x'.repeat(seq * 9)}"}`),
  fc.string({ maxLength: 700 }),
);

const specs: fc.Arbitrary<Spec> = fc.record({
  events: fc.array(eventText, { maxLength: 30 }),
  leaves: fc.array(
    fc.record({
      kind: fc.constantFrom('event' as const, 'event' as const, 'event' as const, 'withheld' as const, 'purged' as const),
      seq: fc.nat({ max: 60 }),
      right: fc.boolean(),
      garbled: fc.nat({ max: 9 }).map((n) => n === 0),
      flag: fc.nat({ max: 19 }).map((n) => n === 0),
    }),
    { maxLength: 40 },
  ).map((leaves) => {
    // Mostly ascending seqs, as in a real batch.
    let seq = 0;
    return leaves.map((leaf) => ({ ...leaf, seq: leaf.seq < 50 ? (seq += 1 + (leaf.seq % 3)) : leaf.seq }));
  }),
  endEdits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 30_000 })), { maxLength: 2 }),
  extraEventCount: fc.constantFrom(0, 0, 0, 3),
  extraLeafCount: fc.constantFrom(0, 0, 0, 2),
  treeSize: fc.constantFrom(200, 200, 40),
});

describe('checkLeafBatch with sha256IntoMany', () => {
  it('gives the same result as hashing each leaf in the loop, on random hostile batches', () => {
    let mismatches = 0;
    const seen = new Set<string>();
    fc.assert(
      fc.property(specs, fc.constantFrom<string | undefined>('org_acme', undefined, 'org_other'), fc.nat({ max: 5 }), (spec, organizationId, maxFailures) => {
        const batch = batchOf(spec);
        const context: LeafBatchContext = { treeSize: spec.treeSize, maxFailures, ...(organizationId === undefined ? {} : { organizationId }) };
        const oneByOne = checkLeafBatch(batch, context, nodeSha256Into);
        const precomputed = checkLeafBatch(batch, context, portableSha256Into, many());
        for (const code of Object.keys(oneByOne.failureCounts)) seen.add(code);
        for (const failure of oneByOne.failures) seen.add(failure.code);
        if (oneByOne.eventsValid > 0) seen.add('valid events');
        if (!isDeepStrictEqual(precomputed, oneByOne)) {
          mismatches += 1;
          expect(precomputed).toEqual(oneByOne);
        }
      }),
      { numRuns: 400, seed: 20_261_126 },
    );
    expect(mismatches).toBe(0);
    // The batches reach the paths that matter: hashes right and wrong, and the failures before the hash.
    for (const code of ['valid events', 'LEAF_HASH_MISMATCH', 'BAD_LEAF_LINE', 'LEAF_ORDER', 'EVENT_MISSING', 'NOT_CANONICAL', 'SEQ_MISMATCH']) {
      expect(seen, code).toContain(code);
    }
  });

  it('reports a wrong leaf hash with the same expected and found hashes', () => {
    const batch = batchOf({
      events: ['{"seq":1}', '{"seq":2}', '{"seq":3}', '{"seq":4}', '{"seq":5}'],
      leaves: [1, 2, 3, 4, 5].map((seq) => ({ kind: 'event' as const, seq, right: seq !== 4, garbled: false, flag: false })),
      endEdits: [], extraEventCount: 0, extraLeafCount: 0, treeSize: 10,
    });
    const context: LeafBatchContext = { treeSize: 10, maxFailures: 10 };
    const result = checkLeafBatch(batch, context, nodeSha256Into, many());
    expect(result).toEqual(checkLeafBatch(batch, context, nodeSha256Into));
    const mismatch = result.failures.find((failure) => failure.code === 'LEAF_HASH_MISMATCH');
    expect(mismatch).toMatchObject({ line: 11, seq: '4' });
    expect(mismatch?.found).toBe(createHash('sha256').update('\u0000{"seq":4}').digest('base64'));
  });
});
