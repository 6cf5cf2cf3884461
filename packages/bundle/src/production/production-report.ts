/**
 * The production report: one self-contained HTML document (printable to PDF from any browser) that states what was
 * produced, how it was selected, the counts and control numbers, the bundle hash, the signed checkpoint and keys, how
 * to verify everything independently, the chain of custody, and a released-by / received-by signature block as on
 * NIST's chain-of-custody form (viewer.md §2.5, §2.8, §2.9 item 5, §7 idea 7).
 *
 * Safety: no script, no external resource, a `default-src 'none'` Content-Security-Policy, every datum escaped
 * (`escapeHtml` in markup, `cssString` in the print footer) and wrapped in `<bdi>` so right-to-left text cannot
 * reorder the labels around it.
 */
import { keyFingerprint, parseVerifierKey } from '@custody/ledger';

import { formatControlRange } from './control-number';
import type { TControlNumberRange } from './control-number';
import { describeDatDelimiters } from './dat-delimiters';
import { isArrayValue } from './event-values';
import type { TDatDelimiters, TDatEncoding } from './dat-delimiters';
import { cssString, escapeHtml } from './html-escape';
import { resolveSelection } from './production-facts';
import type {
  TCustodyEntry,
  TProductionBundleFile,
  TProductionCheckpoint,
  TProductionCounts,
  TProductionExporter,
  TProductionFileEntry,
  TProductionKey,
  TProductionMatter,
  TProductionSelection,
} from './production-facts';
import { ProductionError } from './production-error';
import { formatByteSize, formatInteger, shellQuote } from './text-format';

/** Everything the report prints. */
export interface TProductionReportData {
  /** The document title. Default is `Log production report`. */
  readonly title?: string;
  /** The matter name and number. */
  readonly matter: TProductionMatter;
  /** The producing party (organization). */
  readonly producingParty: string;
  /** The custodian whose log this is. */
  readonly custodian: string;
  /** Date of production, ISO 8601 (`2026-11-26` or a timestamp with zone). */
  readonly productionDate: string;
  /** Who exported, and why. */
  readonly exporter: TProductionExporter;
  /** Mode, range and filter. */
  readonly selection: TProductionSelection;
  /** Shown, withheld, purged, total. */
  readonly counts: TProductionCounts;
  /** The control numbers of the shown events; absent when none is shown. */
  readonly controlNumbers?: TControlNumberRange;
  /** The delivered bundle file. */
  readonly bundle: TProductionBundleFile;
  /** The signed checkpoint. */
  readonly checkpoint: TProductionCheckpoint;
  /** The log's verifier key(s) and any witness keys. */
  readonly keys: readonly TProductionKey[];
  /** Chain-of-custody entries, oldest first. */
  readonly custodyEntries: readonly TCustodyEntry[];
  /** Other files of the production (load files, withholding log) for the file table. Optional. */
  readonly files?: readonly TProductionFileEntry[];
  /** The DAT delimiters and encoding, when a DAT is part of the production. Optional. */
  readonly dat?: { readonly delimiters: TDatDelimiters; readonly encoding: TDatEncoding };
  /** When the report was generated (ISO 8601 with zone). Optional. */
  readonly generatedAt?: string;
  /** The generating tool and version, e.g. `Custody 0.1.0`. Optional. */
  readonly generator?: string;
}

/**
 * Renders the production report: a complete HTML5 document (UTF-8) as a string. Pure and deterministic: the same
 * data gives the same bytes.
 *
 * Throws `INVALID_ARGUMENT` when a required field is missing or has the wrong type, or a key is not a valid C2SP
 * vkey (the fingerprint is computed from it with `keyFingerprint`, never taken from the caller).
 *
 * ```ts
 * const html = renderProductionReport({ matter: { name: 'Acme v. Globex', number: '1:26-cv-01234' }, … });
 * sink.write('data/production/report.html', encodeUtf8(html));
 * ```
 */
