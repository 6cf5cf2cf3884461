/**
 * 0002: export jobs (evidence bundles and productions). Rows change as a job runs; the exported
 * events themselves stay in the append-only tables, and each finished export is also logged as an
 * audit event in the organization's log.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('mode', 'text')
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('progress_done', 'bigint', (c) => c.notNull())
    .addColumn('progress_total', 'bigint')
    .addColumn('file_name', 'text')
    .addColumn('file_size', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('checkpoint_size', 'bigint')
    .addColumn('events_shown', 'bigint')
    .addColumn('events_withheld', 'bigint')
    .addColumn('events_purged', 'bigint')
    .addColumn('control_first', 'text')
    .addColumn('control_last', 'text')
    .addColumn('error', 'text')
    .addColumn('audit_event_id', 'text')
    .addColumn('audit_seq', 'bigint')
    .execute();
  await db.schema.createIndex('exports_org').on('exports').columns(['organization_id', 'created_at']).execute();
}
