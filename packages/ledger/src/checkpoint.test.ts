import { describe, expect, it } from 'vitest';
import { encodeBase64 } from './base64';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint';
import { hashLeaf } from './hasher';
import { createSignerFromSeed } from './note-key';
import { rootHash } from './root-hash';
import { VerificationError } from './verification-error';

const ORIGIN = 'audit.example.com/org/7';
const log = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(3));
const leaves = Array.from({ length: 20 }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
const root = rootHash(leaves);

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('signCheckpoint', () => {
  describe('when given a tree head', () => {
    it('signs origin, size and base64 root as a note that openCheckpoint returns intact', () => {
      const note = signCheckpoint({ origin: ORIGIN, size: 20n, root }, log.skey);
      expect(note.startsWith(`${ORIGIN}\n20\n${encodeBase64(root)}\n\n\u2014 ${ORIGIN} `)).toBe(true);
      const opened = openCheckpoint(note, log.vkey, { origin: ORIGIN });
      expect(opened).toMatchObject({ origin: ORIGIN, size: 20n, extensions: [], prev: undefined, body: `${ORIGIN}\n20\n${encodeBase64(root)}\n` });
      expect(opened.root).toEqual(root);
    });

    it('writes prev as the first extension line', () => {
      const prev = new Uint8Array(32).fill(1);
      const note = signCheckpoint({ origin: ORIGIN, size: 20n, root, prev, extensions: ['x-vendor hint'] }, log.skey);
      const opened = openCheckpoint(note, log.vkey);
      expect(opened.extensions).toEqual([`prev ${encodeBase64(prev)}`, 'x-vendor hint']);
      expect(opened.prev).toEqual(prev);
    });

    it('rejects a bad origin or extension with MALFORMED_CHECKPOINT and a bad root with INVALID_HASH', () => {
      expect(errorOf(() => signCheckpoint({ origin: '', size: 1n, root }, log.skey)).code).toBe('MALFORMED_CHECKPOINT');
      expect(errorOf(() => signCheckpoint({ origin: 'a\nb', size: 1n, root }, log.skey)).code).toBe('MALFORMED_CHECKPOINT');
      expect(errorOf(() => signCheckpoint({ origin: ORIGIN, size: 1n, root, extensions: [''] }, log.skey)).code).toBe('MALFORMED_CHECKPOINT');
      expect(errorOf(() => signCheckpoint({ origin: ORIGIN, size: 1n, root: root.subarray(1) }, log.skey)).code).toBe('INVALID_HASH');
      expect(errorOf(() => signCheckpoint({ origin: ORIGIN, size: -1n, root }, log.skey)).code).toBe('INVALID_TREE_SIZE');
    });
  });
});

describe('openCheckpoint', () => {
  describe('when the origin is not the expected one', () => {
    it('throws ORIGIN_MISMATCH', () => {
      const note = signCheckpoint({ origin: 'audit.example.com/org/8', size: 1n, root }, log.skey);
      expect(errorOf(() => openCheckpoint(note, log.vkey, { origin: ORIGIN })).code).toBe('ORIGIN_MISMATCH');
    });
  });

  describe('when the signed size or root is altered', () => {
    it('throws BAD_SIGNATURE', () => {
      const note = signCheckpoint({ origin: ORIGIN, size: 20n, root }, log.skey);
      expect(errorOf(() => openCheckpoint(note.replace('\n20\n', '\n21\n'), log.vkey)).code).toBe('BAD_SIGNATURE');
    });
  });
});

describe('parseCheckpoint', () => {
  describe('when the body breaks the format', () => {
    it.each([
      ['no final newline', `${ORIGIN}\n1\n${encodeBase64(root)}`, 'does not end'],
      ['two lines', `${ORIGIN}\n1\n`, 'expected at least 3'],
      ['a leading zero', `${ORIGIN}\n01\n${encodeBase64(root)}\n`, 'line 2'],
      ['an unpadded 33-byte root', `${ORIGIN}\n1\n${encodeBase64(new Uint8Array(33))}\n`, 'line 3'],
      ['an empty extension line', `${ORIGIN}\n1\n${encodeBase64(root)}\n\n`, 'line 4'],
      ['a control character in the origin', `a\u0007b\n1\n${encodeBase64(root)}\n`, 'line 1'],
    ])('rejects %s with MALFORMED_CHECKPOINT', (_, body, message) => {
      const error = errorOf(() => parseCheckpoint(body));
      expect(error.code).toBe('MALFORMED_CHECKPOINT');
      expect(error.message).toContain(message);
    });
  });

  describe('when formatted and parsed back', () => {
    it('round-trips', () => {
      const body = formatCheckpoint({ origin: ORIGIN, size: 18446744073709551615n, root, extensions: ['a b'] });
      expect(parseCheckpoint(body)).toMatchObject({ origin: ORIGIN, size: 18446744073709551615n, extensions: ['a b'], body });
    });
  });
});
