/**
 * Golden-vector generator (house style §8.10). Deterministic: run `npx tsx scripts/gen-vectors.ts` (or
 * `npm run gen:vectors`) and commit `testdata/`. It rewrites testdata/{inclusion,consistency,multileaf,note,checkpoint}.
 *
 * Proofs come from the recursive reference definitions in `scripts/reference.ts`, notes are signed with
 * node:crypto Ed25519 from fixed seeds, and every expectation (`wantErr`, `wantCode`) of a mutated case is computed
 * by the reference verifiers, never hard-coded: some mutations stay valid (an inclusion proof can verify for
 * another size, verifiable-log.md §8.1) and are recorded with `wantErr: false`.
 *
 * Files: `{ desc, wantErr, wantCode?, …inputs }` with hashes in hex, sizes and indexes as decimal strings.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EMPTY_ROOT, projectLeafData, refConsistency, refLeafHash, refMth, refMultiProof, refPath, refVerifyConsistency,
  refVerifyInclusion, refVerifyMultiLeaf, sha256, type Outcome,
} from './reference';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');
const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257];
const MAX_LEAVES = 260;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const leaves = Array.from({ length: MAX_LEAVES }, (_, i) => refLeafHash(projectLeafData(i)));
/** A hash that is in no tree here, for "extra element" mutations. */
const EXTRA = sha256(new TextEncoder().encode('custody/ledger golden vectors: extra element'));

function flipBit(bytes: Uint8Array, bit = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  out[Math.floor(bit / 8) % out.length]! ^= 1 << (bit % 8);
  return out;
}

