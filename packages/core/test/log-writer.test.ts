/**
 * The log writer's group commit when one request in it cannot be committed: the others are committed and
 * answered as if they had come alone; only the request at fault fails. On both dialects. And its commit
 * deadline, on Postgres, whose server can stop answering while the connection stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';
import type { TTestDatabase } from '@custody/db/testing';
import { validateEvent } from '@custody/schema';

import { AppError, LogWriter, prepareEvent } from '../src/index';
import type { Custody, TCommitInfo, TPreparedEvent } from '../src/index';
import { createTestCustody, event } from './helpers';

function prepared(overrides: Record<string, unknown> = {}): TPreparedEvent {
  const result = validateEvent(event(overrides));
  if (!result.ok) throw new Error('test event invalid');
  return prepareEvent(result.event, 0);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a failing request in a group commit`, () => {
    let custody: Custody;
    let t: TTestDatabase;
    let destroy: () => Promise<void>;
    beforeAll(async () => {
      ({ custody, t, destroy } = await createTestCustody(dialect));
      await custody.createOrganization({ id: 'org_a', name: 'A' });
      await custody.createOrganization({ id: 'org_b', name: 'B' });
    });
    afterAll(() => destroy());

    async function groupCommit(writer: LogWriter, requests: readonly (readonly [string, TPreparedEvent])[]) {
      const commits: TCommitInfo[] = [];
      const off = writer.onCommitted((info) => commits.push(info));
      // Queued in one turn: the writer takes them into one transaction.
      const settled = await Promise.allSettled(requests.map(([organizationId, one]) => writer.append(organizationId, [one])));
      off();
      return { settled, commits };
    }

    it('fails only the request for an organization that does not exist', async () => {
      const writer = new LogWriter(t.db, t.dialect);
      const { settled, commits } = await groupCommit(writer, [
        ['org_a', prepared({ actor: { id: 'u_1', type: 'user' } })],
        ['no_such_org', prepared()],
        ['org_b', prepared({ actor: { id: 'u_2', type: 'user' } })],
        ['org_a', prepared({ actor: { id: 'u_3', type: 'user' } })],
      ]);
      await writer.close();
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const failure = settled[1];
      expect(failure?.status === 'rejected' && failure.reason instanceof AppError && failure.reason.code).toBe('NOT_FOUND');
      const seqs = settled.map((s) => (s.status === 'fulfilled' ? s.value.get(0) : undefined)).map((r) => (r?.status === 'accepted' ? r.seq : null));
      expect(seqs).toEqual([0, null, 0, 1]);
      expect(commits.reduce((n, c) => n + c.events, 0)).toBe(3);
      const listed = await custody.events.list('org_a', {}, { limit: 10, order: 'asc' });
      expect(listed.events.map((e) => e.actor.id)).toEqual(['u_1', 'u_3']);
      expect((await custody.log.latestCheckpoint('org_a', { fresh: true })).size).toBe(2);
    });

    if (dialect === 'postgres') {
      it('fails only the request holding a value Postgres refuses (a NUL in text)', async () => {
        const writer = new LogWriter(t.db, t.dialect);
        // Past validation (which refuses it): a row the database itself refuses.
        const refused: TPreparedEvent = { ...prepared(), actorId: 'u\u0000nul' };
        const { settled } = await groupCommit(writer, [
          ['org_b', prepared({ actor: { id: 'u_4', type: 'user' } })],
          ['org_b', refused],
          ['org_a', prepared({ actor: { id: 'u_5', type: 'user' } })],
        ]);
        await writer.close();
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        const failure = settled[1];
        expect(failure?.status === 'rejected' && failure.reason instanceof AppError && failure.reason.code).toBe('UNAVAILABLE');
        const listed = await custody.events.list('org_b', {}, { limit: 10, order: 'asc' });
        expect(listed.events.map((e) => e.actor.id)).toEqual(['u_2', 'u_4']);
      });
    }
  });
}

describe.skipIf(!DIALECTS.includes('postgres'))('postgres: a commit deadline', () => {
  let custody: Custody;
  let t: TTestDatabase;
  let destroy: () => Promise<void>;
  beforeAll(async () => {
    ({ custody, t, destroy } = await createTestCustody('postgres'));
    await custody.createOrganization({ id: 'org_held', name: 'Held' });
  });
  afterAll(() => destroy());

  const settledError = (s: PromiseSettledResult<unknown> | undefined) => (s?.status === 'rejected' && s.reason instanceof AppError ? s.reason : null);
  const keyed = (key: string) => prepared({ idempotency_key: key, actor: { id: key, type: 'user' } });

  it('answers a request still queued at its deadline "not stored", and one whose transaction waits "may be stored"; both are true', async () => {
    // Another session holds the log's row lock, as a database that stopped answering would hold the commit.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = () => {};
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = t.db.transaction().execute(async (trx) => {
      await t.dialect.lockLog(trx, 'org_held');
      held();
      await released;
    });
    await holding;
    const writer = new LogWriter(t.db, t.dialect, { commitTimeoutMs: 300 });
    const underWay = writer.append('org_held', [keyed('deadline-under-way')]);
    // Long enough for the writer to take the first request into its transaction, which then waits for the lock.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queued = writer.append('org_held', [keyed('deadline-queued')]);
    const settled = await Promise.allSettled([underWay, queued]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    const [unknown, notStored] = settled.map(settledError);
    expect(unknown?.code).toBe('UNAVAILABLE');
    expect(unknown?.details).toEqual({ stored: 'unknown' });
    expect(unknown?.message).toContain('may have been stored');
    expect(notStored?.code).toBe('UNAVAILABLE');
    expect(notStored?.details).toEqual({ stored: false });
    expect(notStored?.message).toContain('nothing was stored');

    // The database answers again: the transaction under way commits; the queued request was never taken.
    release();
    await holder;
    await writer.close();
    const listed = await custody.events.list('org_held', {}, { limit: 10, order: 'asc' });
    expect(listed.events.map((e) => e.actor.id)).toEqual(['deadline-under-way']);
    // Retried with their keys, as the answers say: the first is found, the second stored now.
    const again = new LogWriter(t.db, t.dialect, { commitTimeoutMs: 300 });
    const retried = await Promise.all([again.append('org_held', [keyed('deadline-under-way')]), again.append('org_held', [keyed('deadline-queued')])]);
    await again.close();
    expect(retried.map((r) => r.get(0))).toEqual([
      expect.objectContaining({ status: 'accepted', seq: 0, replayed: true }),
      expect.objectContaining({ status: 'accepted', seq: 1, replayed: false }),
    ]);
  });

  it('answers in time, with no deadline passed, as without one', async () => {
    const writer = new LogWriter(t.db, t.dialect, { commitTimeoutMs: 60_000 });
    const results = await Promise.all([writer.append('org_held', [keyed('in-time-1')]), writer.append('org_held', [keyed('in-time-2')])]);
    await writer.close();
    expect(results.map((r) => r.get(0)?.status)).toEqual(['accepted', 'accepted']);
  });
});
