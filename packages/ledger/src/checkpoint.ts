/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint; verifiable-log.md §3.1), signed as a C2SP signed note:
 *
 * ```text
 * <origin>\n                  non-empty, e.g. audit.example.com/org/42
 * <tree size>\n               decimal, no leading zeros
 * <root hash>\n               standard base64, 44 characters
 * [prev <base64 SHA-256>\n]   Custody's hash chain: the previous checkpoint's body (see checkpointBodyHash)
 * [<extension line>\n …]      other non-empty extension lines
 * ```
 */
import { decodeBase64, encodeBase64 } from './base64';
import { copyBytes } from './bytes';
import type { SignatureOptions } from './crypto';
import type { SignerKey, VerifierKey } from './note-key';
import { openNote, signNote, type OpenNoteOptions, type TrustedKeys } from './note';
import { parseTreeSize } from './parse';
import { describeType, requireHash, requireSize } from './validate';
import { VerificationError } from './verification-error';

/** The extension keyword of Custody's checkpoint hash chain. */
export const PREV_EXTENSION = 'prev';

/** A checkpoint's contents. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: bigint;
  readonly root: Uint8Array;
  /** Extension lines other than `prev` (each non-empty, no control characters). Default is none. */
  readonly extensions?: readonly string[];
  /** SHA-256 of the previous checkpoint's body ({@link checkpointBodyHash}); written as the first extension line. */
  readonly prev?: Uint8Array;
}

/** A parsed checkpoint body. `extensions` holds every extension line, `prev` included. */
export interface ParsedCheckpoint {
  readonly origin: string;
  readonly size: bigint;
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
  /** The `prev` hash, if the body has a `prev` line. */
  readonly prev: Uint8Array | undefined;
  /** The body text: the signed note text, ending in `\n`. */
  readonly body: string;
}

/** The result of {@link openCheckpoint}. */
export interface OpenedCheckpoint extends ParsedCheckpoint {
  readonly verifiedBy: readonly VerifierKey[];
  readonly unknownSignatures: readonly { readonly name: string; readonly keyId: string }[];
}

/** Options of {@link openCheckpoint}. */
export interface OpenCheckpointOptions extends OpenNoteOptions {
  /** The expected origin; another origin throws `ORIGIN_MISMATCH`. Default: any origin. */
  readonly origin?: string;
}

const CONTROL = /[\p{Cc}\p{Cs}]/u;

function requireLine(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new VerificationError('MALFORMED_CHECKPOINT', `${what} must be a string, got ${describeType(value)}`);
  if (value.length === 0) throw new VerificationError('MALFORMED_CHECKPOINT', `${what} is empty`);
  if (CONTROL.test(value)) throw new VerificationError('MALFORMED_CHECKPOINT', `${what} contains a control character or invalid unicode`);
  return value;
}

/**
 * The checkpoint body `origin\nsize\nbase64(root)\n[prev …\n][extensions…\n]`. Throws `MALFORMED_CHECKPOINT`
 * (bad origin or extension line, two `prev` lines), `INVALID_TREE_SIZE` or `INVALID_HASH`.
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  if (checkpoint === null || typeof checkpoint !== 'object') {
    throw new VerificationError('MALFORMED_CHECKPOINT', `checkpoint must be an object, got ${describeType(checkpoint)}`);
  }
  const origin = requireLine(checkpoint.origin, 'origin');
  const size = requireSize(checkpoint.size);
  const root = requireHash(checkpoint.root, 'root');
  const extensions = checkpoint.extensions ?? [];
  if (!Array.isArray(extensions)) throw new VerificationError('MALFORMED_CHECKPOINT', 'extensions must be an array of lines');
  const lines = [origin, size.toString(), encodeBase64(root)];
  if (checkpoint.prev !== undefined) lines.push(`${PREV_EXTENSION} ${encodeBase64(requireHash(checkpoint.prev, 'prev hash'))}`);
  extensions.forEach((line, i) => lines.push(requireLine(line, `extension line ${i + 1}`)));
  const body = `${lines.join('\n')}\n`;
  parseCheckpoint(body); // one prev line at most, and whatever we sign must parse back
  return body;
}

/**
 * Parses a checkpoint body strictly (C2SP tlog-checkpoint): origin non-empty; size decimal without leading zeros,
 * below 2^64; root 44 characters of padded base64 decoding to 32 bytes; extension lines non-empty; at most one
 * `prev <base64 32 bytes>` line. Throws `MALFORMED_CHECKPOINT` with `details.line` (1-based).
 */
