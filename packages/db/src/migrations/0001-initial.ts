/**
 * 0001: organizations, API keys, the verifiable log (leaves, tree hashes, checkpoints, signing keys),
 * event bodies with their query indexes, and idempotency keys.
 */
import type { Kysely } from 'kysely';

import type { CustodyDialect } from '../dialect/custody-dialect';

export async function up(db: Kysely<unknown>, dialect: CustodyDialect): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('action_registry', 'text')
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('logs')
    .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('leaves')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('leaf_hash', dialect.binaryType, (c) => c.notNull())
    .addPrimaryKeyConstraint('leaves_pk', ['organization_id', 'seq'])
    .$call((b) => dialect.clusteredTable(b))
    .execute();

  await db.schema
    .createTable('tree_hashes')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('hash', dialect.binaryType, (c) => c.notNull())
    .addPrimaryKeyConstraint('tree_hashes_pk', ['organization_id', 'level', 'idx'])
    .$call((b) => dialect.clusteredTable(b))
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('ip_key', 'text', (c) => c.notNull())
    .addColumn('body', dialect.binaryType, (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['organization_id', 'seq'])
    .execute();
  // Keyset pagination sorts by (occurred_at, seq); every filter index ends with those columns.
  await db.schema.createIndex('events_time').on('events').columns(['organization_id', 'occurred_at', 'seq']).execute();
  await db.schema.createIndex('events_action').on('events').columns(['organization_id', 'action', 'occurred_at', 'seq']).execute();
  await db.schema.createIndex('events_actor').on('events').columns(['organization_id', 'actor_id', 'occurred_at', 'seq']).execute();
  await db.schema.createIndex('events_ip').on('events').columns(['organization_id', 'ip_key', 'occurred_at', 'seq']).execute();

  await db.schema
    .createTable('event_targets')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_targets_pk', ['organization_id', 'seq', 'position'])
    .$call((b) => dialect.clusteredTable(b))
    .execute();
  await db.schema.createIndex('event_targets_id').on('event_targets').columns(['organization_id', 'id', 'seq']).execute();
  await db.schema.createIndex('event_targets_type').on('event_targets').columns(['organization_id', 'type', 'seq']).execute();

  await db.schema
    .createTable('event_metadata')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_metadata_pk', ['organization_id', 'seq', 'key'])
    .$call((b) => dialect.clusteredTable(b))
    .execute();
  await db.schema.createIndex('event_metadata_kv').on('event_metadata').columns(['organization_id', 'key', 'value', 'seq']).execute();

  await dialect.createSearchIndex(db);

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['organization_id', 'key'])
    .$call((b) => dialect.clusteredTable(b))
    .execute();

  await db.schema
    .createTable('checkpoints')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('root', dialect.binaryType, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('body_hash', dialect.binaryType, (c) => c.notNull())
    .addColumn('prev_body_hash', dialect.binaryType)
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkpoints_pk', ['organization_id', 'size'])
    .$call((b) => dialect.clusteredTable(b))
    .execute();
  // Never two checkpoints naming the same predecessor: the chain cannot fork.
  await db.schema.createIndex('checkpoints_prev').on('checkpoints').columns(['organization_id', 'prev_body_hash']).unique().execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('vkey', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  for (const table of ['leaves', 'tree_hashes', 'checkpoints', 'idempotency_keys', 'signing_keys']) {
    await dialect.createRejectTrigger(db, table, table === 'signing_keys' ? ['DELETE'] : ['UPDATE', 'DELETE']);
  }
  await dialect.createRejectTrigger(db, 'events', ['UPDATE']);
  await dialect.createRejectTrigger(db, 'event_targets', ['UPDATE']);
  await dialect.createRejectTrigger(db, 'event_metadata', ['UPDATE']);
}
