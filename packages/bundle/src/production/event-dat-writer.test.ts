import { createHash } from 'node:crypto';

import { hashLeaf, nobleSha256 } from '@custody/ledger';
import { createLoggedEvent, validateEvent } from '@custody/schema';
import type { TEventInputDraft, TLoggedEvent } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { decodeCp1252 } from './cp1252';
import { parseDat } from './dat-reader';
import { EVENT_DAT_FIELDS, createEventDatWriter, formatCheckpointId } from './event-dat-writer';
import type { TEventDatWriterOptions } from './event-dat-writer';
import { splitMultiValue } from './event-values';
import { ProductionError } from './production-error';

const F = '\u0014';
const Q = '\u00fe';
const BASE: TEventInputDraft = {
  action: 'document.shared',
  occurred_at: '2026-11-26T10:00:00+01:00',
  actor: { id: 'user_01HQ3', type: 'user', name: 'Alice Martin' },
  targets: [{ id: 'doc_8812', type: 'document', name: 'Q1 board deck' }],
  context: { location: '2001:0DB8::0042', user_agent: 'Mozilla/5.0', request_id: 'req_7f3a' },
  metadata: { permission: 'view' },
};
const OPTIONS: TEventDatWriterOptions = {
  custodian: 'Acme Corp (IT Security)',
  source: 'audit.example.com/org/acme',
  checkpointId: formatCheckpointId('audit.example.com/org/acme', 2000),
  sha256: nobleSha256,
};

function makeLeaf(seq: number, overrides: Partial<TEventInputDraft> = {}): { event: TLoggedEvent; bytes: Uint8Array } {
  // An actor name holding U+0000, which servers accepted before 2026-11-28 and older logs may hold:
  // validated without it, then logged as it was.
  const actor = overrides.actor;
  const nameWithNul = actor?.name?.includes('\u0000') === true ? actor.name : undefined;
  const result = validateEvent({ ...BASE, ...overrides, ...(nameWithNul === undefined ? {} : { actor: { ...actor, name: nameWithNul.replaceAll('\u0000', '') } }) }, { limits: { maxMetadataStringLength: 60_000, maxEventBytes: 65_000 } });
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

/** An independent reader for the default delimiters: every value is quoted, so split on þ¶þ. */
function naiveRead(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => {
      expect(line.startsWith(Q) && line.endsWith(Q)).toBe(true);
      return line.slice(1, -1).split(`${Q}${F}${Q}`);
    });
}

function produce(leaves: { event: TLoggedEvent; bytes: Uint8Array }[], options: TEventDatWriterOptions = OPTIONS) {
  const dat = createEventDatWriter(options);
  let text = dat.header();
  leaves.forEach((leaf, i) => {
    text += dat.row(leaf.event, { controlNumber: `ACME${String(i + 1).padStart(6, '0')}`, leafHash: hashLeaf(leaf.bytes), bytes: leaf.bytes });
  });
  return { dat, text, bytes: dat.encode(text) };
}

function errorOf(run: () => unknown): ProductionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProductionError) return error;
    throw error;
  }
  throw new Error('expected a ProductionError');
}

