/**
 * The database schema as kysely types. Migrations in `migrations/` create exactly these tables.
 *
 * Conventions:
 * - integers (sequence numbers, sizes, millisecond timestamps) are JS `number` on both dialects: the
 *   Postgres dialect parses `int8` as a number and refuses values above 2^53 − 1;
 * - hashes and canonical event bytes are `Uint8Array` (`BLOB` on SQLite, `bytea` on Postgres);
 * - timestamps are milliseconds since the Unix epoch, UTC (`*_at` columns);
 * - JSON documents are `TEXT` holding canonical JSON, never `jsonb` (which re-serializes).
 *
 * Append-only tables (triggers reject UPDATE and DELETE): `leaves`, `tree_hashes`, `checkpoints`,
 * `idempotency_keys`. `events` rejects UPDATE; its rows (the event bodies) may only be deleted by a
 * retention purge, which leaves every leaf hash and so every proof intact.
 */
import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A column written once at insert and never updated. */
type Immutable<T> = ColumnType<T, T, never>;

export interface OrganizationsTable {
  id: Immutable<string>;
  name: string;
  created_at: Immutable<number>;
  /** The organization's action registry as canonical JSON, or null for none. */
  action_registry: string | null;
}

export interface ApiKeysTable {
  id: Immutable<string>;
  /** The organization the key is bound to, or null for a key valid for every organization. */
  organization_id: Immutable<string | null>;
  name: string;
  /** The first characters of the secret, shown in listings to recognise a key. */
  prefix: Immutable<string>;
  /** Lowercase hex SHA-256 of the whole secret. The secret itself is never stored. */
  secret_hash: Immutable<string>;
  /** Space-separated scopes (`events:write events:read export admin`). */
  scopes: Immutable<string>;
  created_at: Immutable<number>;
  created_by: Immutable<string | null>;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** One row per organization: the committed size of its log. Writers lock this row. */
export interface LogsTable {
  organization_id: Immutable<string>;
  origin: Immutable<string>;
  size: number;
  updated_at: number;
}

/** The leaves of every organization's Merkle tree: `seq` is the leaf index. Append-only. */
export interface LeavesTable {
  organization_id: string;
  seq: number;
  /** SHA-256(0x00 ‖ canonical event bytes), RFC 9162 §2.1.1. */
  leaf_hash: Uint8Array;
}

/**
 * Stored hashes of the tree above the leaves: the hash of every perfect subtree `(level, idx)` with
 * `level >= 1`, covering leaves `[idx·2^level, (idx+1)·2^level)`; level 0 is `leaves.leaf_hash`.
 * Each hash is written once, when the leaf that completes its subtree is appended. Append-only.
 */
export interface TreeHashesTable {
  organization_id: string;
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** Event bodies and the columns queries filter on. Rows are never updated. */
export interface EventsTable {
  organization_id: Immutable<string>;
  seq: Immutable<number>;
  id: Immutable<string>;
  action: Immutable<string>;
  actor_type: Immutable<string>;
  actor_id: Immutable<string>;
  actor_name: Immutable<string | null>;
  occurred_at: Immutable<number>;
  received_at: Immutable<number>;
  /** Canonical text of `context.location`. */
  ip: Immutable<string>;
  /** Fixed-width hex of the IP's 16-byte form: CIDR filters become range comparisons. */
  ip_key: Immutable<string>;
  /** The exact leaf data: UTF-8 RFC 8785 bytes of the logged event. */
  body: Immutable<Uint8Array>;
}

export interface EventTargetsTable {
  organization_id: Immutable<string>;
  seq: Immutable<number>;
  position: Immutable<number>;
  type: Immutable<string>;
  id: Immutable<string>;
}

/** Root-level event metadata, one row per key; `value` is the string, or the JSON text of other values. */
export interface EventMetadataTable {
  organization_id: Immutable<string>;
  seq: Immutable<number>;
  key: Immutable<string>;
  value: Immutable<string>;
}

/** Idempotency keys, kept permanently per organization (even after the event body is purged). */
export interface IdempotencyKeysTable {
  organization_id: string;
  key: string;
  seq: number;
  event_id: string;
  /** Lowercase hex SHA-256 of the canonical request body, to tell a replay from a conflict. */
  request_hash: string;
}

/** Signed checkpoints, one per (organization, size). Append-only. */
export interface CheckpointsTable {
  organization_id: string;
  size: number;
  root: Uint8Array;
  /** The verbatim C2SP signed note. */
  note: string;
  /** SHA-256 of the note's body: what the next checkpoint's `prev` line names. */
  body_hash: Uint8Array;
  /** `body_hash` of the previous checkpoint, or null for the first. */
  prev_body_hash: Uint8Array | null;
  key_id: string;
  created_at: number;
}

/** Every server signing key ever used, so old checkpoints stay verifiable. */
export interface SigningKeysTable {
  key_id: string;
  vkey: string;
  created_at: number;
  /** When the key stopped signing (rotation); null while it is the active key. */
  retired_at: number | null;
}

/** Export jobs: evidence bundles and productions (CSV, NDJSON, DAT). */
export interface ExportsTable {
  id: Immutable<string>;
  organization_id: Immutable<string>;
  /** `queued`, `running`, `completed`, `failed` or `expired`. */
  status: string;
  /** `bundle`, `csv`, `ndjson` or `dat`. */
  format: Immutable<string>;
  /** `complete-range` or `selected` for bundles, else null. */
  mode: Immutable<string | null>;
  /** The request as canonical JSON (filter, matter, reason, options). */
  request: Immutable<string>;
  created_at: Immutable<number>;
  /** The API key id (or `cli`) that asked for the export. */
  created_by: Immutable<string | null>;
  started_at: number | null;
  finished_at: number | null;
  /** When the file is deleted; the row stays as a record. */
  expires_at: number | null;
  progress_done: number;
  progress_total: number | null;
  file_name: string | null;
  file_size: number | null;
  /** Lowercase hex SHA-256 of the produced file. */
  sha256: string | null;
  checkpoint_size: number | null;
  events_shown: number | null;
  events_withheld: number | null;
  events_purged: number | null;
  control_first: string | null;
  control_last: string | null;
  error: string | null;
  /** The process running the job (`host:pid:random`), from its creation; null for jobs from before migration 0010. */
  runner: string | null;
  /** When that process last said it is still running the job (Unix ms); a job whose heartbeat stopped is failed. */
  heartbeat_at: number | null;
  /** The audit event that records this export in the organization's log. */
  audit_event_id: string | null;
  audit_seq: number | null;
}

/** Events per organization, hour (of `occurred_at`) and action; maintained at ingest. */
export interface EventCountsHourlyTable {
  organization_id: string;
  /** Start of the hour, ms UTC. */
  hour: number;
  action: string;
  n: number;
}

/** Events per organization and actor; maintained at ingest. */
export interface ActorCountsTable {
  organization_id: string;
  actor_type: string;
  actor_id: string;
  n: number;
}

/** Events per organization, UTC day and action; maintained at ingest. */
export interface EventCountsDailyTable {
  organization_id: string;
  /** Start of the UTC day, ms. */
  day: number;
  action: string;
  n: number;
}

export interface Database {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  logs: LogsTable;
  leaves: LeavesTable;
  tree_hashes: TreeHashesTable;
  events: EventsTable;
  event_targets: EventTargetsTable;
  event_metadata: EventMetadataTable;
  idempotency_keys: IdempotencyKeysTable;
  checkpoints: CheckpointsTable;
  signing_keys: SigningKeysTable;
  exports: ExportsTable;
  event_counts_hourly: EventCountsHourlyTable;
  actor_counts: ActorCountsTable;
  event_counts_daily: EventCountsDailyTable;
}

export type TOrganizationRow = Selectable<OrganizationsTable>;
export type TApiKeyRow = Selectable<ApiKeysTable>;
export type TEventRow = Selectable<EventsTable>;
export type TNewEventRow = Insertable<EventsTable>;
export type TCheckpointRow = Selectable<CheckpointsTable>;
export type TSigningKeyRow = Selectable<SigningKeysTable>;
export type TExportRow = Selectable<ExportsTable>;
