/**
 * The search rule (`search-text.ts`) against the engines' own reading of words: every word it makes is read
 * back unchanged by SQLite FTS5's tokenizer (as the SQLite dialect hands it over, `fts5Text`), its fold table is
 * what FTS5 folds, and words stored by previous rules are found by the new one after the migrations.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  SEARCH_FOLDS,
  SEARCH_SEPARATORS,
  createLoggedEvent,
  generateSalt,
  generateUuidV7,
  normalizeSearchText,
  searchTerms,
  searchTextOf,
  searchWords,
  validateEvent,
} from '@custody/schema';

import { up as upSearchFolds } from '../src/migrations/0005-search-folds';
import { up as upSearchLexemes } from '../src/migrations/0006-search-lexemes';
import { up as upSearchNfc } from '../src/migrations/0008-search-nfc';
import { up as upSearchMarks } from '../src/migrations/0009-search-marks';
import { fts5Text } from '../src/dialect/fts5-text';
import { createTestDatabase, DIALECTS, searchTextBefore0009 } from '../src/testing/index';
import type { TTestDatabase } from '../src/testing/index';

/** Every code point but the surrogates, each as a string. */
function allCodePoints(): string[] {
  const all: string[] = [];
  for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) all.push(String.fromCodePoint(c));
  return all;
}

/**
 * The words of every code point alone, and of `x` followed by each combining mark (a mark alone makes no word): every
 * letter, digit and mark the rule keeps in a word.
 */
function ruleWords(): Set<string> {
  const words = new Set<string>();
  for (const c of allCodePoints()) {
    for (const w of searchWords(c)) words.add(w);
    if (/\p{M}/u.test(c)) for (const w of searchWords(`x${c}`)) words.add(w);
  }
  return words;
}

/** The seqs of `org`'s events that `q` finds, in order. */
async function foundBy(t: TTestDatabase, org: string, q: string): Promise<number[]> {
  const rows = await t.db.selectFrom('events').select('seq').where('organization_id', '=', org).where(t.dialect.matchesSearch(org, searchTerms(q))).orderBy('seq').execute();
  return rows.map((r) => Number(r.seq));
}

/** `foundBy` for each query of `queries`, by query. */
async function foundByEach(t: TTestDatabase, org: string, queries: Record<string, unknown>): Promise<Record<string, number[]>> {
  return Object.fromEntries(await Promise.all(Object.keys(queries).map(async (q) => [q, await foundBy(t, org, q)] as const)));
}

/** Each `event_search` row's seq and row version (Postgres; none on SQLite), to tell the rows a migration rewrote. */
async function rowVersions(t: TTestDatabase, org: string): Promise<{ seq: string; x: string }[]> {
  if (t.dialectName !== 'postgres') return [];
  return (await sql<{ seq: string; x: string }>`SELECT seq::text AS seq, xmin::text AS x FROM event_search WHERE organization_id = ${org} ORDER BY seq`.execute(t.db)).rows;
}

