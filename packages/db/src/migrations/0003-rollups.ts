/**
 * 0003: counts maintained at ingest, so statistics over a whole log (the console's histogram with no
 * filter) do not scan every event: per organization, hour and action, and per actor.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_counts_hourly')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_counts_hourly_pk', ['organization_id', 'hour', 'action'])
    .execute();
  await db.schema
    .createTable('actor_counts')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('actor_counts_pk', ['organization_id', 'actor_type', 'actor_id'])
    .execute();
  await db.schema.createIndex('actor_counts_top').on('actor_counts').columns(['organization_id', 'n']).execute();
  // Backfill from the events already stored (once).
  // The hour rounded down, as ingest does (`/` rounds toward zero: until 2026-11-28 this put events before 1970
  // in the next hour; migration 0007 counts those hours again).
  await sql`
    INSERT INTO event_counts_hourly (organization_id, hour, action, n)
    SELECT organization_id, occurred_at - ((occurred_at % 3600000) + 3600000) % 3600000, action, count(*) FROM events
    GROUP BY organization_id, occurred_at - ((occurred_at % 3600000) + 3600000) % 3600000, action`.execute(db);
  await sql`
    INSERT INTO actor_counts (organization_id, actor_type, actor_id, n)
    SELECT organization_id, actor_type, actor_id, count(*) FROM events
    GROUP BY organization_id, actor_type, actor_id`.execute(db);
}
