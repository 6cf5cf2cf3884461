/**
 * C2SP signed notes (c2sp.org/signed-note; verifiable-log.md §2.1, §2.4):
 *
 * ```text
 * <text: one or more lines, each ending in \n>      the signed bytes, including the final \n
 * \n                                                blank separator line (not signed)
 * — <key name> <base64(key id[4] || signature)>\n   one or more signature lines (U+2014 EM DASH, space)
 * ```
 */
import { decodeBase64, encodeBase64 } from './base64';
import { concatBytes, isBytes, utf8Encode } from './bytes';
import { nobleEd25519, type SignatureOptions } from './crypto';
import { decodeHex, encodeHex } from './hex';
import { parseSignerKey, parseVerifierKey, requireKeyName, type SignerKey, type VerifierKey } from './note-key';
import { describeType } from './validate';
import { VerificationError } from './verification-error';

/** Signatures checked at most by default (Go's x/mod caps at 100; the spec requires accepting at least 16). */
export const DEFAULT_MAX_SIGNATURES = 100;
/** Longest note accepted by default, in UTF-16 code units or bytes: 1 MiB. */
export const DEFAULT_MAX_NOTE_LENGTH = 1 << 20;

const SIGNATURE_PREFIX = '\u2014 ';
/**
 * Position of the first ASCII control character other than \n (0x00-0x1f, 0x7f) or lone surrogate (text that is
 * not valid UTF-8), or -1.
 */
function findForbidden(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) return i;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return i;
      i += 1;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

/** One signature line of a note. `keyId` is 8 lowercase hex digits; `signature` excludes the key ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: string;
  readonly signature: Uint8Array;
}

/** The result of {@link openNote}. */
export interface OpenedNote {
  /** The signed text, ending in `\n`. */
  readonly text: string;
  /** The trusted keys whose signatures verified (each once), in signature order. Never empty. */
  readonly verifiedBy: readonly VerifierKey[];
  /** Signatures by keys not trusted here (name + key ID), ignored as the spec requires; e.g. witness cosignatures. */
  readonly unknownSignatures: readonly { readonly name: string; readonly keyId: string }[];
  /** Every signature line, in order. */
  readonly signatures: readonly NoteSignature[];
}

/** Options of {@link openNote}. */
export interface OpenNoteOptions extends SignatureOptions {
  /** Maximum number of signature lines. Default is {@link DEFAULT_MAX_SIGNATURES} (100); keep it >= 16. */
  readonly maxSignatures?: number;
  /** Maximum note length. Default is {@link DEFAULT_MAX_NOTE_LENGTH} (1 MiB). */
  readonly maxLength?: number;
}

/** Trusted keys: vkey strings or parsed keys. */
export type TrustedKeys = string | VerifierKey | readonly (string | VerifierKey)[];

/** Checks note text rules; `what` names it in messages. Throws `MALFORMED_NOTE`. */
function requireNoteRules(text: string, what: string): void {
  const position = findForbidden(text);
  if (position >= 0) {
    const code = text.charCodeAt(position);
    const message = code >= 0xd800 && code <= 0xdfff
      ? `${what} is not valid unicode at position ${position}`
      : `${what} contains control character 0x${code.toString(16).padStart(2, '0')} at position ${position}`;
    throw new VerificationError('MALFORMED_NOTE', message, { details: { position } });
  }
}

function requireLimit(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new VerificationError('INVALID_ARGUMENT', `${what} must be a positive integer`);
  return value;
}

/** Parses trusted keys into a map keyed by `name+keyId`. Throws `MALFORMED_KEY`. */
export function trustKeys(keys: TrustedKeys, options?: SignatureOptions): Map<string, VerifierKey> {
  const list: readonly unknown[] = Array.isArray(keys) ? (keys as readonly unknown[]) : [keys];
  const trusted = new Map<string, VerifierKey>();
  for (const key of list) {
    const parsed = typeof key === 'string'
      ? parseVerifierKey(key, options)
      : parseVerifierKey((key as VerifierKey | null)?.vkey as string, options);
    trusted.set(`${parsed.name}+${parsed.keyId}`, parsed);
  }
  return trusted;
}

/**
 * Signs `text` as a C2SP signed note with each signer key in order (PureEd25519 over the text's UTF-8 bytes,
 * verifiable-log.md §2.4). Requires text that is non-empty, ends in `\n`, is valid Unicode and has no control
 * character but `\n`. Throws `MALFORMED_NOTE` or `MALFORMED_KEY`.
 *
 * ```ts
 * const note = signNote('hello\n', skey); // 'hello\n\n— example.com/log Ab3…=\n'
 * ```
 */
export function signNote(
  text: string, signers: string | SignerKey | readonly (string | SignerKey)[], options?: SignatureOptions,
): string {
  if (typeof text !== 'string') throw new VerificationError('MALFORMED_NOTE', `note text must be a string, got ${describeType(text)}`);
  if (!text.endsWith('\n')) throw new VerificationError('MALFORMED_NOTE', 'note text must end with a newline');
  requireNoteRules(text, 'note text');
  const list: readonly unknown[] = Array.isArray(signers) ? (signers as readonly unknown[]) : [signers];
  if (list.length === 0) throw new VerificationError('MALFORMED_KEY', 'at least one signer key is required');
  const ed25519 = options?.ed25519 ?? nobleEd25519;
  const message = utf8Encode(text);
  let out = `${text}\n`;
  for (const signer of list) {
    const key = typeof signer === 'string' ? parseSignerKey(signer, options) : parseSignerKey((signer as SignerKey | null)?.skey as string, options);
    const signature = ed25519.sign(key.seed, message);
    out += `${SIGNATURE_PREFIX}${key.name} ${encodeBase64(concatBytes(decodeHex(key.keyId), signature))}\n`;
  }
  return out;
}