export function parseCheckpoint(body: string): ParsedCheckpoint {
  if (typeof body !== 'string') throw new VerificationError('MALFORMED_CHECKPOINT', `checkpoint must be a string, got ${describeType(body)}`);
  const fail = (line: number, why: string, cause?: unknown): VerificationError =>
    new VerificationError('MALFORMED_CHECKPOINT', `checkpoint line ${line} ${why}`, { cause, details: { line } });
  if (!body.endsWith('\n')) throw new VerificationError('MALFORMED_CHECKPOINT', 'checkpoint does not end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new VerificationError('MALFORMED_CHECKPOINT', `checkpoint has ${lines.length} lines, expected at least 3`);
  const [origin = '', sizeText = '', rootText = '', ...extensions] = lines;
  if (origin.length === 0) throw fail(1, '(origin) is empty');
  if (CONTROL.test(origin)) throw fail(1, '(origin) contains a control character');
  let size: bigint;
  try {
    size = parseTreeSize(sizeText);
  } catch (error) {
    throw fail(2, '(tree size) is not a decimal number below 2^64 without leading zeros', error);
  }
  if (rootText.length !== 44) throw fail(3, `(root hash) has ${rootText.length} characters, expected 44`);
  let root: Uint8Array;
  try {
    root = decodeBase64(rootText);
  } catch (error) {
    throw fail(3, '(root hash) is not valid base64', error);
  }
  // 44 characters can also decode to 31 ("==") or 33 (no padding) bytes.
  if (root.length !== 32) throw fail(3, `(root hash) has ${root.length} bytes, expected 32`);
  let prev: Uint8Array | undefined;
  extensions.forEach((line, i) => {
    const number = i + 4;
    if (line.length === 0) throw fail(number, '(extension) is empty');
    if (CONTROL.test(line)) throw fail(number, '(extension) contains a control character');
    if (line.startsWith(`${PREV_EXTENSION} `)) {
      if (prev !== undefined) throw fail(number, `is a second ${PREV_EXTENSION} line`);
      const text = line.slice(PREV_EXTENSION.length + 1);
      if (text.length !== 44) throw fail(number, `(${PREV_EXTENSION}) has a hash of ${text.length} characters, expected 44`);
      try {
        prev = decodeBase64(text);
      } catch (error) {
        throw fail(number, `(${PREV_EXTENSION}) is not valid base64`, error);
      }
      if (prev.length !== 32) throw fail(number, `(${PREV_EXTENSION}) has ${prev.length} bytes, expected 32`);
    }
  });
  return { origin, size, root, extensions, prev, body };
}

/**
 * Formats and signs a checkpoint (C2SP tlog-checkpoint in a C2SP signed note). The key name SHOULD equal the
 * origin. Callers MUST NOT sign two inconsistent checkpoints: check {@link verifyCheckpointConsistent} first.
 *
 * ```ts
 * const note = signCheckpoint({ origin, size: appender.size, root: appender.root(), prev: checkpointBodyHash(previousNote) }, skey);
 * ```
 */
export function signCheckpoint(
  checkpoint: Checkpoint, signers: string | SignerKey | readonly (string | SignerKey)[], options?: SignatureOptions,
): string {
  return signNote(formatCheckpoint(checkpoint), signers, options);
}

/**
 * Opens a signed checkpoint: {@link openNote} with the trusted keys (`MALFORMED_NOTE`, `BAD_SIGNATURE`,
 * `UNKNOWN_KEY`), then {@link parseCheckpoint} (`MALFORMED_CHECKPOINT`), then the origin check
 * (`ORIGIN_MISMATCH`).
 */
export function openCheckpoint(note: string | Uint8Array, trustedKeys: TrustedKeys, options?: OpenCheckpointOptions): OpenedCheckpoint {
  const opened = openNote(note, trustedKeys, options);
  const parsed = parseCheckpoint(opened.text);
  const expected = options?.origin;
  if (expected !== undefined && parsed.origin !== expected) {
    throw new VerificationError('ORIGIN_MISMATCH', `checkpoint origin ${parsed.origin} is not the expected ${String(expected)}`, {
      details: { expected: String(expected), found: parsed.origin },
    });
  }
  return {
    ...parsed,
    root: copyBytes(parsed.root),
    verifiedBy: opened.verifiedBy,
    unknownSignatures: opened.unknownSignatures,
  };
}
