/**
 * An export job's filter is checked when the job is created, with the checks `events.list` makes: a filter the
 * list refuses is refused at once with the same BAD_REQUEST, and no job is queued to fail later.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import type { Custody, TEventFilter } from '../src/index';
import { EXPORT_REQUESTER, createTestCustody, event, exportRequest, refusal } from './helpers';

/** One filter per check `events.list` makes of a filter. */
const INVALID: TEventFilter[] = [
  { occurredAfter: 'bad' },
  { occurredBefore: '2026-01-03T00:00:00' },
  { occurredAfter: '2026-02-30T00:00:00Z' },
  { ip: '10.0.0.1/8' },
  { ip: 'not-an-ip' },
  { actions: ['User.*'] },
  { actions: ['user.signed_in', '.*'] },
  { q: 'a*' },
  { q: 'firefox 10.0.0.1/8' },
];


for (const dialect of DIALECTS) {
  describe(`${dialect}: an export's filter`, () => {
    let custody: Custody;
    let destroy: () => Promise<void>;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custody-export-filters-'));
      ({ custody, destroy } = await createTestCustody(dialect, { exportDir: dir }));
      await custody.createOrganization({ id: 'acme', name: 'Acme' });
      await custody.ingestor.ingest('acme', [event(), event({ occurred_at: '2026-03-02T10:00:00Z' })]);
    });
    afterAll(async () => {
      await destroy();
      await rm(dir, { recursive: true, force: true });
    });

    for (const filter of INVALID) {
      it(`${JSON.stringify(filter)} is refused at creation as events.list refuses it, and no job is queued`, async () => {
        const listed = await refusal(() => custody.events.list('acme', filter));
        expect(listed.code).toBe('BAD_REQUEST');
        expect(await refusal(() => custody.exports.create('acme', exportRequest(filter), EXPORT_REQUESTER))).toEqual(listed);
        expect(await custody.exports.list('acme')).toEqual([]);
      });
    }

    it('starts a job for a valid filter, with time bounds as events.list reads them', async () => {
      const info = await custody.exports.runToCompletion('acme', exportRequest({ occurredAfter: '2026-03-02T11:00:00+01:00', ip: '10.0.0.0/8', actions: ['user.*'] }), EXPORT_REQUESTER);
      expect(info.status, info.error ?? '').toBe('completed');
      expect(info.counts).toEqual({ shown: 1, withheld: 0, purged: 0 });
    });
  });
}
