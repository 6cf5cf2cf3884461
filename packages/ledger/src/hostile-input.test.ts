/**
 * Hostile input: every public function fed garbage must throw a VerificationError with the right code (never a
 * TypeError, RangeError or SyntaxError), and must do so fast, before hashing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ledger from './index';
import { VerificationError, type VerificationErrorCode } from './index';

const leaves = Array.from({ length: 16 }, (_, i) => ledger.hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const root = ledger.rootHash(leaves);
const hash = leaves[0] as Uint8Array;
const short = new Uint8Array(31);
const huge = new Array<Uint8Array>(1_000_000).fill(hash);
const log = ledger.createSignerFromSeed('audit.example.com/x', new Uint8Array(32).fill(1));
const note = ledger.signNote('hello\n', log.skey);
const checkpoint = ledger.signCheckpoint({ origin: 'audit.example.com/x', size: 16n, root }, log.skey);
const tenMegabytes = 'A'.repeat(10 * 1024 * 1024);
const store = new ledger.MemoryHashStore();
store.writeHashes(new ledger.MerkleAppender().appendMany(leaves));

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error.code;
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
}

const any = <T>(value: unknown): T => value as T;

/** [description, call, expected code] */
const CASES: [string, () => unknown, VerificationErrorCode][] = [
  // tree and proofs
  ['hashLeaf(undefined)', () => ledger.hashLeaf(any(undefined)), 'INVALID_ARGUMENT'],
  ['hashChildren(short, hash)', () => ledger.hashChildren(short, hash), 'INVALID_HASH'],
  ['rootHash(undefined)', () => ledger.rootHash(any(undefined)), 'INVALID_ARGUMENT'],
  ['rootHash([short])', () => ledger.rootHash([short]), 'INVALID_HASH'],
  ['rootHash([string])', () => ledger.rootHash(any(['abc'])), 'INVALID_HASH'],
  ['inclusionProof(number index)', () => ledger.inclusionProof(any(5), 16n, leaves), 'INVALID_INDEX'],
  ['inclusionProof(-1n)', () => ledger.inclusionProof(-1n, 16n, leaves), 'INVALID_INDEX'],
  ['inclusionProof(size 2^64)', () => ledger.inclusionProof(0n, 1n << 64n, leaves), 'INVALID_TREE_SIZE'],
  ['inclusionProof(size > leaves)', () => ledger.inclusionProof(0n, 17n, leaves), 'INVALID_TREE_SIZE'],
  ['verifyInclusion(number size)', () => ledger.verifyInclusion(hash, 0n, any(16), [], root), 'INVALID_TREE_SIZE'],
  ['verifyInclusion(string index)', () => ledger.verifyInclusion(hash, any('0'), 16n, [], root), 'INVALID_INDEX'],
  ['verifyInclusion(index = size)', () => ledger.verifyInclusion(hash, 16n, 16n, [], root), 'INVALID_INDEX'],
  ['verifyInclusion(huge index)', () => ledger.verifyInclusion(hash, 1n << 70n, 16n, [], root), 'INVALID_INDEX'],
  ['verifyInclusion(size 0)', () => ledger.verifyInclusion(hash, 0n, 0n, [], root), 'INVALID_INDEX'],
  ['verifyInclusion(proof undefined)', () => ledger.verifyInclusion(hash, 0n, 16n, any(undefined), root), 'INVALID_PROOF'],
  ['verifyInclusion(proof string)', () => ledger.verifyInclusion(hash, 0n, 16n, any('abcd'), root), 'INVALID_PROOF'],
  ['verifyInclusion(1e6 proof)', () => ledger.verifyInclusion(hash, 0n, 16n, huge, root), 'INVALID_PROOF'],
  ['verifyInclusion(truncated)', () => ledger.verifyInclusion(hash, 0n, 16n, [hash], root), 'INVALID_PROOF'],
  ['verifyInclusion(proof of strings)', () => ledger.verifyInclusion(hash, 0n, 16n, any(['a', 'b', 'c', 'd']), root), 'INVALID_HASH'],
  ['verifyInclusion(short leaf)', () => ledger.verifyInclusion(short, 0n, 16n, [], root), 'INVALID_HASH'],
  ['verifyInclusion(root undefined)', () => ledger.verifyInclusion(hash, 0n, 16n, [], any(undefined)), 'INVALID_HASH'],
  ['rootFromInclusionProof(null leaf)', () => ledger.rootFromInclusionProof(any(null), 0n, 1n, []), 'INVALID_HASH'],
  ['consistencyProof(0n, 5n)', () => ledger.consistencyProof(0n, 5n, leaves), 'INVALID_TREE_SIZE'],
  ['verifyConsistency(m > n)', () => ledger.verifyConsistency(6n, 5n, [], root, root), 'INVALID_TREE_SIZE'],
  ['verifyConsistency(number)', () => ledger.verifyConsistency(any(1), 5n, [], root, root), 'INVALID_TREE_SIZE'],
  ['verifyConsistency(negative)', () => ledger.verifyConsistency(-1n, 5n, [], root, root), 'INVALID_TREE_SIZE'],
  ['verifyConsistency(1e6 proof)', () => ledger.verifyConsistency(3n, 16n, huge, root, root), 'INVALID_PROOF'],
  ['verifyConsistency(empty proof)', () => ledger.verifyConsistency(3n, 16n, [], root, root), 'INVALID_PROOF'],
  ['verifyConsistency(short root)', () => ledger.verifyConsistency(3n, 16n, [], short, root), 'INVALID_HASH'],
  ['multiLeafProof(unsorted)', () => ledger.multiLeafProof([2n, 1n], 16n, leaves), 'INVALID_INDEX'],
  ['multiLeafProof(numbers)', () => ledger.multiLeafProof(any([1, 2]), 16n, leaves), 'INVALID_INDEX'],
  ['verifyMultiLeaf(entries not array)', () => ledger.verifyMultiLeaf(16n, any({}), [], root), 'INVALID_INDEX'],
  ['verifyMultiLeaf(null entry)', () => ledger.verifyMultiLeaf(16n, any([null]), [], root), 'INVALID_INDEX'],
  ['verifyMultiLeaf(duplicate)', () => ledger.verifyMultiLeaf(16n, [{ index: 1n, leafHash: hash }, { index: 1n, leafHash: hash }], [], root), 'INVALID_INDEX'],
  ['verifyMultiLeaf(out of range)', () => ledger.verifyMultiLeaf(16n, [{ index: 16n, leafHash: hash }], [], root), 'INVALID_INDEX'],
  ['verifyMultiLeaf(no leaf hash)', () => ledger.verifyMultiLeaf(16n, any([{ index: 1n }]), [], root), 'INVALID_HASH'],
  ['verifyMultiLeaf(1e6 proof)', () => ledger.verifyMultiLeaf(16n, [{ index: 1n, leafHash: hash }], huge, root), 'INVALID_PROOF'],
  ['verifyRange(empty range)', () => ledger.verifyRange(3n, 3n, 16n, [], [], root), 'INVALID_INDEX'],
  ['verifyRange(end > size)', () => ledger.verifyRange(3n, 17n, 16n, [], [], root), 'INVALID_INDEX'],
  ['verifyRange(leaf count)', () => ledger.verifyRange(3n, 5n, 16n, [hash], [], root), 'INVALID_PROOF'],
  ['verifyRange(leaves undefined)', () => ledger.verifyRange(3n, 5n, 16n, any(undefined), [], root), 'INVALID_PROOF'],
  ['createMultiLeafVerifier(proof 42)', () => ledger.createMultiLeafVerifier(16n, any(42)), 'INVALID_PROOF'],
  ['createMultiLeafVerifier(number size)', () => ledger.createMultiLeafVerifier(any(16), []), 'INVALID_TREE_SIZE'],
  ['verifier.push(number)', () => ledger.createMultiLeafVerifier(16n, []).push(any(1), hash), 'INVALID_INDEX'],
  ['verifier.push(proof of strings)', () => ledger.createMultiLeafVerifier(16n, any(['x'])).push(1n, hash), 'INVALID_HASH'],
  ['verifier.push(throwing iterable)', () => ledger.createMultiLeafVerifier(16n, { [Symbol.iterator]: () => ({ next: () => { throw new TypeError('boom'); } }) }).push(1n, hash), 'INVALID_PROOF'],
  // plans, stores, appender
  ['planInclusion(number)', () => ledger.planInclusion(any(1), 16n), 'INVALID_INDEX'],
  ['planConsistency(0, 1)', () => ledger.planConsistency(0n, 1n), 'INVALID_TREE_SIZE'],
  ['planMultiLeaf([])', () => ledger.planMultiLeaf([], 16n), 'INVALID_INDEX'],
  ['planRange(5, 2)', () => ledger.planRange(5n, 2n, 16n), 'INVALID_INDEX'],
  ['planRoot(-1)', () => ledger.planRoot(-1n), 'INVALID_TREE_SIZE'],
  ['planFrontier(undefined)', () => ledger.planFrontier(any(undefined)), 'INVALID_TREE_SIZE'],
  ['proveInclusion(beyond store)', () => ledger.proveInclusion(store, 3n, 17n), 'MISSING_HASH'],
  ['proveInclusion(reader null)', () => ledger.proveInclusion(any(null), 3n, 16n), 'INVALID_ARGUMENT'],
  ['resolvePlan(reader returns strings)', () => ledger.resolvePlan({ readHashes: (ids) => ids.map(() => any('x')) }, ledger.planRoot(16n)), 'INVALID_HASH'],
  ['resolvePlan(reader returns null)', () => ledger.resolvePlan({ readHashes: () => any(null) }, ledger.planRoot(16n)), 'MISSING_HASH'],
  ['MerkleAppender.restore(bad frontier)', () => ledger.MerkleAppender.restore(3n, [hash]), 'INVALID_PROOF'],
  ['MerkleAppender.restore(frontier null)', () => ledger.MerkleAppender.restore(3n, any(null)), 'INVALID_PROOF'],
  ['appender.append(undefined)', () => new ledger.MerkleAppender().append(any(undefined)), 'INVALID_HASH'],
  ['appender.appendMany(string)', () => new ledger.MerkleAppender().appendMany(any('x')), 'INVALID_ARGUMENT'],
  ['store.writeHashes(gap)', () => new ledger.MemoryHashStore().writeHashes([{ level: 0, index: 5n, hash }]), 'INVALID_ARGUMENT'],
  ['store.writeHashes(level 1.5)', () => new ledger.MemoryHashStore().writeHashes([{ level: 1.5, index: 0n, hash }]), 'INVALID_ARGUMENT'],
  ['createHasher(undefined)', () => ledger.createHasher(any(undefined)), 'INVALID_ARGUMENT'],
  ['verifyInclusion(bad hasher)', () => ledger.verifyInclusion(hash, 0n, 1n, [], hash, { hasher: any({}) }), 'INVALID_ARGUMENT'],
  // encodings and parsing
  ['decodeBase64(10 MB garbage)', () => ledger.decodeBase64(`${tenMegabytes}*`), 'INVALID_ENCODING'],
  ['decodeHex(odd)', () => ledger.decodeHex('abc'), 'INVALID_ENCODING'],
  ['encodeHex(string)', () => ledger.encodeHex(any('x')), 'INVALID_ENCODING'],
  ['parseTreeSize(10 MB)', () => ledger.parseTreeSize(tenMegabytes), 'INVALID_TREE_SIZE'],
  ['parseHash(10 MB)', () => ledger.parseHash(tenMegabytes), 'INVALID_HASH'],
  // keys and notes
  ['parseVerifierKey(number)', () => ledger.parseVerifierKey(any(42)), 'MALFORMED_KEY'],
  ['parseVerifierKey(10 MB)', () => ledger.parseVerifierKey(tenMegabytes), 'MALFORMED_KEY'],
  ['parseSignerKey(vkey)', () => ledger.parseSignerKey(log.vkey), 'MALFORMED_KEY'],
  ['parseSignerKey(bad id)', () => ledger.parseSignerKey(log.skey.replace(/\+[0-9a-f]{8}\+/u, '+00000000+')), 'MALFORMED_KEY'],
  ['keyFingerprint(null)', () => ledger.keyFingerprint(any(null)), 'MALFORMED_KEY'],
  ['createSignerFromSeed(short seed)', () => ledger.createSignerFromSeed('a', new Uint8Array(31)), 'MALFORMED_KEY'],
  ['signNote(number)', () => ledger.signNote(any(1), log.skey), 'MALFORMED_NOTE'],
  ['signNote(no signers)', () => ledger.signNote('a\n', []), 'MALFORMED_KEY'],
  ['signNote(vkey as signer)', () => ledger.signNote('a\n', log.vkey), 'MALFORMED_KEY'],
  ['openNote(number)', () => ledger.openNote(any(42), log.vkey), 'MALFORMED_NOTE'],
  ['openNote(10 MB line)', () => ledger.openNote(`${tenMegabytes}\n\n\u2014 a AAAAAAAA\n`, log.vkey), 'MALFORMED_NOTE'],
  ['openNote(10 MB bytes)', () => ledger.openNote(new Uint8Array(10 * 1024 * 1024), log.vkey), 'MALFORMED_NOTE'],
  ['openNote(invalid utf-8)', () => ledger.openNote(Uint8Array.of(0xc3, 0x28, 10, 10), log.vkey), 'MALFORMED_NOTE'],
  ['openNote(lone surrogate)', () => ledger.openNote(note.replace('hello', 'he\ud800llo'), log.vkey), 'MALFORMED_NOTE'],
  ['openNote(NUL)', () => ledger.openNote(note.replace('hello', 'he\u0000llo'), log.vkey), 'MALFORMED_NOTE'],
  ['openNote(no signature)', () => ledger.openNote('hello\n', log.vkey), 'MALFORMED_NOTE'],
  ['openNote(100k signature lines)', () => ledger.openNote(`hello\n\n${'\u2014 a AAAAAAAA\n'.repeat(100_000)}`, log.vkey), 'MALFORMED_NOTE'],
  ['openNote(bad trusted key)', () => ledger.openNote(note, ['nonsense']), 'MALFORMED_KEY'],
  ['openNote(trusted key object garbage)', () => ledger.openNote(note, any([{}])), 'MALFORMED_KEY'],
  ['openNote(bad maxSignatures)', () => ledger.openNote(note, log.vkey, { maxSignatures: -1 }), 'INVALID_ARGUMENT'],
  ['openCheckpoint(note that is not a checkpoint)', () => ledger.openCheckpoint(note, log.vkey), 'MALFORMED_CHECKPOINT'],
  ['openCheckpoint(undefined)', () => ledger.openCheckpoint(any(undefined), log.vkey), 'MALFORMED_NOTE'],
  ['parseCheckpoint(number)', () => ledger.parseCheckpoint(any(1)), 'MALFORMED_CHECKPOINT'],
  ['formatCheckpoint(null)', () => ledger.formatCheckpoint(any(null)), 'MALFORMED_CHECKPOINT'],
  ['signCheckpoint(number size)', () => ledger.signCheckpoint(any({ origin: 'a', size: 1, root }), log.skey), 'INVALID_TREE_SIZE'],
  ['checkpointBodyHash(number)', () => ledger.checkpointBodyHash(any(1)), 'MALFORMED_CHECKPOINT'],
  ['verifyCheckpointChain(string)', () => ledger.verifyCheckpointChain(any('x'), log.vkey), 'CHAIN_BROKEN'],
  ['verifyCheckpointChain([null])', () => ledger.verifyCheckpointChain(any([null]), log.vkey), 'MALFORMED_NOTE'],
  ['verifyCheckpointChain(proof garbage)', () => ledger.verifyCheckpointChain([{ note: ledger.signCheckpoint({ origin: 'audit.example.com/x', size: 3n, root: ledger.rootHash(leaves.slice(0, 3)) }, log.skey) }, { note: ledger.signCheckpoint({ origin: 'audit.example.com/x', size: 16n, root, prev: ledger.checkpointBodyHash(ledger.signCheckpoint({ origin: 'audit.example.com/x', size: 3n, root: ledger.rootHash(leaves.slice(0, 3)) }, log.skey)) }, log.skey), consistencyProof: any('x') }], log.vkey), 'INVALID_PROOF'],
  ['verifyCheckpointConsistent(null)', () => ledger.verifyCheckpointConsistent(any(null), any(null), []), 'INVALID_ARGUMENT'],
  ['verifyCheckpointConsistent(number size)', () => ledger.verifyCheckpointConsistent(any({ size: 1, root }), { size: 2n, root }, []), 'INVALID_TREE_SIZE'],
  ['parseTlogProof(number)', () => ledger.parseTlogProof(any(1)), 'MALFORMED_TLOG_PROOF'],
  ['parseTlogProof(10 MB)', () => ledger.parseTlogProof(tenMegabytes), 'MALFORMED_TLOG_PROOF'],
  ['verifyTlogProof(bad leaf)', () => ledger.verifyTlogProof(ledger.formatTlogProof({ index: 0n, proof: ledger.inclusionProof(0n, 16n, leaves), checkpoint }), short, log.vkey), 'INVALID_HASH'],
  ['formatTlogProof(garbage)', () => ledger.formatTlogProof(any({ index: 0n, proof: 'x', checkpoint })), 'MALFORMED_TLOG_PROOF'],
];

