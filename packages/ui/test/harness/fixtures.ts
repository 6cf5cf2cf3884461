/** Bundle states for the harness and tests: one per verification outcome. */
import type { TBundleState } from '../../src/data-source';

const CHECKS_OK: TBundleState['checks'] = [
  { name: 'bagit-manifest', status: 'valid', summary: '4 payload files match manifest-sha256.txt' },
  { name: 'bundle-seal', status: 'valid', summary: 'seal signature by custody.example+3f1a9c2e' },
  { name: 'checkpoint-signature', status: 'valid', summary: 'checkpoint for size 3000 signed by a trusted key' },
  { name: 'events-canonical', status: 'valid', summary: '3,000 lines are RFC 8785 canonical JSON' },
  { name: 'inclusion-proofs', status: 'valid', summary: 'complete range 0–2999 hashes to the checkpoint root' },
  { name: 'sequence-continuity', status: 'valid', summary: 'no gaps between seq 0 and 2999' },
  { name: 'withheld-register', status: 'valid', summary: '12 withheld events accounted for by leaf hash' },
];

export const TRUSTED_SIGNER = {
  vkey: 'custody.example+3f1a9c2e+AdhVh3y0mWxL6C6x3Qp2Zk8Qh1F5Gd9sYb2t7Xk4Wn0R',
  fingerprint: 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8',
  trusted: true,
} as const;

export const UNTRUSTED_SIGNER = {
  vkey: 'acme-production-2026+9b04d7e1+Ab7Qx0fJ2mK8sLw4Vn6Pz3Rt9Yc1Hd5Ge7Ua2Xo8Ik0',
  fingerprint: 'SHA256:4R1zq9vF0yX8Jm2KbT6wN3cL7hD5sG1pE9aU0oI2kYw',
  trusted: false,
} as const;

const base = {
  sha256: 'a3f5c1d2e4b6978812ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90',
  matter: { name: 'Acme v. Initech', number: '2026-CV-0142' },
} as const;

export const VERIFYING_BUNDLE: TBundleState = {
  ...base,
  bundleId: 'b3',
  fileName: 'acme-2026-03.custody',
  sha256: null,
  phase: 'verifying',
  progress: { bytes: 48_234_496, totalBytes: 107_374_182, events: 612_340, proofs: 588_021 },
  verdict: 'pending',
  checks: [
    { name: 'bagit-manifest', status: 'valid', summary: '4 payload files match manifest-sha256.txt' },
    { name: 'bundle-seal', status: 'valid', summary: 'seal signature by custody.example+3f1a9c2e' },
    { name: 'inclusion-proofs', status: 'pending', summary: 'checking…' },
    { name: 'sequence-continuity', status: 'pending', summary: 'waiting' },
  ],
  failures: [],
  signers: [TRUSTED_SIGNER],
  checkpoint: null,
  counts: { events: 1_200, withheld: 0, purged: 0 },
};

export const VALID_BUNDLE: TBundleState = {
  ...base,
  bundleId: 'b1',
  fileName: 'acme-2026-01.custody',
  phase: 'done',
  progress: { bytes: 52_428_800, totalBytes: 52_428_800, events: 3000, proofs: 3000 },
  verdict: 'valid',
  checks: CHECKS_OK,
  failures: [],
  signers: [TRUSTED_SIGNER],
  checkpoint: {
    origin: 'custody.example/acme',
    size: '3000',
    root: 'q8Qv0y3Hn1mQe2hGz3Z6b8d4c0a9f1e2d3c4b5a6978=',
    note: 'custody.example/acme\n3000\nq8Qv0y3Hn1mQe2hGz3Z6b8d4c0a9f1e2d3c4b5a6978=\n\n— custody.example Pz3Rt9Yc1Hd5Ge7Ua2Xo8Ik0AdhVh3y0mWxL6C6x3Qp2Zk8Qh1F5Gd9sYb2t7Xk4Wn0R==\n',
  },
  counts: { events: 3000, withheld: 12, purged: 0 },
};

