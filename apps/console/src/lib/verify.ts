/**
 * Verification in the browser with `@custody/ledger` (default noble crypto): nothing here trusts the server's
 * word. The leaf hash is recomputed from the event shown, the checkpoint signature is checked against the
 * published verifier keys, and the proof is recomputed up to the signed root (RFC 9162 §2.1.3.2). Chains are
 * checked link by link: signatures, `prev` hashes and consistency proofs (RFC 9162 §2.1.4.2).
 */
import {
  VerificationError,
  decodeBase64,
  encodeBase64,
  hashLeaf,
  keyFingerprint,
  openCheckpoint,
  parseVerifierKey,
  verifyCheckpointChain,
  verifyInclusion,
} from '@custody/ledger';
import type { VerifierKey } from '@custody/ledger';
import { canonicalBytes } from '@custody/schema';

import type { TCheckpoint, TEventRecord, TInclusionProof, TVerifierKeys } from './api-client';

/** A failed verification, as shown to the user: never a "Verified". */
export interface TVerificationFailure {
  ok: false;
  /** A `VerificationError` code, or `LEAF_MISMATCH`, `SIZE_MISMATCH`, `NO_TRUSTED_KEYS`, `UNEXPECTED`. */
  code: string;
  message: string;
  details: Record<string, unknown> | undefined;
}

/** A signer of a checkpoint, as computed here from its verifier key. */
export interface TSigner {
  name: string;
  keyId: string;
  fingerprint: string;
}

export interface TInclusionSuccess {
  ok: true;
  seq: number;
  size: number;
  /** The signed root, base64. */
  root: string;
  /** The leaf hash recomputed from the event, base64. */
  leafHash: string;
  signers: TSigner[];
}

export type TInclusionOutcome = TInclusionSuccess | TVerificationFailure;

export interface TChainSuccess {
  ok: true;
  count: number;
  fromSize: number;
  toSize: number;
  signers: TSigner[];
}

export type TChainOutcome = TChainSuccess | TVerificationFailure;

/** The leaf hash of an event: SHA-256(0x00 ‖ RFC 8785 canonical bytes), base64. */
export function computeLeafHash(event: TEventRecord): string {
  return encodeBase64(hashLeaf(canonicalBytes(event)));
}

function failure(code: string, message: string, details?: Record<string, unknown>): TVerificationFailure {
  return { ok: false, code, message, details };
}

function fromError(error: unknown): TVerificationFailure {
  if (error instanceof VerificationError) return failure(error.code, error.message, error.details === undefined ? undefined : { ...error.details });
  return failure('UNEXPECTED', error instanceof Error ? error.message : String(error));
}

/** Parses the published keys; a key that does not parse is skipped (it cannot vouch for anything). */
function trustedKeys(keys: TVerifierKeys): VerifierKey[] {
  const parsed: VerifierKey[] = [];
  for (const key of keys.keys) {
    try {
      parsed.push(parseVerifierKey(key.vkey));
    } catch {
      // ignored: an unparsable key never verifies a signature
    }
  }
  return parsed;
}

function signersOf(verifiedBy: readonly VerifierKey[]): TSigner[] {
  return verifiedBy.map((key) => ({ name: key.name, keyId: key.keyId, fingerprint: keyFingerprint(key) }));
}

/**
 * Verifies that `event` is leaf `event.seq` of the organization's log, under a checkpoint signed by one of
 * `keys` for `origin`. Never throws.
 */
export function verifyEventInclusion(input: {
  event: TEventRecord;
  origin: string;
  proof: TInclusionProof;
  keys: TVerifierKeys;
}): TInclusionOutcome {
  const { event, origin, proof, keys } = input;
  try {
    const trusted = trustedKeys(keys);
    if (trusted.length === 0) return failure('NO_TRUSTED_KEYS', 'the server published no usable verifier key');
    if (proof.seq !== event.seq) {
      return failure('LEAF_MISMATCH', `the proof is for event ${proof.seq}, not ${event.seq}`);
    }
    const leaf = hashLeaf(canonicalBytes(event));
    const leafHash = encodeBase64(leaf);
    if (proof.leafHash !== leafHash) {
      return failure('LEAF_MISMATCH', 'the event shown does not hash to the leaf the log holds at its position', {
        computed: leafHash,
        logged: proof.leafHash,
      });
    }
    const checkpoint = openCheckpoint(proof.checkpoint.note, trusted, { origin });
    if (checkpoint.size !== BigInt(proof.size)) {
      return failure('SIZE_MISMATCH', `the proof is for a tree of ${proof.size} leaves, the signed checkpoint has ${checkpoint.size}`);
    }
    verifyInclusion(leaf, BigInt(event.seq), checkpoint.size, proof.proof.map((p) => decodeBase64(p)), checkpoint.root);
    return {
      ok: true,
      seq: event.seq,
      size: Number(checkpoint.size),
      root: encodeBase64(checkpoint.root),
      leafHash,
      signers: signersOf(checkpoint.verifiedBy),
    };
  } catch (error) {
    return fromError(error);
  }
}

/**
 * Verifies a checkpoint chain, oldest first: each note signed by one of `keys` for `origin`, each `prev` line
 * naming its predecessor, each tree consistent with the previous one (`proofs[i]` proves link i-1 → i;
 * `proofs[0]` is ignored), and the listed size and root of each checkpoint equal to what it signs. Never throws.
 */
export function verifyChain(input: {
  checkpoints: readonly TCheckpoint[];
  proofs: readonly (readonly string[])[];
  origin: string;
  keys: TVerifierKeys;
}): TChainOutcome {
  const { checkpoints, proofs, origin, keys } = input;
  try {
    const trusted = trustedKeys(keys);
    if (trusted.length === 0) return failure('NO_TRUSTED_KEYS', 'the server published no usable verifier key');
    const links = checkpoints.map((c, i) => ({
      note: c.note,
      ...(i === 0 ? {} : { consistencyProof: (proofs[i] ?? []).map((p) => decodeBase64(p)) }),
    }));
    const opened = verifyCheckpointChain(links, trusted, { origin });
    for (const [i, c] of checkpoints.entries()) {
      const o = opened[i];
      if (o === undefined || o.size !== BigInt(c.size) || encodeBase64(o.root) !== c.root) {
        return failure('SIZE_MISMATCH', `checkpoint ${i}: the listed size or root differs from what the checkpoint signs`, { link: i });
      }
    }
    const signers = new Map<string, TSigner>();
    for (const o of opened) for (const s of signersOf(o.verifiedBy)) signers.set(`${s.name}+${s.keyId}`, s);
    const first = checkpoints[0];
    const last = checkpoints[checkpoints.length - 1];
    return {
      ok: true,
      count: checkpoints.length,
      fromSize: first?.size ?? 0,
      toSize: last?.size ?? 0,
      signers: [...signers.values()],
    };
  } catch (error) {
    return fromError(error);
  }
}
