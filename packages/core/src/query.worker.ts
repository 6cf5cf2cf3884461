/**
 * A reader thread's entry point (see `EventQueryThreads`): opens its own read-only connection and runs
 * `EventQueries` on one call at a time, with the statistics copy shared by every query thread (`EventFacets`).
 */
import type { KyselyPlugin } from 'kysely';

import { openDatabase as openScanDatabase } from '@custody/db';

import { AppError, isAppError } from './errors';
import { EventQueries } from './query';
import type { TQueryMessage, TQueryRequest, TQueryThreadData, TQueryThreadMessage } from './query-threads';
import { databaseWorker } from './worker-side';

/** How often a thread asks whether the statistics copy's snapshot file should be written again. */
const SNAPSHOT_CHECK_MS = 60_000;

const { port, data, send, openDatabase } = databaseWorker<TQueryThreadData, TQueryMessage>('query.worker');
const database = await openDatabase(data.database);
// The pool sets the flag when it gave up on the running call: its next statement throws instead of running.
const cancel = new Int32Array(data.cancel);
const stopWhenCancelled: KyselyPlugin = {
  transformQuery(args) {
    if (Atomics.load(cancel, 0) !== 0) throw new AppError('CANCELLED', 'the query was given up on');
    return args.node;
  },
  transformResult: (args) => Promise.resolve(args.result),
};
const queries = new EventQueries(database.db.withPlugin(stopWhenCancelled), database.dialect, { facets: data.facets, ...data.queries });

function run(request: TQueryRequest): Promise<unknown> {
  const { call } = request;
  switch (call.method) {
    case 'list':
      return queries.list(...call.args);
    case 'get':
      return queries.get(...call.args);
    case 'stats':
      return queries.stats(...call.args);
  }
}

/** The warm-up's own connection, once open. */
let scan: Awaited<ReturnType<typeof openScanDatabase>> | null = null;
/** Told to stop: a warm-up failing as the connections close is no news. */
let stopping = false;

port.on('message', (message: TQueryThreadMessage) => {
  if ('type' in message) {
    // Told to stop (given up on, or shutting down): this thread is free, so it can leave without being terminated.
    stopping = true;
    void Promise.allSettled([scan?.close(), database.close()]).finally(() => process.exit(0));
    return;
  }
  const request = message;
  // One snapshot per call (the pool sends a thread its next call only once this one has answered).
  const answer = database.dialect.readSnapshot === undefined ? run(request) : database.dialect.readSnapshot(database.db, () => run(request));
  answer.then(
    (value) => send({ type: 'result', id: request.id, value }),
    (error: unknown) =>
      send(
        isAppError(error)
          ? { type: 'failed', id: request.id, code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) }
          : { type: 'failed', id: request.id, code: 'INTERNAL', message: error instanceof Error ? `query failed: ${error.message}` : 'query failed' },
      ),
  );
});
send({ type: 'ready' });
// In slices, between calls (a statistics query that needs the copy before then completes it; if the copy
// cannot be made, statistics stay in SQL). Through a connection of its own with a small page cache: scanning
// every event would otherwise fill the queries' 64 MiB cache with pages they rarely need.
scan = await openScanDatabase({ ...data.database, sqliteCacheMiB: 4 }).catch(() => null);
queries
  .warmFacets(scan?.dialect.facetReads)
  .then(
    () => {
      send({ type: 'warm' });
      // The snapshot file follows the copy as the log grows (written by one thread, when grown enough).
      setInterval(() => queries.saveFacetSnapshot(), SNAPSHOT_CHECK_MS).unref();
    },
    (error: unknown) => {
      if (!stopping) send({ type: 'copy-unavailable', message: error instanceof Error ? error.message : String(error) });
    },
  )
  .finally(() => {
    void scan?.close();
    scan = null;
  });
