/**
 * `@custody/ledger`: the verifiable log. RFC 9162 Merkle tree, inclusion/consistency/multi-leaf/range proofs, an
 * append structure with stored-hash plans, C2SP signed notes, hash-chained C2SP checkpoints and tlog-proof files.
 * Pure: `Uint8Array` and `bigint` only, injected crypto with `@noble/*` defaults; runs in Node, browsers and Workers.
 */
export { VERIFICATION_ERROR_CODES, VerificationError, isVerificationError } from './verification-error';
export type { VerificationErrorCode, VerificationErrorDetails, VerificationErrorOptions } from './verification-error';

export { bytesEqual } from './bytes';
export { decodeBase64, encodeBase64 } from './base64';
export { decodeHex, encodeHex } from './hex';
export { parseHash, parseIndex, parseTreeSize } from './parse';

export { nobleEd25519, nobleSha256, sha256IntoOf } from './crypto';
export type { Ed25519, Sha256, Sha256Into, SignatureOptions } from './crypto';
export {
  HASH_SIZE, LEAF_HASH_PREFIX, NODE_HASH_PREFIX, createHasher, defaultHasher, hashChildren, hashLeaf,
} from './hasher';
export type { Hasher, HasherOptions } from './hasher';

export { rootHash } from './root-hash';
export { inclusionProof, inclusionProofLength, rootFromInclusionProof, verifyInclusion } from './inclusion';
export { consistencyProof, consistencyProofLength, verifyConsistency } from './consistency';
export {
  createMultiLeafVerifier, multiLeafProof, multiLeafProofLength, rangeProof, rangeProofLength, verifyMultiLeaf, verifyRange,
} from './multi-leaf';
export type { LeafEntry, MultiLeafVerifier, MultiLeafVerifierOptions } from './multi-leaf';

export { MerkleAppender } from './merkle-appender';
export type { StoredHash } from './merkle-appender';
export {
  planConsistency, planFrontier, planInclusion, planMultiLeaf, planRange, planRoot, requireStoredHashes,
} from './hash-plan';
export type { HashPlan, NodeId } from './hash-plan';
export {
  proveConsistency, proveConsistencyAsync, proveInclusion, proveInclusionAsync, proveMultiLeaf, proveMultiLeafAsync,
  proveRange, proveRangeAsync, readFrontier, readFrontierAsync, readRoot, readRootAsync, resolvePlan, resolvePlanAsync,
} from './hash-reader';
export type { AsyncHashReader, HashReader } from './hash-reader';
export { MemoryHashStore } from './memory-hash-store';
export type { MemoryHashStoreOptions, MemoryHashStoreSnapshot } from './memory-hash-store';

export {
  ED25519_SIGNATURE_TYPE, computeKeyId, createSignerFromSeed, generateSigner, keyFingerprint, parseSignerKey,
  parseVerifierKey,
} from './note-key';
export type { GeneratedSigner, SignerKey, VerifierKey } from './note-key';
export { DEFAULT_MAX_NOTE_LENGTH, DEFAULT_MAX_SIGNATURES, openNote, signNote } from './note';
export type { NoteSignature, OpenNoteOptions, OpenedNote, TrustedKeys } from './note';
export { PREV_EXTENSION, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint';
export type { Checkpoint, OpenCheckpointOptions, OpenedCheckpoint, ParsedCheckpoint } from './checkpoint';
export { checkpointBodyHash, verifyCheckpointChain, verifyCheckpointConsistent } from './checkpoint-chain';
export type { CheckpointChainOptions, CheckpointLink, TreeHead } from './checkpoint-chain';
export { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof';
export type { TlogProof } from './tlog-proof';
