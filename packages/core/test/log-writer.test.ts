/**
 * The log writer's group commit when one request in it cannot be committed: the others are committed and
 * answered as if they had come alone; only the request at fault fails. On both dialects.
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
