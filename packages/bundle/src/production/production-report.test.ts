import { createSignerFromSeed, keyFingerprint, signCheckpoint } from '@custody/ledger';
import { describe, expect, it } from 'vitest';

import { DEFAULT_DAT_DELIMITERS } from './dat-delimiters';
import { ProductionError } from './production-error';
import { renderProductionReport } from './production-report';
import type { TProductionReportData } from './production-report';

const ORIGIN = 'audit.example.com/org/acme';
const signer = createSignerFromSeed(ORIGIN, new Uint8Array(32).fill(7));
const witness = createSignerFromSeed('witness.example.net', new Uint8Array(32).fill(9));
const ROOT = 'Yq2pJjkBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=';
const NOTE = signCheckpoint({ origin: ORIGIN, size: 2000n, root: new Uint8Array(32).fill(0x62) }, [signer.skey]);

function sample(overrides: Partial<TProductionReportData> = {}): TProductionReportData {
  return {
    matter: { name: 'Acme Corp. v. Globex Inc.', number: '1:26-cv-01234' },
    producingParty: 'Acme Corp.',
    custodian: 'Acme Corp. IT Security (audit log)',
    productionDate: '2026-11-26',
    exporter: { name: 'Dana Reyes', contact: 'dana.reyes@acme.example', reason: 'Response to Request for Production No. 12' },
    selection: {
      mode: 'complete-range',
      range: { from: '1000', to: '2000' },
      filterDescription: 'Events whose actor is user:u_1 or whose target is document:doc_8812, 1–31 March 2026 (UTC)',
      filterExpression: 'actor:user:u_1 OR target:document:doc_8812',
    },
    counts: { shown: 120, withheld: 870, purged: 10, total: 1000 },
    controlNumbers: { prefix: 'ACME', first: 1, last: 120, width: 6 },
    bundle: { fileName: 'ACME000001-acme-v-globex.zip', sha256: 'a1'.repeat(32), size: 1_234_567 },
    checkpoint: { origin: ORIGIN, size: 2000, root: ROOT, note: NOTE },
    keys: [{ vkey: signer.vkey }, { vkey: witness.vkey, role: 'witness' }],
    custodyEntries: [
      { at: '2026-11-26T09:00:00Z', action: 'exported', by: 'Dana Reyes', location: 'custody.acme.example', sha256: 'a1'.repeat(32) },
      {
        at: '2026-11-26T10:30:00-05:00',
        action: 'transferred',
        releasedBy: 'Dana Reyes',
        receivedBy: 'Sam Okafor (Globex counsel)',
        purpose: 'production to opposing counsel',
        location: 'SFTP',
        sha256: 'a1'.repeat(32),
        hashMatch: true,
      },
      { at: '2026-11-27 08:00', action: 'verified', by: 'Sam Okafor', hashMatch: false, sha256: 'b2'.repeat(32) },
    ],
    files: [
      { path: 'data/events.ndjson', description: 'Canonical events (evidence)', encoding: 'UTF-8, LF', rows: 120 },
      { path: 'data/production/ACME000001.dat', description: 'Concordance/Relativity DAT', encoding: 'UTF-8, no BOM, CRLF', rows: 120 },
    ],
    dat: { delimiters: DEFAULT_DAT_DELIMITERS, encoding: 'utf-8' },
    generatedAt: '2026-11-26T09:00:05Z',
    generator: 'Custody 0.1.0',
    ...overrides,
  };
}

const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'p', 'main', 'section', 'table', 'thead',
  'tbody', 'tr', 'th', 'td', 'span', 'code', 'pre', 'ol', 'li', 'strong', 'br', 'footer', 'bdi', 'div',
]);

function tagsOf(html: string): string[] {
  return Array.from(html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g), (match) => (match[1] ?? '').toLowerCase());
}

