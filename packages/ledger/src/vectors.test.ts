import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  VerificationError, createMultiLeafVerifier, decodeBase64, decodeHex, encodeBase64, openCheckpoint, openNote,
  verifyCheckpointChain, verifyConsistency, verifyInclusion, verifyMultiLeaf, verifyRange,
} from './index';

const TESTDATA = fileURLToPath(new URL('../testdata', import.meta.url));

/** A golden case as stored: `{ desc, wantErr, wantCode?, …inputs }`. */
type Case = Record<string, unknown> & { desc: string; wantErr: boolean; wantCode?: string };

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listJson(join(dir, entry.name)) : entry.name.endsWith('.json') ? [join(dir, entry.name)] : [],
  );
}

const str = (value: unknown): string => value as string;
const hashes = (value: unknown): Uint8Array[] => (value as string[]).map(decodeHex);
const big = (value: unknown): bigint => BigInt(str(value));

/** Runs one case; returns the outcome checks' failure message, or undefined. */
function runCase(kind: string, c: Case): string | undefined {
  let extra: string | undefined;
  const run = (): void => {
    switch (kind) {
      case 'inclusion':
        verifyInclusion(decodeHex(str(c.leafHash)), big(c.index), big(c.size), hashes(c.proof), decodeHex(str(c.root)));
        return;
      case 'consistency':
        verifyConsistency(big(c.size1), big(c.size2), hashes(c.proof), decodeHex(str(c.root1)), decodeHex(str(c.root2)));
        return;
      case 'multileaf': {
        const leafHashes = hashes(c.leafHashes);
        if (c.start !== undefined) {
          verifyRange(big(c.start), big(c.end), big(c.size), leafHashes, hashes(c.proof), decodeHex(str(c.root)));
          return;
        }
        const indexes = (c.indexes as string[]).map(BigInt);
        // The streaming verifier must agree with the one-shot verifier on validity.
        let streamingOk = true;
        try {
          const verifier = createMultiLeafVerifier(big(c.size), hashes(c.proof));
          indexes.forEach((index, i) => verifier.push(index, leafHashes[i] as Uint8Array));
          verifier.finish(decodeHex(str(c.root)));
        } catch (error) {
          if (!(error instanceof VerificationError)) throw error;
          streamingOk = false;
        }
        if (streamingOk === c.wantErr) extra = `streaming verifier ${streamingOk ? 'accepted' : 'rejected'} it`;
        verifyMultiLeaf(big(c.size), indexes.map((index, i) => ({ index, leafHash: leafHashes[i] as Uint8Array })), hashes(c.proof), decodeHex(str(c.root)));
        return;
      }
      case 'note': {
        const note = c.noteBase64 === undefined ? str(c.note) : decodeBase64(str(c.noteBase64));
        const opened = openNote(note, c.vkeys as string[]);
        const verified = opened.verifiedBy.map((key) => `${key.name}+${key.keyId}`);
        const unknown = opened.unknownSignatures.map((key) => `${key.name}+${key.keyId}`);
        if (opened.text !== c.wantText) extra = `text ${JSON.stringify(opened.text)}`;
        else if (JSON.stringify(verified) !== JSON.stringify(c.wantVerifiedBy)) extra = `verified by ${verified.join(', ')}`;
        else if (JSON.stringify(unknown) !== JSON.stringify(c.wantUnknown)) extra = `unknown ${unknown.join(', ')}`;
        return;
      }
      case 'checkpoint': {
        const origin = c.origin === undefined ? {} : { origin: str(c.origin) };
        if (c.chain !== undefined) {
          const links = (c.chain as { note: string; consistencyProof?: string[] }[]).map((link) =>
            link.consistencyProof === undefined ? { note: link.note } : { note: link.note, consistencyProof: hashes(link.consistencyProof) });
          const opened = verifyCheckpointChain(links, c.vkeys as string[], origin);
          const sizes = opened.map((checkpoint) => checkpoint.size.toString());
          if (JSON.stringify(sizes) !== JSON.stringify(c.wantSizes)) extra = `sizes ${sizes.join(', ')}`;
          return;
        }
        const opened = openCheckpoint(str(c.note), c.vkeys as string[], origin);
        const want = c.want as { origin: string; size: string; root: string; extensions: string[]; prev?: string };
        const got = {
          origin: opened.origin, size: opened.size.toString(), root: encodeBase64(opened.root), extensions: opened.extensions,
          ...(opened.prev === undefined ? {} : { prev: encodeBase64(opened.prev) }),
        };
        if (JSON.stringify(got) !== JSON.stringify(want)) extra = `opened ${JSON.stringify(got)}`;
        return;
      }
      default:
        throw new Error(`unknown vector kind ${kind}`);
    }
  };
  try {
    run();
  } catch (error) {
    if (!(error instanceof VerificationError)) return `threw a non-VerificationError: ${String(error)}`;
    if (!c.wantErr) return `unexpected ${error.code}: ${error.message}`;
    if (c.wantCode !== undefined && error.code !== c.wantCode) return `got ${error.code} (${error.message}), want ${c.wantCode}`;
    if (c.wantLink !== undefined && error.details?.['link'] !== c.wantLink) {
      return `error names link ${String(error.details?.['link'])}, want ${JSON.stringify(c.wantLink)}`;
    }
    return extra;
  }
  if (c.wantErr) return `accepted, want ${c.wantCode ?? 'an error'}`;
  return extra;
}

describe('golden vectors', () => {
  describe('when every file under testdata/ is run', () => {
    it('passes all cases, reporting every failure at once', () => {
      const files = listJson(TESTDATA);
      const failures: string[] = [];
      const kinds = new Set<string>();
      for (const file of files) {
        const path = relative(TESTDATA, file);
        const kind = path.split(/[\\/]/u)[0] ?? '';
        kinds.add(kind);
        const c = JSON.parse(readFileSync(file, 'utf8')) as Case;
        const problem = runCase(kind, c);
        if (problem !== undefined) failures.push(`${path} (${c.desc}): ${problem}`);
      }
      expect([...kinds].sort()).toEqual(['checkpoint', 'consistency', 'inclusion', 'multileaf', 'note']);
      expect(files.length).toBeGreaterThan(3000);
      if (failures.length > 0) {
        expect.fail(`${failures.length} of ${files.length} cases failed:\n${failures.join('\n')}`);
      }
    });
  });
});
