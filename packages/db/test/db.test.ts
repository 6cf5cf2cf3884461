import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { normalizeSearchText, searchTerms, searchWords } from '@custody/schema';

import { isDatabaseUnavailable, isImmutabilityViolation, isUniqueViolation, migrateToLatest, openDatabase, parseDatabaseUrl } from '../src/index';
import { up as upInitial } from '../src/migrations/0001-initial';
import { up as upExports } from '../src/migrations/0002-exports';
import { up as upRollups } from '../src/migrations/0003-rollups';
import { up as upDailyCounts } from '../src/migrations/0004-daily-counts';
import { up as upRollupsBefore1970 } from '../src/migrations/0007-rollups-before-1970';
import { createTestDatabase, DIALECTS } from '../src/testing/index';
import type { TTestDatabase } from '../src/testing/index';

const hash = (byte: number) => new Uint8Array(32).fill(byte);

describe('parseDatabaseUrl', () => {
  it('recognises Postgres URLs', () => {
    expect(parseDatabaseUrl('postgres://u@h:5432/d')).toEqual({ kind: 'postgres', connectionString: 'postgres://u@h:5432/d' });
    expect(parseDatabaseUrl('postgresql://h/d').kind).toBe('postgres');
  });
  it('recognises SQLite paths and sqlite: URLs', () => {
    expect(parseDatabaseUrl('./data/custody.db')).toEqual({ kind: 'sqlite', filename: './data/custody.db' });
    expect(parseDatabaseUrl('sqlite:./x.db')).toEqual({ kind: 'sqlite', filename: './x.db' });
    expect(parseDatabaseUrl(':memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
  });
  describe('when the scheme is unsupported', () => {
    it('throws without echoing the password', () => {
      expect(() => parseDatabaseUrl('mysql://root:secret@h/d')).toThrow(/unsupported database URL scheme in "mysql:\/\/\*\*\*@h\/d"/);
      expect(() => parseDatabaseUrl('')).toThrow(/empty/);
      expect(() => parseDatabaseUrl('sqlite:')).toThrow(/no file name/);
    });
  });
});

describe('searchWords', () => {
  it('lowercases and splits on anything but letters and digits', () => {
    expect(searchWords('Alice@Example.com signed-in ÜBER 42')).toEqual(['alice', 'example', 'com', 'signed', 'in', 'über', '42']);
    expect(normalizeSearchText(['a  b', 'C'])).toBe('a b c');
  });

  it('reads a letter typed with a combining mark as the precomposed letter (NFC)', () => {
    expect(searchWords('A\u030Ake Lo\u0308we')).toEqual(['\u00e5ke', 'l\u00f6we']);
    expect(searchWords('\u00c5ke')).toEqual(searchWords('A\u030Ake'));
    expect(searchTerms('A\u030Ak*')).toEqual(['\u00e5k*']);
  });
});

describe('searchTerms', () => {
  it('makes the last word of a token ending in * a prefix, every other word whole', () => {
    expect(searchTerms('Contr*')).toEqual(['contr*']);
    expect(searchTerms('req_12* Firefox')).toEqual(['req', '12*', 'firefox']);
    expect(searchTerms('alice@example.com')).toEqual(['alice', 'example', 'com']);
  });

  it('drops repeats and lone stars, and ignores a * that follows no letter or digit', () => {
    expect(searchTerms('grace grace* GRACE')).toEqual(['grace', 'grace*']);
    expect(searchTerms('* ** \t')).toEqual([]);
    expect(searchTerms('foo-* bar**')).toEqual(['foo', 'bar*']);
    expect(searchTerms('*abc')).toEqual(['abc']);
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: database`, () => {
    let t: TTestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      await t.db.insertInto('organizations').values({ id: 'org_a', name: 'A', created_at: 1, action_registry: null }).execute();
      await t.db.insertInto('logs').values({ organization_id: 'org_a', origin: 'test/org_a', size: 0, updated_at: 1 }).execute();
    });
    afterAll(() => t.destroy());

    it('migrates idempotently', async () => {
      expect(await migrateToLatest(t.db, t.dialect)).toEqual({ applied: [] });
    });

    it('can run the daily-counts migration again (stopped between its commit and its record) without changing a count', async () => {
      // A count the backfill must leave alone on a second run.
      await t.db.insertInto('event_counts_daily').values({ organization_id: 'org_x', day: 0, action: 'a.b', n: 7 }).execute();
      await upDailyCounts(t.db as never, t.dialect);
      expect(await t.db.selectFrom('event_counts_daily').select('n').where('organization_id', '=', 'org_x').execute()).toEqual([{ n: 7 }]);
      await t.db.deleteFrom('event_counts_daily').where('organization_id', '=', 'org_x').execute();
    });

    describe('when events before 1970 were counted by the backfills of 0003 and 0004 before 2026-11-28', () => {
      const H = 3_600_000;
      const D = 24 * H;
      // Times around the epoch and a day and more before it, with their hour and day rounded down (as ingest does).
      const times = [-1.5 * D, -25 * H, -1.5 * H, -0.5 * H, -1, 0, 0.5 * H, H + 1, 1.5 * D];
      const expected = (size: number) => {
        const counts = new Map<number, number>();
        for (const t of times) counts.set(Math.floor(t / size) * size, (counts.get(Math.floor(t / size) * size) ?? 0) + 1);
        return [...counts].sort(([a], [b]) => a - b).map(([bucket, n]) => ({ bucket, n }));
      };
      it('0007 counts their hours and days again, rounded down, and leaves later buckets alone', async () => {
        // A database of its own: the other tests count the events of theirs.
        const r = await createTestDatabase(dialect);
        onTestFinished(() => r.destroy());
        const stored = async (table: 'event_counts_hourly' | 'event_counts_daily', column: 'hour' | 'day') =>
          (await sql<{ bucket: number | string; n: number | string }>`SELECT ${sql.ref(column)} AS bucket, n FROM ${sql.table(table)} WHERE organization_id = 'org_r' ORDER BY 1`.execute(r.db)).rows
            .map((row) => ({ bucket: Number(row.bucket), n: Number(row.n) }));
        await r.db.insertInto('organizations').values({ id: 'org_r', name: 'R', created_at: 1, action_registry: null }).execute();
        await r.db.insertInto('events').values(times.map((occurred_at, seq) => ({
          organization_id: 'org_r', seq, id: `ev_r_${seq}`, action: 'a.b', actor_type: 'user', actor_id: 'u', actor_name: null,
          occurred_at, received_at: 1, ip: '10.0.0.1', ip_key: '00', body: new Uint8Array(),
        }))).execute();
        // As the old backfills counted them: rounded toward zero. Plus a later hour with no events (to be left alone).
        const toward = (size: number) => {
          const counts = new Map<number, number>();
          for (const t of times) counts.set(Math.trunc(t / size) * size + 0, (counts.get(Math.trunc(t / size) * size + 0) ?? 0) + 1);
          return [...counts];
        };
        await r.db.insertInto('event_counts_hourly').values([...toward(H), [100 * H, 5]].map(([hour, n]) => ({ organization_id: 'org_r', hour: hour as number, action: 'a.b', n: n as number }))).execute();
        await r.db.insertInto('event_counts_daily').values(toward(D).map(([day, n]) => ({ organization_id: 'org_r', day, action: 'a.b', n }))).execute();
        expect(await stored('event_counts_hourly', 'hour')).not.toEqual([...expected(H), { bucket: 100 * H, n: 5 }]);

        await upRollupsBefore1970(r.db as never);
        expect(await stored('event_counts_hourly', 'hour')).toEqual([...expected(H), { bucket: 100 * H, n: 5 }]);
        expect(await stored('event_counts_daily', 'day')).toEqual(expected(D));
        await upRollupsBefore1970(r.db as never);
        expect(await stored('event_counts_daily', 'day')).toEqual(expected(D));
      });

      if (dialect === 'sqlite') {
        it('0003 and 0004 now count them rounded down themselves', async () => {
          const d = await openDatabase({ url: ':memory:' });
          try {
            await upInitial(d.db as never, d.dialect);
            await upExports(d.db as never);
            await d.db.insertInto('organizations').values({ id: 'org_r', name: 'R', created_at: 1, action_registry: null }).execute();
            await d.db.insertInto('events').values(times.map((occurred_at, seq) => ({
              organization_id: 'org_r', seq, id: `ev_r_${seq}`, action: 'a.b', actor_type: 'user', actor_id: 'u', actor_name: null,
              occurred_at, received_at: 1, ip: '10.0.0.1', ip_key: '00', body: new Uint8Array(),
            }))).execute();
            await upRollups(d.db as never);
            await upDailyCounts(d.db as never, d.dialect);
            const rows = async (table: string, column: string) =>
              (await sql<{ bucket: number; n: number }>`SELECT ${sql.ref(column)} AS bucket, n FROM ${sql.table(table)} ORDER BY 1`.execute(d.db)).rows;
            expect(await rows('event_counts_hourly', 'hour')).toEqual(expected(H));
            expect(await rows('event_counts_daily', 'day')).toEqual(expected(D));
          } finally {
            await d.close();
          }
        });
      }
    });

    it('round-trips bytes and integers above 2^32 as numbers', async () => {
      await t.db.insertInto('leaves').values({ organization_id: 'org_a', seq: 2 ** 40, leaf_hash: hash(7) }).execute();
      const row = await t.db.selectFrom('leaves').selectAll().where('seq', '=', 2 ** 40).executeTakeFirstOrThrow();
      expect(row.seq).toBe(2 ** 40);
      expect(new Uint8Array(row.leaf_hash)).toEqual(hash(7));
    });

    describe('when a row of an append-only table is changed', () => {
      beforeAll(async () => {
        await t.db.insertInto('tree_hashes').values({ organization_id: 'org_a', level: 1, idx: 0, hash: hash(1) }).execute();
        await t.db
          .insertInto('checkpoints')
          .values({ organization_id: 'org_a', size: 0, root: hash(2), note: 'n', body_hash: hash(3), prev_body_hash: null, key_id: 'k', created_at: 1 })
          .execute();
        await t.db.insertInto('idempotency_keys').values({ organization_id: 'org_a', key: 'k1', seq: 0, event_id: 'e', request_hash: 'h' }).execute();
      });

      const attempts: [string, (t: TTestDatabase) => Promise<unknown>][] = [
        ['UPDATE leaves', (t) => t.db.updateTable('leaves').set({ leaf_hash: hash(9) }).execute()],
        ['DELETE leaves', (t) => t.db.deleteFrom('leaves').execute()],
        ['UPDATE tree_hashes', (t) => t.db.updateTable('tree_hashes').set({ hash: hash(9) }).execute()],
        ['DELETE tree_hashes', (t) => t.db.deleteFrom('tree_hashes').execute()],
        ['UPDATE checkpoints', (t) => t.db.updateTable('checkpoints').set({ note: 'forged' }).execute()],
        ['DELETE checkpoints', (t) => t.db.deleteFrom('checkpoints').execute()],
        ['UPDATE idempotency_keys', (t) => t.db.updateTable('idempotency_keys').set({ seq: 5 }).execute()],
        ['DELETE idempotency_keys', (t) => t.db.deleteFrom('idempotency_keys').execute()],
      ];
      for (const [name, attempt] of attempts) {
        it(`rejects ${name}`, async () => {
          const error = await attempt(t).then(() => undefined, (e: unknown) => e);
          expect(isImmutabilityViolation(error), String(error)).toBe(true);
        });
      }

      it('keeps every row', async () => {
        const count = async (table: 'leaves' | 'tree_hashes' | 'checkpoints' | 'idempotency_keys') =>
          Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        expect(await count('leaves')).toBe(1);
        expect(await count('tree_hashes')).toBe(1);
        expect(await count('checkpoints')).toBe(1);
        expect(await count('idempotency_keys')).toBe(1);
      });
    });

    describe('events', () => {
      const event = (seq: number, text: string) => ({
        organization_id: 'org_a', seq, id: `ev_${seq}`, action: 'user.signed_in', actor_type: 'user', actor_id: `u_${seq}`,
        actor_name: null, occurred_at: 1000 + seq, received_at: 2000 + seq, ip: '10.0.0.1', ip_key: '00', body: new TextEncoder().encode(text),
      });
      beforeAll(async () => {
        await t.db.insertInto('events').values([event(0, 'a'), event(1, 'b'), event(2, 'c')]).execute();
        await t.dialect.indexSearchText(t.db, 'org_a', [
          { seq: 0, text: normalizeSearchText(['Alice signed in from Firefox']) },
          { seq: 1, text: normalizeSearchText(['Bob signed in', "o'brien"]) },
          { seq: 2, text: normalizeSearchText(['alice@example.com deleted invoice']) },
        ]);
      });

      const search = async (q: string) =>
        (await t.db.selectFrom('events').select('seq').where('organization_id', '=', 'org_a').where(t.dialect.matchesSearch('org_a', searchWords(q))).orderBy('seq').execute()).map((r) => r.seq);

      it('finds every event containing all words, the same on both dialects', async () => {
        expect(await search('alice')).toEqual([0, 2]);
        expect(await search('signed in')).toEqual([0, 1]);
        expect(await search('ALICE example')).toEqual([2]);
        expect(await search('nobody')).toEqual([]);
      });

      it('treats query syntax characters as plain text', async () => {
        expect(await search('"alice" OR NOT *')).toEqual([]);
        expect(await search("o'brien")).toEqual([1]);
        expect(await search('bob & | ! ( ) : \\')).toEqual([1]);
      });

      it('sets the bits of the entries of a search in a range of rowids (SQLite, for the statistics copy)', () => {
        const reads = t.dialect.facetReads;
        if (reads === undefined) return expect(t.dialect.name).toBe('postgres');
        const bits = (words: string[], after: number, upTo: number) => {
          const set = new Uint32Array(1);
          const { count, lowest, highest } = reads.searchEntryBits(words, set, after, upTo);
          return [count, set[0], lowest, highest];
        };
        // Events 0, 1, 2 have rowids 1, 2, 3.
        expect(bits(['alice'], 0, 3)).toEqual([2, 0b1010, 1, 3]);
        expect(bits(['alice'], 1, 3)).toEqual([1, 0b1000, 3, 3]);
        expect(bits(['alice'], 0, 2)).toEqual([1, 0b10, 1, 1]);
        expect(bits(['signed', 'in'], 0, 3)).toEqual([2, 0b110, 1, 2]);
        expect(bits(['sign*'], 1, 3)).toEqual([1, 0b100, 2, 2]);
        expect(bits(['nobody'], 0, 3)).toEqual([0, 0, 0, 0]);
      });

      it('sets the bits of the rowids a statement answers, and knows the last rowid (SQLite, for the statistics copy)', () => {
        const reads = t.dialect.facetReads;
        if (reads === undefined) return expect(t.dialect.name).toBe('postgres');
        expect(reads.lastRowid()).toBe(3);
        const calls: [number, number][] = [];
        const seqs = (wanted: number[]) => (after: number, to: number) => {
          calls.push([after, to]);
          return sql`SELECT rowid FROM events WHERE organization_id = ${'org_a'} AND seq IN (${sql.join(wanted)}) AND rowid > ${after} AND rowid <= ${to}`.compile(t.db);
        };
        const set = new Uint32Array(1);
        expect(reads.rowidBits(seqs([0, 2]), set, 3)).toEqual({ count: 2, lowest: 1, highest: 3 });
        expect(set[0]).toBe(0b1010);
        expect(calls).toEqual([[0, 3]]);
        expect(reads.rowidBits(seqs([7]), new Uint32Array(1), 3)).toEqual({ count: 0, lowest: 0, highest: 0 });
      });

      it('sets the bits of an organization\'s events with a metadata value, by seq from its list or by rowid from a range (SQLite, for the statistics copy)', async () => {
        const reads = t.dialect.facetReads;
        if (reads === undefined) return expect(t.dialect.name).toBe('postgres');
        await t.db
          .insertInto('event_metadata')
          .values([
            { organization_id: 'org_a', seq: 0, key: 'plan', value: 'team' },
            { organization_id: 'org_a', seq: 1, key: 'plan', value: 'enterprise' },
            { organization_id: 'org_a', seq: 2, key: 'plan', value: 'team' },
            { organization_id: 'org_a', seq: 2, key: 'role', value: 'team' },
            { organization_id: 'org_b', seq: 1, key: 'plan', value: 'team' },
          ])
          .execute();
        // The value's list, by seq (events 0 and 2).
        const seqs = new Uint32Array(1);
        expect(reads.metadataSeqBits('org_a', 'plan', 'team', seqs)).toEqual({ count: 2, lowest: 0, highest: 2 });
        expect(seqs[0]).toBe(0b101);
        expect(reads.metadataSeqBits('org_a', 'plan', 'nobody', new Uint32Array(1)).count).toBe(0);
        // A part of the list: the seqs in [from, to).
        const part = new Uint32Array(1);
        expect(reads.metadataSeqBits('org_a', 'plan', 'team', part, [1, 3])).toEqual({ count: 1, lowest: 2, highest: 2 });
        expect(part[0]).toBe(0b100);
        expect(reads.metadataSeqBits('org_a', 'plan', 'team', new Uint32Array(1), [0, 2])).toEqual({ count: 1, lowest: 0, highest: 0 });
        // A sample: the pairs of the events at those seqs, counted (the organization's own).
        const sample = (seqs: number[]) => reads.metadataSample('org_a', seqs).sort((a, b) => `${a.key}=${a.value}`.localeCompare(`${b.key}=${b.value}`));
        expect(sample([0, 2])).toEqual([
          { key: 'plan', value: 'team', count: 2 },
          { key: 'role', value: 'team', count: 1 },
        ]);
        expect(sample([1, 7])).toEqual([{ key: 'plan', value: 'enterprise', count: 1 }]);
        expect(sample([])).toEqual([]);
        // By rowid, each event of a range checked.
        for (const [after, upTo] of [[0, 3], [1, 3], [0, 2], [0, 100_000], [1, 100_000]] as const) {
          const set = new Uint32Array(Math.ceil((upTo + 1) / 32));
          const { count } = reads.metadataEntryBits('org_a', 'plan', 'team', set, after, upTo);
          const expected = [1, 3].filter((r) => r > after && r <= upTo);
          expect(count, `${after}..${upTo}`).toBe(expected.length);
          expect(set[0], `${after}..${upTo}`).toBe(expected.reduce((bits, r) => bits | (1 << r), 0));
        }
        expect(reads.metadataEntryBits('org_a', 'plan', 'enterprise', new Uint32Array(1), 0, 3)).toEqual({ count: 1, lowest: 2, highest: 2 });
        expect(reads.metadataEntryBits('org_b', 'plan', 'team', new Uint32Array(1), 0, 3)).toEqual({ count: 0, lowest: 0, highest: 0 });
        await t.db.deleteFrom('event_metadata').execute();
      });

      it('rejects updates of an event but allows a retention purge to delete it', async () => {
        const update = await t.db.updateTable('events').set({ actor_name: 'x' } as never).where('seq', '=', 0).execute().then(() => undefined, (e: unknown) => e);
        expect(isImmutabilityViolation(update)).toBe(true);
        await t.dialect.removeSearchText(t.db, 'org_a', [2]);
        await t.db.deleteFrom('events').where('organization_id', '=', 'org_a').where('seq', '=', 2).execute();
        expect(await search('alice')).toEqual([0]);
      });

      it('reports duplicate keys as unique violations', async () => {
        const error = await t.db.insertInto('events').values(event(0, 'again')).execute().then(() => undefined, (e: unknown) => e);
        expect(isUniqueViolation(error), String(error)).toBe(true);
      });

      it('finds the events holding a word with a prefix, whether the prefix has few words in the index or many', async () => {
        // 70 words starting with `pre` (more than are ORed), 11 starting with `pre1`.
        await t.db.insertInto('events').values(event(3, 'd')).execute();
        await t.dialect.indexSearchText(t.db, 'org_a', [{ seq: 3, text: normalizeSearchText([Array.from({ length: 70 }, (_, i) => `pre${i}`).join(' '), 'Alice']) }]);
        const prefixed = async (q: string) =>
          (await t.db.selectFrom('events').select('seq').where('organization_id', '=', 'org_a').where(t.dialect.matchesSearch('org_a', searchTerms(q))).orderBy('seq').execute()).map((r) => r.seq);
        expect(await prefixed('ali*')).toEqual([0, 3]); // event 2 was purged above
        expect(await prefixed('sign* fire*')).toEqual([0]);
        expect(await prefixed('pre*')).toEqual([3]);
        expect(await prefixed('pre1* alice')).toEqual([3]);
        expect(await prefixed('zz*')).toEqual([]);
      });
    });

    it('serializes writers of one log inside a transaction', async () => {
      // Two transactions append to the same log; the lock makes the second see the first's size.
      const append = () =>
        t.db.transaction().execute(async (trx) => {
          await t.dialect.lockLog(trx, 'org_a');
          const { size } = await trx.selectFrom('logs').select('size').where('organization_id', '=', 'org_a').executeTakeFirstOrThrow();
          await sql`SELECT 1`.execute(trx);
          await trx.updateTable('logs').set({ size: size + 1, updated_at: 2 }).where('organization_id', '=', 'org_a').execute();
        });
      await Promise.all(Array.from({ length: 8 }, append));
      const { size } = await t.db.selectFrom('logs').select('size').where('organization_id', '=', 'org_a').executeTakeFirstOrThrow();
      expect(size).toBe(8);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: dialect helpers`, () => {
    it('reads bytes as UTF-8 text and a group of hashes as one hex string, in order (export scans)', async () => {
      const t = await createTestDatabase(dialect);
      onTestFinished(() => t.destroy());
      await t.db.insertInto('organizations').values({ id: 'org_a', name: 'A', created_at: 1, action_registry: null }).execute();
      // Inserted out of order: the aggregate must follow its ORDER BY, not the insertion.
      for (const seq of [2 ** 41 + 2, 2 ** 41, 2 ** 41 + 1]) {
        await t.db.insertInto('leaves').values({ organization_id: 'org_a', seq, leaf_hash: hash(seq % 256) }).execute();
      }
      const row = await t.db
        .selectFrom('leaves')
        .select((eb) => [t.dialect.concatHex(eb.ref('leaves.leaf_hash'), eb.ref('leaves.seq')).as('hex')])
        .where('seq', '>=', 2 ** 41)
        .executeTakeFirstOrThrow();
      const expected = Buffer.concat([hash(0), hash(1), hash(2)].map((h) => Buffer.from(h)));
      expect(Buffer.from(row.hex ?? '', 'hex')).toEqual(expected);
      const text = 'Zoë — 東京 🎉 \uFFFD';
      const back = await sql<{ text: string }>`select ${t.dialect.utf8Text(sql<Uint8Array>`${Buffer.from(text, 'utf8')}`)} as text`.execute(t.db);
      expect(back.rows[0]?.text).toBe(text);
    });

  });
}

describe('openDatabase', () => {
  describe('when Postgres is unreachable', () => {
    it('fails with the driver error on first use, not at open', async () => {
      const d = await openDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', maxConnections: 1 });
      await expect(sql`SELECT 1`.execute(d.db)).rejects.toThrow(/ECONNREFUSED|connect/);
      await d.close();
    });
  });
});

describe.runIf(DIALECTS.includes('postgres'))('postgres: a connection terminated while a transaction holds it', () => {
  it('fails that transaction, does not end the process, and the pool goes on with a new connection', async () => {
    const t = await createTestDatabase('postgres');
    try {
      const other = await openDatabase({ url: t.url, maxConnections: 1 });
      try {
        const failure = t.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          await sql`SELECT pg_terminate_backend(${rows[0]?.pid})`.execute(other.db);
          // Let the socket's end arrive while the connection is still lent out (pg emits 'error' then).
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`SELECT 1`.execute(trx);
        });
        await expect(failure).rejects.toThrow(/terminat|Connection/i);
        const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(t.db);
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        await other.close();
      }
    } finally {
      await t.destroy();
    }
  });
});

describe('isDatabaseUnavailable on SQLite', () => {
  it('takes a write lock held elsewhere past the busy timeout (SQLITE_BUSY) for an unavailable database: retry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custody-busy-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const holder = new Database(join(dir, 'x.db'));
    const waiter = new Database(join(dir, 'x.db'), { timeout: 0 });
    try {
      holder.exec('CREATE TABLE t (x)');
      holder.exec('BEGIN IMMEDIATE');
      let error: unknown;
      try {
        waiter.exec('INSERT INTO t VALUES (1)');
      } catch (caught) {
        error = caught;
      }
      expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(isDatabaseUnavailable(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    } finally {
      waiter.close();
      holder.close();
    }
  });
});

describe('migrateToLatest on SQLite', () => {
  it('leaves nothing of a start whose migration fails halfway: neither the migrations before it nor their records', async () => {
    const d = await openDatabase({ url: ':memory:' });
    try {
      // A view holding the name of the index 0004 creates after its table and backfill: 0004 fails there.
      await sql`CREATE VIEW actor_counts_id AS SELECT 1 AS x`.execute(d.db);
      const announced: string[] = [];
      await expect(migrateToLatest(d.db, d.dialect, { onMigration: (name) => announced.push(name) })).rejects.toThrow(/0004-daily-counts failed/);
      expect(announced).toEqual(['0001-initial', '0002-exports', '0003-rollups', '0004-daily-counts']);
      // One transaction for the migrations and their records: 0001–0003's tables went with 0004's (a process
      // killed between a migration's commit and its record would otherwise run it again on its own tables).
      const recorded = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(d.db);
      expect(recorded.rows).toEqual([]);
      const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name IN ('events', 'event_counts_hourly', 'event_counts_daily')`.execute(d.db);
      expect(tables.rows).toEqual([]);
      // With the obstacle gone, the next start applies them all.
      await sql`DROP VIEW actor_counts_id`.execute(d.db);
      expect((await migrateToLatest(d.db, d.dialect)).applied).toEqual(['0001-initial', '0002-exports', '0003-rollups', '0004-daily-counts', '0005-search-folds', '0006-search-lexemes', '0007-rollups-before-1970', '0008-search-nfc', '0009-search-marks', '0010-export-runners']);
    } finally {
      await d.close();
    }
  });
});

describe('sqlite: a transaction SQLite ended itself', () => {
  it('fails with the error that ended it (a full database), not a failed ROLLBACK, and the connection goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custody-full-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const opened = await openDatabase({ url: join(dir, 'full.db') });
    onTestFinished(() => opened.close());
    await sql`CREATE TABLE t (b BLOB)`.execute(opened.db);
    // A database that may not grow past 50 pages: SQLite ends the transaction with SQLITE_FULL, as on a full disk.
    await sql`PRAGMA max_page_count = 50`.execute(opened.db);
    const filling = opened.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 100; i++) await sql`INSERT INTO t VALUES (${new Uint8Array(4000)})`.execute(trx);
    });
    await expect(filling).rejects.toMatchObject({ code: 'SQLITE_FULL', message: 'database or disk is full' });
    // Nothing of it was kept, and the next transaction runs once there is room.
    await sql`PRAGMA max_page_count = 100000`.execute(opened.db);
    await opened.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO t VALUES (${new Uint8Array(10)})`.execute(trx);
    });
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(opened.db);
    expect(rows[0]?.n).toBe(1);
  });
});
