/**
 * `data/README.txt` of an evidence bundle: what the bundle is and how to verify it step by step with standard tools
 * (`unzip`, `sha256sum`, `openssl`, any C2SP signed-note verifier, any RFC 9162 implementation) or with
 * `custody verify` (viewer.md §3.1, §7 idea 7; verifiable-log.md §9 item 5; docs/bundle-format.md for the files).
 * Plain UTF-8 text, LF line ends, 78 columns.
 *
 * The README is inside the bag, so it cannot state the hash of the zip that contains it; the production report and
 * the cover letter do.
 */
import { keyFingerprint, parseVerifierKey } from '@custody/ledger';

import { formatControlRange } from './control-number';
import type { TControlNumberRange } from './control-number';
import { resolveSelection } from './production-facts';
import type {
  TProductionCounts,
  TProductionExporter,
  TProductionFileEntry,
  TProductionKey,
  TProductionMatter,
  TProductionSelection,
} from './production-facts';
import { ProductionError } from './production-error';
import { plainTextValue, wrapText } from './plain-text';
import { formatInteger, shellQuote } from './text-format';

/** Paths of the bundle's files, relative to the bag root (docs/bundle-format.md). */
export interface TBundlePaths {
  /** Canonical event bytes, one per line (LF), in log order. */
  readonly events: string;
  /** `<seq> <event|withheld|purged> <base64 leaf hash>` per leaf the proof covers. */
  readonly leaves: string;
  /** Proof facts (format, origin, mode, tree size, range, counts). */
  readonly proof: string;
  /** The multi-leaf proof: `<base64 hash> <lo> <hi>` per line, in proof order. */
  readonly proofHashes: string;
  /** Folder of the signed checkpoints, `<tree size>.txt` each. */
  readonly checkpointsDir: string;
  /** The checkpoint chain with consistency proofs; its last link is what the proof verifies against. */
  readonly chain: string;
  /** Purge records of the purged leaves. */
  readonly purges: string;
  /** Verifier keys (hints only). */
  readonly keys: string;
  /** Chain of custody and production facts. */
  readonly custody: string;
  /** The signed seal (a C2SP signed note naming the bag and the SHA-256 of its tag manifest), at the bag root. */
  readonly seal: string;
}

/** The default paths: those of the custody.evidence/v1 format (`PATHS` in `bundle/format.ts`). */
export const DEFAULT_BUNDLE_PATHS: TBundlePaths = Object.freeze({
  events: 'data/events.ndjson',
  leaves: 'data/leaves.txt',
  proof: 'data/proof.json',
  proofHashes: 'data/proof-hashes.txt',
  checkpointsDir: 'data/checkpoints/',
  chain: 'data/checkpoints/chain.json',
  purges: 'data/purges.ndjson',
  keys: 'data/keys.txt',
  custody: 'data/custody.json',
  seal: 'seal.txt',
});

/** What `renderBundleReadme` prints. */
export interface TBundleReadmeData {
  /** The bag's directory name (the single top-level directory of the zip). */
  readonly bagName: string;
  /** The zip file's name, for the commands. Default is `<bagName>.zip`. */
  readonly bundleFileName?: string;
  /** The matter, when the bundle is a legal production. */
  readonly matter?: TProductionMatter;
  /** The producing party. */
  readonly producingParty?: string;
  /** The custodian. */
  readonly custodian?: string;
  /** When the bundle was produced (ISO 8601). */
  readonly productionDate?: string;
  /** Who exported it, and why. */
  readonly exporter?: TProductionExporter;
  /** The log origin (first line of the checkpoint). */
  readonly origin: string;
  /** The checkpoint's tree size. */
  readonly checkpointSize: number | bigint;
  /** Mode, range and filter. */
  readonly selection: TProductionSelection;
  /** Shown, withheld, purged, total. */
  readonly counts: TProductionCounts;
  /** Control numbers of the shown events, if any. */
  readonly controlNumbers?: TControlNumberRange;
  /** The keys in `keys.txt` (hints): their fingerprints are printed for comparison. */
  readonly keys?: readonly TProductionKey[];
  /** File paths, when they differ from {@link DEFAULT_BUNDLE_PATHS}. */
  readonly paths?: Partial<TBundlePaths>;
  /** Production files (CSV, DAT, withholding log, report) to list. */
  readonly files?: readonly TProductionFileEntry[];
  /** The generating tool, e.g. `Custody 0.1.0`. */
  readonly generator?: string;
}