describe('createEventDatWriter', () => {
  describe('when writing a small production with the defaults', () => {
    it('produces these exact bytes', () => {
      const leaf = makeLeaf(1041);
      const dat = createEventDatWriter(OPTIONS);
      const text =
        dat.header() +
        dat.row(leaf.event, { controlNumber: 'ACME000001', leafHash: new Uint8Array(32).fill(1), sha256: new Uint8Array(32).fill(0xab) });
      const values = [
        ['BEGBATES', 'ACME000001'],
        ['ENDBATES', 'ACME000001'],
        ['CONTROLNO', 'ACME000001'],
        ['CUSTODIAN', 'Acme Corp (IT Security)'],
        ['SOURCE', 'audit.example.com/org/acme'],
        ['LOG_INDEX', '1041'],
        ['EVENT_TIME_UTC', '2026-11-26T09:00:00.000Z'],
        ['EVENT_TYPE', 'document.shared'],
        ['ACTOR', 'user:user_01HQ3'],
        ['ACTOR_NAME', 'Alice Martin'],
        ['TARGETS', 'document:doc_8812'],
        ['IP', '2001:db8::42'],
        ['USER_AGENT', 'Mozilla/5.0'],
        ['LEAF_HASH', 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE='],
        ['CHECKPOINT_ID', 'audit.example.com/org/acme@2000'],
        ['SHA256', 'ab'.repeat(32)],
      ];
      const line = (cells: string[]) => `\u00fe${cells.join('\u00fe\u0014\u00fe')}\u00fe\r\n`;
      expect(text).toBe(line(values.map(([name = '']) => name)) + line(values.map(([, value = '']) => value)));
      expect(dat.fields).toEqual(values.map(([name]) => name));
      // UTF-8 without BOM: þ is C3 BE, ¶ (U+0014) is 14.
      expect(Array.from(dat.encode(text).subarray(0, 4))).toEqual([0xc3, 0xbe, 0x42, 0x45]);
      expect(dat.stats).toEqual({ replacedCharacters: 0, lineBreaks: 0, lossyCharacters: 0 });
    });

    it('computes SHA256 of the canonical bytes with the injected hash', () => {
      const leaf = makeLeaf(5);
      const { text } = produce([leaf]);
      const record = parseDat(text).records[0] ?? [];
      expect(record[EVENT_DAT_FIELDS.indexOf('SHA256')]).toBe(createHash('sha256').update(leaf.bytes).digest('hex'));
      expect(record[EVENT_DAT_FIELDS.indexOf('LEAF_HASH')]).toBe(
        createHash('sha256').update(Uint8Array.of(0)).update(leaf.bytes).digest('base64'),
      );
    });
  });

  describe('when values contain delimiter, newline or control characters', () => {
    const names = [
      'line1\r\nline2',
      'lf\nand cr\r',
      `thorn \u00fe and field ${F} and reg \u00ae`,
      'nul \u0000 bel \u0007 del \u007f tab\tkept',
      'Gu\u00f0\u00fe\u00f3r Acme\u00ae',
    ];
    const leaves = names.map((name, i) => makeLeaf(i, { actor: { id: `u${i}`, type: 'user', name } }));

    it('substitutes them so every record still parses, and counts the substitutions', () => {
      const { text, dat } = produce(leaves);
      const rows = naiveRead(text);
      expect(rows).toHaveLength(names.length + 1);
      for (const row of rows) expect(row).toHaveLength(EVENT_DAT_FIELDS.length);
      const column = EVENT_DAT_FIELDS.indexOf('ACTOR_NAME');
      expect(rows.slice(1).map((row) => row[column])).toEqual([
        'line1\u00aeline2',
        'lf\u00aeand cr\u00ae',
        'thorn \ufffd and field \ufffd and reg \ufffd',
        'nul \ufffd bel \ufffd del \ufffd tab\tkept',
        'Gu\u00f0\ufffd\u00f3r Acme\ufffd',
      ]);
      expect(dat.stats).toEqual({ replacedCharacters: 8, lineBreaks: 3, lossyCharacters: 0 });
      expect(parseDat(text, { restoreNewlines: true }).records[0]?.[column]).toBe('line1\nline2');
    });

    it('uses the configured replacement', () => {
      const { text } = produce([leaves[2] ?? makeLeaf(0)], { ...OPTIONS, replacement: '_' });
      expect(parseDat(text).records[0]?.[EVENT_DAT_FIELDS.indexOf('ACTOR_NAME')]).toBe('thorn _ and field _ and reg _');
    });
  });

  describe('when values are non-ASCII (UTF-8)', () => {
    it('keeps emoji, right-to-left text and combining marks exact', () => {
      const names = ['\ud83d\ude00\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67', '\u05e9\u05dc\u05d5\u05dd', '\u0645\u0631\u062d\u0628\u0627 \u202eabc', 'e\u0301', '\u4e2d\u6587'];
      const { bytes } = produce(names.map((name, i) => makeLeaf(i, { actor: { id: name, type: 'user', name } })));
      const table = parseDat(bytes);
      expect(table.records.map((record) => record[EVENT_DAT_FIELDS.indexOf('ACTOR_NAME')])).toEqual(names);
      expect(table.records.map((record) => record[EVENT_DAT_FIELDS.indexOf('ACTOR')])).toEqual(names.map((name) => `user:${name}`));
    });

    it('writes very long values whole', () => {
      const agent = `${'\u00e9'.repeat(1000)}\ud83d\ude00`.slice(0, 1024);
      const { bytes } = produce([makeLeaf(1, { context: { location: '10.0.0.1', user_agent: agent } })]);
      expect(parseDat(bytes).records[0]?.[EVENT_DAT_FIELDS.indexOf('USER_AGENT')]).toBe(agent);
    });

    it('writes a BOM only when asked', () => {
      expect(createEventDatWriter({ ...OPTIONS, bom: true }).header().startsWith('\ufeff\u00fe')).toBe(true);
      expect(createEventDatWriter(OPTIONS).header().startsWith('\u00fe')).toBe(true);
    });
  });

  describe('when the targets hold the multi-value delimiter', () => {
    it('percent-encodes it inside items', () => {
      const leaf = makeLeaf(1, { targets: [{ id: 'a;b', type: 'doc' }, { id: 'c', type: 'doc' }] });
      const record = parseDat(produce([leaf]).text).records[0] ?? [];
      expect(record[EVENT_DAT_FIELDS.indexOf('TARGETS')]).toBe('doc:a%3Bb;doc:c');
      expect(splitMultiValue(record[EVENT_DAT_FIELDS.indexOf('TARGETS')] ?? '')).toEqual(['doc:a;b', 'doc:c']);
    });
  });

  describe('when writing windows-1252', () => {
    const cp = { ...OPTIONS, encoding: 'cp1252' } as const;

    it('round-trips Latin-1 and CP1252 characters with one-byte delimiters', () => {
      const names = ['Caf\u00e9 \u20ac \u201cquoted\u201d \u2013 \u2122', '\u00c5sa \u00d8stergaard', 'Jos\u00e9 \u0160\u0161 \u017d\u0178'];
      const { bytes } = produce(names.map((name, i) => makeLeaf(i, { actor: { id: `u${i}`, type: 'user', name } })), cp);
      expect(bytes[0]).toBe(0xfe);
      expect(bytes.includes(0xc3)).toBe(false);
      const table = parseDat(bytes, { encoding: 'cp1252' });
      expect(table.header).toEqual([...EVENT_DAT_FIELDS]);
      expect(table.records.map((record) => record[EVENT_DAT_FIELDS.indexOf('ACTOR_NAME')])).toEqual(names);
      expect(decodeCp1252(bytes).split('\r\n')).toHaveLength(names.length + 2);
    });

    it('fails with UNENCODABLE_CHARACTER naming the row, field and character', () => {
      const dat = createEventDatWriter(cp);
      const ok = makeLeaf(1);
      dat.row(ok.event, { controlNumber: 'ACME000001', leafHash: hashLeaf(ok.bytes), bytes: ok.bytes });
      const bad = makeLeaf(2, { actor: { id: 'u', type: 'user', name: 'ok \ud83d\ude00' } });
      const error = errorOf(() => dat.row(bad.event, { controlNumber: 'ACME000002', leafHash: hashLeaf(bad.bytes), bytes: bad.bytes }));
      expect(error.code).toBe('UNENCODABLE_CHARACTER');
      expect(error.details).toEqual({ codePoint: 'U+1F600', offset: 3, where: 'row 2 field ACTOR_NAME' });
      expect(dat.rowCount).toBe(1);
    });

    it('writes ? per unrepresentable code point when lossy, and counts them', () => {
      const leaf = makeLeaf(1, { actor: { id: '\u4e2d', type: 'user', name: '\u05e9\u05dc \ud83d\ude00 \u00e9' } });
      const { bytes, dat } = produce([leaf], { ...cp, lossy: true });
      const record = parseDat(bytes, { encoding: 'cp1252' }).records[0] ?? [];
      expect(record[EVENT_DAT_FIELDS.indexOf('ACTOR_NAME')]).toBe('?? ? \u00e9');
      expect(record[EVENT_DAT_FIELDS.indexOf('ACTOR')]).toBe('user:?');
      expect(dat.stats.lossyCharacters).toBe(4);
    });

    it('fails at creation when a constant cannot be written', () => {
      expect(errorOf(() => createEventDatWriter({ ...cp, custodian: '\u05e9' })).code).toBe('UNENCODABLE_CHARACTER');
    });

    it('uses ? as the default replacement and refuses a BOM', () => {
      const leaf = makeLeaf(1, { actor: { id: 'u', type: 'user', name: 'a\u00feb' } });
      expect(parseDat(produce([leaf], cp).bytes, { encoding: 'cp1252' }).records[0]?.[EVENT_DAT_FIELDS.indexOf('ACTOR_NAME')]).toBe('a?b');
      expect(errorOf(() => createEventDatWriter({ ...cp, bom: true })).code).toBe('INVALID_ARGUMENT');
      expect(errorOf(() => createEventDatWriter({ ...cp, replacement: '\ufffd' })).code).toBe('INVALID_ARGUMENT');
    });
  });

  describe('when the delimiters are customized', () => {
    it('writes and reads with them', () => {
      const leaf = makeLeaf(1, { actor: { id: 'u', type: 'user', name: 'pipe | and "quote"' } });
      const options = { ...OPTIONS, delimiters: { field: '|', quote: '"', multiValue: ',' } };
      const { text } = produce([leaf], options);
      expect(text.startsWith('"BEGBATES"|"ENDBATES"|')).toBe(true);
      const record = parseDat(text, { delimiters: options.delimiters }).records[0] ?? [];
      expect(record[EVENT_DAT_FIELDS.indexOf('ACTOR_NAME')]).toBe('pipe \ufffd and \ufffdquote\ufffd');
    });

    it('cleans generated values too when a delimiter could occur in them', () => {
      const leaf = makeLeaf(1);
      const options = { ...OPTIONS, delimiters: { field: ':' } };
      const { text } = produce([leaf], options);
      const record = parseDat(text, { delimiters: options.delimiters }).records[0] ?? [];
      expect(record).toHaveLength(EVENT_DAT_FIELDS.length);
      expect(record[EVENT_DAT_FIELDS.indexOf('EVENT_TIME_UTC')]).toBe('2026-11-26T09\ufffd00\ufffd00.000Z');
    });

    it.each([
      ['two equal delimiters', { field: ';' }],
      ['a two-character delimiter', { quote: '""' }],
      ['CR', { newline: '\r' }],
      ['LF', { field: '\n' }],
      ['a lone surrogate', { quote: '\ud800' }],
      ['an empty delimiter', { field: '' }],
    ])('rejects %s with INVALID_DELIMITERS', (_, delimiters) => {
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, delimiters })).code).toBe('INVALID_DELIMITERS');
    });

    it('rejects a delimiter windows-1252 cannot write', () => {
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, encoding: 'cp1252', delimiters: { field: '\u2016' } })).code).toBe(
        'INVALID_DELIMITERS',
      );
    });
  });

  describe('when misused', () => {
    const leaf = makeLeaf(1);

    it('requires a digest for SHA256', () => {
      const dat = createEventDatWriter({ ...OPTIONS, sha256: undefined });
      expect(errorOf(() => dat.row(leaf.event, { controlNumber: 'A1', leafHash: hashLeaf(leaf.bytes), bytes: leaf.bytes })).code).toBe(
        'INVALID_ARGUMENT',
      );
      expect(dat.row(leaf.event, { controlNumber: 'A1', leafHash: hashLeaf(leaf.bytes), sha256: 'AB'.repeat(32) })).toContain('ab'.repeat(32));
    });

    it('requires the constants of the fields it writes', () => {
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, custodian: undefined })).details).toEqual({ option: 'custodian' });
      expect(createEventDatWriter({ fields: ['CONTROLNO', 'LOG_INDEX'] }).header()).toBe('\u00feCONTROLNO\u00fe\u0014\u00feLOG_INDEX\u00fe\r\n');
    });

    it('rejects a bad encoding, replacement or field list', () => {
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, encoding: 'latin1' as 'utf-8' })).code).toBe('INVALID_ARGUMENT');
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, replacement: '\u00fe' })).code).toBe('INVALID_ARGUMENT');
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, replacement: '\n' })).code).toBe('INVALID_ARGUMENT');
      expect(errorOf(() => createEventDatWriter({ ...OPTIONS, fields: ['NATIVEPATH' as 'SHA256'] })).code).toBe('INVALID_ARGUMENT');
    });

    it('turns a non-event into INVALID_ARGUMENT', () => {
      const dat = createEventDatWriter(OPTIONS);
      expect(errorOf(() => dat.row({} as TLoggedEvent, { controlNumber: 'A1', leafHash: new Uint8Array(32), sha256: new Uint8Array(32) })).code).toBe(
        'INVALID_ARGUMENT',
      );
    });
  });
});

describe('formatCheckpointId', () => {
  it('joins origin and size with @', () => {
    expect(formatCheckpointId('audit.example.com/org/42', 1337)).toBe('audit.example.com/org/42@1337');
    expect(formatCheckpointId('o', 2n ** 63n)).toBe('o@9223372036854775808');
    expect(() => formatCheckpointId('', 1)).toThrow(ProductionError);
    expect(() => formatCheckpointId('o', -1)).toThrow(ProductionError);
  });
});
