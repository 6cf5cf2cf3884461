/**
 * The findings report: one self-contained HTML page (inline CSS, no scripts, no external resources) that prints
 * well. It states what was verified and how (bundle SHA-256s, every check, signer fingerprints, the checkpoint),
 * then the reviewer's findings (tagged, starred or noted events with control numbers, leaf hashes and notes).
 * Every value is escaped: events are hostile input.
 */
import type { TBundleState, TViewerRow } from '@custody/ui';

import { escapeHtml as e } from './html';

export interface TFindingsEvent {
  readonly row: TViewerRow;
  readonly fileName: string;
  readonly leafHash: string;
  readonly note: string | null;
}

export interface TFindingsData {
  readonly title: string;
  readonly reviewer: string | null;
  readonly generatedAt: string;
  readonly bundles: readonly TBundleState[];
  readonly trustedKeys: readonly { readonly vkey: string; readonly fingerprint: string }[];
  readonly events: readonly TFindingsEvent[];
  readonly log: { readonly entries: number; readonly head: string; readonly valid: boolean };
}

const VERDICT_TEXT: Record<TBundleState['verdict'], string> = {
  valid: 'VALID: every check passed with a trusted key',
  invalid: 'INVALID: see the failed checks',
  unusable: 'UNUSABLE: the file could not be read as an evidence bundle',
  pending: 'NOT VERIFIED: verification had not finished',
};

const STYLE = `
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:2em;max-width:1100px}
h1{font-size:22px;margin:0 0 .2em}h2{font-size:17px;margin:1.6em 0 .4em;border-bottom:1px solid #999}h3{font-size:14px;margin:1.2em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.valid{color:#0a6b2d;font-weight:600}.invalid,.unusable,.failed{color:#a10d0d;font-weight:600}.pending{color:#8a5a00;font-weight:600}
.meta td:first-child{width:14em;font-weight:600}.note{white-space:pre-wrap}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}a{color:inherit;text-decoration:none}}
`;

function statusClass(value: string): string {
  return /^(valid|invalid|unusable|pending|verified|failed)$/.test(value) ? (value === 'verified' ? 'valid' : value) : '';
}

function bundleSection(bundle: TBundleState): string {
  const checks = bundle.checks.map((c) => `<tr><td>${e(c.name)}</td><td class="${statusClass(c.status === 'valid' ? 'valid' : c.status === 'invalid' ? 'invalid' : 'pending')}">${e(c.status)}</td><td>${e(c.summary)}</td></tr>`).join('');
  const failures = bundle.failures.slice(0, 50).map((f) => `<tr><td>${e(f.check)}</td><td class="mono">${e(f.code)}</td><td>${e(f.file ?? '')}${f.line === undefined ? '' : `:${e(f.line)}`}${f.seq === undefined ? '' : ` (seq ${e(f.seq)})`}</td><td>${e(f.message)}${f.expected === undefined ? '' : `<br>expected <code>${e(f.expected)}</code>`}${f.found === undefined ? '' : `<br>found <code>${e(f.found)}</code>`}</td></tr>`).join('');
  const signers = bundle.signers.map((s) => `<tr><td class="mono">${e(s.vkey)}</td><td class="mono">${e(s.fingerprint)}</td><td class="${s.trusted ? 'valid' : 'invalid'}">${s.trusted ? 'trusted' : 'NOT trusted'}</td></tr>`).join('');
  return `
<h3>${e(bundle.fileName)} <span class="${statusClass(bundle.verdict)}">${e(VERDICT_TEXT[bundle.verdict])}</span></h3>
<table class="meta">
<tr><td>File SHA-256</td><td class="mono">${e(bundle.sha256 ?? 'not computed')}</td></tr>
<tr><td>Matter</td><td>${bundle.matter === null ? '—' : `${e(bundle.matter.name)} (${e(bundle.matter.number)})`}</td></tr>
<tr><td>Events</td><td>${e(bundle.counts.events)} shown, ${e(bundle.counts.withheld)} withheld, ${e(bundle.counts.purged)} purged</td></tr>
<tr><td>Checkpoint</td><td>${bundle.checkpoint === null ? '—' : `<span class="mono">${e(bundle.checkpoint.origin)}</span>, size ${e(bundle.checkpoint.size)}, root <span class="mono">${e(bundle.checkpoint.root)}</span>`}</td></tr>
</table>
<table><tr><th>Check</th><th>Result</th><th>Summary</th></tr>${checks}</table>
${signers === '' ? '' : `<table><tr><th>Signer key</th><th>Fingerprint</th><th>Trust</th></tr>${signers}</table>`}
${failures === '' ? '' : `<table><tr><th>Check</th><th>Code</th><th>Where</th><th>Failure</th></tr>${failures}</table>${bundle.failures.length > 50 ? `<p>${e(bundle.failures.length - 50)} more failures are not listed.</p>` : ''}`}`;
}

export function renderFindingsReport(data: TFindingsData): string {
  const events = data.events.map(({ row, fileName, leafHash, note }) => `<tr>
<td class="mono">${e(row.controlNumber ?? '—')}</td><td class="mono">${e(Number.isFinite(row.time) ? new Date(row.time).toISOString() : '')}</td>
<td>${e(row.action)}</td><td>${e(row.actorName === null ? '' : `${row.actorName} `)}<span class="mono">${e(`${row.actorType}:${row.actorId}`)}</span></td>
<td class="mono">${e(row.targets)}</td><td class="mono">${e(row.ip)}</td>
<td>${e(fileName)}<br><span class="mono">seq ${e(row.seq)}</span></td><td class="mono">${e(leafHash)}</td>
<td class="${statusClass(row.status)}">${e(row.status)}</td><td>${e(row.tags.join(', '))}${row.starred ? ' ★' : ''}</td>
<td class="note">${e(note ?? '')}</td></tr>`).join('');
  const keys = data.trustedKeys.map((k) => `<tr><td class="mono">${e(k.vkey)}</td><td class="mono">${e(k.fingerprint)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(data.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${e(data.title)}</h1>
<table class="meta">
<tr><td>Reviewer</td><td>${e(data.reviewer ?? '—')}</td></tr>
<tr><td>Generated at (UTC)</td><td class="mono">${e(data.generatedAt)}</td></tr>
<tr><td>Reviewer action log</td><td>${e(data.log.entries)} entries, head <span class="mono">${e(data.log.head)}</span> (${data.log.valid ? 'hash chain intact' : '<span class="invalid">hash chain BROKEN</span>'})</td></tr>
</table>
<p>An event is marked <b>verified</b> only when its bundle passed every check with a trusted key: its exact bytes are a leaf of the
log proven against a signed checkpoint. Leaf hashes are base64 SHA-256(0x00 ‖ canonical event line).</p>
<h2>Evidence bundles</h2>
${data.bundles.map(bundleSection).join('\n') || '<p>No bundle is open.</p>'}
<h2>Trusted keys</h2>
${keys === '' ? '<p>No key is trusted: nothing can be verified.</p>' : `<table><tr><th>Verifier key</th><th>Fingerprint</th></tr>${keys}</table>`}
<h2>Findings (${e(data.events.length)} events)</h2>
${events === '' ? '<p>No event is tagged, starred or noted.</p>' : `<table><tr><th>Control number</th><th>Time (UTC)</th><th>Action</th><th>Actor</th><th>Targets</th><th>IP</th><th>Bundle</th><th>Leaf hash</th><th>Status</th><th>Tags</th><th>Note</th></tr>${events}</table>`}
</body></html>
`;
}