let written = 0;
function write(path: string, value: Record<string, unknown>): void {
  const file = join(ROOT, `${path}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  written += 1;
}

function expectation(outcome: Outcome): Record<string, unknown> {
  return outcome.ok ? { wantErr: false } : { wantErr: true, wantCode: outcome.code };
}

// ---------------------------------------------------------------- inclusion

interface InclusionCase { index: bigint; size: bigint; leafHash: Uint8Array; proof: Uint8Array[]; root: Uint8Array }

function writeInclusion(folder: string, name: string, desc: string, c: InclusionCase): void {
  write(`inclusion/${folder}/${name}`, {
    desc,
    ...expectation(refVerifyInclusion(c)),
    index: c.index.toString(),
    size: c.size.toString(),
    leafHash: hex(c.leafHash),
    proof: c.proof.map(hex),
    root: hex(c.root),
  });
}

function inclusionIndexes(n: number): number[] {
  if (n <= 9) return Array.from({ length: n }, (_, i) => i);
  return [...new Set([0, 1, 127, 128, Math.floor(n / 2), n - 2, n - 1, 255, 256].filter((i) => i < n))].sort((a, b) => a - b);
}

function genInclusion(): void {
  for (const n of SIZES) {
    const tree = leaves.slice(0, n);
    const root = refMth(tree);
    if (n === 0) {
      writeInclusion('0', 'i0-empty-tree', 'index 0 in the empty tree', { index: 0n, size: 0n, leafHash: leaves[0]!, proof: [], root: EMPTY_ROOT });
      continue;
    }
    for (const m of inclusionIndexes(n)) {
      const base: InclusionCase = { index: BigInt(m), size: BigInt(n), leafHash: tree[m]!, proof: refPath(m, tree), root };
      const what = `inclusion of leaf ${m} in a tree of ${n}`;
      const emit = (suffix: string, desc: string, c: Partial<InclusionCase>): void =>
        writeInclusion(String(n), `i${m}-${suffix}`, `${what}: ${desc}`, { ...base, ...c });
      emit('happy', 'valid proof', {});
      base.proof.forEach((_, j) => emit(`flip-${j}`, `proof hash ${j} bit-flipped`, {
        proof: base.proof.map((h, k) => (k === j ? flipBit(h, j * 11) : h)),
      }));
      if (base.proof.length > 0) emit('truncated', 'last proof hash removed', { proof: base.proof.slice(0, -1) });
      emit('extra-leading', 'extra hash before the proof', { proof: [EXTRA, ...base.proof] });
      emit('extra-trailing', 'extra hash after the proof', { proof: [...base.proof, EXTRA] });
      emit('index-plus-1', 'index + 1', { index: base.index + 1n });
      emit('index-minus-1', 'index - 1', { index: base.index - 1n });
      emit('index-xor-2', 'index XOR 2', { index: base.index ^ 2n });
      emit('size-plus-1', 'size + 1', { size: base.size + 1n });
      emit('size-minus-1', 'size - 1', { size: base.size - 1n });
      emit('size-xor-2', 'size XOR 2', { size: base.size ^ 2n });
      emit('wrong-root', 'root bit-flipped', { root: flipBit(root, 77) });
      emit('wrong-leaf', 'leaf hash of another leaf', { leafHash: refLeafHash(new TextEncoder().encode(`not-leaf-${m}`)) });
    }
  }
}

// ---------------------------------------------------------------- consistency

interface ConsistencyCase { size1: bigint; size2: bigint; root1: Uint8Array; root2: Uint8Array; proof: Uint8Array[] }

function writeConsistency(folder: string, name: string, desc: string, c: ConsistencyCase): void {
  write(`consistency/${folder}/${name}`, {
    desc,
    ...expectation(refVerifyConsistency(c)),
    size1: c.size1.toString(),
    size2: c.size2.toString(),
    root1: hex(c.root1),
    root2: hex(c.root2),
    proof: c.proof.map(hex),
  });
}

function consistencyFirstSizes(n: number): number[] {
  if (n <= 9) return Array.from({ length: n }, (_, i) => i + 1);
  return [...new Set([1, 3, 64, 128, 129, n - 1, n].filter((m) => m >= 1 && m <= n))].sort((a, b) => a - b);
}

function genConsistency(): void {
  for (const n of SIZES) {
    const tree = leaves.slice(0, n);
    const root2 = refMth(tree);
    writeConsistency(String(n), 'm0-from-empty', `consistency from the empty tree to ${n} proves nothing`, {
      size1: 0n, size2: BigInt(n), root1: EMPTY_ROOT, root2, proof: [],
    });
    for (const m of n === 0 ? [] : consistencyFirstSizes(n)) {
      const root1 = refMth(tree, 0, m);
      const base: ConsistencyCase = { size1: BigInt(m), size2: BigInt(n), root1, root2, proof: refConsistency(m, tree) };
      const what = `consistency from ${m} to ${n}`;
      const emit = (suffix: string, desc: string, c: Partial<ConsistencyCase>): void =>
        writeConsistency(String(n), `m${m}-${suffix}`, `${what}: ${desc}`, { ...base, ...c });
      emit('happy', 'valid proof', {});
      base.proof.forEach((_, j) => emit(`flip-${j}`, `proof hash ${j} bit-flipped`, {
        proof: base.proof.map((h, k) => (k === j ? flipBit(h, j * 13 + 5) : h)),
      }));
      if (base.proof.length > 0) emit('truncated', 'last proof hash removed', { proof: base.proof.slice(0, -1) });
      emit('extra-leading', 'extra hash before the proof', { proof: [EXTRA, ...base.proof] });
      emit('extra-trailing', 'extra hash after the proof', { proof: [...base.proof, EXTRA] });
      emit('size1-plus-1', 'first size + 1', { size1: base.size1 + 1n });
      emit('size1-minus-1', 'first size - 1', { size1: base.size1 - 1n });
      emit('size1-xor-2', 'first size XOR 2', { size1: base.size1 ^ 2n });
      emit('size2-plus-1', 'second size + 1', { size2: base.size2 + 1n });
      emit('size2-minus-1', 'second size - 1', { size2: base.size2 - 1n });
      emit('size2-xor-2', 'second size XOR 2', { size2: base.size2 ^ 2n });
      emit('swapped-roots', 'roots swapped', { root1: root2, root2: root1 });
      emit('wrong-root1', 'first root bit-flipped', { root1: flipBit(root1, 3) });
      emit('wrong-root2', 'second root bit-flipped', { root2: flipBit(root2, 200) });
    }
  }
}

// ---------------------------------------------------------------- multi-leaf and range

interface MultiCase {
  size: bigint; indexes: bigint[]; leafHashes: Uint8Array[]; proof: Uint8Array[]; root: Uint8Array;
  range?: { start: bigint; end: bigint };
}

function writeMulti(folder: string, name: string, desc: string, c: MultiCase): void {
  const common = { desc, ...expectation(refVerifyMultiLeaf(c)), size: c.size.toString() };
  write(`multileaf/${folder}/${name}`, c.range === undefined
    ? { ...common, indexes: c.indexes.map(String), leafHashes: c.leafHashes.map(hex), proof: c.proof.map(hex), root: hex(c.root) }
    : {
        ...common, start: c.range.start.toString(), end: c.range.end.toString(), leafHashes: c.leafHashes.map(hex),
        proof: c.proof.map(hex), root: hex(c.root),
      });
}

function multiSets(n: number): Record<string, number[]> {
  const sets: Record<string, number[]> = { first: [0], last: [n - 1] };
  if (n >= 2) sets['ends'] = [0, n - 1];
  if (n >= 5) sets['scattered'] = [...new Set([1, 3, 4, n - 2])].sort((a, b) => a - b);
  if (n >= 100) {
    sets['every-40th'] = Array.from({ length: Math.ceil(n / 40) }, (_, i) => i * 40 + (i % 3)).filter((i) => i < n);
    sets['around-128'] = [126, 127, 128, 129].filter((i) => i < n);
  }
  return sets;
}

function multiRanges(n: number): Record<string, [number, number]> {
  const ranges: Record<string, [number, number]> = { all: [0, n] };
  if (n >= 3) ranges['inner'] = [1, n - 1];
  if (n >= 2) ranges['tail'] = [Math.floor(n / 2), n];
  if (n >= 200) ranges['middle'] = [100, 200];
  return ranges;
}

function genMultiLeaf(): void {
  for (const n of SIZES) {
    const tree = leaves.slice(0, n);
    const root = refMth(tree);
    const folder = String(n);
    if (n === 0) {
      writeMulti(folder, 'index-0-empty-tree', 'index 0 in the empty tree', { size: 0n, indexes: [0n], leafHashes: [leaves[0]!], proof: [], root: EMPTY_ROOT });
      writeMulti(folder, 'no-indexes', 'no indexes in the empty tree', { size: 0n, indexes: [], leafHashes: [], proof: [EMPTY_ROOT], root: EMPTY_ROOT });
      continue;
    }
    const mutateProof = (emit: (suffix: string, desc: string, c: Partial<MultiCase>) => void, base: MultiCase): void => {
      emit('happy', 'valid proof', {});
      base.proof.forEach((_, j) => emit(`flip-${j}`, `proof hash ${j} bit-flipped`, {
        proof: base.proof.map((h, k) => (k === j ? flipBit(h, j * 17 + 2) : h)),
      }));
      if (base.proof.length > 0) emit('truncated', 'last proof hash removed', { proof: base.proof.slice(0, -1) });
      emit('extra-leading', 'extra hash before the proof', { proof: [EXTRA, ...base.proof] });
      emit('extra-trailing', 'extra hash after the proof', { proof: [...base.proof, EXTRA] });
      emit('wrong-root', 'root bit-flipped', { root: flipBit(root, 100) });
      emit('wrong-leaf', 'first leaf hash bit-flipped', { leafHashes: base.leafHashes.map((h, k) => (k === 0 ? flipBit(h, 9) : h)) });
      emit('size-plus-1', 'size + 1', { size: base.size + 1n });
      emit('size-minus-1', 'size - 1', { size: base.size - 1n });
      emit('size-xor-2', 'size XOR 2', { size: base.size ^ 2n });
    };
    for (const [name, set] of Object.entries(multiSets(n))) {
      const base: MultiCase = {
        size: BigInt(n), indexes: set.map(BigInt), leafHashes: set.map((i) => tree[i]!), proof: refMultiProof(new Set(set), tree), root,
      };
      const emit = (suffix: string, desc: string, c: Partial<MultiCase>): void =>
        writeMulti(folder, `${name}-${suffix}`, `multi-leaf proof of {${set.join(', ')}} in a tree of ${n}: ${desc}`, { ...base, ...c });
      mutateProof(emit, base);
      emit('index-plus-1', 'first index + 1', { indexes: base.indexes.map((i, k) => (k === 0 ? i + 1n : i)) });
      emit('index-out-of-range', 'last index = size', { indexes: base.indexes.map((i, k) => (k === base.indexes.length - 1 ? base.size : i)) });
      emit('no-indexes', 'no leaves', { indexes: [], leafHashes: [] });
      emit('duplicate', 'first entry repeated', {
        indexes: [base.indexes[0]!, ...base.indexes], leafHashes: [base.leafHashes[0]!, ...base.leafHashes],
      });
      if (set.length >= 2) {
        emit('unsorted', 'first two entries swapped', {
          indexes: [base.indexes[1]!, base.indexes[0]!, ...base.indexes.slice(2)],
          leafHashes: [base.leafHashes[1]!, base.leafHashes[0]!, ...base.leafHashes.slice(2)],
        });
        emit('entry-dropped', 'last entry removed', { indexes: base.indexes.slice(0, -1), leafHashes: base.leafHashes.slice(0, -1) });
      }
      const absent = Array.from({ length: n }, (_, i) => i).find((i) => !set.includes(i));
      if (absent !== undefined) {
        const indexes = [...set, absent].sort((a, b) => a - b);
        emit('entry-added', `leaf ${absent} added with its true hash`, { indexes: indexes.map(BigInt), leafHashes: indexes.map((i) => tree[i]!) });
      }
    }
    for (const [name, [a, b]] of Object.entries(multiRanges(n))) {
      const set = Array.from({ length: b - a }, (_, i) => a + i);
      const base: MultiCase = {
        size: BigInt(n), indexes: set.map(BigInt), leafHashes: set.map((i) => tree[i]!), proof: refMultiProof(new Set(set), tree), root,
        range: { start: BigInt(a), end: BigInt(b) },
      };
      const emit = (suffix: string, desc: string, c: Partial<MultiCase>): void =>
        writeMulti(folder, `range-${name}-${suffix}`, `range proof of [${a}, ${b}) in a tree of ${n}: ${desc}`, { ...base, ...c });
      mutateProof(emit, base);
      if (b - a >= 2) {
        emit('start-plus-1', 'start + 1, first leaf dropped', { range: { start: BigInt(a + 1), end: BigInt(b) }, leafHashes: base.leafHashes.slice(1) });
        emit('end-minus-1', 'end - 1, last leaf dropped', { range: { start: BigInt(a), end: BigInt(b - 1) }, leafHashes: base.leafHashes.slice(0, -1) });
      }
      emit('leaf-missing', 'one leaf hash fewer than the range', { leafHashes: base.leafHashes.slice(0, -1) });
      emit('end-past-size', 'end = size + 1', { range: { start: BigInt(a), end: BigInt(n + 1) }, leafHashes: [...base.leafHashes, EXTRA] });
      emit('empty-range', 'start = end', { range: { start: BigInt(b), end: BigInt(b) }, leafHashes: [] });
    }
  }
}

// ---------------------------------------------------------------- notes and checkpoints

interface TestKey { name: string; keyId: Uint8Array; vkey: string; skey: string; key: KeyObject }

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function testKey(name: string, label: string): TestKey {
  const seed = sha256(new TextEncoder().encode(`custody/ledger golden vectors: ${label}`));
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12));
  const data = new Uint8Array([1, ...publicKey]);
  const keyId = sha256(new TextEncoder().encode(`${name}\n`), data).subarray(0, 4);
  return {
    name, keyId, key,
    vkey: `${name}+${hex(keyId)}+${b64(data)}`,
    skey: `PRIVATE+KEY+${name}+${hex(keyId)}+${b64(new Uint8Array([1, ...seed]))}`,
  };
}

const ORIGIN = 'audit.example.com/org/42';
const LOG = testKey(ORIGIN, 'log key');
const WITNESS = testKey('witness.example.org/w1', 'witness key');
const STRANGER = testKey('attacker.example.net/log', 'untrusted key');
const ROTATED = testKey(ORIGIN, 'rotated log key');

function signatureLine(key: TestKey, text: string): string {
  const signature = sign(null, Buffer.from(text, 'utf8'), key.key);
  return `\u2014 ${key.name} ${b64(new Uint8Array([...key.keyId, ...signature]))}\n`;
}

function signed(text: string, ...keys: TestKey[]): string {
  return `${text}\n${keys.map((key) => signatureLine(key, text)).join('')}`;
}

function flipSignatureByte(note: string, line: number, byte: number): string {
  const parts = note.split('\n');
  const sigLines = parts.length - 1; // trailing ''
  const target = sigLines - 1 - line; // `line` counts from the last signature line
  const fields = parts[target]!.split(' ');
  const blob = Buffer.from(fields[2]!, 'base64');
  blob[byte]! ^= 0x01;
  fields[2] = blob.toString('base64');
  parts[target] = fields.join(' ');
  return parts.join('\n');
}

function genNotes(): void {
  const text = 'Custody audit log note.\nSecond line.\n';
  const note = signed(text, LOG);
  const emit = (name: string, desc: string, c: Record<string, unknown>): void => write(`note/${name}`, { desc, ...c });
  const ok = (verifiedBy: TestKey[], unknown: TestKey[] = [], wantText = text): Record<string, unknown> => ({
    wantErr: false, wantText, wantVerifiedBy: verifiedBy.map((k) => `${k.name}+${hex(k.keyId)}`),
    wantUnknown: unknown.map((k) => `${k.name}+${hex(k.keyId)}`),
  });
  const bad = (wantCode: string): Record<string, unknown> => ({ wantErr: true, wantCode });

  emit('valid', 'one signature by the trusted key', { note, vkeys: [LOG.vkey], ...ok([LOG]) });
  emit('valid-two-trusted', 'signatures by two trusted keys', { note: signed(text, LOG, WITNESS), vkeys: [LOG.vkey, WITNESS.vkey], ...ok([LOG, WITNESS]) });
  emit('valid-unknown-cosigner', 'an untrusted cosignature is ignored', {
    note: signed(text, STRANGER, LOG), vkeys: [LOG.vkey], ...ok([LOG], [STRANGER]),
  });
  const blankText = 'first paragraph\n\nsecond paragraph\n';
  emit('valid-blank-lines-in-text', 'text with a blank line: split at the last blank line', {
    note: signed(blankText, LOG), vkeys: [LOG.vkey], ...ok([LOG], [], blankText),
  });
  const unicodeText = 'h\u00e9llo \u2014 \u{1f600}\n';
  emit('valid-unicode-bytes', 'note given as utf-8 bytes with non-ascii text', {
    noteBase64: b64(Buffer.from(signed(unicodeText, LOG), 'utf8')), vkeys: [LOG.vkey], ...ok([LOG], [], unicodeText),
  });
  const many = Array.from({ length: 15 }, (_, i) => testKey(`cosigner-${i}.example.org`, `cosigner ${i}`));
  emit('valid-16-signatures', '16 signatures (the minimum a verifier must accept), one trusted', {
    note: signed(text, ...many, LOG), vkeys: [LOG.vkey], ...ok([LOG], many),
  });
  const hundredOne = Array.from({ length: 100 }, (_, i) => testKey(`c${i}.example.org`, `cosigner ${i}`));
  emit('too-many-signatures', '101 signatures exceed the cap of 100', { note: signed(text, ...hundredOne, LOG), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('text-changed', 'signed text altered', { note: note.replace('Second', 'Secund'), vkeys: [LOG.vkey], ...bad('BAD_SIGNATURE') });
  emit('signature-flipped', 'one signature byte flipped', { note: flipSignatureByte(note, 0, 10), vkeys: [LOG.vkey], ...bad('BAD_SIGNATURE') });
  emit('key-id-flipped', 'one key id byte flipped: the signature is by an unknown key', {
    note: flipSignatureByte(note, 0, 1), vkeys: [LOG.vkey], ...bad('UNKNOWN_KEY'),
  });
  emit('second-trusted-bad', 'a valid trusted signature then a failing one by another trusted key', {
    note: flipSignatureByte(signed(text, LOG, WITNESS), 0, 20), vkeys: [LOG.vkey, WITNESS.vkey], ...bad('BAD_SIGNATURE'),
  });
  emit('unknown-key', 'signed only by an untrusted key', { note: signed(text, STRANGER), vkeys: [LOG.vkey], ...bad('UNKNOWN_KEY') });
  emit('rotated-key', 'same name, different key id', { note: signed(text, ROTATED), vkeys: [LOG.vkey], ...bad('UNKNOWN_KEY') });
  emit('no-trusted-keys', 'no trusted keys at all', { note, vkeys: [], ...bad('UNKNOWN_KEY') });
  emit('no-signature', 'text only, no signature block', { note: text, vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('empty-signature-block', 'blank line but no signature lines', { note: `${text}\n`, vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('signature-line-hyphen', 'signature line starts with a hyphen, not an em dash', {
    note: note.replace('\u2014', '-'), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE'),
  });
  emit('signature-line-no-space', 'signature line without the space before the signature', {
    note: note.replace(`${LOG.name} `, LOG.name), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE'),
  });
  emit('signature-line-bad-base64', 'signature with a character outside base64', {
    note: note.replace(/ ([A-Za-z0-9+/]{10})/u, ' $1!').replace(/!(.)/u, '!'), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE'),
  });
  emit('signature-line-short', 'signature blob shorter than 5 bytes', {
    note: `${text}\n\u2014 ${LOG.name} AAAA\n`, vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE'),
  });
  emit('extra-blank-line-before-signatures', 'two blank lines before the signatures: the signed text changes', {
    note: `${text}\n${note.slice(text.length)}`, vkeys: [LOG.vkey], ...bad('BAD_SIGNATURE'),
  });
  emit('extra-blank-line-after-signatures', 'blank line after the signatures: no signature block', {
    note: `${note}\n`, vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE'),
  });
  emit('crlf', 'CRLF line endings', { note: note.replace(/\n/gu, '\r\n'), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('cr-in-text', 'a CR inside the text', { note: signed('line\rline\n', LOG), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('tab-in-text', 'a tab inside the text', { note: signed('col1\tcol2\n', LOG), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('no-final-newline', 'note without its final newline', { note: note.slice(0, -1), vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE') });
  emit('invalid-utf8', 'note bytes that are not utf-8', {
    noteBase64: b64(Buffer.concat([Buffer.from(text.slice(0, 5)), Buffer.from([0xc3, 0x28]), Buffer.from(note.slice(5))])),
    vkeys: [LOG.vkey], ...bad('MALFORMED_NOTE'),
  });
  emit('malformed-trusted-key', 'trusted key with a wrong key id', {
    note, vkeys: [LOG.vkey.replace(/\+[0-9a-f]{8}\+/u, '+00000000+')], ...bad('MALFORMED_KEY'),
  });
}

function checkpointBody(size: number, options: { prev?: string; extensions?: string[]; origin?: string; root?: Uint8Array } = {}): string {
  const root = options.root ?? refMth(leaves.slice(0, size));
  const lines = [options.origin ?? ORIGIN, String(size), b64(root)];
  if (options.prev !== undefined) lines.push(`prev ${b64(sha256(Buffer.from(options.prev, 'utf8')))}`);
  lines.push(...(options.extensions ?? []));
  return `${lines.join('\n')}\n`;
}

function genCheckpoints(): void {
  const emit = (name: string, desc: string, c: Record<string, unknown>): void => write(`checkpoint/${name}`, { desc, ...c });
  const bad = (wantCode: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ wantErr: true, wantCode, ...extra });
  const want = (size: number, extensions: string[] = [], prev?: string): Record<string, unknown> => ({
    wantErr: false,
    want: {
      origin: ORIGIN, size: String(size), root: b64(refMth(leaves.slice(0, size))), extensions,
      ...(prev === undefined ? {} : { prev: b64(sha256(Buffer.from(prev, 'utf8'))) }),
    },
  });
  const body8 = checkpointBody(8);
  const note8 = signed(body8, LOG);
  const vkeys = [LOG.vkey];

  emit('valid-size-0', 'the empty tree', { note: signed(checkpointBody(0), LOG), vkeys, origin: ORIGIN, ...want(0) });
  emit('valid-size-8', 'a tree of 8', { note: note8, vkeys, origin: ORIGIN, ...want(8) });
  emit('valid-any-origin', 'no expected origin given', { note: note8, vkeys, ...want(8) });
  const withPrev = checkpointBody(9, { prev: body8 });
  emit('valid-prev', 'with a prev line', { note: signed(withPrev, LOG), vkeys, origin: ORIGIN, ...want(9, [withPrev.split('\n')[3]!], body8) });
  const withExt = checkpointBody(5, { extensions: ['vendor.example/hint 42'] });
  emit('valid-extension', 'with an extension line', { note: signed(withExt, LOG), vkeys, ...want(5, ['vendor.example/hint 42']) });
  emit('valid-cosigned', 'with an untrusted witness cosignature', { note: signed(body8, LOG, WITNESS), vkeys, ...want(8) });

  emit('size-changed', 'size altered after signing', { note: note8.replace('\n8\n', '\n9\n'), vkeys, ...bad('BAD_SIGNATURE') });
  const rootB64 = b64(refMth(leaves.slice(0, 8)));
  emit('root-changed', 'root altered after signing', { note: note8.replace(rootB64, b64(refMth(leaves.slice(0, 7)))), vkeys, ...bad('BAD_SIGNATURE') });
  emit('signature-flipped', 'one signature byte flipped', { note: flipSignatureByte(note8, 0, 30), vkeys, ...bad('BAD_SIGNATURE') });
  emit('unknown-key', 'signed by an unknown key', { note: signed(body8, STRANGER), vkeys, ...bad('UNKNOWN_KEY') });
  emit('no-signature', 'body only', { note: body8, vkeys, ...bad('MALFORMED_NOTE') });
  emit('signature-line-malformed', 'signature line without an em dash', { note: note8.replace('\u2014 ', ''), vkeys, ...bad('MALFORMED_NOTE') });
  emit('extra-blank-line', 'two blank lines before the signatures', { note: note8.replace('\n\n', '\n\n\n'), vkeys, ...bad('BAD_SIGNATURE') });
  emit('crlf', 'CRLF line endings', { note: note8.replace(/\n/gu, '\r\n'), vkeys, ...bad('MALFORMED_NOTE') });
  emit('origin-mismatch', 'checkpoint of another log', {
    note: signed(checkpointBody(8, { origin: 'audit.example.com/org/43' }), LOG), vkeys, origin: ORIGIN, ...bad('ORIGIN_MISMATCH'),
  });
  const malformed = (name: string, desc: string, body: string): void =>
    emit(name, `validly signed but malformed body: ${desc}`, { note: signed(body, LOG), vkeys, ...bad('MALFORMED_CHECKPOINT') });
  malformed('size-leading-zero', 'size with a leading zero', body8.replace('\n8\n', '\n08\n'));
  malformed('size-negative', 'negative size', body8.replace('\n8\n', '\n-8\n'));
  malformed('size-too-large', 'size of 2^64', body8.replace('\n8\n', '\n18446744073709551616\n'));
  malformed('size-plus-sign', 'size with a plus sign', body8.replace('\n8\n', '\n+8\n'));
  malformed('root-short', 'root of 43 characters', body8.replace(rootB64, rootB64.slice(1)));
  malformed('root-31-bytes', 'root of 44 characters decoding to 31 bytes', body8.replace(rootB64, `${rootB64.slice(0, 40)}AA==`));
  malformed('root-not-base64', 'root with a non-base64 character', body8.replace(rootB64, `*${rootB64.slice(1)}`));
  malformed('two-lines', 'no root line', `${ORIGIN}\n8\n`);
  malformed('empty-origin', 'empty origin line', body8.replace(ORIGIN, ''));
  malformed('two-prev-lines', 'two prev lines', checkpointBody(9, { prev: body8, extensions: [`prev ${b64(sha256(Buffer.from('x')))}`] }));
  malformed('prev-bad-length', 'prev hash of 33 bytes', checkpointBody(9, { extensions: [`prev ${b64(new Uint8Array(33))}`] }));

  // Chains: sizes 0 → 5 → 8 → 8 → 13, each linked to its predecessor's body.
  const sizes = [0, 5, 8, 8, 13];
  const bodies: string[] = [];
  for (const [i, size] of sizes.entries()) bodies.push(checkpointBody(size, i === 0 ? {} : { prev: bodies[i - 1]! }));
  const notes = bodies.map((body) => signed(body, LOG));
  const proofs = sizes.map((size, i) => {
    const previous = sizes[i - 1];
    if (previous === undefined || previous === 0 || previous === size) return undefined;
    return refConsistency(previous, leaves.slice(0, size)).map(hex);
  });
  const chain = notes.map((note, i) => (proofs[i] === undefined ? { note } : { note, consistencyProof: proofs[i] }));
  const emitChain = (name: string, desc: string, links: unknown[], expect: Record<string, unknown>): void =>
    emit(`chain-${name}`, desc, { chain: links, vkeys, origin: ORIGIN, ...expect });
  emitChain('valid', 'chain of five checkpoints (sizes 0, 5, 8, 8, 13)', chain, { wantErr: false, wantSizes: sizes.map(String) });
  emitChain('valid-single', 'one checkpoint', chain.slice(2, 3), { wantErr: false, wantSizes: ['8'] });
  emitChain('link-dropped', 'middle checkpoint removed', [chain[0], chain[1], chain[3], chain[4]], bad('CHAIN_BROKEN', { wantLink: 2 }));
  emitChain('links-swapped', 'two checkpoints swapped', [chain[0], chain[2], chain[1]], bad('CHAIN_BROKEN', { wantLink: 1 }));
  const noPrev = signed(checkpointBody(13), LOG);
  emitChain('missing-prev', 'last checkpoint has no prev line', [...chain.slice(0, 4), { note: noPrev, consistencyProof: proofs[4] }], bad('CHAIN_BROKEN', { wantLink: 4 }));
  const wrongPrev = signed(checkpointBody(13, { prev: bodies[2]! }), LOG);
  emitChain('wrong-prev', 'last checkpoint names an older predecessor', [...chain.slice(0, 4), { note: wrongPrev, consistencyProof: proofs[4] }], bad('CHAIN_BROKEN', { wantLink: 4 }));
  const flipped = proofs[4]!.map((h, k) => (k === 0 ? hex(flipBit(Buffer.from(h, 'hex'), 4)) : h));
  emitChain('proof-flipped', 'consistency proof hash bit-flipped', [...chain.slice(0, 4), { note: notes[4], consistencyProof: flipped }], bad('CONSISTENCY_PROOF_MISMATCH', { wantLink: 4 }));
  emitChain('proof-truncated', 'consistency proof truncated', [...chain.slice(0, 4), { note: notes[4], consistencyProof: proofs[4]!.slice(0, -1) }], bad('INVALID_PROOF', { wantLink: 4 }));
  emitChain('proof-missing', 'consistency proof omitted', [...chain.slice(0, 4), { note: notes[4] }], bad('INVALID_PROOF', { wantLink: 4 }));
  const shrunk = signed(checkpointBody(7, { prev: bodies[2]! }), LOG);
  emitChain('size-decreased', 'validly linked checkpoint of a smaller tree', [...chain.slice(0, 3), { note: shrunk }], bad('CONSISTENCY_PROOF_MISMATCH', { wantLink: 3 }));
  const forked = signed(checkpointBody(8, { prev: bodies[2]!, root: refMth([...leaves.slice(0, 7), EXTRA]) }), LOG);
  emitChain('fork-same-size', 'validly linked checkpoint of the same size with another root', [...chain.slice(0, 3), { note: forked }], bad('CONSISTENCY_PROOF_MISMATCH', { wantLink: 3 }));
  const otherOrigin = signed(checkpointBody(13, { prev: bodies[3]!, origin: 'audit.example.com/org/43' }), LOG);
  emitChain('origin-changed', 'last checkpoint of another log', [...chain.slice(0, 4), { note: otherOrigin, consistencyProof: proofs[4] }], bad('ORIGIN_MISMATCH', { wantLink: 4 }));
  emitChain('untrusted-link', 'one checkpoint signed by an unknown key', [chain[0], chain[1], { note: signed(bodies[2]!, STRANGER), consistencyProof: proofs[2] }], bad('UNKNOWN_KEY', { wantLink: 2 }));
  emitChain('cosigned-link', 'a later witness cosignature does not break the chain', [chain[0], chain[1], { note: signed(bodies[2]!, LOG, WITNESS), consistencyProof: proofs[2] }, chain[3]], { wantErr: false, wantSizes: ['0', '5', '8', '8'] });
}

for (const kind of ['inclusion', 'consistency', 'multileaf', 'note', 'checkpoint']) rmSync(join(ROOT, kind), { recursive: true, force: true });
genInclusion();
genConsistency();
genMultiLeaf();
genNotes();
genCheckpoints();
console.log(`wrote ${written} vector files to ${ROOT}`);