describe('renderProductionReport', () => {
  describe('when given a complete production', () => {
    const html = renderProductionReport(sample());

    it('is a complete, self-contained HTML document', () => {
      expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
      expect(html.trimEnd().endsWith('</html>')).toBe(true);
      expect(html).toContain('<meta charset="utf-8">');
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|\ssrc=|\shref=|url\(|@import/i);
      for (const tag of tagsOf(html)) expect(ALLOWED_TAGS).toContain(tag);
    });

    it('has print styles with page breaks and a page-numbered footer', () => {
      expect(html).toContain('@page');
      expect(html).toContain('counter(page)');
      expect(html).toContain('counter(pages)');
      expect(html).toContain('class="page-break"');
      expect(html).toContain('break-inside: avoid');
    });

    it('states the matter, parties, date, exporter and reason', () => {
      for (const text of [
        'Acme Corp. v. Globex Inc.',
        '1:26-cv-01234',
        'Acme Corp. IT Security (audit log)',
        '2026-11-26',
        'Dana Reyes',
        'dana.reyes@acme.example',
        'Response to Request for Production No. 12',
      ]) {
        expect(html).toContain(text);
      }
    });

    it('states the filter, mode, range, counts and the none-missing statement', () => {
      expect(html).toContain('Events whose actor is user:u_1 or whose target is document:doc_8812, 1–31 March 2026 (UTC)');
      expect(html).toContain('actor:user:u_1 OR target:document:doc_8812');
      expect(html).toContain('Complete range');
      expect(html).toContain('log index (seq) <bdi>1,000</bdi> to <bdi>1,999</bdi>, inclusive');
      expect(html).toContain('<td>120</td><td>870</td><td>10</td><td>1,000</td>');
      expect(html).toContain('None missing: all 1,000 leaves of the range are accounted for');
      expect(html).toContain('ACME000001 \u2013 ACME000120');
    });

    it('states the bundle file, hash and size', () => {
      expect(html).toContain('ACME000001-acme-v-globex.zip');
      expect(html).toContain('a1'.repeat(32));
      expect(html).toContain('1,234,567 bytes (1.18 MiB)');
      expect(html).toContain('data/production/ACME000001.dat');
    });

    it('prints the checkpoint, the verbatim signed note and computed key fingerprints', () => {
      expect(html).toContain(`<pre class="note">${NOTE.replaceAll('&', '&amp;')}</pre>`);
      expect(html).toContain(ROOT);
      expect(html).toContain('2,000');
      expect(html).toContain(keyFingerprint(signer.vkey));
      expect(html).toContain(keyFingerprint(witness.vkey));
      expect(html).toContain(signer.vkey);
      expect(html).toContain('witness');
    });

    it('gives the independent verification steps', () => {
      expect(html).toContain('sha256sum ACME000001-acme-v-globex.zip ');
      expect(html).toContain('certutil -hashfile ACME000001-acme-v-globex.zip SHA256');
      expect(html).toContain('unzip ACME000001-acme-v-globex.zip\ncd ACME000001-acme-v-globex\nsha256sum -c manifest-sha256.txt\nsha256sum -c tagmanifest-sha256.txt');
      expect(html).toContain('C2SP signed-note verifier');
      expect(html).toContain('data/checkpoints/2000.txt');
      expect(html).toContain('<code>sha256sum tagmanifest-sha256.txt</code>');
      expect(html).toContain('RFC 9162');
      expect(html).toContain(`custody verify ACME000001-acme-v-globex.zip --vkey ${signer.vkey}`);
    });

    it('lists the chain of custody with time zones and hash checks', () => {
      expect(html).toContain('2026-11-26T10:30:00-05:00');
      expect(html).toContain('Sam Okafor (Globex counsel)');
      expect(html).toContain('production to opposing counsel');
      expect(html).toContain('<strong>MATCH</strong>');
      expect(html).toContain('<strong>MISMATCH</strong>');
      expect(html).toContain('2026-11-27 08:00</bdi> <span class="muted">(time zone not recorded)</span>');
    });

    it('ends with released-by and received-by signature blocks', () => {
      const signatures = html.slice(html.indexOf('id="signatures"'));
      expect(signatures).toContain('Released by');
      expect(signatures).toContain('Received by');
      for (const label of ['Name', 'Signature', 'Date and time', 'Time zone', 'Purpose of transfer']) expect(signatures).toContain(label);
    });

    it('states the DAT encoding and delimiters', () => {
      expect(html).toContain('UTF-8, no byte-order mark');
      expect(html).toContain('U+0014 (ASCII 20, shown as \u00b6)');
      expect(html).toContain('U+00FE (\u00fe)');
      expect(html).toContain('U+00AE (\u00ae)');
    });

    it('is deterministic', () => {
      expect(renderProductionReport(sample())).toBe(html);
    });

    it('matches the reviewed sample', async () => {
      await expect(html).toMatchFileSnapshot('__snapshots__/production-report.sample.html');
    });
  });

  describe('when data holds HTML, CSS or script', () => {
    const payload = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&</style></title><!-- \u202e`;
    const data = sample({
      title: payload,
      matter: { name: payload, number: payload },
      producingParty: payload,
      custodian: payload,
      productionDate: payload,
      exporter: { name: payload, contact: payload, reason: payload },
      selection: { mode: 'selected', range: null, filterDescription: payload, filterExpression: payload },
      counts: { shown: 1, withheld: 0, purged: 0, total: 1 },
      bundle: { fileName: `${payload}.zip`, sha256: 'a1'.repeat(32), size: 10, bagName: payload },
      checkpoint: { origin: payload, size: 1, root: payload, note: `${payload}\n\n\u2014 ${payload}\n` },
      keys: [{ vkey: signer.vkey, role: payload }],
      custodyEntries: [
        { at: payload, action: payload, by: payload, releasedBy: payload, receivedBy: payload, purpose: payload, location: payload, sha256: payload, notes: payload },
      ],
      files: [{ path: payload, description: payload, encoding: payload }],
      generatedAt: payload,
      generator: payload,
    });
    const html = renderProductionReport(data);

    it('escapes every value so no markup is injected', () => {
      expect(html).not.toMatch(/<script|<img|<!-- /i);
      for (const tag of tagsOf(html)) expect(ALLOWED_TAGS).toContain(tag);
      expect(html.match(/<\/style>/g)).toHaveLength(1);
      expect(html.match(/<\/title>/g)).toHaveLength(1);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;&lt;/style&gt;');
    });

    it('keeps data out of the style sheet except as escaped CSS strings', () => {
      const style = html.slice(html.indexOf('<style>') + '<style>'.length, html.indexOf('</style>'));
      expect(style).not.toMatch(/[<'&]/);
      for (const content of style.matchAll(/content: ("[^"]*")/g)) expect(content[1]).toMatch(/^"[A-Za-z0-9 \\]*"$/);
      expect(style).toContain('\\00003c script\\00003e ');
    });

    it('shell-quotes the file name in commands', () => {
      expect(html).toContain(`sha256sum &#39;&lt;script&gt;alert(1)`);
      expect(html).toContain(`&#39;\\&#39;&#39;&amp;`);
    });

    it('states the limitation of an events-mode production', () => {
      expect(html).toContain('Inclusion, not completeness');
    });
  });

  describe('when the counts do not add up', () => {
    it('prints a warning instead of the none-missing statement', () => {
      const html = renderProductionReport(sample({ counts: { shown: 120, withheld: 870, purged: 9, total: 1000 } }));
      expect(html).toContain('Warning: the counts do not add up');
      expect(html).not.toContain('None missing');
    });

    it('warns when the range size differs from the total', () => {
      const html = renderProductionReport(sample({ selection: { mode: 'complete-range', range: { from: 1000n, to: 2001n }, filterDescription: '' } }));
      expect(html).toContain('leaves in the range = 1,001');
      expect(html).toContain('No filter: every event of the range is shown.');
    });
  });

  describe('when nothing is shown', () => {
    it('says there are no control numbers', () => {
      const { controlNumbers: _, ...rest } = sample({ counts: { shown: 0, withheld: 990, purged: 10, total: 1000 } });
      expect(renderProductionReport(rest)).toContain('none (no event shown)');
    });
  });

  describe('when the data is invalid', () => {
    it.each([
      ['a missing matter name', { matter: {} as never }],
      ['a bad mode', { selection: { mode: 'range' as never, filterDescription: '' } }],
      ['an empty range', { selection: { mode: 'complete-range' as const, range: { from: '5', to: '5' }, filterDescription: '' } }],
      ['a non-decimal range', { selection: { mode: 'complete-range' as const, range: { from: '0x10', to: '20' }, filterDescription: '' } }],
      ['a negative count', { counts: { shown: -1, withheld: 0, purged: 0, total: 0 } }],
      ['an uppercase hash', { bundle: { fileName: 'b.zip', sha256: 'A1'.repeat(32), size: 1 } }],
      ['a malformed vkey', { keys: [{ vkey: 'not a key' }] }],
      ['a non-boolean hash check', { custodyEntries: [{ at: 'x', action: 'y', hashMatch: 'yes' as never }] }],
    ])('rejects %s with INVALID_ARGUMENT', (_, overrides) => {
      try {
        renderProductionReport(sample(overrides));
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProductionError);
        expect((error as ProductionError).code).toBe('INVALID_ARGUMENT');
      }
    });
  });
});