describe('hostile input', () => {
  describe('when each public function is fed garbage', () => {
    it.each(CASES)('%s throws a VerificationError with the right code', (_, action, code) => {
      // Hostile input is rejected before any expensive work; the test timeout is the hang guard
      // (speed is measured by benchmarks, never asserted here).
      expect(codeOf(action)).toBe(code);
    });

    it('never throws anything but a VerificationError for random values in any argument', () => {
      const garbage = fc.oneof(
        fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, maxDepth: 2 }),
        fc.constant(hash), fc.constant(leaves), fc.bigInt({ min: -2n, max: 1n << 65n }), fc.constant(note), fc.constant(log.vkey),
      );
      const calls: ((args: unknown[]) => unknown)[] = [
        (a) => ledger.verifyInclusion(any(a[0]), any(a[1]), any(a[2]), any(a[3]), any(a[4])),
        (a) => ledger.verifyConsistency(any(a[0]), any(a[1]), any(a[2]), any(a[3]), any(a[4])),
        (a) => ledger.verifyMultiLeaf(any(a[0]), any(a[1]), any(a[2]), any(a[3])),
        (a) => ledger.verifyRange(any(a[0]), any(a[1]), any(a[2]), any(a[3]), any(a[4]), any(a[5])),
        (a) => {
          const verifier = ledger.createMultiLeafVerifier(any(a[0]), any(a[1]));
          verifier.push(any(a[2]), any(a[3]));
          verifier.finish(any(a[4]));
        },
        (a) => ledger.inclusionProof(any(a[0]), any(a[1]), any(a[2])),
        (a) => ledger.consistencyProof(any(a[0]), any(a[1]), any(a[2])),
        (a) => ledger.multiLeafProof(any(a[0]), any(a[1]), any(a[2])),
        (a) => ledger.rangeProof(any(a[0]), any(a[1]), any(a[2]), any(a[3])),
        (a) => ledger.rootHash(any(a[0])),
        (a) => ledger.planMultiLeaf(any(a[0]), any(a[1])),
        (a) => ledger.proveInclusion(store, any(a[0]), any(a[1])),
        (a) => ledger.MerkleAppender.restore(any(a[0]), any(a[1])),
        (a) => new ledger.MemoryHashStore().writeHashes(any(a[0])),
        (a) => ledger.parseTreeSize(any(a[0])),
        (a) => ledger.parseHash(any(a[0])),
        (a) => ledger.decodeBase64(any(a[0])),
        (a) => ledger.parseVerifierKey(any(a[0])),
        (a) => ledger.openNote(any(a[0]), any(a[1])),
        (a) => ledger.openCheckpoint(any(a[0]), any(a[1])),
        (a) => ledger.parseCheckpoint(any(a[0])),
        (a) => ledger.verifyCheckpointChain(any(a[0]), any(a[1])),
        (a) => ledger.verifyCheckpointConsistent(any(a[0]), any(a[1]), any(a[2])),
        (a) => ledger.parseTlogProof(any(a[0])),
        (a) => ledger.checkpointBodyHash(any(a[0])),
      ];
      fc.assert(fc.property(fc.integer({ min: 0, max: calls.length - 1 }), fc.array(garbage, { minLength: 6, maxLength: 6 }), (which, args) => {
        const result = codeOf(() => (calls[which] as (args: unknown[]) => unknown)(args));
        expect(result.includes(':'), `call ${which} threw ${result}`).toBe(false);
      }), { numRuns: 3000 });
    });
  });
});