/**
 * Renders `data/README.txt`. Pure and deterministic. Data values are printed on their own lines or wrapped inside
 * paragraphs, with control and bidirectional characters made visible (`plainTextValue`), so a hostile matter name
 * cannot send escape sequences to a terminal.
 *
 * Throws `INVALID_ARGUMENT` for missing or mistyped fields and keys that are not C2SP vkeys.
 *
 * ```ts
 * zip.add(`${bagName}/data/README.txt`, encodeUtf8(renderBundleReadme({ bagName, origin, checkpointSize, selection, counts })));
 * ```
 */
export function renderBundleReadme(data: TBundleReadmeData): string {
  checkReadmeData(data);
  const paths: TBundlePaths = { ...DEFAULT_BUNDLE_PATHS, ...definedOnly(data.paths ?? {}) };
  const zip = data.bundleFileName ?? `${data.bagName}.zip`;
  const t = plainTextValue;
  const out: string[] = [];
  const heading = (text: string) => out.push('', text, '-'.repeat(text.length), '');
  const para = (text: string, indent = '') => out.push(wrapText(text, 78, indent));
  const field = (label: string, value: string) => out.push(wrapText(value, 78, ' '.repeat(20), `${`${label}:`.padEnd(20)}`));

  out.push('CUSTODY EVIDENCE BUNDLE', '=======================', '');
  if (data.matter !== undefined) field('Matter', `${t(data.matter.name)}${data.matter.number === undefined ? '' : ` (${t(data.matter.number)})`}`);
  if (data.producingParty !== undefined) field('Producing party', t(data.producingParty));
  if (data.custodian !== undefined) field('Custodian', t(data.custodian));
  if (data.productionDate !== undefined) field('Date of production', t(data.productionDate));
  if (data.exporter !== undefined) {
    field('Exported by', `${t(data.exporter.name)}${data.exporter.contact === undefined ? '' : ` (${t(data.exporter.contact)})`}`);
    field('Reason', t(data.exporter.reason));
  }
  field('Log origin', t(data.origin));
  field('Checkpoint', `tree size ${formatInteger(data.checkpointSize)}`);
  const { selection, counts } = data;
  const resolved = resolveSelection(selection);
  const range = resolved === undefined ? '' : `, log index (seq) ${formatInteger(resolved.first)} to ${formatInteger(resolved.last)} inclusive`;
  field('Mode', `${selection.mode === 'complete-range' ? 'complete range' : 'selected events'}${range}`);
  field('Filter', selection.filterDescription === '' ? 'none (every event of the range)' : t(selection.filterDescription));
  field(
    'Leaves',
    `${formatInteger(counts.total)} in all: ${formatInteger(counts.shown)} shown, ${formatInteger(counts.withheld)} withheld (filtered out), ${formatInteger(counts.purged)} purged by retention`,
  );
  if (data.controlNumbers !== undefined) {
    field('Control numbers', `${formatControlRange(data.controlNumbers)} (line k of ${paths.events} has number ${formatInteger(data.controlNumbers.first)} + k, counting from 0)`);
  }
  if (data.generator !== undefined) field('Written by', t(data.generator));

  heading('What this is');
  para(
    'This directory is a BagIt 1.0 bag (RFC 8493): every file under data/ is listed with its SHA-256 in manifest-sha256.txt, and the tag files (bagit.txt, bag-info.txt, the manifests) in tagmanifest-sha256.txt.',
  );
  out.push('');
  para(
    `It holds audit-log events exported from a tamper-evident log. Each event is stored as the exact bytes that were logged (RFC 8785 canonical JSON); each is a leaf of the log's Merkle tree (RFC 9162), whose root the log signed in a checkpoint (C2SP tlog-checkpoint). A proof links the leaves to that signed root, so any change to an event, or a leaf added or dropped, is detectable by anyone holding the log's public key.`,
  );
  out.push('');
  para(
    `The evidence is ${paths.events}. Spreadsheet-friendly files (CSV, DAT) are derived from it for review: they quote values, replace delimiter characters and prefix formula-like cells with a single quote, so where they differ, ${paths.events} prevails.`,
  );
  if (selection.mode === 'complete-range') {
    out.push('');
    para(
      'Mode "complete range": every leaf of the range is accounted for, either shown in full or withheld (listed with its leaf hash in the withholding log and in the leaves file). Verifying the proof therefore also shows that nothing in the range is missing.',
    );
  } else {
    out.push('');
    para(
      'Mode "selected events": each shown event is proven to be in the log. This does not show that the filter returned every matching event; a complete-range export does.',
    );
  }

  heading('Files');
  const fileRow = (path: string, description: string) => out.push(`  ${path}`, wrapText(description, 78, '    '));
  const checkpointFile = `${paths.checkpointsDir}${String(data.checkpointSize)}.txt`;
  fileRow(paths.events, 'The shown events: canonical bytes as logged, one per line, each line ended by LF, in log order. THE EVIDENCE.');
  fileRow(paths.leaves, '"<seq> <kind> <leaf hash>" for every leaf the proof covers, in log order; kind is event (shown), withheld or purged; the hash is base64.');
  fileRow(paths.proofHashes, 'The multi-leaf proof: "<hash> <lo> <hi>" per line, in proof order; each hash covers the leaves lo to hi - 1 (see step 3).');
  fileRow(paths.proof, 'Proof facts: origin, mode, tree size, range, counts.');
  fileRow(checkpointFile, 'The signed checkpoint the proof leads to (C2SP signed note).');
  fileRow(paths.chain, 'The checkpoints of the bundle, oldest first, with consistency proofs between them.');
  fileRow(paths.purges, 'One record per purged leaf (its body was removed by retention; its leaf hash stays).');
  fileRow(paths.keys, 'The verifier key(s) of the log and of the seal. Hints only; see step 2.');
  fileRow(paths.custody, 'Chain of custody and production facts (JSON).');
  for (const file of data.files ?? []) {
    fileRow(t(file.path), `${t(file.description)}${file.encoding === undefined ? '' : ` (${t(file.encoding)})`}`);
  }
  fileRow('data/README.txt', 'This file.');
  fileRow(paths.seal, 'The signed seal, outside the manifests: it names the bag and the SHA-256 of tagmanifest-sha256.txt, which lists manifest-sha256.txt, which lists every payload file.');

  heading('How to verify, step by step');
  para('Step 1. The files are complete and unchanged (BagIt manifests).');
  out.push('');
  out.push(`    unzip ${t(shellQuote(zip))}`, `    cd ${t(shellQuote(data.bagName))}`, '    sha256sum -c manifest-sha256.txt', '    sha256sum -c tagmanifest-sha256.txt');
  out.push('');
  para('Every line must end in "OK". On macOS use "shasum -a 256 -c". This proves the files match the manifests; it does not prove who wrote them: anyone can rewrite a manifest. Step 2 proves that.', '  ');
  out.push('');
  para('Step 2. The seal and the checkpoint carry valid signatures.');
  out.push('');
  para(
    `Obtain the verifier keys (vkeys, "<name>+<key id>+<base64 key>") from the producing party through a separate channel: their published key, a signed letter, a phone call. The keys in ${paths.keys} are only a hint of which keys to expect: whoever could alter this bundle could also replace them and re-sign everything with their own. Compare the fingerprints of the keys you obtained with those below.`,
    '  ',
  );
  for (const key of data.keys ?? []) {
    const parsed = parseKey(key.vkey);
    out.push('');
    out.push(`    ${t(key.role ?? 'log')} key ${t(parsed.name)}, key id ${parsed.keyId}`, `    fingerprint ${parsed.fingerprint}`);
  }
  out.push('');
  para(
    `Verify ${paths.seal} and ${checkpointFile} with any C2SP signed-note verifier (for example Go's golang.org/x/mod/sumdb/note: note.Open with a verifier made from the vkey). Both signatures must verify.`,
    '  ',
  );
  out.push('');
  para(
    `The seal's text must name this bag ("bag ${t(data.bagName)}") and, on its "tagmanifest-sha256" line, the hash that this prints:`,
    '  ',
  );
  out.push('');
  out.push('    sha256sum tagmanifest-sha256.txt');
  out.push('');
  para(
    `The tag manifest lists manifest-sha256.txt, which lists every payload file, so the seal covers the whole bag. The checkpoint's first line must be the origin "${t(data.origin)}", the second the tree size (${String(data.checkpointSize)}), the third the root hash in base64.`,
    '  ',
  );
  out.push('');
  para('Step 3. The events are in the signed tree.');
  out.push('');
  para(
    `a) Recompute each event's leaf hash: SHA-256 of the byte 0x00 followed by the bytes of its line in ${paths.events}, without the final LF (RFC 9162 section 2.1.1). With a POSIX shell and OpenSSL:`,
    '  ',
  );
  out.push('');
  out.push(
    `    while IFS= read -r line; do`,
    `      { printf '\\000'; printf '%s' "$line"; } | openssl dgst -sha256 -binary | base64`,
    `    done < ${paths.events}`,
  );
  out.push('');
  para(`b) The results, in order, must equal the hashes of the "event" lines of ${paths.leaves}, in order; each event's "seq" field must equal the seq of its line there.`, '  ');
  out.push('');
  para(
    `c) Check the proof with any RFC 9162 (Certificate Transparency v2) Merkle tree implementation. Let n be the checkpoint's tree size and S the set of seqs listed in ${paths.leaves}, with their leaf hashes. The proof (${paths.proofHashes}) lists, left to right, the hashes of the largest subtrees that contain no leaf of S. Recompute the root with ROOT(0, n), where ROOT(lo, hi) is:`,
    '  ',
  );
  out.push('');
  out.push(
    '      if hi - lo = 1 and lo is in S:  the leaf hash of lo',
    '      if no index of S lies in [lo, hi):  the next hash of the proof',
    '      otherwise, with k the largest power of two smaller than hi - lo:',
    '        SHA-256(0x01 || ROOT(lo, lo + k) || ROOT(lo + k, hi))',
  );
  out.push('');
  para(
    'Every proof hash must be used exactly once, in order (its line names the lo and hi where it is used), and the result must equal the checkpoint\'s root hash. For a single leaf this is its RFC 9162 inclusion proof, listed left to right; for a contiguous range, the proof is the subtrees left and right of it, so a verified range has no gaps.',
    '  ',
  );
  out.push('');
  para('Step 4. Or all of the above in one command, with the Custody verifier:');
  out.push('');
  const vkey = data.keys?.[0] === undefined ? '<vkey>' : t(shellQuote(data.keys[0].vkey));
  out.push(`    custody verify ${t(shellQuote(zip))} --vkey ${vkey}`);
  out.push('');
  para('It runs steps 1 to 3 (and checks the checkpoint chain), prints one line per check, and exits with status 1 if anything fails.', '  ');
  out.push('');
  return `${out.join('\n')}`;
}