export function renderProductionReport(data: TProductionReportData): string {
  checkReportData(data);
  const title = data.title ?? 'Log production report';
  const bagName = data.bundle.bagName ?? data.bundle.fileName.replace(/\.zip$/i, '');
  const footerLeft = truncate(`${data.matter.name}${data.matter.number === undefined ? '' : ` (${data.matter.number})`}`, 60);
  const footerCenter = truncate(`${data.bundle.fileName} \u00b7 SHA-256 ${data.bundle.sha256.slice(0, 16)}\u2026`, 70);

  const sections = [
    renderOverview(data),
    renderScope(data),
    renderFiles(data, bagName),
    renderCheckpoint(data.checkpoint),
    renderKeys(data.keys),
    renderVerification(data, bagName),
    renderCustody(data.custodyEntries),
    renderSignatures(data),
  ];

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(data.generator ?? 'Custody')}">
<title>${escapeHtml(title)} \u2014 ${escapeHtml(data.matter.name)}</title>
<style>
${STYLE}
@page {
  @bottom-left { content: ${cssString(footerLeft)}; font: 8pt sans-serif; color: #444; }
  @bottom-center { content: ${cssString(footerCenter)}; font: 8pt sans-serif; color: #444; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #444; }
}
</style>
</head>
<body>
<header class="title">
<h1>${escapeHtml(title)}</h1>
<p class="subtitle">${v(data.matter.name)}${data.matter.number === undefined ? '' : ` \u00b7 ${v(data.matter.number)}`}</p>
</header>
<main>
${sections.join('\n')}
</main>
<footer class="doc-footer">
<p>${v(data.matter.name)} \u00b7 ${v(data.bundle.fileName)} \u00b7 SHA-256 <code>${v(data.bundle.sha256)}</code></p>
<p>Generated${data.generatedAt === undefined ? '' : ` ${v(data.generatedAt)}`} by ${v(data.generator ?? 'Custody')}. The evidence is the bundle; this report describes it and does not replace it.</p>
</footer>
</body>
</html>
`;
}

const STYLE = `:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: #111; margin: 0 auto; max-width: 190mm; padding: 12mm 8mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid #222; break-after: avoid; }
.subtitle { font-size: 12pt; margin: 0 0 4mm; color: #333; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
th, td { border: 1px solid #999; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: 600; }
table.facts th { width: 34%; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9pt; }
.mono, code { overflow-wrap: anywhere; word-break: break-all; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-all; background: #f6f6f6; border: 1px solid #bbb; padding: 2mm 3mm; margin: 2mm 0; }
pre.note { border-left: 3px solid #222; }
.statement { border: 1px solid #2a6a2a; background: #eef7ee; padding: 2mm 3mm; margin: 2mm 0; }
.statement.limitation { border-color: #7a5a00; background: #fdf6e3; }
.statement.warning { border-color: #a00; background: #fdeeee; font-weight: 600; }
ol.steps > li { margin-bottom: 2.5mm; }
section { break-inside: auto; }
.page-break { break-before: page; }
.signatures { width: 100%; }
.keep, tbody.entry { break-inside: avoid; }
table.custody td:first-child { width: 6mm; }
.signatures td { height: 11mm; }
.signatures th { width: 22%; }
.signature-line { height: 11mm; }
.doc-footer { margin-top: 10mm; padding-top: 2mm; border-top: 1px solid #999; font-size: 8.5pt; color: #444; }
.muted { color: #555; }
@media print {
  body { max-width: none; padding: 0; }
  .doc-footer { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 16mm 14mm 18mm; }`;

/** Escaped data, isolated for bidirectional text. */
function v(text: unknown): string {
  return `<bdi>${escapeHtml(text)}</bdi>`;
}

function row(label: string, value: string): string {
  return `<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
}

function optional(value: string | undefined, format: (text: string) => string = v): string {
  return value === undefined || value === '' ? '<span class="muted">\u2014</span>' : format(value);
}

function renderOverview(data: TProductionReportData): string {
  const exporter = data.exporter.contact === undefined ? v(data.exporter.name) : `${v(data.exporter.name)} (${v(data.exporter.contact)})`;
  return `<section id="overview">
<h2>1. Production</h2>
<table class="facts">
${row('Matter', v(data.matter.name))}
${row('Matter number', optional(data.matter.number))}
${row('Producing party', v(data.producingParty))}
${row('Custodian', v(data.custodian))}
${row('Date of production', v(data.productionDate))}
${row('Exported by', exporter)}
${row('Reason for export', v(data.exporter.reason))}
</table>
</section>`;
}

function renderScope(data: TProductionReportData): string {
  const { selection } = data;
  const counts = data.counts;
  const resolved = resolveSelection(selection);
  const range =
    resolved === undefined
      ? '<span class="muted">\u2014</span>'
      : `log index (seq) ${v(formatInteger(resolved.first))} to ${v(formatInteger(resolved.last))}, inclusive`;
  const mode =
    selection.mode === 'complete-range'
      ? 'Complete range: every leaf of the range is accounted for'
      : 'Selected events: each shown event is proven to be in the log';
  const filter = selection.filterDescription === '' ? 'No filter: every event of the range is shown.' : v(selection.filterDescription);
  const controls =
    data.controlNumbers === undefined
      ? '<span class="muted">none (no event shown)</span>'
      : `${v(formatControlRange(data.controlNumbers))} <span class="muted">(prefix ${v(data.controlNumbers.prefix)}, ${data.controlNumbers.width} digits; one number per shown event, in log order)</span>`;
  return `<section id="scope">
<h2>2. Scope and counts</h2>
<table class="facts">
${row('Mode', escapeHtml(mode))}
${row('Range', range)}
${row('Filter', filter)}
${selection.filterExpression === undefined ? '' : row('Filter as applied', `<code>${v(selection.filterExpression)}</code>`)}
${row('Control numbers', controls)}
</table>
<table>
<thead><tr><th>Shown</th><th>Withheld (filtered out)</th><th>Purged by retention</th><th>Total leaves</th></tr></thead>
<tbody><tr><td>${formatInteger(counts.shown)}</td><td>${formatInteger(counts.withheld)}</td><td>${formatInteger(counts.purged)}</td><td>${formatInteger(counts.total)}</td></tr></tbody>
</table>
${renderCompleteness(data)}
</section>`;
}

/** The "none missing" statement, or the limitation of the `events` mode, or a warning when the counts disagree. */
function renderCompleteness(data: TProductionReportData): string {
  const { selection, counts } = data;
  const sum = counts.shown + counts.withheld + counts.purged;
  const rangeSize = resolveSelection(selection)?.size;
  if (sum !== counts.total || (selection.mode === 'complete-range' && rangeSize !== undefined && rangeSize !== BigInt(counts.total))) {
    return `<p class="statement warning">Warning: the counts do not add up (shown + withheld + purged = ${formatInteger(sum)}, total = ${formatInteger(counts.total)}${
      rangeSize === undefined ? '' : `, leaves in the range = ${formatInteger(rangeSize)}`
    }). Do not rely on this production until the discrepancy is explained.</p>`;
  }
  if (selection.mode === 'complete-range') {
    return `<p class="statement">None missing: all ${formatInteger(counts.total)} leaves of the range are accounted for \u2014 ${formatInteger(counts.shown)} shown in full, ${formatInteger(counts.withheld)} withheld and ${formatInteger(counts.purged)} purged (each listed with its leaf hash in the withholding log). The proof covers every leaf of the range, so a leaf left out, added or altered makes verification fail.</p>`;
  }
  return `<p class="statement limitation">Inclusion, not completeness: each of the ${formatInteger(counts.shown)} shown events is proven to be in the log at the checkpoint below. This mode does not prove that the filter returned every matching event; a complete-range production does.</p>`;
}

function renderFiles(data: TProductionReportData, bagName: string): string {
  const files = data.files ?? [];
  const fileRows = files
    .map(
      (file) =>
        `<tr><td class="mono">${v(file.path)}</td><td>${v(file.description)}</td><td>${optional(file.encoding)}</td><td>${
          file.rows === undefined ? '<span class="muted">\u2014</span>' : formatInteger(file.rows)
        }</td></tr>`,
    )
    .join('\n');
  const dat = data.dat === undefined ? '' : renderDat(data.dat);
  return `<section id="files">
<h2>3. Delivered bundle</h2>
<table class="facts">
${row('Bundle file', `<span class="mono">${v(data.bundle.fileName)}</span>`)}
${row('SHA-256 of the file', `<span class="mono">${v(data.bundle.sha256)}</span>`)}
${row('Size', escapeHtml(formatByteSize(data.bundle.size)))}
${row('Format', `BagIt 1.0 bag (RFC 8493) <span class="mono">${v(bagName)}/</span> in a zip file; payload under <span class="mono">data/</span>; UTF-8 text`)}
</table>
${
  files.length === 0
    ? ''
    : `<table>
<thead><tr><th>File in the bag</th><th>Contents</th><th>Encoding</th><th>Records</th></tr></thead>
<tbody>
${fileRows}
</tbody>
</table>`
}
${dat}
</section>`;
}

function renderDat(dat: { readonly delimiters: TDatDelimiters; readonly encoding: TDatEncoding }): string {
  const names = describeDatDelimiters(dat.delimiters);
  return `<table class="facts">
<thead><tr><th colspan="2">DAT load file settings</th></tr></thead>
<tbody>
${row('Encoding', dat.encoding === 'utf-8' ? 'UTF-8, no byte-order mark' : 'Windows-1252 (CP1252)')}
${row('Column (field) delimiter', v(names.field))}
${row('Quote (text qualifier)', v(names.quote))}
${row('Newline in field', v(names.newline))}
${row('Multi-value delimiter', v(names.multiValue))}
${row('Nested-value delimiter', v(names.nestedValue))}
${row('Records', 'one per line, CRLF; first line is the header')}
</tbody>
</table>`;
}

function renderCheckpoint(checkpoint: TProductionCheckpoint): string {
  return `<section id="checkpoint">
<h2>4. Signed checkpoint</h2>
<table class="facts">
${row('Log origin', `<span class="mono">${v(checkpoint.origin)}</span>`)}
${row('Tree size', escapeHtml(formatInteger(checkpoint.size)))}
${row('Root hash (base64)', `<span class="mono">${v(checkpoint.root)}</span>`)}
</table>
<p>The signed note, verbatim (C2SP signed-note format; long lines may wrap on paper):</p>
<pre class="note">${escapeHtml(checkpoint.note)}</pre>
</section>`;
}

function renderKeys(keys: readonly TProductionKey[]): string {
  const rows = keys
    .map((key) => {
      const parsed = parseKey(key.vkey);
      return `<tr><td>${v(key.role ?? 'log')}</td><td class="mono">${v(parsed.name)}</td><td class="mono">${v(parsed.keyId)}</td><td class="mono">${v(parsed.fingerprint)}</td></tr>
<tr><td colspan="4" class="mono">vkey: ${v(key.vkey)}</td></tr>`;
    })
    .join('\n');
  return `<section id="keys">
<h2>5. Verifier keys</h2>
<p>Obtain the log's verifier key (vkey) from the producing party through a separate channel, and check that its fingerprint matches the one below before relying on it. A key that travels with the evidence (including in this report and in the bundle's <span class="mono">keys.txt</span>) only says which key to expect: whoever could alter the bundle could alter it too.</p>
<table>
<thead><tr><th>Role</th><th>Key name</th><th>Key ID</th><th>Fingerprint (SHA-256)</th></tr></thead>
<tbody>
${rows === '' ? '<tr><td colspan="4" class="muted">No key listed.</td></tr>' : rows}
</tbody>
</table>
</section>`;
}

function renderVerification(data: TProductionReportData, bagName: string): string {
  const file = shellQuote(data.bundle.fileName);
  const bag = shellQuote(bagName);
  const vkey = data.keys[0] === undefined ? '<vkey>' : shellQuote(data.keys[0].vkey);
  return `<section id="verification" class="page-break">
<h2>6. How to verify this production independently</h2>
<ol class="steps">
<li>Check the delivered file. The SHA-256 must equal <span class="mono">${v(data.bundle.sha256)}</span>:
<pre>sha256sum ${escapeHtml(file)}                      # Linux
shasum -a 256 ${escapeHtml(file)}                  # macOS
certutil -hashfile ${escapeHtml(file)} SHA256      # Windows</pre></li>
<li>Unpack it and check every file of the bag against its manifests (BagIt, RFC 8493). Every line must end in <code>OK</code>:
<pre>unzip ${escapeHtml(file)}
cd ${escapeHtml(bag)}
sha256sum -c manifest-sha256.txt
sha256sum -c tagmanifest-sha256.txt</pre></li>
<li>Check the signatures of <span class="mono">seal.txt</span> and <span class="mono">${v(`data/checkpoints/${String(data.checkpoint.size)}.txt`)}</span> with any C2SP signed-note verifier (for example Go's <code>golang.org/x/mod/sumdb/note</code>), using the vkeys obtained separately (section 5). Both must verify. The seal must name the bag <span class="mono">${v(bagName)}</span> and, on its <code>tagmanifest-sha256</code> line, the hash printed by <code>sha256sum tagmanifest-sha256.txt</code> (the tag manifest covers the payload manifest, which covers every file, so the seal covers the whole bag). The checkpoint's first line must be the origin <span class="mono">${v(data.checkpoint.origin)}</span>.</li>
<li>Recompute the leaf hash of every event (SHA-256 of the byte 0x00 followed by the line's bytes, without the line feed), compare it with <span class="mono">data/leaves.txt</span>, and check the multi-leaf proof (<span class="mono">data/proof-hashes.txt</span>) against the checkpoint's root and size with any RFC 9162 (Certificate Transparency v2) Merkle tree implementation. The bundle's <span class="mono">data/README.txt</span> gives the exact steps and the proof order.</li>
<li>Or do all of the above in one command with the Custody verifier:
<pre>custody verify ${escapeHtml(file)} --vkey ${escapeHtml(vkey)}</pre></li>
</ol>
<p>Spreadsheet-friendly files (CSV, DAT) are review aids derived from <span class="mono">data/events.ndjson</span>; where they differ (quoting, replaced delimiter characters, a leading <code>'</code> that stops formula evaluation), the canonical events in <span class="mono">data/events.ndjson</span> are the evidence.</p>
</section>`;
}

function renderCustody(entries: readonly TCustodyEntry[]): string {
  // Two rows per entry: the NIST form fields, then the full bundle hash and notes on a line of their own, so a
  // 64-digit hash is never broken into a narrow column.
  const rows = entries
    .map((entry, i) => {
      const when = /(?:Z|[+-]\d\d:?\d\d)$/i.test(entry.at) ? v(entry.at) : `${v(entry.at)} <span class="muted">(time zone not recorded)</span>`;
      const action = entry.purpose === undefined ? v(entry.action) : `${v(entry.action)}<br><span class="muted">Purpose:</span> ${v(entry.purpose)}`;
      const check = entry.hashMatch === undefined ? '' : entry.hashMatch ? ' <strong>MATCH</strong>' : ' <strong>MISMATCH</strong>';
      const hash = entry.sha256 === undefined ? '<span class="muted">not recorded</span>' : `<span class="mono">${v(entry.sha256)}</span>`;
      const notes = entry.notes === undefined || entry.notes === '' ? '' : `<br><span class="muted">Notes:</span> ${v(entry.notes)}`;
      return `<tbody class="entry">
<tr><td rowspan="2">${i + 1}</td><td>${when}</td><td>${action}</td><td>${optional(entry.by)}</td><td>${optional(entry.releasedBy)}</td><td>${optional(entry.receivedBy)}</td><td>${optional(entry.location)}</td></tr>
<tr><td colspan="6"><span class="muted">SHA-256 of the bundle:</span> ${hash}${check}${notes}</td></tr>
</tbody>`;
    })
    .join('\n');
  return `<section id="custody" class="page-break">
<h2>7. Chain of custody</h2>
<table class="custody">
<thead><tr><th>#</th><th>Date/time (time zone)</th><th>Action / purpose</th><th>By</th><th>Released by</th><th>Received by</th><th>Location</th></tr></thead>
${rows === '' ? '<tbody><tr><td colspan="7" class="muted">No entry recorded.</td></tr></tbody>' : rows}
</table>
</section>`;
}

function renderSignatures(data: TProductionReportData): string {
  const party = (heading: string) => `<div class="keep"><table class="signatures">
<thead><tr><th colspan="2">${heading}</th></tr></thead>
<tbody>
<tr><th scope="row">Name</th><td></td></tr>
<tr><th scope="row">Organization / ID</th><td></td></tr>
<tr><th scope="row">Signature</th><td></td></tr>
<tr><th scope="row">Date and time</th><td></td></tr>
<tr><th scope="row">Time zone</th><td></td></tr>
</tbody>
</table></div>`;
  return `<section id="signatures" class="page-break">
<h2>8. Transfer of custody</h2>
<table class="facts">
${row('Item', `<span class="mono">${v(data.bundle.fileName)}</span>`)}
${row('SHA-256 of the item', `<span class="mono">${v(data.bundle.sha256)}</span>`)}
${row('Description', `Log production, ${v(data.matter.name)}${data.matter.number === undefined ? '' : `, ${v(data.matter.number)}`}; custodian ${v(data.custodian)}`)}
<tr><th scope="row">Purpose of transfer</th><td class="signature-line"></td></tr>
<tr><th scope="row">Hash re-computed on receipt</th><td>\u2610 MATCH &nbsp;&nbsp; \u2610 MISMATCH</td></tr>
</table>
${party('Released by')}
${party('Received by')}
</section>`;
}

function parseKey(vkey: string): { name: string; keyId: string; fingerprint: string } {
  try {
    const parsed = parseVerifierKey(vkey);
    return { name: parsed.name, keyId: parsed.keyId, fingerprint: keyFingerprint(parsed) };
  } catch (error) {
    throw new ProductionError('INVALID_ARGUMENT', 'keys must be valid C2SP verifier keys', { cause: error });
  }
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}\u2026`;
}

function checkReportData(data: TProductionReportData): void {
  if (typeof data !== 'object' || data === null) throw new ProductionError('INVALID_ARGUMENT', 'report data must be an object');
  const text = (value: unknown, name: string, optionalField = false) => {
    if (optionalField && value === undefined) return;
    if (typeof value !== 'string') throw new ProductionError('INVALID_ARGUMENT', `${name} must be a string`, { details: { field: name } });
  };
  const count = (value: unknown, name: string) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ProductionError('INVALID_ARGUMENT', `${name} must be a non-negative integer`, { details: { field: name } });
    }
  };
  const index = (value: unknown, name: string) => {
    if (value === undefined) return;
    if (typeof value === 'bigint' ? value < 0n : typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ProductionError('INVALID_ARGUMENT', `${name} must be a non-negative integer`, { details: { field: name } });
    }
  };
  text(data.title, 'title', true);
  text(data.matter?.name, 'matter.name');
  text(data.matter?.number, 'matter.number', true);
  text(data.producingParty, 'producingParty');
  text(data.custodian, 'custodian');
  text(data.productionDate, 'productionDate');
  text(data.exporter?.name, 'exporter.name');
  text(data.exporter?.contact, 'exporter.contact', true);
  text(data.exporter?.reason, 'exporter.reason');
  resolveSelection(data.selection);
  for (const name of ['shown', 'withheld', 'purged', 'total'] as const) count(data.counts?.[name], `counts.${name}`);
  text(data.bundle?.fileName, 'bundle.fileName');
  if (typeof data.bundle.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(data.bundle.sha256)) {
    throw new ProductionError('INVALID_ARGUMENT', 'bundle.sha256 must be 64 lowercase hex digits', { details: { field: 'bundle.sha256' } });
  }
  count(data.bundle.size, 'bundle.size');
  text(data.bundle.bagName, 'bundle.bagName', true);
  text(data.checkpoint?.origin, 'checkpoint.origin');
  index(data.checkpoint.size, 'checkpoint.size');
  text(data.checkpoint.root, 'checkpoint.root');
  text(data.checkpoint.note, 'checkpoint.note');
  const keys: readonly TProductionKey[] = data.keys;
  if (!isArrayValue(keys)) throw new ProductionError('INVALID_ARGUMENT', 'keys must be an array', { details: { field: 'keys' } });
  for (const [i, key] of keys.entries()) {
    text(key?.vkey, `keys[${i}].vkey`);
    text(key.role, `keys[${i}].role`, true);
  }
  const entries: readonly TCustodyEntry[] = data.custodyEntries;
  if (!isArrayValue(entries)) {
    throw new ProductionError('INVALID_ARGUMENT', 'custodyEntries must be an array', { details: { field: 'custodyEntries' } });
  }
  for (const [i, entry] of entries.entries()) {
    text(entry?.at, `custodyEntries[${i}].at`);
    text(entry.action, `custodyEntries[${i}].action`);
    for (const name of ['by', 'releasedBy', 'receivedBy', 'purpose', 'location', 'sha256', 'notes'] as const) {
      text(entry[name], `custodyEntries[${i}].${name}`, true);
    }
    if (entry.hashMatch !== undefined && typeof entry.hashMatch !== 'boolean') {
      throw new ProductionError('INVALID_ARGUMENT', `custodyEntries[${i}].hashMatch must be a boolean`);
    }
  }
  for (const [i, file] of (data.files ?? []).entries()) {
    text(file?.path, `files[${i}].path`);
    text(file.description, `files[${i}].description`);
    text(file.encoding, `files[${i}].encoding`, true);
    if (file.rows !== undefined) count(file.rows, `files[${i}].rows`);
  }
  text(data.generatedAt, 'generatedAt', true);
  text(data.generator, 'generator', true);
}