/** Decodes note bytes as strict UTF-8 (a BOM is kept as text). Throws `MALFORMED_NOTE`. */
function decodeNoteBytes(bytes: Uint8Array, maxLength: number): string {
  if (bytes.length > maxLength) throw new VerificationError('MALFORMED_NOTE', `note has ${bytes.length} bytes, at most ${maxLength} allowed`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new VerificationError('MALFORMED_NOTE', 'note is not valid utf-8', { cause: error });
  }
}

/**
 * Opens a C2SP signed note: checks the format, verifies every signature by a trusted key and returns the text.
 *
 * - Text and signatures are split at the **last** `\n\n`; the signed bytes are the text including its final `\n`.
 * - The note must be valid UTF-8 (or valid Unicode, for a string), end with `\n` and contain no control
 *   character but `\n` (`MALFORMED_NOTE`; a CR is rejected too).
 * - Every signature line must be `— <name> <base64>` with a valid key name and at least 5 bytes (`MALFORMED_NOTE`).
 *   More than `maxSignatures` lines (default 100; at least 16 are always accepted) is `MALFORMED_NOTE`.
 * - Signatures by unknown keys (the pair name + key ID) are ignored and listed in `unknownSignatures`.
 * - A failing signature by a trusted key rejects the note (`BAD_SIGNATURE`).
 * - No verified trusted signature rejects the note (`UNKNOWN_KEY`; `details.signers` lists `name+keyid` seen).
 *
 * Trusted keys that do not parse throw `MALFORMED_KEY`.
 */
export function openNote(note: string | Uint8Array, trustedKeys: TrustedKeys, options?: OpenNoteOptions): OpenedNote {
  const maxSignatures = requireLimit(options?.maxSignatures, DEFAULT_MAX_SIGNATURES, 'maxSignatures');
  const maxLength = requireLimit(options?.maxLength, DEFAULT_MAX_NOTE_LENGTH, 'maxLength');
  const trusted = trustKeys(trustedKeys, options);
  const source: unknown = note;
  const text = isBytes(source) ? decodeNoteBytes(source, maxLength) : source;
  if (typeof text !== 'string') throw new VerificationError('MALFORMED_NOTE', `note must be a string or bytes, got ${describeType(text)}`);
  if (text.length > maxLength) throw new VerificationError('MALFORMED_NOTE', `note has ${text.length} characters, at most ${maxLength} allowed`);
  requireNoteRules(text, 'note');
  if (!text.endsWith('\n')) throw new VerificationError('MALFORMED_NOTE', 'note does not end with a newline');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new VerificationError('MALFORMED_NOTE', 'note has no signature block');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block.length === 0) throw new VerificationError('MALFORMED_NOTE', 'note has no signature lines');
  // Count lines before parsing any: a hostile note may carry millions.
  let lineCount = 0;
  for (let i = block.indexOf('\n'); i >= 0; i = block.indexOf('\n', i + 1)) {
    lineCount += 1;
    if (lineCount > maxSignatures) {
      throw new VerificationError('MALFORMED_NOTE', `note has more than ${maxSignatures} signatures`, { details: { max: maxSignatures } });
    }
  }
  const lines = block.slice(0, -1).split('\n');
  const signatures: NoteSignature[] = lines.map((line, i) => parseSignatureLine(line, i + 1));

  const message = utf8Encode(body);
  const ed25519 = options?.ed25519 ?? nobleEd25519;
  const verified = new Map<string, VerifierKey>();
  const unknown: { name: string; keyId: string }[] = [];
  signatures.forEach((signature, i) => {
    const id = `${signature.name}+${signature.keyId}`;
    const key = trusted.get(id);
    if (key === undefined) {
      unknown.push({ name: signature.name, keyId: signature.keyId });
      return;
    }
    const ok = signature.signature.length === 64 && ed25519.verify(key.publicKey, message, signature.signature);
    if (!ok) {
      throw new VerificationError('BAD_SIGNATURE', `signature by trusted key ${id} does not verify`, {
        details: { name: signature.name, keyId: signature.keyId, line: i + 1 },
      });
    }
    if (!verified.has(id)) verified.set(id, key);
  });
  if (verified.size === 0) {
    const signers = unknown.map((entry) => `${entry.name}+${entry.keyId}`);
    throw new VerificationError('UNKNOWN_KEY', `note is not signed by a trusted key (signed by ${signers.join(', ')})`, {
      details: { signers },
    });
  }
  return { text: body, verifiedBy: [...verified.values()], unknownSignatures: unknown, signatures };
}

/** Parses `— <name> <base64(key id || signature)>`. Throws `MALFORMED_NOTE` naming the signature line (1-based). */
function parseSignatureLine(line: string, number: number): NoteSignature {
  const fail = (why: string, cause?: unknown): VerificationError =>
    new VerificationError('MALFORMED_NOTE', `signature line ${number} ${why}`, { cause, details: { line: number } });
  if (!line.startsWith(SIGNATURE_PREFIX)) throw fail('does not start with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw fail('has no signature');
  let name: string;
  try {
    name = requireKeyName(rest.slice(0, space), 'MALFORMED_NOTE');
  } catch (error) {
    throw fail('has an invalid key name', error);
  }
  let blob: Uint8Array;
  try {
    blob = decodeBase64(rest.slice(space + 1));
  } catch (error) {
    throw fail('has invalid base64', error);
  }
  if (blob.length < 5) throw fail('has a signature shorter than 5 bytes');
  return { name, keyId: encodeHex(blob.subarray(0, 4)), signature: blob.slice(4) };
}
