import { describe, expect, it } from 'vitest';
import {
  computeKeyId, createSignerFromSeed, generateSigner, keyFingerprint, parseSignerKey, parseVerifierKey,
} from './note-key';
import { openNote, signNote } from './note';
import { VerificationError } from './verification-error';

/** The C2SP signed-note spec example (verifiable-log.md §2.3). */
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE = 'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

function errorOf(action: () => unknown): VerificationError {
  try {
    action();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

const seed = new Uint8Array(32).fill(7);
const log = createSignerFromSeed('audit.example.com/org/1', seed);
const witness = createSignerFromSeed('witness.example.org', new Uint8Array(32).fill(9));

describe('openNote', () => {
  describe('when given the C2SP spec example', () => {
    it('verifies it with the spec vkey', () => {
      const opened = openNote(SPEC_NOTE, SPEC_VKEY);
      expect(opened.text).toBe('This is an example message.\n');
      expect(opened.verifiedBy.map((key) => key.keyId)).toEqual(['530d903a']);
      expect(opened.signatures[0]?.keyId).toBe('530d903a');
    });

    it('rejects it after any one-byte change to the text or signature', () => {
      expect(errorOf(() => openNote(SPEC_NOTE.replace('example message', 'example messagf'), SPEC_VKEY)).code).toBe('BAD_SIGNATURE');
      const blob = SPEC_NOTE.slice(SPEC_NOTE.lastIndexOf(' ') + 1, -1);
      const bytes = Buffer.from(blob, 'base64');
      for (const position of [4, 30, 67]) {
        const changed = Buffer.from(bytes);
        changed[position] = (changed[position] ?? 0) ^ 0x80;
        expect(errorOf(() => openNote(SPEC_NOTE.replace(blob, changed.toString('base64')), SPEC_VKEY)).code).toBe('BAD_SIGNATURE');
      }
    });
  });

  describe('when signed by keys the verifier does not trust', () => {
    it('ignores them, and rejects with UNKNOWN_KEY listing the signers if none is trusted', () => {
      const note = signNote('hello\n', [witness.skey, log.skey]);
      const opened = openNote(note, [log.vkey]);
      expect(opened.verifiedBy.map((key) => key.name)).toEqual(['audit.example.com/org/1']);
      expect(opened.unknownSignatures.map((s) => s.name)).toEqual(['witness.example.org']);
      const error = errorOf(() => openNote(signNote('hello\n', witness.skey), [log.vkey]));
      expect(error.code).toBe('UNKNOWN_KEY');
      expect(error.details?.['signers']).toEqual([`witness.example.org+${parseVerifierKey(witness.vkey).keyId}`]);
    });
  });

  describe('when the note has more signatures than the cap', () => {
    it('accepts 16 and rejects beyond maxSignatures', () => {
      const others = Array.from({ length: 15 }, (_, i) => createSignerFromSeed(`w${i}.example`, new Uint8Array(32).fill(i + 20)).skey);
      const note = signNote('hello\n', [...others, log.skey]);
      expect(openNote(note, log.vkey).unknownSignatures).toHaveLength(15);
      expect(errorOf(() => openNote(note, log.vkey, { maxSignatures: 15 })).message).toBe('note has more than 15 signatures');
    });
  });

  describe('when given bytes', () => {
    it('requires valid UTF-8', () => {
      const note = signNote('h\u00e9llo\n', log.skey);
      expect(openNote(new TextEncoder().encode(note), log.vkey).text).toBe('h\u00e9llo\n');
      const bad = new TextEncoder().encode(note);
      bad[1] = 0xff;
      expect(errorOf(() => openNote(bad, log.vkey)).message).toBe('note is not valid utf-8');
    });
  });
});

describe('signNote', () => {
  describe('when the text breaks the note rules', () => {
    it('throws MALFORMED_NOTE', () => {
      expect(errorOf(() => signNote('no newline', log.skey)).code).toBe('MALFORMED_NOTE');
      expect(errorOf(() => signNote('cr\r\n', log.skey)).code).toBe('MALFORMED_NOTE');
      expect(errorOf(() => signNote('lone \ud800 surrogate\n', log.skey)).code).toBe('MALFORMED_NOTE');
    });
  });

  describe('when signing twice', () => {
    it('is deterministic (PureEd25519)', () => {
      expect(signNote('a\n', log.skey)).toBe(signNote('a\n', log.skey));
    });
  });
});

describe('parseVerifierKey', () => {
  describe("when the base64 key data contains '+' (Go's sum.golang.org key)", () => {
    it('splits at the first two plus signs only and recomputes the key id', () => {
      const key = parseVerifierKey('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
      expect(key).toMatchObject({ name: 'sum.golang.org', keyId: '033de0ae', type: 1 });
      expect(key.publicKey).toHaveLength(32);
    });
  });

  describe('when the key is malformed', () => {
    it.each([
      ['no plus', 'example.com'], ['one plus', 'example.com+530d903a'], ['empty name', '+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
      ['a wrong key id', 'example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
      ['an uppercase key id', 'example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
      ['a name with a space', 'example.com foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
      ['another signature type', 'example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
      ['short key data', 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U0='],
      ['bad base64', 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2'],
      ['10 MB', `a+530d903a+${'A'.repeat(10_000_000)}`],
    ])('rejects %s with MALFORMED_KEY', (_, vkey) => {
      expect(errorOf(() => parseVerifierKey(vkey)).code).toBe('MALFORMED_KEY');
    });
  });
});

describe('generateSigner', () => {
  describe('when generating a key pair', () => {
    it('returns a Go-style skey and a vkey that verify each other', () => {
      const { skey, vkey } = generateSigner('audit.example.com/org/9');
      expect(skey).toMatch(/^PRIVATE\+KEY\+audit\.example\.com\/org\/9\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/u);
      const signer = parseSignerKey(skey);
      expect(signer.vkey).toBe(vkey);
      expect(computeKeyId(signer.name, 1, signer.publicKey)).toBe(signer.keyId);
      expect(openNote(signNote('x\n', skey), vkey).text).toBe('x\n');
      expect(generateSigner('a.example').vkey).not.toBe(generateSigner('a.example').vkey);
    });

    it('rejects a bad name with MALFORMED_KEY', () => {
      for (const name of ['', 'a b', 'a+b', 'a\nb']) expect(errorOf(() => generateSigner(name)).code).toBe('MALFORMED_KEY');
    });
  });
});

describe('keyFingerprint', () => {
  describe('when given a vkey', () => {
    it('is ssh-style SHA256 of the key data and stable', () => {
      expect(keyFingerprint(SPEC_VKEY)).toBe('SHA256:oN/TGBgnqaq06MU3ZQjHKbt1B5agT9B0FnbICsigUr0');
      expect(keyFingerprint(parseVerifierKey(SPEC_VKEY))).toBe(keyFingerprint(SPEC_VKEY));
    });
  });
});
