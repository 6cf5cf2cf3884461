/**
 * `checkStoredLogs` on a live database and on copies (`backupDatabase`): whole logs check out against
 * their latest signed checkpoints; a changed tree hash, a missing leaf or a note no published key signed
 * are each named for their organization, and the other logs still check out.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BackupError, backupDatabase, openDatabase } from '@custody/db';
import { DIALECTS } from '@custody/db/testing';

import { checkStoredLogs } from '../src/index';
import { createTestCustody, event } from './helpers';

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