function parseKey(vkey: string): { name: string; keyId: string; fingerprint: string } {
  try {
    const parsed = parseVerifierKey(vkey);
    return { name: parsed.name, keyId: parsed.keyId, fingerprint: keyFingerprint(parsed) };
  } catch (error) {
    throw new ProductionError('INVALID_ARGUMENT', 'keys must be valid C2SP verifier keys', { cause: error });
  }
}

function definedOnly(value: Partial<TBundlePaths>): Partial<TBundlePaths> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (typeof item !== 'string' || !/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(item) || item.includes('..')) {
      throw new ProductionError('INVALID_ARGUMENT', `paths.${key} must be a plain relative path`, { details: { field: `paths.${key}` } });
    }
    out[key] = item;
  }
  return out;
}

function checkReadmeData(data: TBundleReadmeData): void {
  if (typeof data !== 'object' || data === null) throw new ProductionError('INVALID_ARGUMENT', 'readme data must be an object');
  const text = (value: unknown, name: string, optional = false) => {
    if (optional && value === undefined) return;
    if (typeof value !== 'string') throw new ProductionError('INVALID_ARGUMENT', `${name} must be a string`, { details: { field: name } });
  };
  const count = (value: unknown, name: string) => {
    const ok = typeof value === 'bigint' ? value >= 0n : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    if (!ok) throw new ProductionError('INVALID_ARGUMENT', `${name} must be a non-negative integer`, { details: { field: name } });
  };
  text(data.bagName, 'bagName');
  text(data.bundleFileName, 'bundleFileName', true);
  if (data.matter !== undefined) {
    text(data.matter.name, 'matter.name');
    text(data.matter.number, 'matter.number', true);
  }
  text(data.producingParty, 'producingParty', true);
  text(data.custodian, 'custodian', true);
  text(data.productionDate, 'productionDate', true);
  if (data.exporter !== undefined) {
    text(data.exporter.name, 'exporter.name');
    text(data.exporter.contact, 'exporter.contact', true);
    text(data.exporter.reason, 'exporter.reason');
  }
  text(data.origin, 'origin');
  count(data.checkpointSize, 'checkpointSize');
  resolveSelection(data.selection);
  for (const name of ['shown', 'withheld', 'purged', 'total'] as const) count(data.counts?.[name], `counts.${name}`);
  for (const [i, key] of (data.keys ?? []).entries()) {
    text(key?.vkey, `keys[${i}].vkey`);
    text(key.role, `keys[${i}].role`, true);
  }
  for (const [i, file] of (data.files ?? []).entries()) {
    text(file?.path, `files[${i}].path`);
    text(file.description, `files[${i}].description`);
    text(file.encoding, `files[${i}].encoding`, true);
  }
  text(data.generator, 'generator', true);
}
