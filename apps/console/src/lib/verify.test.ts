import { describe, expect, it } from 'vitest';

import {
  checkpointBodyHash, consistencyProof, createSignerFromSeed, encodeBase64, hashLeaf, inclusionProof, keyFingerprint, rootHash, signCheckpoint,
} from '@custody/ledger';
import { canonicalBytes } from '@custody/schema';

import type { TCheckpoint, TEventRecord, TInclusionProof, TVerifierKeys } from './api-client';
import { computeLeafHash, verifyChain, verifyEventInclusion } from './verify';

const ORIGIN = 'audit.example.com/acme';
const signer = createSignerFromSeed('audit.example.com', new Uint8Array(32).fill(7));
const stranger = createSignerFromSeed('audit.example.com', new Uint8Array(32).fill(9));

function keysOf(...vkeys: string[]): TVerifierKeys {
  return {
    logName: 'audit.example.com',
    keys: vkeys.map((vkey) => ({ vkey, keyId: vkey.split('+')[1] ?? '', fingerprint: vkey.includes('+') ? keyFingerprint(vkey) : '', createdAt: '2026-01-01T00:00:00.000Z', retiredAt: null })),
  };
}

function eventAt(seq: number): TEventRecord {
  return {
    v: 1,
    organization_id: 'acme',
    seq,
    id: `01960000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    received_at: '2026-03-01T00:00:01.000Z',
    salt: 'AAAAAAAAAAAAAAAAAAAAAA==',
    action: 'user.signed_in',
    occurred_at: '2026-03-01T00:00:00.000Z',
    actor: { id: `u_${seq}`, type: 'user' },
    targets: [],
    context: { location: '203.0.113.7' },
    metadata: { n: seq },
    version: 1,
  };
}

/** A log of `size` events with checkpoints at `sizes` (hash-chained), as the server would serve them. */
function buildLog(size: number, sizes: number[]) {
  const events = Array.from({ length: size }, (_, i) => eventAt(i));
  const leaves = events.map((e) => hashLeaf(canonicalBytes(e)));
  const checkpoints: TCheckpoint[] = [];
  let previous: string | undefined;
  for (const n of sizes) {
    const root = rootHash(leaves.slice(0, n));
    const note = signCheckpoint({ origin: ORIGIN, size: BigInt(n), root, ...(previous === undefined ? {} : { prev: checkpointBodyHash(previous) }) }, signer.skey);
    checkpoints.push({
      organizationId: 'acme', size: n, root: encodeBase64(root), note, bodyHash: encodeBase64(checkpointBodyHash(note)),
      prevBodyHash: previous === undefined ? null : encodeBase64(checkpointBodyHash(previous)), keyId: signer.vkey.split('+')[1] ?? '', createdAt: '2026-03-01T00:00:02.000Z',
    });
    previous = note;
  }
  const proofFor = (seq: number, checkpoint: TCheckpoint): TInclusionProof => ({
    seq,
    size: checkpoint.size,
    leafHash: encodeBase64(leaves[seq] ?? new Uint8Array(32)),
    proof: inclusionProof(BigInt(seq), BigInt(checkpoint.size), leaves).map(encodeBase64),
    checkpoint,
  });
  const consistency = (m: number, n: number) => (m === 0 || m === n ? [] : consistencyProof(BigInt(m), BigInt(n), leaves).map(encodeBase64));
  return { events, checkpoints, proofFor, consistency };
}

function flip(b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return encodeBase64(bytes);
}

describe('verifyEventInclusion', () => {
  const log = buildLog(13, [0, 5, 13]);
  const latest = log.checkpoints[2] as TCheckpoint;

  describe('when the proof, checkpoint and key are genuine', () => {
    it('reports the checkpoint size and the signer with its fingerprint', () => {
      const event = log.events[6] as TEventRecord;
      const outcome = verifyEventInclusion({ event, origin: ORIGIN, proof: log.proofFor(6, latest), keys: keysOf(signer.vkey) });
      expect(outcome).toMatchObject({ ok: true, seq: 6, size: 13, leafHash: computeLeafHash(event) });
      expect(outcome.ok && outcome.signers).toEqual([{ name: 'audit.example.com', keyId: signer.vkey.split('+')[1], fingerprint: keyFingerprint(signer.vkey) }]);
    });
  });

  describe('when something was altered', () => {
    const event = log.events[6] as TEventRecord;
    const genuine = log.proofFor(6, latest);
    const cases: [string, () => Parameters<typeof verifyEventInclusion>[0], string][] = [
      ['a proof hash', () => ({ event, origin: ORIGIN, proof: { ...genuine, proof: [flip(genuine.proof[0] ?? ''), ...genuine.proof.slice(1)] }, keys: keysOf(signer.vkey) }), 'INCLUSION_PROOF_MISMATCH'],
      ['a truncated proof', () => ({ event, origin: ORIGIN, proof: { ...genuine, proof: genuine.proof.slice(1) }, keys: keysOf(signer.vkey) }), 'INVALID_PROOF'],
      ['the event shown', () => ({ event: { ...event, metadata: { n: 999 } }, origin: ORIGIN, proof: genuine, keys: keysOf(signer.vkey) }), 'LEAF_MISMATCH'],
      ['the checkpoint text', () => ({ event, origin: ORIGIN, proof: { ...genuine, checkpoint: { ...latest, note: latest.note.replace('\n13\n', '\n14\n') } }, keys: keysOf(signer.vkey) }), 'BAD_SIGNATURE'],
      ['the signing key', () => ({ event, origin: ORIGIN, proof: genuine, keys: keysOf(stranger.vkey) }), 'UNKNOWN_KEY'],
      ['the origin', () => ({ event, origin: 'audit.example.com/other', proof: genuine, keys: keysOf(signer.vkey) }), 'ORIGIN_MISMATCH'],
      ['the proof size', () => ({ event, origin: ORIGIN, proof: { ...genuine, size: 12 }, keys: keysOf(signer.vkey) }), 'SIZE_MISMATCH'],
      ['the base64 text', () => ({ event, origin: ORIGIN, proof: { ...genuine, proof: ['%%%'] }, keys: keysOf(signer.vkey) }), 'INVALID_ENCODING'],
      ['the published keys (none usable)', () => ({ event, origin: ORIGIN, proof: genuine, keys: keysOf('not a key') }), 'NO_TRUSTED_KEYS'],
    ];
    for (const [what, input, code] of cases) {
      it(`fails with ${code} for ${what}, never throwing`, () => {
        const outcome = verifyEventInclusion(input());
        expect(outcome.ok).toBe(false);
        expect(!outcome.ok && outcome.code).toBe(code);
      });
    }
  });
});

describe('verifyChain', () => {
  const log = buildLog(20, [0, 3, 8, 8, 20].filter((n, i, a) => a.indexOf(n) === i));
  const proofs = log.checkpoints.map((c, i) => (i === 0 ? [] : log.consistency(log.checkpoints[i - 1]?.size ?? 0, c.size)));

  it('accepts a genuine chain and names its range and signer', () => {
    const outcome = verifyChain({ checkpoints: log.checkpoints, proofs, origin: ORIGIN, keys: keysOf(signer.vkey) });
    expect(outcome).toMatchObject({ ok: true, count: 4, fromSize: 0, toSize: 20 });
  });

  it('detects a checkpoint removed from the middle (CHAIN_BROKEN)', () => {
    const checkpoints = [log.checkpoints[0], log.checkpoints[2], log.checkpoints[3]] as TCheckpoint[];
    const outcome = verifyChain({ checkpoints, proofs: [[], log.consistency(0, 8), log.consistency(8, 20)], origin: ORIGIN, keys: keysOf(signer.vkey) });
    expect(!outcome.ok && outcome.code).toBe('CHAIN_BROKEN');
  });

  it('detects a bad consistency proof (CONSISTENCY_PROOF_MISMATCH)', () => {
    const bad = proofs.map((p, i) => (i === 3 ? [flip(p[0] ?? ''), ...p.slice(1)] : p));
    const outcome = verifyChain({ checkpoints: log.checkpoints, proofs: bad, origin: ORIGIN, keys: keysOf(signer.vkey) });
    expect(!outcome.ok && outcome.code).toBe('CONSISTENCY_PROOF_MISMATCH');
  });

  it('detects a listed root that differs from the signed one', () => {
    const checkpoints = log.checkpoints.map((c, i) => (i === 1 ? { ...c, root: flip(c.root) } : c));
    const outcome = verifyChain({ checkpoints, proofs, origin: ORIGIN, keys: keysOf(signer.vkey) });
    expect(!outcome.ok && outcome.code).toBe('SIZE_MISMATCH');
  });
});