/** A `user.renamed` event by an actor named `name`, validated. */
function renamed(name: string) {
  const result = validateEvent({
    action: 'user.renamed', occurred_at: '2026-11-28T12:00:00.000Z', actor: { type: 'user', id: 'user_1', name }, targets: [], context: { location: '10.0.0.1' },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.event;
}

/** Stores `inputs` as `org`'s events 0, 1, … with their logged bodies (what the migrations read), and no search documents. */
async function storeLogged(t: TTestDatabase, org: string, inputs: readonly ReturnType<typeof renamed>[]): Promise<void> {
  const bodies = inputs.map((e, seq) => createLoggedEvent(e, { organizationId: org, seq, id: generateUuidV7(), receivedAt: Date.now(), salt: generateSalt() }).bytes);
  await t.db.insertInto('events').values(bodies.map((body, seq) => ({
    organization_id: org, seq, id: `ev_${org}_${seq}`, action: 'a', actor_type: 'user', actor_id: 'u', actor_name: null,
    occurred_at: seq, received_at: seq, ip: '10.0.0.1', ip_key: '00', body,
  }))).execute();
}

const hex = (text: string) => [...text].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

describe('searchWords', () => {
  describe('when its words are indexed by SQLite FTS5 (the tokenizer of events_fts)', () => {
    let t: TTestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase('sqlite');
    });
    afterAll(() => t.destroy());

    /** FTS5's terms for `documents` (one per rowid), through an `fts5vocab` table over `table`. */
    async function indexedTerms(table: string, documents: readonly string[]): Promise<{ term: string; doc: number }[]> {
      for (let i = 0; i < documents.length; i += 1000) {
        const part = documents.slice(i, i + 1000).map((text, j) => sql`(${i + j + 1}, ${text})`);
        await sql`INSERT INTO ${sql.table(table)} (rowid, text) VALUES ${sql.join(part)}`.execute(t.db);
      }
      const vocab = `${table.replace('.', '_')}_vocab`;
      const detail = table === 'events_fts' ? 'row' : 'instance';
      const schema = table.startsWith('temp.') ? 'temp' : 'main';
      await sql.raw(`CREATE VIRTUAL TABLE temp.${vocab} USING fts5vocab(${schema}, '${table.replace(/^temp\./, '')}', '${detail}')`).execute(t.db);
      const rows = await sql<{ term: string; doc?: number }>`SELECT * FROM ${sql.table(`temp.${vocab}`)}`.execute(t.db);
      return rows.rows.map((r) => ({ term: r.term, doc: r.doc ?? 0 }));
    }

    it('reads every word back unchanged, for the words of every code point (BMP and astral) and of every mark', async () => {
      const words = new Set([...ruleWords()].map(fts5Text));
      // Every letter, digit and mark is kept in a word, so all of them are checked here.
      expect(words.size).toBeGreaterThan(142_000);
      const terms = new Set((await indexedTerms('events_fts', [...words])).map((r) => r.term));
      const changed = [...words].filter((w) => !terms.has(w)).map(hex);
      const unknown = [...terms].filter((w) => !words.has(w)).map(hex);
      expect({ changed, unknown }).toEqual({ changed: [], unknown: [] });
    });

    it('folds exactly the characters of SEARCH_FOLDS and splits at exactly SEARCH_SEPARATORS, derived again from FTS5', async () => {
      // Steps 1, 2 and 4 of the rule (no folding), then each character of the words alone, into an FTS5 table
      // with events_fts's own tokenizer (detail=full, so that each term names its document).
      const created = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE name = 'events_fts'`.execute(t.db);
      const tokenize = /tokenize\s*=\s*'([^']*)'/.exec(created.rows[0]?.sql ?? '')?.[1];
      expect(tokenize).toBe('unicode61 remove_diacritics 0');
      await sql.raw(`CREATE VIRTUAL TABLE temp.derive USING fts5(text, tokenize='${tokenize}')`).execute(t.db);
      const chars = new Set<string>();
      for (const c of allCodePoints()) for (const w of c.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u)) for (const ch of w) chars.add(ch);
      const list = [...chars];
      const back = new Map<number, string[]>();
      for (const { term, doc } of await indexedTerms('temp.derive', list)) back.set(doc, [...(back.get(doc) ?? []), term]);
      const folds: [string, string][] = [];
      const separators: number[] = [];
      list.forEach((ch, i) => {
        const terms = back.get(i + 1) ?? [];
        if (terms.length === 0) separators.push(ch.codePointAt(0) ?? 0);
        else if (terms.length > 1 || terms[0] !== ch) folds.push([ch, terms.join(' ')]);
      });
      expect(folds.sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(SEARCH_FOLDS.map(([from, to]) => [from, to]));
      expect(separators.sort((a, b) => a - b)).toEqual(SEARCH_SEPARATORS.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, i) => first + i)));
    });
  });

  it('gives words the rule keeps as they are (searchWords(w) = [w]), for every code point', () => {
    const moved: string[] = [];
    for (const c of allCodePoints()) {
      for (const w of searchWords(c)) if (searchWords(w).join(' ') !== w) moved.push(`${hex(c)} → ${hex(w)}`);
    }
    expect(moved).toEqual([]);
  });

  it('folds final sigma and the other letters FTS5 folds, in documents and queries alike', () => {
    expect(searchWords('ΟΔΟΣ οδος οδοσ')).toEqual(['οδοσ', 'οδοσ', 'οδοσ']);
    expect(searchTerms('οδος')).toEqual(['οδοσ']);
    expect(searchTerms('ΟΔΟΣ*')).toEqual(['οδοσ*']);
    expect(searchWords('5 \u00b5g, Ma\u017fs, \u03d1')).toEqual(['5', '\u03bcg', 'mass', '\u03b8']);
    expect(normalizeSearchText(['ΟΔΟΣ', 'οδος'])).toBe('οδοσ');
  });

  it('keeps in words the letters FTS5 does not index, and combining marks', () => {
    expect(searchWords('x\u19b0y \u19ba\u19b0')).toEqual(['x\u19b0y', '\u19ba\u19b0']);
    expect(searchTerms('ab\u19b0*')).toEqual(['ab\u19b0*']);
    expect(searchWords('हिन्दी, ภาษาไทย: שָׁלוֹם')).toEqual(['हिन्दी', 'ภาษาไทย', 'שָׁלוֹם']);
    // A mark with no letter or digit before it makes no word; one after a separator stays with the word after it.
    expect(searchWords('\u0301 a \u0301b')).toEqual(['a', '\u0301b']);
  });

  it('hands FTS5 each character it would split at as a private-use one, no two alike, and none a word could hold', () => {
    const images = new Map<string, number>();
    const clashes: string[] = [];
    for (const c of allCodePoints()) {
      const image = fts5Text(c);
      if (image === c) continue;
      expect(image, hex(c)).toMatch(/^\p{Co}$/u);
      const other = images.get(image);
      if (other !== undefined) clashes.push(`${hex(c)} and ${hex(String.fromCodePoint(other))}`);
      images.set(image, c.codePointAt(0) ?? 0);
    }
    expect(clashes).toEqual([]);
    // Every combining mark, and the letters FTS5 does not index, and nothing else.
    const marks = allCodePoints().filter((c) => /\p{M}/u.test(c)).length;
    const separators = SEARCH_SEPARATORS.reduce((n, [first, last]) => n + last - first + 1, 0);
    expect(images.size).toBe(marks + separators);
    // The rule splits words at private-use characters: text sent with one never meets an image.
    expect(searchWords(`a${[...images.keys()].join('')}b \u{e000}`)).toEqual(['a', 'b']);
    expect(fts5Text('plain ascii words')).toBe('plain ascii words');
  });
});

describe('searchTerms', () => {
  describe('when a prefix is typed with a combining mark before the *', () => {
    it('is the same prefix as typed precomposed', () => {
      expect(searchTerms('re\u0301*')).toEqual(['r\u00e9*']);
      expect(searchTerms('re\u0301*')).toEqual(searchTerms('r\u00e9*'));
      expect(searchTerms('e\u0301*')).toEqual(['\u00e9*']);
      expect(searchTerms('RE\u0301SU\u0301*')).toEqual(['résú*']);
    });
  });
  describe('when the mark has no precomposed form', () => {
    it('is part of the prefix', () => {
      expect(searchTerms('\u0939\u093f*')).toEqual(['\u0939\u093f*']);
      expect(searchTerms('हिन्*')).toEqual(['हिन्*']);
    });
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: the words of every code point`, () => {
    let t: TTestDatabase;
    const org = 'org_words';
    const words = ruleWords();
    // 50 words a document, so that a document's own words are told from its neighbours'.
    const documents: string[][] = [];
    [...words].forEach((w, i) => (i % 50 === 0 ? documents.push([w]) : documents[documents.length - 1]?.push(w)));
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      for (let i = 0; i < documents.length; i += 500) {
        const seqs = documents.slice(i, i + 500).map((_, j) => i + j);
        await t.db.insertInto('events').values(seqs.map((seq) => ({
          organization_id: org, seq, id: `ev_words_${seq}`, action: 'a', actor_type: 'user', actor_id: 'u', actor_name: null,
          occurred_at: seq, received_at: seq, ip: '10.0.0.1', ip_key: '00', body: new Uint8Array(),
        }))).execute();
        await t.dialect.indexSearchText(t.db, org, seqs.map((seq) => ({ seq, text: documents[seq]?.join(' ') ?? '' })));
      }
    }, 120_000);
    afterAll(() => t.destroy());

    if (dialect === 'postgres') {
      it('stores each document\'s words as its lexemes, unchanged and all of them', async () => {
        const rows = (await sql<{ seq: string; lexemes: string[] }>`SELECT seq::text AS seq, tsvector_to_array(search) AS lexemes FROM event_search WHERE organization_id = ${org} ORDER BY seq`.execute(t.db)).rows;
        const differ = rows.filter((r) => [...r.lexemes].sort().join(' ') !== [...(documents[Number(r.seq)] ?? [])].sort().join(' ')).map((r) => r.seq);
        expect({ rows: rows.length, differ }).toEqual({ rows: documents.length, differ: [] });
      });
    }

    it('finds the document of each word, numbers that are not decimal digits (², ½, ①) included', async () => {
      // Every number that is not a decimal digit (Postgres's parser dropped these), and every 100th other word.
      const sample = [...words].filter((w, i) => /^[\p{Nl}\p{No}]/u.test(w) || i % 100 === 0);
      expect(sample).toEqual(expect.arrayContaining(['\u00b2', '\u00bd', '\u2460']));
      const found = new Map<string, number[]>();
      for (let i = 0; i < sample.length; i += 50) {
        await Promise.all(sample.slice(i, i + 50).map(async (w) => {
          const rows = await t.db.selectFrom('events').select('seq').where('organization_id', '=', org).where(t.dialect.matchesSearch(org, searchTerms(w))).execute();
          found.set(w, rows.map((r) => Number(r.seq)));
        }));
      }
      const wrong = sample.filter((w) => found.get(w)?.join() !== String(documents.findIndex((d) => d.includes(w)))).map(hex);
      expect({ sampled: sample.length > 1500, wrong }).toEqual({ sampled: true, wrong: [] });
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: words stored by the rule before folding (migration 0005)`, () => {
    let t: TTestDatabase;
    const org = 'org_fold';
    const event = (seq: number) => ({
      organization_id: org, seq, id: `ev_fold_${seq}`, action: 'a', actor_type: 'user', actor_id: 'u', actor_name: null,
      occurred_at: seq, received_at: seq, ip: '10.0.0.1', ip_key: '00', body: new Uint8Array(),
    });
    // Documents as the previous rule made them (NFC, lowercase, split; no folding), indexed as the server did
    // then (on Postgres `to_tsvector`, until migration 0006).
    const documents = ['οδος αθηνα', '5 \u00b5g', 'x\u19b0y', 'οδος οδοσ', 'plain words'];
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      await t.db.insertInto('events').values(documents.map((_, seq) => event(seq))).execute();
      // On SQLite as FTS5 was given them then, as they are (before `fts5Text`).
      if (dialect === 'sqlite') for (const [seq, text] of documents.entries()) await sql`INSERT INTO events_fts (rowid, text) SELECT rowid, ${text} FROM events WHERE organization_id = ${org} AND seq = ${seq}`.execute(t.db);
      else for (const [seq, text] of documents.entries()) await sql`INSERT INTO event_search (organization_id, seq, search) VALUES (${org}, ${seq}, to_tsvector('simple', ${text}))`.execute(t.db);
    });
    afterAll(() => t.destroy());

    const queries = { ΟΔΟΣ: [0, 3], οδος: [0, 3], οδοσ: [0, 3], 'οδο*': [0, 3], 'οδοσ*': [0, 3], '\u00b5g': [1], '\u03bcg': [1], 'x y': [2], 'plain': [4] };
    const results = () => foundByEach(t, org, queries);

    it(dialect === 'sqlite' ? 'finds them without a rewrite (FTS5 folded them when it indexed them)' : 'does not find them all before the migration', async () => {
      if (dialect === 'sqlite') expect(await results()).toEqual(queries);
      else expect(await results()).not.toEqual(queries);
    });

    it('finds them after the migration, which a second run leaves as they are', async () => {
      const stored = async () =>
        dialect === 'postgres' ? (await sql<{ seq: number; search: string }>`SELECT seq, search::text AS search FROM event_search ORDER BY seq`.execute(t.db)).rows : [];
      await t.db.transaction().execute((trx) => upSearchFolds(trx as never));
      expect(await results()).toEqual(queries);
      const once = await stored();
      await t.db.transaction().execute((trx) => upSearchFolds(trx as never));
      expect(await stored()).toEqual(once);
      if (dialect === 'postgres') {
        expect(once.map((r) => r.search)).toEqual(["'αθηνα':2 'οδοσ':1", "'5':1 '\u03bcg':2", "'x':1 'y':1", "'οδοσ':1,2", "'plain':1 'words':2"]);
      }
    });

    if (dialect === 'postgres') {
      it('keeps positions, weights, quotes and backslashes of the lexemes it rewrites, and leaves other rows alone', async () => {
        const rows: [number, string][] = [
          [10, String.raw`'it''s\\ς':1,3A 'a\\b''':2B 'ς':4`],
          [11, "'οδος' 'λογος'"],
          [12, "'\u19ba\u19b0':1"],
          [13, String.raw`'it''s\\s':1 'ok':2`],
        ];
        await t.db.insertInto('events').values(rows.map(([seq]) => event(seq))).execute();
        for (const [seq, text] of rows) await sql`INSERT INTO event_search (organization_id, seq, search) VALUES (${org}, ${seq}, ${text}::tsvector)`.execute(t.db);
        const before = await sql<{ search: string; x: number }>`SELECT search::text AS search, xmin::text::bigint AS x FROM event_search WHERE seq = 13`.execute(t.db);
        await t.db.transaction().execute((trx) => upSearchFolds(trx as never));
        const after = await sql<{ seq: number; search: string }>`SELECT seq, search::text AS search FROM event_search WHERE seq >= 10 ORDER BY seq`.execute(t.db);
        expect(after.rows.map((r) => r.search)).toEqual([String.raw`'a\\b''':2B 'it''s\\σ':1,3A 'σ':4`, "'λογοσ' 'οδοσ'", '', String.raw`'it''s\\s':1 'ok':2`]);
        // The row with nothing to fold was not written (same row version).
        expect((await sql<{ x: number }>`SELECT xmin::text::bigint AS x FROM event_search WHERE seq = 13`.execute(t.db)).rows).toEqual([{ x: before.rows[0]?.x }]);
      });
    }
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: full-text rows stored through Postgres's parser (migration 0006)`, () => {
    let t: TTestDatabase;
    const org = 'org_lexemes';
    const input = (action: string, name: string) => {
      const result = validateEvent({
        action, occurred_at: '2026-11-28T12:00:00.000Z',
        actor: { type: 'user', id: 'user_1', name },
        targets: [{ type: 'team', id: 'team_1' }],
        context: { location: '10.0.0.1' },
      });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.event;
    };
    // 0: a number Postgres's parser dropped; 1: a letter it keeps (nothing to rewrite); 2: ASCII only; 3: ½ and ①.
    const inputs = [input('report.viewed', 'Floor ² office'), input('report.viewed', 'Café'), input('user.login', 'Ada'), input('report.viewed', '½ ① share')];
    const bodies = inputs.map((e, seq) => createLoggedEvent(e, { organizationId: org, seq, id: generateUuidV7(), receivedAt: Date.now(), salt: generateSalt() }).bytes);
    const row = (seq: number, body: Uint8Array) => ({
      organization_id: org, seq, id: `ev_lexemes_${seq}`, action: 'a', actor_type: 'user', actor_id: 'u', actor_name: null,
      occurred_at: seq, received_at: seq, ip: '10.0.0.1', ip_key: '00', body,
    });

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      await t.db.insertInto('events').values(bodies.map((body, seq) => row(seq, body))).execute();
      // As the server stored them: on Postgres through `to_tsvector` until migration 0006.
      const texts = inputs.map((e) => searchTextOf(e));
      if (dialect === 'sqlite') await t.dialect.indexSearchText(t.db, org, texts.map((text, seq) => ({ seq, text })));
      else for (const [seq, text] of texts.entries()) await sql`INSERT INTO event_search (organization_id, seq, search) VALUES (${org}, ${seq}, to_tsvector('simple', ${text}))`.execute(t.db);
    });
    afterAll(() => t.destroy());

    const queries = { '²': [0], 'floor ²': [0], '½': [3], '①': [3], 'share': [3], café: [1], ada: [2], 'report viewed': [0, 1, 3] };
    const results = () => foundByEach(t, org, queries);
    const versions = () => rowVersions(t, org);

    if (dialect === 'postgres') {
      it('misses the words the parser dropped before the migration', async () => {
        const before = await results();
        expect({ '²': before['²'], '½': before['½'], '①': before['①'] }).toEqual({ '²': [], '½': [], '①': [] });
      });
    }

    it('finds every word after it, rewriting only the rows whose words differ; a second run rewrites nothing', async () => {
      const before = await versions();
      await t.db.transaction().execute((trx) => upSearchLexemes(trx as never));
      expect(await results()).toEqual(queries);
      const after = await versions();
      if (dialect === 'postgres') {
        // Rows 0 and 3 rewritten; 1 (café, kept by the parser) and 2 (ASCII, not even read) left as they were.
        expect(after.map((r, i) => r.x === before[i]?.x)).toEqual([false, true, true, false]);
      }
      await t.db.transaction().execute((trx) => upSearchLexemes(trx as never));
      expect(await versions()).toEqual(after);
    });

    if (dialect === 'postgres') {
      it('leaves the row of a body that is not a logged event as it was', async () => {
        await t.db.insertInto('events').values(row(10, new TextEncoder().encode('{"not":"an event ²"}'))).execute();
        await sql`INSERT INTO event_search (organization_id, seq, search) VALUES (${org}, 10, to_tsvector('simple', 'not an event ²'))`.execute(t.db);
        await t.db.transaction().execute((trx) => upSearchLexemes(trx as never));
        const stored = await sql<{ search: string }>`SELECT search::text AS search FROM event_search WHERE organization_id = ${org} AND seq = 10`.execute(t.db);
        expect(stored.rows).toEqual([{ search: "'an':2 'event':3 'not':1" }]);
      });
    }
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: full-text entries of text not in NFC, stored before the rule put text in NFC (migration 0008)`, () => {
    let t: TTestDatabase;
    const org = 'org_nfc';
    // 0: typed with combining marks; 1: typed precomposed; 2: ASCII.
    const inputs = [renamed('Cafe\u0301 Mu\u0308ller'), renamed('\u00c5ke Str\u00f6m'), renamed('Ada')];
    /** The document as the rule made it before NFC: lowercase, split at anything not a letter or digit (a combining mark too). */
    const before = (e: (typeof inputs)[number]) =>
      [...new Set([e.action, e.actor.id, e.actor.type, e.actor.name ?? ''].join(' ').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== ''))].join(' ');

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      await storeLogged(t, org, inputs);
      const texts = inputs.map(before);
      if (dialect === 'sqlite') await t.dialect.indexSearchText(t.db, org, texts.map((text, seq) => ({ seq, text })));
      else for (const [seq, text] of texts.entries()) await sql`INSERT INTO event_search (organization_id, seq, search) VALUES (${org}, ${seq}, to_tsvector('simple', ${text}))`.execute(t.db);
    });
    afterAll(() => t.destroy());

    const queries = { café: [0], 'Cafe\u0301': [0], cafe: [], müller: [0], 'mül*': [0], åke: [1], 'A\u030Ake': [1], ström: [1], ada: [2] };
    const results = () => foundByEach(t, org, queries);

    it('misses them before the migrations, finds them after (0006 on Postgres, 0008 on SQLite)', async () => {
      const old = await results();
      expect({ café: old.café, cafe: old.cafe }).toEqual({ café: [], cafe: [0] });
      await t.db.transaction().execute(async (trx) => {
        await upSearchLexemes(trx as never);
        await upSearchNfc(trx as never);
      });
      expect(await results()).toEqual(queries);
      await t.db.transaction().execute((trx) => upSearchNfc(trx as never));
      expect(await results()).toEqual(queries);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: full-text documents of text with combining marks, stored while the rule split words at them (migration 0009)`, () => {
    let t: TTestDatabase;
    const org = 'org_marks';
    // 0: Devanagari vowel signs and a virama; 1: a New Tai Lue vowel sign (a letter FTS5 does not index); 2: U+0958,
    // whose NFC form is a letter and a nukta; 3: ASCII; 4: precomposed Latin (no mark once in NFC); 5: Hebrew points.
    const inputs = [renamed('हिन्दी लेखक'), renamed('x\u19b0y'), renamed('\u0958abar'), renamed('Ada'), renamed('Café'), renamed('שָׁלוֹם')];
    const versions = () => rowVersions(t, org);

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      await storeLogged(t, org, inputs);
      // As the server stored them until 0009: FTS5 given the text as it is, Postgres its words as lexemes.
      for (const [seq, text] of inputs.map((e) => searchTextBefore0009(searchTextOf(e))).entries()) {
        if (dialect === 'sqlite') await sql`INSERT INTO events_fts (rowid, text) SELECT rowid, ${text} FROM events WHERE organization_id = ${org} AND seq = ${seq}`.execute(t.db);
        else await sql`INSERT INTO event_search (organization_id, seq, search) VALUES (${org}, ${seq}, array_to_tsvector(string_to_array(${text}, ' ')))`.execute(t.db);
      }
    });
    afterAll(() => t.destroy());

    const queries = {
      हिन्दी: [0], 'हिन्*': [0], लेखक: [0], ह: [], x: [], 'x\u19b0y': [1], '\u0958abar': [2], '\u0915\u093cabar': [2], kabar: [], ada: [3], café: [4], cafe: [], שָׁלוֹם: [5], ש: [],
    };
    const results = () => foundByEach(t, org, queries);

    it('matched the pieces of the words before the migration', async () => {
      const old = await results();
      expect({ ह: old.ह, x: old.x, ש: old.ש, हिन्दी: old.हिन्दी }).toEqual({ ह: [0], x: [1], ש: [5], हिन्दी: [] });
    });

    it('finds the whole words after it, rewriting only what changed; a second run rewrites nothing', async () => {
      const before = await versions();
      await t.db.transaction().execute((trx) => upSearchMarks(trx as never));
      expect(await results()).toEqual(queries);
      const after = await versions();
      if (dialect === 'postgres') expect(after.map((r, i) => r.x === before[i]?.x)).toEqual([false, false, false, true, true, false]);
      await t.db.transaction().execute((trx) => upSearchMarks(trx as never));
      expect(await results()).toEqual(queries);
      expect(await versions()).toEqual(after);
    });
  });
}
