/**
 * Prometheus metrics (`GET /metrics`): ingest rate and latency, HTTP latency, tree sizes, the age
 * of each log's latest checkpoint, and the query threads' load.
 */
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { Custody } from '@custody/core';
import type { Database } from '@custody/db';

export interface TMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** Registers every metric and wires the ones `Custody` reports. */
export function createMetrics(custody: Custody): TMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const events = new Counter({ name: 'custody_events_committed_total', help: 'Events appended to a log (an idempotent replay appends none)', registers: [registry] });
  const commits = new Histogram({
    name: 'custody_ingest_commit_seconds',
    help: 'Duration of one group-commit transaction',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'custody_ingest_commit_events',
    help: 'Events submitted per group-commit transaction (appended, replayed or refused)',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'custody_http_request_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'custody_ingest_oldest_wait_seconds',
    help: 'How long the oldest write not yet answered (an ingest commit, a checkpoint, a key\'s last use) has waited for the database; 0 when none waits (/readyz answers 503 past its limit)',
    registers: [registry],
    collect() {
      this.set(custody.ingestor.oldestWriteWaitMs() / 1000);
    },
  });
  const { db } = custody.database;
  new Gauge({
    name: 'custody_log_size',
    help: 'Committed events per organization log (tree size)',
    labelNames: ['organization'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await db.selectFrom('logs').select(['organization_id', 'size']).execute()) {
        this.set({ organization: row.organization_id }, row.size);
      }
    },
  });
  new Gauge({
    name: 'custody_checkpoint_age_seconds',
    help: 'Seconds since the latest checkpoint of each organization log was signed',
    labelNames: ['organization'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const row of await latestCheckpoints(db).execute()) {
        if (row.at !== null) this.set({ organization: row.organization_id }, (now - Number(row.at)) / 1000);
      }
    },
  });
  new Gauge({
    name: 'custody_checkpoint_lag_events',
    help: 'Committed events not yet covered by a signed checkpoint, per organization',
    labelNames: ['organization'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await latestCheckpoints(db).execute()) this.set({ organization: row.organization_id }, row.size - Number(row.cp ?? 0));
    },
  });

  new Gauge({
    name: 'custody_query_threads',
    help: 'Query threads (SQLite files) by state: running a query, idle, and queries waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const load = custody.queryLoad;
      this.reset();
      if (load === null) return;
      this.set({ state: 'running' }, load.running);
      this.set({ state: 'idle' }, load.threads - load.running);
      this.set({ state: 'waiting' }, load.queued);
    },
  });
  new Gauge({
    name: 'custody_query_threads_warm',
    help: 'Query threads whose in-memory statistics copy is complete (restored from the saved copy, or made from the events; a statistics call before then completes it when at most 500,000 events are missing, else is answered in SQL)',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.warm ?? 0);
    },
  });
  new Gauge({
    name: 'custody_query_search_bitmaps',
    help: 'Searches and metadata values matching a sixteenth of the log or more whose matches the query threads keep as bitmaps, for statistics (at most 32)',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.searchBitmaps ?? 0);
    },
  });
  new Gauge({
    name: 'custody_query_search_bitmap_bytes',
    help: 'Memory the search bitmaps take (an eighth of a byte per event each)',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.searchBitmapBytes ?? 0);
    },
  });
  new Gauge({
    name: 'custody_query_stats_summaries',
    help: 'Searches and metadata values whose whole-log statistics the query threads keep, counting only later events on the next call (at most 32)',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.statsSummaries ?? 0);
    },
  });
  new Gauge({
    name: 'custody_query_stats_summary_bytes',
    help: 'Memory the statistics summaries take (8 bytes a histogram cell, an action and an actor each)',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.statsSummaryBytes ?? 0);
    },
  });
  new Gauge({
    name: 'custody_query_stats_memory_bytes',
    help: 'Shared memory the query threads\' statistics take: the in-memory copy of the events, the search bitmaps and the summaries',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.statsMemoryBytes ?? 0);
    },
  });
  new Gauge({
    name: 'custody_query_stats_memory_limit_bytes',
    help: 'The limit of custody_query_stats_memory_bytes (CUSTODY_STATS_MEMORY_MB)',
    registers: [registry],
    collect() {
      const load = custody.queryLoad;
      if (load !== null) this.set(load.statsMemoryLimitBytes);
    },
  });
  new Gauge({
    name: 'custody_query_stats_copy_over_limit',
    help: '1 once the statistics copy was given up because holding every event would pass CUSTODY_STATS_MEMORY_MB: statistics are answered in SQL (slower) until a restart with a higher limit',
    registers: [registry],
    collect() {
      this.set(custody.queryLoad?.statsCopyOverLimit === true ? 1 : 0);
    },
  });

  custody.ingestor.onCommitted((info) => {
    events.inc(info.appended);
    commits.observe(info.durationMs / 1000);
    batch.observe(info.events);
  });
  return { registry, httpDuration };
}

/**
 * Each log's size with its latest checkpoint's size and signing time (`null` before the first). The latest
 * checkpoint is the one of the largest size (checkpoints only grow), found backwards along the primary key
 * `(organization_id, size)` for each log (a subquery per log): a scrape reads a few rows per organization however many
 * checkpoints were signed (about 86,400 a day for a busy log), never the whole table.
 */
export function latestCheckpoints(db: Kysely<Database>) {
  return db.selectFrom('logs').select((eb) => [
    'logs.organization_id',
    'logs.size',
    eb.selectFrom('checkpoints as c').select('c.size').whereRef('c.organization_id', '=', 'logs.organization_id').orderBy('c.size', 'desc').limit(1).as('cp'),
    eb.selectFrom('checkpoints as c').select('c.created_at').whereRef('c.organization_id', '=', 'logs.organization_id').orderBy('c.size', 'desc').limit(1).as('at'),
  ]);
}
