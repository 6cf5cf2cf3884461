/**
 * `checkStoredLogs` on a live database and on copies (`backupDatabase`): whole logs check out against
 * their latest signed checkpoints; a changed tree hash, a missing leaf or a note no published key signed
 * are each named for their organization, and the other logs still check out. The full check also recounts
 * the statistics rollups from the events: a healthy database (times before 1970 and in year 9999, several
 * actors and actions, Custody's own export event, bodies removed as a purge would) passes, a count changed
 * in place is named, and so are rows of an organization with no log.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BackupError, backupDatabase, openDatabase } from '@custody/db';
import { DIALECTS } from '@custody/db/testing';

import { checkStoredLogs } from '../src/index';
import { EXPORT_REQUESTER, createTestCustody, event, exportRequest } from './helpers';

/** Two organizations with signed checkpoints, and a third with no events (its checkpoint is of size 0). */
async function fillLogs(custody: Awaited<ReturnType<typeof createTestCustody>>['custody']): Promise<void> {
  for (const id of ['org_a', 'org_b', 'org_c']) await custody.createOrganization({ id, name: id });
  await custody.ingestor.ingest('org_a', Array.from({ length: 37 }, (_, i) => event({ metadata: { i } })));
  await custody.ingestor.ingest('org_b', Array.from({ length: 5 }, (_, i) => event({ metadata: { i } })));
  await custody.log.latestCheckpoint('org_a', { fresh: true });
  await custody.log.latestCheckpoint('org_b', { fresh: true });
  // Events after the latest checkpoint are not signed for yet: checked up to the checkpoint.
  await custody.ingestor.ingest('org_b', [event()]);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: stored logs against their checkpoints`, () => {
    let side: Awaited<ReturnType<typeof createTestCustody>>;
    beforeAll(async () => {
      side = await createTestCustody(dialect, { intervalMs: 3_600_000 });
      await fillLogs(side.custody);
    });
    afterAll(() => side.destroy());

    it('rebuilds every log from its leaves and bodies to the same roots (full)', async () => {
      const progress: [string, number, number][] = [];
      const full = await checkStoredLogs(side.custody.database.db, { full: true, onProgress: (...p) => progress.push(p) });
      expect(full).toEqual(await checkStoredLogs(side.custody.database.db));
      expect(full.every((c) => c.problem === null)).toBe(true);
      expect(progress).toEqual([
        ['org_a', 37, 37],
        ['org_b', 5, 5],
      ]);
    });

    it('finds every log whole', async () => {
      const checks = await checkStoredLogs(side.custody.database.db);
      expect(checks.map(({ root: _root, ...rest }) => rest)).toEqual([
        { organizationId: 'org_a', size: 37, checkpointSize: 37, problem: null },
        { organizationId: 'org_b', size: 6, checkpointSize: 5, problem: null },
        { organizationId: 'org_c', size: 0, checkpointSize: 0, problem: null },
      ]);
      const latest = await side.custody.log.latestCheckpoint('org_a');
      expect(checks[0]?.root).toBe(Buffer.from(latest.root, 'base64').toString('hex'));
    });
  });
}

/** Times the rollups bucket with care: around 1970 (rounded down, not toward zero), the first and last years. */
const ROLLUP_TIMES = ['1969-12-31T23:30:00.000Z', '1969-12-31T22:30:00.000Z', '1969-12-30T12:00:00.000Z', '1900-06-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '1970-01-01T00:30:00.000Z', '2026-03-01T10:00:00.000Z', '9999-12-31T23:59:59.999Z'];

for (const dialect of DIALECTS) {
  describe(`${dialect}: statistics rollups against the events (full)`, () => {
    let dir: string;
    let side: Awaited<ReturnType<typeof createTestCustody>>;
    let db: Awaited<ReturnType<typeof createTestCustody>>['t']['db'];
    const problems = async () => (await checkStoredLogs(db, { full: true })).map((c) => [c.organizationId, c.problem]);
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custody-rollups-'));
      // A SQLite file, so that another connection can read it while the writer thread commits.
      side = await createTestCustody(dialect, { intervalMs: 3_600_000, exportDir: dir, ...(dialect === 'sqlite' ? { sqliteFile: join(dir, 'custody.db') } : {}) });
      db = side.t.db;
      for (const id of ['org_r', 'org_s']) await side.custody.createOrganization({ id, name: id });
      const actions = ['user.signed_in', 'user.signed_out', 'document.deleted'];
      await side.custody.ingestor.ingest(
        'org_r',
        Array.from({ length: 48 }, (_, i) =>
          event({ occurred_at: ROLLUP_TIMES[i % ROLLUP_TIMES.length], action: actions[i % 3], actor: { id: `u_${i % 5}`, type: i % 7 === 0 ? 'service' : 'user' } }),
        ),
      );
      await side.custody.log.latestCheckpoint('org_r', { fresh: true });
      // Custody's own audit event (the export's), then events after the latest checkpoint: counted all the same.
      await side.custody.exports.runToCompletion('org_r', exportRequest({}), EXPORT_REQUESTER);
      await side.custody.ingestor.ingest('org_r', [event({ occurred_at: '1969-12-31T23:59:59.999Z', actor: { id: 'late', type: 'user' } })]);
      await side.custody.ingestor.ingest('org_s', [event(), event({ occurred_at: '1969-07-20T20:17:00.000Z' })]);
    });
    afterAll(async () => {
      await side.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    it('finds every count equal to its recount, and says when it recounts', async () => {
      const recounts: [string, number][] = [];
      const checks = await checkStoredLogs(db, { full: true, onRecount: (...r) => recounts.push(r) });
      expect(checks.map((c) => [c.organizationId, c.size, c.problem])).toEqual([
        ['org_r', 50, null],
        ['org_s', 2, null],
      ]);
      expect(recounts).toEqual([
        ['org_r', 50],
        ['org_s', 2],
      ]);
    });

    it('names a count changed in place, with its bucket, stored and recounted', async () => {
      // The rollup tables have no triggers: a count can be changed in place.
      const hour = Date.parse('1969-12-31T23:00:00.000Z');
      await sql`UPDATE event_counts_hourly SET n = n + 2 WHERE organization_id = 'org_r' AND hour = ${hour} AND action = 'user.signed_in'`.execute(db);
      try {
        expect(await problems()).toEqual([
          ['org_r', 'the statistics rollups do not match the events: event_counts_hourly: 1 count differs (hour 1969-12-31T23:00:00.000Z action "user.signed_in": stored 5, recounted 3)'],
          ['org_s', null],
        ]);
        // Only the full check recounts.
        expect((await checkStoredLogs(db)).map((c) => c.problem)).toEqual([null, null]);
      } finally {
        await sql`UPDATE event_counts_hourly SET n = n - 2 WHERE organization_id = 'org_r' AND hour = ${hour} AND action = 'user.signed_in'`.execute(db);
      }
    });

    it('names rows of an organization that has no log, which no log check reaches (full)', async () => {
      await sql`INSERT INTO event_counts_hourly (organization_id, hour, action, n) VALUES ('org_gone', 0, 'user.signed_in', 3)`.execute(db);
      await sql`INSERT INTO actor_counts (organization_id, actor_type, actor_id, n) VALUES ('org_gone', 'user', 'u_1', 2), ('org_gone', 'user', 'u_2', 1)`.execute(db);
      try {
        expect(await problems()).toEqual([
          ['org_r', null],
          ['org_s', null],
          ['org_gone', 'rows of an organization with no log (no row in logs): event_counts_hourly (1 row), actor_counts (2 rows)'],
        ]);
        expect((await checkStoredLogs(db)).map((c) => c.organizationId)).toEqual(['org_r', 'org_s']);
      } finally {
        await sql`DELETE FROM event_counts_hourly WHERE organization_id = 'org_gone'`.execute(db);
        await sql`DELETE FROM actor_counts WHERE organization_id = 'org_gone'`.execute(db);
      }
    });

    it('names counts in the wrong bucket (before 1970, rounded toward zero as an old backfill did), and an actor count gone', async () => {
      // Two of org_r's four user.signed_out events of 1969-12-31 happened at 23:30: counted in the next day.
      const [before, after] = [-86_400_000, 0];
      await sql`UPDATE event_counts_daily SET n = n - 2 WHERE organization_id = 'org_r' AND day = ${before} AND action = 'user.signed_out'`.execute(db);
      await sql`UPDATE event_counts_daily SET n = n + 2 WHERE organization_id = 'org_r' AND day = ${after} AND action = 'user.signed_out'`.execute(db);
      await sql`DELETE FROM actor_counts WHERE organization_id = 'org_s'`.execute(db);
      try {
        expect(await problems()).toEqual([
          [
            'org_r',
            'the statistics rollups do not match the events: event_counts_daily: 2 counts differ (day 1969-12-31 action "user.signed_out": stored 2, recounted 4; day 1970-01-01 action "user.signed_out": stored 4, recounted 2)',
          ],
          ['org_s', 'the statistics rollups do not match the events: actor_counts: 1 count differs (actor type "user" id "u_1": stored 0, recounted 2)'],
        ]);
      } finally {
        await sql`UPDATE event_counts_daily SET n = n + 2 WHERE organization_id = 'org_r' AND day = ${before} AND action = 'user.signed_out'`.execute(db);
        await sql`UPDATE event_counts_daily SET n = n - 2 WHERE organization_id = 'org_r' AND day = ${after} AND action = 'user.signed_out'`.execute(db);
        await sql`INSERT INTO actor_counts (organization_id, actor_type, actor_id, n) VALUES ('org_s', 'user', 'u_1', 2)`.execute(db);
      }
      expect(await problems()).toEqual([
        ['org_r', null],
        ['org_s', null],
      ]);
    });

    it('names at most three differences, and how many more', async () => {
      await sql`UPDATE actor_counts SET n = n + 1 WHERE organization_id = 'org_r'`.execute(db);
      try {
        // Eleven actors of org_r's events, and the API key that asked for the export (its audit event's actor).
        const [r] = await problems();
        expect(r?.[1]).toBe(
          'the statistics rollups do not match the events: actor_counts: 12 counts differ (actor type "api_key" id "key_test": stored 2, recounted 1; actor type "service" id "u_0": stored 3, recounted 2; actor type "service" id "u_1": stored 2, recounted 1; and 9 more)',
        );
      } finally {
        await sql`UPDATE actor_counts SET n = n - 1 WHERE organization_id = 'org_r'`.execute(db);
      }
    });

    it('finds no difference on a live database, read on another connection while events are committed', async () => {
      const reader = await openDatabase({ url: side.t.url, sqliteReadonly: true, maxConnections: 2 });
      let writing = true;
      let commits = 0;
      const writer = (async () => {
        while (writing) {
          const at = ROLLUP_TIMES[commits % ROLLUP_TIMES.length];
          await side.custody.ingestor.ingest('org_s', [event({ occurred_at: at, actor: { id: `w_${commits % 4}`, type: 'user' } }), event({ occurred_at: at, action: 'user.signed_out', actor: { id: 'w_9', type: 'user' } })]);
          commits++;
        }
      })();
      try {
        for (let i = 0; i < 5; i++) expect((await checkStoredLogs(reader.db, { full: true })).map((c) => c.problem)).toEqual([null, null]);
      } finally {
        writing = false;
        await writer;
        await reader.close();
      }
      expect(commits).toBeGreaterThan(0);
    });

    // Last: the purge cannot be undone.
    it('allows counts of events whose bodies were removed (a retention purge), and still names a count short of its events', async () => {
      // Events 0-3 of org_r: their leaves stay (the log still holds 50 events), their rows and bodies go.
      await sql`DELETE FROM events WHERE organization_id = 'org_r' AND seq < 4`.execute(db);
      expect(await problems()).toEqual([
        ['org_r', null],
        ['org_s', null],
      ]);
      const hour = Date.parse('1970-01-01T00:00:00.000Z');
      await sql`UPDATE event_counts_hourly SET n = 0 WHERE organization_id = 'org_r' AND hour = ${hour} AND action = 'user.signed_in'`.execute(db);
      await sql`UPDATE actor_counts SET n = n + 100 WHERE organization_id = 'org_r' AND actor_id = 'late'`.execute(db);
      try {
        expect(await problems()).toEqual([
          [
            'org_r',
            'the statistics rollups do not match the events: event_counts_hourly: 1 count differs (hour 1970-01-01T00:00:00.000Z action "user.signed_in": stored 0, recounted 2); actor_counts: counts 150 events in all, more than the log\'s 50',
          ],
          ['org_s', null],
        ]);
      } finally {
        await sql`UPDATE event_counts_hourly SET n = 2 WHERE organization_id = 'org_r' AND hour = ${hour} AND action = 'user.signed_in'`.execute(db);
        await sql`UPDATE actor_counts SET n = n - 100 WHERE organization_id = 'org_r' AND actor_id = 'late'`.execute(db);
      }
    });
  });
}

describe('sqlite: backups and what a changed copy shows', () => {
  let dir: string;
  let side: Awaited<ReturnType<typeof createTestCustody>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-backup-'));
    side = await createTestCustody('sqlite', { sqliteFile: join(dir, 'custody.db'), intervalMs: 3_600_000 });
    await fillLogs(side.custody);
  });
  afterAll(async () => {
    await side.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh backup of the live database, opened, changed by `change`, and checked (`full`: the whole log). */
  async function checkChangedCopy(name: string, change: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<void>, full = false) {
    const file = join(dir, name);
    const progress: number[] = [];
    const result = await backupDatabase(join(dir, 'custody.db'), file, { onProgress: (p) => progress.push(p.copiedPages) });
    expect(result.pages).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(result.pages);
    const copy = await openDatabase({ url: file });
    try {
      await change(copy.db);
      return await checkStoredLogs(copy.db, { full });
    } finally {
      await copy.close();
    }
  }

  it('copies the database whole while it is open, and refuses to overwrite', async () => {
    const checks = await checkChangedCopy('whole.db', () => Promise.resolve());
    expect(checks.map((c) => [c.organizationId, c.size, c.problem])).toEqual([
      ['org_a', 37, null],
      ['org_b', 6, null],
      ['org_c', 0, null],
    ]);
    await expect(backupDatabase(join(dir, 'custody.db'), join(dir, 'whole.db'))).rejects.toMatchObject({ name: 'BackupError', code: 'EXISTS' });
    await expect(backupDatabase(join(dir, 'absent.db'), join(dir, 'never.db'))).rejects.toMatchObject({ code: 'MISSING' });
    await expect(backupDatabase('postgres://127.0.0.1/x', join(dir, 'never.db'))).rejects.toThrow(BackupError);
    await expect(backupDatabase(':memory:', join(dir, 'never.db'))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('completes while the server commits all along, and leaves one private file', async () => {
    // Bigger than one of the old steps (1,024 pages), so that a copy made in steps would see the commits between them.
    const filler = await openDatabase({ url: join(dir, 'custody.db') });
    await sql`CREATE TABLE IF NOT EXISTS backup_filler (b BLOB)`.execute(filler.db);
    await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO backup_filler SELECT zeroblob(4000) FROM n`.execute(filler.db);
    await filler.close();
    let copying = true;
    let commits = 0;
    const writing = (async () => {
      while (copying) {
        await side.custody.ingestor.ingest('org_c', [event({ metadata: { commit: commits } })]);
        commits++;
      }
    })();
    const file = join(dir, 'busy.db');
    let result: Awaited<ReturnType<typeof backupDatabase>>;
    try {
      result = await backupDatabase(join(dir, 'custody.db'), file);
    } finally {
      copying = false;
      await writing;
    }
    expect(commits).toBeGreaterThan(0);
    expect(result.pages).toBeGreaterThan(3000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.startsWith('busy.db'))).toEqual(['busy.db']);
    const copy = await openDatabase({ url: file });
    try {
      const checks = await checkStoredLogs(copy.db);
      expect(checks.every((c) => c.problem === null)).toBe(true);
    } finally {
      await copy.close();
    }
  });

  it('names a log whose stored tree hash was changed', async () => {
    const checks = await checkChangedCopy('hash.db', async (db) => {
      await sql`DROP TRIGGER tree_hashes_reject_update`.execute(db);
      // The hash of events 0-31, one of the three subtrees the root at size 37 is made of.
      await sql`UPDATE tree_hashes SET hash = zeroblob(32) WHERE organization_id = 'org_a' AND level = 5 AND idx = 0`.execute(db);
    });
    expect(checks[0]?.problem).toMatch(/^the stored tree hashes give root [0-9a-f]{64} at size 37, not the signed [0-9a-f]{64}$/);
    expect(checks.slice(1).map((c) => c.problem)).toEqual([null, null]);
  });

  it('finds a changed hash deep in the tree only when it reads the whole log', async () => {
    // The hash of events 6 and 7: inside the subtree of events 0-31, whose own stored hash the fast check reads.
    const deep = async (db: Awaited<ReturnType<typeof openDatabase>>['db']) => {
      await sql`DROP TRIGGER tree_hashes_reject_update`.execute(db);
      await sql`UPDATE tree_hashes SET hash = zeroblob(32) WHERE organization_id = 'org_a' AND level = 1 AND idx = 3`.execute(db);
    };
    expect((await checkChangedCopy('deep-fast.db', deep)).map((c) => c.problem)).toEqual([null, null, null]);
    const full = await checkChangedCopy('deep-full.db', deep, true);
    expect(full.map((c) => c.problem)).toEqual(['the tree hash at level 1, index 3 is not the one its leaves give', null, null]);
  });

  it('finds an event body that no longer hashes to its leaf, and allows a purged one (full)', async () => {
    const changed = await checkChangedCopy(
      'body.db',
      async (db) => {
        await sql`DROP TRIGGER events_reject_update`.execute(db);
        await sql`UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'Firefox', 'Chrome!') AS BLOB) WHERE organization_id = 'org_a' AND seq = 20`.execute(db);
        // A retention purge removes bodies; their leaves, and so the tree, stay.
        await sql`DELETE FROM events WHERE organization_id = 'org_b' AND seq < 3`.execute(db);
      },
      true,
    );
    expect(changed.map((c) => c.problem)).toEqual(["event 20's body does not hash to its leaf", null, null]);
  });

  it('names a log missing a leaf hash', async () => {
    const checks = await checkChangedCopy('leaf.db', async (db) => {
      await sql`DROP TRIGGER leaves_reject_delete`.execute(db);
      await sql`DELETE FROM leaves WHERE organization_id = 'org_b' AND seq = 4`.execute(db);
    });
    expect(checks[1]?.problem).not.toBeNull();
    expect([checks[0]?.problem, checks[2]?.problem]).toEqual([null, null]);
  });

  it('names a checkpoint no published key signed', async () => {
    const checks = await checkChangedCopy('keys.db', async (db) => {
      await sql`DROP TRIGGER signing_keys_reject_delete`.execute(db);
      await sql`DELETE FROM signing_keys`.execute(db);
    });
    // org_c's checkpoint of size 0 is signed too.
    for (const check of checks) expect(check.problem).toMatch(/^the checkpoint does not verify: note is not signed by a trusted key/);
  });

  it('refuses a damaged copy and leaves nothing at the destination', async () => {
    const damaged = join(dir, 'damaged.db');
    await writeFile(damaged, Buffer.alloc(8192, 7));
    await expect(backupDatabase(damaged, join(dir, 'from-damaged.db'))).rejects.toMatchObject({ code: 'FAILED' });
    await expect(openDatabase({ url: join(dir, 'from-damaged.db'), sqliteReadonly: true }).then((d) => d.close())).rejects.toThrow();
  });
});
