import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createSignerFromSeed, encodeBase64, hashLeaf, keyFingerprint, multiLeafProof, rootHash } from '@custody/ledger';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { PATHS } from '../bundle/format';
import { DEFAULT_BUNDLE_PATHS, renderBundleReadme } from './bundle-readme';
import type { TBundleReadmeData } from './bundle-readme';
import { ProductionError } from './production-error';

const signer = createSignerFromSeed('audit.example.com/org/acme', new Uint8Array(32).fill(7));

function sample(overrides: Partial<TBundleReadmeData> = {}): TBundleReadmeData {
  return {
    bagName: 'ACME000001-acme-v-globex',
    matter: { name: 'Acme Corp. v. Globex Inc.', number: '1:26-cv-01234' },
    producingParty: 'Acme Corp.',
    custodian: 'Acme Corp. IT Security',
    productionDate: '2026-11-26',
    exporter: { name: 'Dana Reyes', reason: 'Response to RFP No. 12' },
    origin: 'audit.example.com/org/acme',
    checkpointSize: 2000,
    selection: { mode: 'complete-range', range: { from: '1000', to: '2000' }, filterDescription: 'Events of actor user:u_1 in March 2026 (UTC)' },
    counts: { shown: 120, withheld: 870, purged: 10, total: 1000 },
    controlNumbers: { prefix: 'ACME', first: 1, last: 120, width: 6 },
    keys: [{ vkey: signer.vkey }],
    generator: 'Custody 0.1.0',
    ...overrides,
  };
}

