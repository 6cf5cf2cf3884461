/**
 * 0007: the hourly and daily counts of events before 1970, counted again from the events.
 *
 * The backfills of 0003 (hours) and 0004 (days) bucketed a time as `(t / size) * size`, which rounds toward
 * zero on both databases, where ingest rounds down (`Math.floor`): an event of 1969-12-31T23:30Z was counted
 * in the hour and the day of 1970-01-01, one of 1969-12-31T22:30Z in the hour of 23:00. So statistics read from
 * the counts (no filter, action filters, whole-hour or whole-day time bounds) put events stored before 0003 ran
 * and dated before 1970 in the wrong bucket, and totals bounded at 1970 were short. 0003 and 0004 round down now.
 *
 * Only buckets at or before 1970-01-01T00:00Z can hold a misplaced count (rounding toward zero moves a negative
 * time up, never past 0), and their right contents are the counts of the events before 1970-01-01T01:00Z (hours)
 * or 1970-01-02 (days). For each organization those rows are deleted and counted again from its events, read
 * through the `(organization_id, occurred_at)` index: the cost grows with the events before 1970, not with the
 * log. Counts of later buckets are left as they are. A second run writes the same rows again.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** `time` rounded down to a multiple of `size` (SQL `%` keeps the sign of the dividend on both databases). */
function floorTo(time: string, size: number) {
  return sql.raw(`(${time} - ((${time} % ${size}) + ${size}) % ${size})`);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const organizations = await sql<{ id: string }>`SELECT id FROM organizations ORDER BY id`.execute(db);
  const rollups = [
    { table: 'event_counts_hourly', column: 'hour', size: HOUR_MS },
    { table: 'event_counts_daily', column: 'day', size: DAY_MS },
  ];
  for (const { id } of organizations.rows) {
    for (const { table, column, size } of rollups) {
      await sql`DELETE FROM ${sql.table(table)} WHERE organization_id = ${id} AND ${sql.ref(column)} <= 0`.execute(db);
      await sql`
        INSERT INTO ${sql.table(table)} (organization_id, ${sql.ref(column)}, action, n)
        SELECT organization_id, ${floorTo('occurred_at', size)}, action, count(*) FROM events
        WHERE organization_id = ${id} AND occurred_at < ${size}
        GROUP BY organization_id, ${floorTo('occurred_at', size)}, action`.execute(db);
    }
  }
}
