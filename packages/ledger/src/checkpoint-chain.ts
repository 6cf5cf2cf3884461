/**
 * Custody's checkpoint hash chain. Each checkpoint after the first carries the extension line
 * `prev <base64 SHA-256 of the previous checkpoint's body>`, where the body is the signed note text (everything
 * before the blank line that precedes the signatures, including its final `\n`). Signatures are excluded so that
 * witness cosignatures added later do not break the chain. Consistency proofs between successive checkpoints carry
 * the append-only guarantee; the chain makes a removed or altered checkpoint evident.
 */
import { encodeBase64 } from './base64';
import { bytesEqual, utf8Encode } from './bytes';
import { nobleSha256, type SignatureOptions } from './crypto';
import { createHasher, resolveHasher, type HasherOptions } from './hasher';
import { openCheckpoint, type OpenCheckpointOptions, type OpenedCheckpoint } from './checkpoint';
import { verifyConsistency } from './consistency';
import { trustKeys, type TrustedKeys } from './note';
import { describeType, mismatch, requireHash, requireSize } from './validate';
import { VerificationError } from './verification-error';

/**
 * SHA-256 of a checkpoint's body, for the `prev` line of its successor. Accepts the signed note (the body is the
 * text before the last `\n\n`, plus one `\n`) or the body itself (no `\n\n`, ending in `\n`).
 * Throws `MALFORMED_CHECKPOINT` for other text.
 */
export function checkpointBodyHash(noteOrBody: string, options?: SignatureOptions): Uint8Array {
  if (typeof noteOrBody !== 'string') {
    throw new VerificationError('MALFORMED_CHECKPOINT', `checkpoint must be a string, got ${describeType(noteOrBody)}`);
  }
  if (!noteOrBody.endsWith('\n')) throw new VerificationError('MALFORMED_CHECKPOINT', 'checkpoint does not end with a newline');
  const split = noteOrBody.lastIndexOf('\n\n');
  const body = split < 0 ? noteOrBody : noteOrBody.slice(0, split + 1);
  return (options?.sha256 ?? nobleSha256)(utf8Encode(body));
}

/** A tree head: size and root. */
export interface TreeHead {
  readonly size: bigint;
  readonly root: Uint8Array;
}

/**
 * Checks that tree head `next` extends `prev` (the server calls this before signing `next`):
 * - sizes never decrease (`CONSISTENCY_PROOF_MISMATCH`, "log shrank …");
 * - equal sizes need an empty proof (`INVALID_PROOF`) and equal roots;
 * - from size 0 the proof is empty and `prev.root` must be SHA-256("");
 * - otherwise RFC 9162 §2.1.4.2 ({@link verifyConsistency}).
 * `proof` may be `undefined` where it must be empty.
 */
export function verifyCheckpointConsistent(
  prev: TreeHead, next: TreeHead, proof: readonly Uint8Array[] | undefined, options?: HasherOptions,
): void {
  const hasher = resolveHasher(options);
  if (prev === null || typeof prev !== 'object' || next === null || typeof next !== 'object') {
    throw new VerificationError('INVALID_ARGUMENT', 'tree heads must be objects with size and root');
  }
  const m = requireSize(prev.size, 'previous tree size');
  const n = requireSize(next.size, 'next tree size');
  const rootM = requireHash(prev.root, 'previous root');
  const rootN = requireHash(next.root, 'next root');
  const path = proof ?? [];
  const details = { size1: m.toString(), size2: n.toString() };
  if (n < m) {
    throw new VerificationError('CONSISTENCY_PROOF_MISMATCH', `log shrank from size ${m} to ${n}`, { details });
  }
  if (m === 0n || m === n) {
    if (!Array.isArray(path) || path.length !== 0) {
      throw new VerificationError('INVALID_PROOF', `consistency proof from size ${m} to ${n} must be empty`, { details });
    }
    if (m === 0n && !bytesEqual(rootM, hasher.emptyRoot())) {
      throw mismatch('CONSISTENCY_PROOF_MISMATCH', 'tree of size 0 has a root other than the empty root', hasher.emptyRoot(), rootM, details);
    }
    if (m === n && !bytesEqual(rootM, rootN)) {
      throw mismatch('CONSISTENCY_PROOF_MISMATCH', `trees of equal size ${m} have different roots`, rootM, rootN, details);
    }
    return;
  }
  verifyConsistency(m, n, path, rootM, rootN, { hasher });
}