export const INVALID_BUNDLE: TBundleState = {
  ...base,
  bundleId: 'b2',
  fileName: 'acme-2026-02.custody',
  phase: 'done',
  progress: { bytes: 31_457_280, totalBytes: 31_457_280, events: 1800, proofs: 1800 },
  verdict: 'invalid',
  checks: [
    { name: 'bagit-manifest', status: 'invalid', summary: '1 of 4 payload files does not match manifest-sha256.txt' },
    { name: 'bundle-seal', status: 'valid', summary: 'seal signature by custody.example+3f1a9c2e' },
    { name: 'checkpoint-signature', status: 'valid', summary: 'checkpoint for size 4800 signed by a trusted key' },
    { name: 'events-canonical', status: 'invalid', summary: '1 line is not canonical JSON' },
    { name: 'inclusion-proofs', status: 'invalid', summary: '41 of 1,800 events do not lead to the checkpoint root' },
    { name: 'sequence-continuity', status: 'valid', summary: 'no gaps between seq 3000 and 4799' },
    { name: 'withheld-register', status: 'skipped', summary: 'no events withheld' },
  ],
  failures: [
    {
      check: 'bagit-manifest',
      code: 'MANIFEST_DIGEST_MISMATCH',
      message: 'data/events.jsonl was modified after the bundle was sealed',
      file: 'data/events.jsonl',
      expected: 'sha256 7d2c0f1e9a8b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5',
      found: 'sha256 0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f',
    },
    {
      check: 'inclusion-proofs',
      code: 'INCLUSION_PROOF_MISMATCH',
      message: 'the event at seq 4080 does not hash to the checkpoint root',
      file: 'data/events.jsonl',
      line: 1081,
      seq: '4080',
      expected: 'root q8Qv0y3Hn1mQe2hGz3Z6b8d4c0a9f1e2d3c4b5a6978=',
      found: 'root Zx1T9w8v7u6t5s4r3q2p1o0n9m8l7k6j5i4h3g2f1e0=',
    },
    {
      check: 'events-canonical',
      code: 'NON_CANONICAL_LINE',
      message: 'line is not RFC 8785 canonical JSON (keys out of order)',
      file: 'data/events.jsonl',
      line: 1561,
      seq: '4560',
      expected: '{"action":"document.deleted","actor":{…}',
      found: '{"actor":{…},"action":"document.deleted"',
    },
  ],
  signers: [TRUSTED_SIGNER],
  checkpoint: { origin: 'custody.example/acme', size: '4800', root: 'q8Qv0y3Hn1mQe2hGz3Z6b8d4c0a9f1e2d3c4b5a6978=', note: 'custody.example/acme\n4800\nq8Qv0y3Hn1mQe2hGz3Z6b8d4c0a9f1e2d3c4b5a6978=\n' },
  counts: { events: 1800, withheld: 0, purged: 0 },
};

export const UNUSABLE_BUNDLE: TBundleState = {
  bundleId: 'b4',
  fileName: 'evidence-copy.zip',
  sha256: 'ff00aa11bb22cc33dd44ee55ff66007788991122334455667788990011223344',
  phase: 'unusable',
  progress: { bytes: 1_048_576, totalBytes: 1_048_576, events: 0, proofs: 0 },
  verdict: 'unusable',
  checks: [{ name: 'bagit-structure', status: 'invalid', summary: 'bagit.txt is missing' }],
  failures: [{ check: 'bagit-structure', code: 'NOT_A_BAG', message: 'the archive has no bagit.txt at its root: not a Custody evidence bundle', file: 'bagit.txt' }],
  signers: [],
  checkpoint: null,
  counts: { events: 0, withheld: 0, purged: 0 },
  matter: null,
};

export const UNTRUSTED_BUNDLE: TBundleState = {
  ...VALID_BUNDLE,
  bundleId: 'b5',
  fileName: 'acme-prod-export.custody',
  verdict: 'pending',
  checks: CHECKS_OK.map((c) => (c.name === 'checkpoint-signature' ? { ...c, status: 'pending' as const, summary: 'signature is valid, but acme-production-2026+9b04d7e1 is not a trusted key' } : c.name === 'bundle-seal' ? { ...c, summary: 'seal signature by acme-production-2026+9b04d7e1 (untrusted)' } : c)),
  signers: [UNTRUSTED_SIGNER],
};
