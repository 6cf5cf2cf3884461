/**
 * C2SP tlog-proof@v1 (verifiable-log.md §4): an offline proof of one entry.
 *
 * ```text
 * c2sp.org/tlog-proof@v1
 * [extra <base64 opaque data>]     optional, NOT authenticated
 * index <decimal>
 * <base64 hash>                    zero or more: the RFC 9162 inclusion path, leaf sibling first
 *                                  (empty line)
 * <checkpoint note, verbatim, signatures included>
 * ```
 */
import { decodeBase64, encodeBase64 } from './base64';
import { isBytes } from './bytes';
import type { HasherOptions } from './hasher';
import { openCheckpoint, type OpenCheckpointOptions, type OpenedCheckpoint } from './checkpoint';
import { verifyInclusion } from './inclusion';
import type { TrustedKeys } from './note';
import { DEFAULT_MAX_NOTE_LENGTH } from './note';
import { parseIndex } from './parse';
import { describeType, requireHash, requireIndex } from './validate';
import { VerificationError } from './verification-error';

/** First line of a tlog-proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** An inclusion path never has more than 64 hashes (sizes are below 2^64). */
const MAX_PATH = 64;

/** A tlog-proof's contents. */
export interface TlogProof {
  readonly index: bigint;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
  /** Opaque, unauthenticated data. */
  readonly extra?: Uint8Array;
}

/** Formats a tlog-proof@v1 file. Throws `MALFORMED_TLOG_PROOF`, `INVALID_INDEX` or `INVALID_HASH`. */
export function formatTlogProof(proof: TlogProof): string {
  if (proof === null || typeof proof !== 'object') throw new VerificationError('MALFORMED_TLOG_PROOF', 'tlog proof must be an object');
  const index = requireIndex(proof.index);
  if (!Array.isArray(proof.proof) || proof.proof.length > MAX_PATH) {
    throw new VerificationError('MALFORMED_TLOG_PROOF', 'tlog proof path must be an array of at most 64 hashes');
  }
  if (typeof proof.checkpoint !== 'string' || !proof.checkpoint.endsWith('\n')) {
    throw new VerificationError('MALFORMED_TLOG_PROOF', 'tlog proof checkpoint must be a note ending in a newline');
  }
  const lines = [TLOG_PROOF_HEADER];
  if (proof.extra !== undefined) {
    if (!isBytes(proof.extra)) throw new VerificationError('MALFORMED_TLOG_PROOF', 'tlog proof extra data must be bytes');
    lines.push(`extra ${encodeBase64(proof.extra)}`);
  }
  lines.push(`index ${index}`);
  proof.proof.forEach((hash, i) => lines.push(encodeBase64(requireHash(hash, `proof hash ${i}`))));
  return `${lines.join('\n')}\n\n${proof.checkpoint}`;
}

/**
 * Parses a tlog-proof@v1 file strictly (header, optional `extra`, `index` without leading zeros, base64 hashes of
 * 32 bytes, an empty line, the checkpoint). Does not verify anything. Throws `MALFORMED_TLOG_PROOF`.
 */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') throw new VerificationError('MALFORMED_TLOG_PROOF', `tlog proof must be a string, got ${describeType(text)}`);
  if (text.length > DEFAULT_MAX_NOTE_LENGTH) throw new VerificationError('MALFORMED_TLOG_PROOF', 'tlog proof is too large');
  const fail = (why: string, cause?: unknown): VerificationError =>
    new VerificationError('MALFORMED_TLOG_PROOF', `tlog proof ${why}`, { cause });
  const split = text.indexOf('\n\n');
  if (split < 0) throw fail('has no empty line before the checkpoint');
  const head = text.slice(0, split).split('\n');
  const checkpoint = text.slice(split + 2);
  if (head[0] !== TLOG_PROOF_HEADER) throw fail(`does not start with ${TLOG_PROOF_HEADER}`);
  let line = 1;
  let extra: Uint8Array | undefined;
  if (head[line]?.startsWith('extra ') === true) {
    try {
      extra = decodeBase64((head[line] as string).slice(6));
    } catch (error) {
      throw fail('has invalid base64 extra data', error);
    }
    line += 1;
  }
  const indexLine = head[line] ?? '';
  if (!indexLine.startsWith('index ')) throw fail(`line ${line + 1} is not an index line`);
  let index: bigint;
  try {
    index = parseIndex(indexLine.slice(6));
  } catch (error) {
    throw fail('has an invalid index', error);
  }
  const hashLines = head.slice(line + 1);
  if (hashLines.length > MAX_PATH) throw fail(`has ${hashLines.length} proof hashes, at most ${MAX_PATH} allowed`);
  const proof = hashLines.map((hashLine, i) => {
    try {
      if (hashLine.length !== 44) throw new VerificationError('INVALID_HASH', `proof hash has ${hashLine.length} characters, expected 44`);
      const hash = decodeBase64(hashLine);
      if (hash.length !== 32) throw new VerificationError('INVALID_HASH', `proof hash has ${hash.length} bytes, expected 32`);
      return hash;
    } catch (error) {
      throw fail(`line ${line + 2 + i} is not a base64 hash`, error);
    }
  });
  if (checkpoint.length === 0) throw fail('has no checkpoint');
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/**
 * Verifies a tlog-proof@v1 for a leaf hash: parses it, opens the checkpoint with the trusted keys (and
 * `options.origin`), then verifies the inclusion proof against the checkpoint's size and root (RFC 9162 §2.1.3.2).
 * Returns the opened checkpoint and the index. The `extra` data is not authenticated.
 */
export function verifyTlogProof(
  text: string, leafHash: Uint8Array, trustedKeys: TrustedKeys, options?: OpenCheckpointOptions & HasherOptions,
): { readonly index: bigint; readonly checkpoint: OpenedCheckpoint; readonly extra?: Uint8Array } {
  const parsed = parseTlogProof(text);
  const checkpoint = openCheckpoint(parsed.checkpoint, trustedKeys, options);
  verifyInclusion(leafHash, parsed.index, checkpoint.size, parsed.proof, checkpoint.root, options);
  return parsed.extra === undefined ? { index: parsed.index, checkpoint } : { index: parsed.index, checkpoint, extra: parsed.extra };
}
