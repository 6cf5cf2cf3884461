import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from './checkpoint';
import { checkpointBodyHash, verifyCheckpointChain, verifyCheckpointConsistent, type CheckpointLink } from './checkpoint-chain';
import { consistencyProof } from './consistency';
import { hashLeaf } from './hasher';
import { signNote } from './note';
import { createSignerFromSeed } from './note-key';
import { rootHash } from './root-hash';
import { VerificationError } from './verification-error';

const ORIGIN = 'audit.example.com/org/7';
const log = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(3));
const witness = createSignerFromSeed('witness.example', new Uint8Array(32).fill(4));
const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const head = (size: number): { size: bigint; root: Uint8Array } => ({ size: BigInt(size), root: rootHash(leaves.slice(0, size)) });

/** Signs a chain of checkpoints at `sizes`, each linked to its predecessor, with consistency proofs. */
function buildChain(sizes: number[]): CheckpointLink[] {
  const links: CheckpointLink[] = [];
  let previous: string | undefined;
  for (const [i, size] of sizes.entries()) {
    const note = signCheckpoint({ origin: ORIGIN, ...head(size), ...(previous === undefined ? {} : { prev: checkpointBodyHash(previous) }) }, log.skey);
    const before = sizes[i - 1];
    const proof = before !== undefined && before > 0 && before < size ? consistencyProof(BigInt(before), BigInt(size), leaves) : undefined;
    links.push(proof === undefined ? { note } : { note, consistencyProof: proof });
    previous = note;
  }
  return links;
}

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('checkpointBodyHash', () => {
  describe('when given a note or its body', () => {
    it('hashes the body only, so later cosignatures keep the chain', () => {
      const note = signCheckpoint({ origin: ORIGIN, ...head(5) }, log.skey);
      const body = note.slice(0, note.indexOf('\n\n') + 1);
      const cosigned = `${note}${signNote(body, witness.skey).slice(body.length + 1)}`;
      expect(checkpointBodyHash(note)).toEqual(checkpointBodyHash(body));
      expect(checkpointBodyHash(cosigned)).toEqual(checkpointBodyHash(body));
      expect(Buffer.from(checkpointBodyHash(body))).toEqual(createHash('sha256').update(body, 'utf8').digest());
    });
  });
});

describe('verifyCheckpointChain', () => {
  describe('when every link is signed, chained and consistent', () => {
    it('returns the opened checkpoints', () => {
      const opened = verifyCheckpointChain(buildChain([0, 3, 8, 8, 21, 40]), [log.vkey], { origin: ORIGIN });
      expect(opened.map((c) => c.size)).toEqual([0n, 3n, 8n, 8n, 21n, 40n]);
    });
  });

  describe('when a link is removed', () => {
    it('throws CHAIN_BROKEN naming the link', () => {
      const chain = buildChain([1, 3, 8, 21]);
      const error = errorOf(() => verifyCheckpointChain([chain[0]!, chain[1]!, { ...chain[3]!, consistencyProof: consistencyProof(3n, 21n, leaves) }], log.vkey));
      expect(error.code).toBe('CHAIN_BROKEN');
      expect(error.details).toMatchObject({ link: 2 });
      expect(error.message).toMatch(/^checkpoint 2: /u);
    });
  });

  describe('when a consistency proof fails', () => {
    it('throws CONSISTENCY_PROOF_MISMATCH naming the link', () => {
      const chain = buildChain([1, 3, 8]);
      const proof = chain[2]!.consistencyProof!.map((h, i) => (i === 0 ? new Uint8Array(32) : h));
      const error = errorOf(() => verifyCheckpointChain([chain[0]!, chain[1]!, { ...chain[2]!, consistencyProof: proof }], log.vkey));
      expect(error).toMatchObject({ code: 'CONSISTENCY_PROOF_MISMATCH', details: { link: 2 } });
    });
  });

  describe('when the chain is empty or not an array', () => {
    it('throws CHAIN_BROKEN', () => {
      expect(errorOf(() => verifyCheckpointChain([], log.vkey)).code).toBe('CHAIN_BROKEN');
      expect(errorOf(() => verifyCheckpointChain('x' as unknown as CheckpointLink[], log.vkey)).code).toBe('CHAIN_BROKEN');
    });
  });
});

describe('verifyCheckpointConsistent', () => {
  describe('when the next tree extends the previous one', () => {
    it('accepts it, including from size 0 and at equal sizes', () => {
      verifyCheckpointConsistent(head(5), head(30), consistencyProof(5n, 30n, leaves));
      verifyCheckpointConsistent(head(0), head(30), undefined);
      verifyCheckpointConsistent(head(30), head(30), []);
    });
  });

  describe('when the log shrank, forked or the empty tree has a wrong root', () => {
    it('throws CONSISTENCY_PROOF_MISMATCH', () => {
      expect(errorOf(() => verifyCheckpointConsistent(head(30), head(5), [])).message).toBe('log shrank from size 30 to 5');
      expect(errorOf(() => verifyCheckpointConsistent(head(30), { size: 30n, root: head(31).root }, [])).code).toBe('CONSISTENCY_PROOF_MISMATCH');
      expect(errorOf(() => verifyCheckpointConsistent({ size: 0n, root: head(1).root }, head(5), [])).code).toBe('CONSISTENCY_PROOF_MISMATCH');
    });
  });

  describe('when a proof is given where none is needed, or missing', () => {
    it('throws INVALID_PROOF', () => {
      expect(errorOf(() => verifyCheckpointConsistent(head(5), head(5), [head(5).root])).code).toBe('INVALID_PROOF');
      expect(errorOf(() => verifyCheckpointConsistent(head(5), head(9), undefined)).code).toBe('INVALID_PROOF');
    });
  });
});
