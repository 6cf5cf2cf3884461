import { describe, expect, it } from 'vitest';
import { signCheckpoint } from './checkpoint';
import { hashLeaf } from './hasher';
import { inclusionProof } from './inclusion';
import { createSignerFromSeed } from './note-key';
import { rootHash } from './root-hash';
import { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof';
import { VerificationError } from './verification-error';

const ORIGIN = 'audit.example.com/org/7';
const log = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(3));
const leaves = Array.from({ length: 13 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const checkpoint = signCheckpoint({ origin: ORIGIN, size: 13n, root: rootHash(leaves) }, log.skey);

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('formatTlogProof', () => {
  describe('when given an index, a path and a checkpoint', () => {
    it('writes the c2sp.org/tlog-proof@v1 layout that parses back and verifies', () => {
      const text = formatTlogProof({ index: 6n, proof: inclusionProof(6n, 13n, leaves), checkpoint, extra: Uint8Array.of(1, 2) });
      expect(text.startsWith(`${TLOG_PROOF_HEADER}\nextra AQI=\nindex 6\n`)).toBe(true);
      expect(text.endsWith(`\n\n${checkpoint}`)).toBe(true);
      expect(parseTlogProof(text)).toMatchObject({ index: 6n, checkpoint, extra: Uint8Array.of(1, 2) });
      const verified = verifyTlogProof(text, leaves[6] as Uint8Array, log.vkey, { origin: ORIGIN });
      expect(verified.checkpoint.size).toBe(13n);
      expect(errorOf(() => verifyTlogProof(text, leaves[5] as Uint8Array, log.vkey)).code).toBe('INCLUSION_PROOF_MISMATCH');
    });
  });
});

describe('parseTlogProof', () => {
  describe('when the file breaks the format', () => {
    it.each([
      ['a wrong header', `c2sp.org/tlog-proof@v2\nindex 0\n\n${checkpoint}`],
      ['no index line', `${TLOG_PROOF_HEADER}\n\n${checkpoint}`],
      ['a leading zero', `${TLOG_PROOF_HEADER}\nindex 01\n\n${checkpoint}`],
      ['a short hash', `${TLOG_PROOF_HEADER}\nindex 1\nAAAA\n\n${checkpoint}`],
      ['no blank line', `${TLOG_PROOF_HEADER}\nindex 1\n`],
      ['65 hashes', `${TLOG_PROOF_HEADER}\nindex 1\n${`${'A'.repeat(43)}=\n`.repeat(65)}\n${checkpoint}`],
    ])('rejects %s with MALFORMED_TLOG_PROOF', (_, text) => {
      expect(errorOf(() => parseTlogProof(text)).code).toBe('MALFORMED_TLOG_PROOF');
    });
  });
});
