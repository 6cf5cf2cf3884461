import { execFileSync } from 'node:child_process';

import { hashLeaf, nobleSha256 } from '@custody/ledger';
import { createLoggedEvent, validateEvent } from '@custody/schema';
import type { TEventInputDraft, TLoggedEvent } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { createEdrmXmlWriter } from './edrm-xml-writer';
import type { TEdrmXmlWriterOptions } from './edrm-xml-writer';
import { ProductionError } from './production-error';
import { escapeXmlAttribute, escapeXmlText } from './xml-escape';

const BASE: TEventInputDraft = {
  action: 'document.shared',
  occurred_at: '2026-11-26T10:00:00+01:00',
  actor: { id: 'user_01HQ3', type: 'user', name: 'Alice Martin' },
  targets: [{ id: 'doc_8812', type: 'document' }],
  context: { location: '2001:db8::42', user_agent: 'Mozilla/5.0' },
  metadata: { permission: 'view' },
};
const OPTIONS: TEdrmXmlWriterOptions = {
  custodian: 'Acme Corp. IT Security',
  source: 'audit.example.com/org/acme',
  checkpointId: 'audit.example.com/org/acme@2000',
  sha256: nobleSha256,
};

function makeLeaf(seq: number, overrides: Partial<TEventInputDraft> = {}): { event: TLoggedEvent; bytes: Uint8Array } {
  // An actor name holding U+0000, which servers accepted before 2026-11-28 and older logs may hold:
  // validated without it, then logged as it was.
  const actor = overrides.actor;
  const nameWithNul = actor?.name?.includes('\u0000') === true ? actor.name : undefined;
  const result = validateEvent({ ...BASE, ...overrides, ...(nameWithNul === undefined ? {} : { actor: { ...actor, name: nameWithNul.replaceAll('\u0000', '') } }) });
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('; '));
  const event = nameWithNul === undefined ? result.event : { ...result.event, actor: { ...result.event.actor, name: nameWithNul } };
  return createLoggedEvent(event, {
    organizationId: 'org_acme',
    seq,
    id: '019ceb74-9cbc-7c1e-8b0f-3d2a9e6c4b71',
    receivedAt: '2026-11-26T09:00:01.000Z',
    salt: 'mJ0r8vYkQ1c9oFh2Zt5WxA==',
  });
}

