/**
 * An organization that does not exist is NOT_FOUND (`organization "x" not found`) on every read, whichever way it
 * is answered: never an empty page, zero statistics or an empty list of exports, with a cursor or without.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import type { Custody } from '../src/index';
import { createTestCustody, event, refusal } from './helpers';


const NOT_FOUND = { code: 'NOT_FOUND', message: 'organization "nowhere" not found' };

for (const dialect of DIALECTS) {
  describe(`${dialect}: an organization that does not exist`, () => {
    let custody: Custody;
    let destroy: () => Promise<void>;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custody-unknown-org-'));
      ({ custody, destroy } = await createTestCustody(dialect, { exportDir: dir }));
      await custody.createOrganization({ id: 'acme', name: 'Acme' });
      await custody.ingestor.ingest('acme', Array.from({ length: 5 }, () => event()));
    });
    afterAll(async () => {
      await destroy();
      await rm(dir, { recursive: true, force: true });
    });

    it('is NOT_FOUND for events.stats, whichever way the statistics are answered', async () => {
      for (const filter of [{}, { actions: ['user.*'] }, { occurredAfter: '2026-03-01T00:00:00Z' }, { actorType: 'user' }, { actorId: 'u_1' }, { q: 'firefox' }, { targetId: 'acct_1' }]) {
        expect(await refusal(() => custody.events.stats('nowhere', filter)), JSON.stringify(filter)).toEqual(NOT_FOUND);
        expect(await refusal(() => custody.events.stats('nowhere', filter, { bucketMs: 3_600_000 })), JSON.stringify(filter)).toEqual(NOT_FOUND);
      }
    });

    it('is NOT_FOUND for events.list, with a cursor too (which no longer skips the check)', async () => {
      expect(await refusal(() => custody.events.list('nowhere', {}))).toEqual(NOT_FOUND);
      const cursor = (await custody.events.list('acme', {}, { limit: 2 })).nextCursor;
      expect(cursor).not.toBeNull();
      expect(await refusal(() => custody.events.list('nowhere', {}, { limit: 2, cursor }))).toEqual(NOT_FOUND);
    });

    it('is NOT_FOUND for events.get, naming the organization rather than the event', async () => {
      const [first] = (await custody.events.list('acme', {}, { limit: 1 })).events;
      expect(await refusal(() => custody.events.get('nowhere', first?.id ?? ''))).toEqual(NOT_FOUND);
      expect(await refusal(() => custody.events.get('acme', '01900000-0000-7000-8000-000000000000'))).toEqual({
        code: 'NOT_FOUND',
        message: 'event "01900000-0000-7000-8000-000000000000" not found',
      });
    });

    it('is NOT_FOUND for the export jobs: list, get and report', async () => {
      expect(await refusal(() => custody.exports.list('nowhere'))).toEqual(NOT_FOUND);
      expect(await refusal(() => custody.exports.get('nowhere', 'exp_x'))).toEqual(NOT_FOUND);
      expect(await refusal(() => custody.exports.report('nowhere', 'exp_x'))).toEqual(NOT_FOUND);
      expect(await refusal(() => custody.exports.get('acme', 'exp_x'))).toEqual({ code: 'NOT_FOUND', message: 'export "exp_x" not found' });
      expect(await custody.exports.list('acme')).toEqual([]);
    });
  });
}
