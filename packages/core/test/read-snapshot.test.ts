/**
 * One snapshot per query call: statistics are made of several statements (buckets, top actions, top
 * actors); events committed between them must not make the parts disagree. A plugin on the reading
 * connection commits a new event (through the server's own ingest, on another connection) after every
 * statement of the call, and the answer must still add up. SQLite: a query thread's read-only connection
 * with `CustodyDialect.readSnapshot`, as the thread runs each call; Postgres: `TimedEventQueries`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '@custody/db';
import type { CustodyDatabase } from '@custody/db';
import { DIALECTS } from '@custody/db/testing';

import { EventQueries, TimedEventQueries } from '../src/index';
import type { Custody, TEventFilter, TEventStats } from '../src/index';
import { createTestCustody, event } from './helpers';

/** After each statement's result, while armed: one more event committed, with an action of its own. */
function commitBetweenStatements(custody: Custody) {
  const state = { armed: false, committed: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    async transformResult(args) {
      if (state.armed && state.committed < 12) {
        state.committed += 1;
        const [result] = await custody.ingestor.ingest('org_s', [event({ action: `snapshot.step_${state.committed}`, actor: { id: `u_step_${state.committed}`, type: 'user' } })]);
        expect(result?.status).toBe('accepted');
      }
      return args.result;
    },
  };
  return { state, plugin };
}

function expectConsistent(stats: TEventStats): void {
  const sum = (rows: readonly { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);
  expect(sum(stats.buckets)).toBe(stats.total);
  // Fewer actions and actors than `top`: the top lists hold them all.
  expect(sum(stats.topActions)).toBe(stats.total);
  expect(sum(stats.topActors)).toBe(stats.total);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a query call reads one snapshot`, () => {
    let dir: string;
    let side: Awaited<ReturnType<typeof createTestCustody>>;
    let reader: CustodyDatabase | null = null;
    /** Runs `call` the way the server runs a query on this dialect, on a connection carrying `plugin`. */
    let run: <T>(plugin: KyselyPlugin, call: (queries: Pick<EventQueries, 'stats' | 'list'>) => Promise<T>) => Promise<T>;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custody-snapshot-'));
      side = await createTestCustody(dialect, dialect === 'sqlite' ? { sqliteFile: join(dir, 'custody.db') } : {});
      await side.custody.createOrganization({ id: 'org_s', name: 'S' });
      await side.custody.ingestor.ingest('org_s', Array.from({ length: 20 }, (_, i) => event({ action: i % 2 === 0 ? 'user.signed_in' : 'user.signed_out', metadata: { i } })));
      const { database } = side.custody;
      if (dialect === 'sqlite') {
        const options = database.readerThreadOptions;
        if (options === null) throw new Error('a SQLite file has query-thread connection options');
        const opened = await openDatabase(options);
        reader = opened;
        const readSnapshot = opened.dialect.readSnapshot;
        if (readSnapshot === undefined) throw new Error('the SQLite dialect reads snapshots');
        run = (plugin, call) => readSnapshot(opened.db, () => call(new EventQueries(opened.db.withPlugin(plugin), opened.dialect)));
      } else {
        run = (plugin, call) => call(new TimedEventQueries(database.db.withPlugin(plugin), database.dialect, 5_000));
      }
    });
    afterAll(async () => {
      await reader?.close();
      await side.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    for (const [label, filter] of [
      ['from the counts kept at ingest', {}],
      ['from the events (a full-text filter)', { q: 'firefox' }],
    ] as [string, TEventFilter][]) {
      it(`statistics ${label} add up while events are committed between their statements`, async () => {
        const { state, plugin } = commitBetweenStatements(side.custody);
        const before = await run(plugin, (q) => q.stats('org_s', filter, { top: 100 }));
        expectConsistent(before);
        state.armed = true;
        const during = await run(plugin, (q) => q.stats('org_s', filter, { top: 100 }));
        state.armed = false;
        // The plugin did commit between the statements (else this test would prove nothing)...
        expect(state.committed).toBeGreaterThanOrEqual(2);
        // ...and the answer is the state before the call's first statement, whole.
        expectConsistent(during);
        expect(during.total).toBe(before.total);
        const after = await run(plugin, (q) => q.stats('org_s', filter, { top: 100 }));
        expectConsistent(after);
        expect(after.total).toBe(before.total + state.committed);
      });
    }
  });
}