function produce(leaves: { event: TLoggedEvent; bytes: Uint8Array }[], options: TEdrmXmlWriterOptions = OPTIONS): string {
  const xml = createEdrmXmlWriter(options);
  let out = xml.header();
  leaves.forEach((leaf, i) => {
    out += xml.row(leaf.event, { controlNumber: `ACME${String(i + 1).padStart(6, '0')}`, leafHash: hashLeaf(leaf.bytes), bytes: leaf.bytes });
  });
  return out + xml.footer();
}

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'import xml.parsers.expat'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Parses with Python's expat (a strict XML 1.0 parser) and returns documents as { DocID, tags, custodian, inline }. */
function parseWithExpat(xml: string): { DocID: string; tags: Record<string, string>; custodian: string; inline: string }[] {
  const script = `
import sys, json, xml.dom.minidom
doc = xml.dom.minidom.parseString(sys.stdin.buffer.read())
out = []
for d in doc.getElementsByTagName('Document'):
    tags = {t.getAttribute('TagName'): t.getAttribute('TagValue') for t in d.getElementsByTagName('Tag')}
    text = lambda n: ''.join(c.data for c in n.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE))
    inline = d.getElementsByTagName('InlineContent')
    out.append({'DocID': d.getAttribute('DocID'), 'tags': tags, 'custodian': text(d.getElementsByTagName('Custodian')[0]), 'inline': text(inline[0]) if inline else ''})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: xml, encoding: 'utf8' })) as ReturnType<typeof parseWithExpat>;
}

describe('createEdrmXmlWriter', () => {
  describe('when writing one event', () => {
    it('writes the EDRM structure with typed tags', () => {
      const leaf = makeLeaf(1041);
      const xml = createEdrmXmlWriter(OPTIONS);
      const text = xml.header() + xml.row(leaf.event, { controlNumber: 'ACME000001', leafHash: new Uint8Array(32), sha256: 'ab'.repeat(32) }) + xml.footer();
      expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Root MajorVersion="1" MinorVersion="2" DataInterchangeType="Update" Description="Custody log production">\n  <Batch>\n    <Documents>\n')).toBe(true);
      expect(text).toContain('<Document DocID="ACME000001" DocType="File" MimeType="application/json">');
      expect(text).toContain('<Locations><Location><Custodian>Acme Corp. IT Security</Custodian><LocationURI>audit.example.com/org/acme</LocationURI></Location></Locations>');
      expect(text).toContain('<Tag TagName="#BegBates" TagDataType="Text" TagValue="ACME000001"/>');
      expect(text).toContain('<Tag TagName="LogIndex" TagDataType="LongInteger" TagValue="1041"/>');
      expect(text).toContain('<Tag TagName="EventTimeUtc" TagDataType="DateTime" TagValue="2026-11-26T09:00:00.000Z"/>');
      expect(text).toContain('<Tag TagName="Metadata" TagDataType="Text" TagValue="{&quot;permission&quot;:&quot;view&quot;}"/>');
      expect(text).toContain(`<Tag TagName="SHA256" TagDataType="Text" TagValue="${'ab'.repeat(32)}"/>`);
      expect(text).not.toContain('SessionId');
      expect(text.endsWith('    </Documents>\n    <Relationships/>\n  </Batch>\n</Root>\n')).toBe(true);
      expect(xml.rowCount).toBe(1);
    });
  });

  describe.skipIf(!hasPython())('when read back by a strict XML 1.0 parser', () => {
    it('round-trips hostile, non-ASCII and whitespace-bearing values exactly', () => {
      const names = [
        '</Tag></Tags></Document></Documents></Batch></Root><!-- ]]> <![CDATA[ x ]]>',
        'quote " apostrophe \' amp & lt < gt >',
        'tab\tnewline\ncarriage\r\nend',
        '\ud83d\ude00 \u05e9\u05dc\u05d5\u05dd \u202eabc \u00e9',
        '  leading and trailing  ',
      ];
      const leaves = names.map((name, i) => makeLeaf(i, { actor: { id: `u${i}`, type: 'user', name }, metadata: { note: name } }));
      const docs = parseWithExpat(produce(leaves, { ...OPTIONS, inlineContent: true, custodian: '<Custodian & "Co">' }));
      expect(docs).toHaveLength(names.length);
      docs.forEach((doc, i) => {
        expect(doc.DocID).toBe(`ACME00000${i + 1}`);
        expect(doc.tags.ActorName).toBe(names[i]);
        expect(JSON.parse(doc.tags.Metadata ?? '')).toEqual({ note: names[i] });
        expect(doc.inline).toBe(new TextDecoder().decode(leaves[i]?.bytes));
        expect(doc.custodian).toBe('<Custodian & "Co">');
      });
    });

    it('replaces characters XML 1.0 cannot carry and counts them', () => {
      const leaf = makeLeaf(1, { actor: { id: 'u', type: 'user', name: 'bell\u0007 nul\u0000 \uffff' } });
      const xml = createEdrmXmlWriter(OPTIONS);
      const text = xml.header() + xml.row(leaf.event, { controlNumber: 'A1', leafHash: hashLeaf(leaf.bytes), bytes: leaf.bytes }) + xml.footer();
      expect(parseWithExpat(text)[0]?.tags.ActorName).toBe('bell\ufffd nul\ufffd \ufffd');
      expect(xml.stats.replacedCharacters).toBe(3);
    });
  });

  describe('when misused', () => {
    it('requires its options and a digest', () => {
      expect(() => createEdrmXmlWriter({ ...OPTIONS, custodian: '' })).toThrow(ProductionError);
      const leaf = makeLeaf(1);
      const xml = createEdrmXmlWriter({ ...OPTIONS, sha256: undefined });
      expect(() => xml.row(leaf.event, { controlNumber: 'A1', leafHash: hashLeaf(leaf.bytes), bytes: leaf.bytes })).toThrow(/SHA256/);
      expect(() => createEdrmXmlWriter({ ...OPTIONS, inlineContent: true }).row(leaf.event, { controlNumber: 'A1', leafHash: hashLeaf(leaf.bytes), sha256: new Uint8Array(32) })).toThrow(/bytes/);
      expect(() => xml.row({} as TLoggedEvent, { controlNumber: 'A1', leafHash: new Uint8Array(32), sha256: new Uint8Array(32) })).toThrow(ProductionError);
    });
  });
});

describe('escapeXmlText and escapeXmlAttribute', () => {
  it('escape markup and keep whitespace exact', () => {
    expect(escapeXmlText('a<b>&]]>\r\n\t')).toEqual({ text: 'a&lt;b&gt;&amp;]]&gt;&#13;\n\t', replaced: 0 });
    expect(escapeXmlAttribute('"x"\t\n\r<&>')).toEqual({ text: '&quot;x&quot;&#9;&#10;&#13;&lt;&amp;&gt;', replaced: 0 });
  });

  it('replace non-XML characters, including lone surrogates, but keep pairs', () => {
    expect(escapeXmlText('\u0001\ud800x\udc00\ud83d\ude00\ufffe')).toEqual({ text: '\ufffd\ufffdx\ufffd\ud83d\ude00\ufffd', replaced: 4 });
  });
});