/** One link of a checkpoint chain: a signed checkpoint and the consistency proof from its predecessor to it. */
export interface CheckpointLink {
  readonly note: string;
  /** Proof from the previous link's tree to this one; omit for the first link, equal sizes and size 0. */
  readonly consistencyProof?: readonly Uint8Array[];
}

/** Options of {@link verifyCheckpointChain}. */
export interface CheckpointChainOptions extends OpenCheckpointOptions, HasherOptions {}

/** Re-throws a link's error with `checkpoint <i>: ` in the message and `details.link`. */
function atLink<T>(link: number, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    throw new VerificationError(error.code, `checkpoint ${link}: ${error.message}`, {
      cause: error,
      details: { ...error.details, link },
    });
  }
}

/**
 * Verifies a chain of signed checkpoints, oldest first, and returns them opened. Every note must open with a
 * trusted key (`MALFORMED_NOTE`, `BAD_SIGNATURE`, `UNKNOWN_KEY`, `MALFORMED_CHECKPOINT`); every origin must equal
 * `options.origin`, else the first link's (`ORIGIN_MISMATCH`); each link after the first must carry a `prev` line
 * equal to {@link checkpointBodyHash} of its predecessor (`CHAIN_BROKEN`, details `{ link, expected, found }` in
 * base64); and each tree head must extend its predecessor's ({@link verifyCheckpointConsistent}:
 * `CONSISTENCY_PROOF_MISMATCH`, `INVALID_PROOF`). The first link's `prev` and proof are not checked. Errors name
 * the link (0-based) in the message and `details.link`.
 */
export function verifyCheckpointChain(
  links: readonly CheckpointLink[], trustedKeys: TrustedKeys, options?: CheckpointChainOptions,
): OpenedCheckpoint[] {
  if (!Array.isArray(links)) throw new VerificationError('CHAIN_BROKEN', `checkpoint chain must be an array, got ${describeType(links)}`);
  if (links.length === 0) throw new VerificationError('CHAIN_BROKEN', 'checkpoint chain is empty');
  const keys = [...trustKeys(trustedKeys, options).values()];
  const hasher = options?.hasher ?? (options?.sha256 === undefined ? resolveHasher(undefined) : createHasher(options.sha256));
  const opened: OpenedCheckpoint[] = [];
  let origin = options?.origin;
  links.forEach((link: unknown, i) => {
    atLink(i, () => {
      if (link === null || typeof link !== 'object') {
        throw new VerificationError('MALFORMED_NOTE', `link must be an object with a note, got ${describeType(link)}`);
      }
      const { note, consistencyProof } = link as { note?: unknown; consistencyProof?: unknown };
      const checkpoint = openCheckpoint(note as string, keys, { ...options, origin });
      origin ??= checkpoint.origin;
      const previous = opened[i - 1];
      if (previous !== undefined) {
        const expected = checkpointBodyHash(previous.body, options);
        if (checkpoint.prev === undefined) {
          throw new VerificationError('CHAIN_BROKEN', 'checkpoint has no prev line naming its predecessor', {
            details: { expected: encodeBase64(expected), found: 'none' },
          });
        }
        if (!bytesEqual(checkpoint.prev, expected)) {
          throw new VerificationError('CHAIN_BROKEN', 'prev line does not match the previous checkpoint', {
            details: { expected: encodeBase64(expected), found: encodeBase64(checkpoint.prev) },
          });
        }
        verifyCheckpointConsistent(previous, checkpoint, consistencyProof as readonly Uint8Array[] | undefined, { hasher });
      }
      opened.push(checkpoint);
    });
  });
  return opened;
}