/** The README's ROOT(lo, hi) pseudo-code, transcribed literally. */
function readmeRoot(n: number, leaves: Map<number, Uint8Array>, proof: Uint8Array[]): Uint8Array {
  let next = 0;
  const sha = (...parts: Uint8Array[]) => {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return new Uint8Array(hash.digest());
  };
  const root = (lo: number, hi: number): Uint8Array => {
    const leaf = leaves.get(lo);
    if (hi - lo === 1 && leaf !== undefined) return leaf;
    if (![...leaves.keys()].some((i) => i >= lo && i < hi)) {
      const hash = proof[next++];
      if (hash === undefined) throw new Error('proof too short');
      return hash;
    }
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    return sha(Uint8Array.of(1), root(lo, lo + k), root(lo + k, hi));
  };
  const result = root(0, n);
  if (next !== proof.length) throw new Error('proof too long');
  return result;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('renderBundleReadme', () => {
  describe('when given a range production', () => {
    const text = renderBundleReadme(sample());

    it('describes the bundle and its facts', () => {
      expect(text.startsWith('CUSTODY EVIDENCE BUNDLE\n=======================\n')).toBe(true);
      expect(text).toContain('Matter:             Acme Corp. v. Globex Inc. (1:26-cv-01234)');
      expect(text).toContain('Mode:               complete range, log index (seq) 1,000 to 1,999 inclusive');
      expect(text).toContain('1,000 in all: 120 shown, 870 withheld (filtered out), 10');
      expect(text).toContain('ACME000001 \u2013 ACME000120');
      expect(text).toContain('BagIt 1.0 bag (RFC 8493)');
      expect(text).toContain('nothing in the\nrange is missing');
      for (const [name, path] of Object.entries(DEFAULT_BUNDLE_PATHS)) {
        expect(text).toContain(name === 'checkpointsDir' ? `  ${path}2000.txt\n` : `  ${path}\n`);
      }
    });

    it('gives the standard-tool steps in order', () => {
      const steps = [
        '    unzip ACME000001-acme-v-globex.zip\n    cd ACME000001-acme-v-globex\n    sha256sum -c manifest-sha256.txt\n    sha256sum -c tagmanifest-sha256.txt',
        'C2SP signed-note verifier',
        '    sha256sum tagmanifest-sha256.txt\n',
        "openssl dgst -sha256 -binary | base64",
        'SHA-256(0x01 || ROOT(lo, lo + k) || ROOT(lo + k, hi))',
        `    custody verify ACME000001-acme-v-globex.zip --vkey ${signer.vkey}`,
      ];
      const flat = text.replace(/\s+/g, ' ');
      let at = 0;
      for (const step of steps.map((item) => item.replace(/\s+/g, ' ').trim())) {
        const found = flat.indexOf(step, at);
        expect(found, step).toBeGreaterThan(at);
        at = found;
      }
    });

    it('explains why the keys in the bundle are only hints and prints their fingerprints', () => {
      expect(text).toContain('only a hint');
      expect(text).toContain('separate channel');
      expect(text).toContain(keyFingerprint(signer.vkey));
    });

    it('keeps prose within 78 columns and ends with a newline', () => {
      expect(text.endsWith('\n')).toBe(true);
      const long = text.split('\n').filter((line) => Array.from(line).length > 78);
      expect(long.every((line) => line.startsWith('    '))).toBe(true);
    });

    it('is deterministic', () => {
      expect(renderBundleReadme(sample())).toBe(text);
    });
  });

  describe('when the README proof algorithm is applied to real ledger proofs', () => {
    it('recomputes the root for any leaf set', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.nat({ max: n - 1 }), { minLength: 1 }))), ([n, picked]) => {
          const hashes = Array.from({ length: n }, (_, i) => hashLeaf(new TextEncoder().encode(`leaf-${i}`)));
          const indexes = [...picked].sort((a, b) => a - b);
          const proof = multiLeafProof(indexes.map(BigInt), BigInt(n), hashes);
          const leaves = new Map(indexes.map((i) => [i, hashes[i] as Uint8Array]));
          expect(encodeBase64(readmeRoot(n, leaves, proof))).toBe(encodeBase64(rootHash(hashes)));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe.skipIf(!hasOpenssl())('when the shell recipe runs', () => {
    it('prints the leaf hashes the ledger computes', () => {
      const lines = ['{"a":"\\u00e9 \\\\ % \\n","b":"\u00e9\ud83d\ude00 \u05e9\u05dc\u05d5\u05dd"}', '{"x":"  two  spaces \\\\n "}', '{"t":"tab\\there","q":"\\"%s\\""}'];
      const dir = mkdtempSync(join(tmpdir(), 'custody-readme-'));
      try {
        writeFileSync(join(dir, 'events.ndjson'), lines.map((line) => `${line}\n`).join(''));
        const text = renderBundleReadme(sample({ paths: { events: 'events.ndjson' } }));
        const script = text.slice(text.indexOf('    while IFS='), text.indexOf('events.ndjson\n', text.indexOf('    while IFS=')) + 'events.ndjson'.length);
        const output = execFileSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
        expect(output.trim().split('\n')).toEqual(lines.map((line) => encodeBase64(hashLeaf(new TextEncoder().encode(line)))));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('when selected events are produced', () => {
    it('states that completeness is not proven', () => {
      const text = renderBundleReadme(sample({ selection: { mode: 'selected', range: null, filterDescription: '' } }));
      expect(text.replace(/\s+/g, ' ')).toContain('does not show that the filter returned every matching event');
      expect(text).toContain('Filter:             none');
    });
  });

  describe('when values carry terminal escapes or bidirectional controls', () => {
    it('makes them visible instead of printing them', () => {
      const evil = 'Acme\u001b[2J\u001b]0;pwned\u0007 \u202eslg.exe\r\nInjected: line';
      const text = renderBundleReadme(
        sample({ matter: { name: evil }, custodian: evil, selection: { mode: 'complete-range', filterDescription: evil }, bagName: 'bag\u001b[31m' }),
      );
      // eslint-disable-next-line no-control-regex -- asserting that no control character got through
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
      expect(text.replace(/\s+/g, ' ')).toContain('Acme<U+001B>[2J<U+001B>]0;pwned<U+0007> <U+202E>slg.exe<U+000D><U+000A>Injected: line');
      expect(text).toContain("cd 'bag<U+001B>[31m'");
    });
  });

  describe('when compared with the bundle format', () => {
    it('defaults to the paths the bundle writer uses', () => {
      for (const [name, path] of Object.entries(DEFAULT_BUNDLE_PATHS)) expect(PATHS[name as keyof typeof PATHS]).toBe(path);
    });
  });

  describe('when paths differ from the defaults', () => {
    it('uses them everywhere', () => {
      const text = renderBundleReadme(sample({ paths: { proofHashes: 'data/proofs/multileaf.txt', checkpointsDir: 'data/cp/' } }));
      expect(text).toContain('  data/proofs/multileaf.txt\n');
      expect(text).toContain('and data/cp/2000.txt with');
      expect(text).not.toContain('proof-hashes');
    });

    it('rejects paths that are not plain relative paths', () => {
      expect(() => renderBundleReadme(sample({ paths: { events: 'data/$(rm -rf ~)' } }))).toThrow(ProductionError);
      expect(() => renderBundleReadme(sample({ paths: { events: '/etc/passwd' } }))).toThrow(ProductionError);
      expect(() => renderBundleReadme(sample({ paths: { events: 'data/../x' } }))).toThrow(ProductionError);
    });
  });

  describe('when the data is invalid', () => {
    it.each([
      ['no bag name', { bagName: undefined as never }],
      ['a bad size', { checkpointSize: -1 }],
      ['a bad mode', { selection: { mode: 'events' as never, filterDescription: '' } }],
      ['a bad key', { keys: [{ vkey: 'nope' }] }],
      ['a non-integer count', { counts: { shown: 0.5, withheld: 0, purged: 0, total: 0 } }],
    ])('rejects %s with INVALID_ARGUMENT', (_, overrides) => {
      try {
        renderBundleReadme(sample(overrides));
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProductionError);
        expect((error as ProductionError).code).toBe('INVALID_ARGUMENT');
      }
    });
  });
});
