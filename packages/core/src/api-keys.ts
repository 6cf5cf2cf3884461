/**
 * API keys: shown once, stored as a SHA-256 hash, scoped, bound to one organization or to all,
 * revocable, with the last use recorded.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database, TApiKeyRow } from '@custody/db';

import { withinDeadline } from './deadline';
import { AppError } from './errors';
import { writeWhereFree } from './log-writer-thread';
import type { TWriteElsewhere } from './log-writer-thread';

/** Every scope a key can hold. `admin` implies all the others. */
export const SCOPES = ['events:write', 'events:read', 'export', 'admin'] as const;
export type TScope = (typeof SCOPES)[number];

/** Prefix of every secret: recognisable in logs and by secret scanners. */
export const API_KEY_PREFIX = 'custody_sk_';

/** Who is calling: the authenticated key. */
export interface TPrincipal {
  readonly keyId: string;
  readonly name: string;
  /** The bound organization, or null for a key that may act on every organization. */
  readonly organizationId: string | null;
  readonly scopes: ReadonlySet<TScope>;
}

/** A key as listed (never the secret). */
export interface TApiKeyInfo {
  id: string;
  name: string;
  organizationId: string | null;
  prefix: string;
  scopes: TScope[];
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toInfo(row: TApiKeyRow): TApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    organizationId: row.organization_id,
    prefix: row.prefix,
    scopes: row.scopes.split(' ').filter((s): s is TScope => (SCOPES as readonly string[]).includes(s)),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  };
}

/** How often at most the last use of one key is written. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export class ApiKeys {
  readonly #db: Kysely<Database>;
  readonly #lastUsedWritten = new Map<string, number>();
  readonly #cache = new Map<string, { principal: TPrincipal | null; at: number }>();
  /** Authentication results are cached briefly; revocation takes effect within this time. */
  readonly #cacheMs: number;
  readonly #writeElsewhere: TWriteElsewhere | undefined;
  readonly #lookupTimeoutMs: number;

  /**
   * `writeElsewhere`: records keys' last use on another connection instead of this one (the SQLite ingest writer
   * thread's, `LogWriterThread.execute`), so that the write never waits for the write lock in this thread.
   * `lookupTimeoutMs`: how long `authenticate` waits for the database to find a key not in the cache before it
   * answers UNAVAILABLE (`withinDeadline`); 0, the default, waits as long as it takes.
   */
  constructor(db: Kysely<Database>, options: { cacheMs?: number; writeElsewhere?: TWriteElsewhere; lookupTimeoutMs?: number } = {}) {
    this.#db = db;
    this.#cacheMs = options.cacheMs ?? 2_000;
    this.#writeElsewhere = options.writeElsewhere;
    this.#lookupTimeoutMs = options.lookupTimeoutMs ?? 0;
  }

  /**
   * Creates a key and returns its secret, which is never shown again.
   * Requires `organizationId` to exist when given.
   */
  async create(input: { name: string; organizationId: string | null; scopes: readonly TScope[]; createdBy?: string | null }): Promise<{ key: TApiKeyInfo; secret: string }> {
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw new AppError('BAD_REQUEST', 'an API key needs at least one scope', { details: { allowed: SCOPES } });
    for (const s of scopes) {
      if (!(SCOPES as readonly string[]).includes(s)) throw new AppError('BAD_REQUEST', `unknown scope "${s}"`, { details: { allowed: SCOPES } });
    }
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) throw new AppError('BAD_REQUEST', 'key name must be 1 to 100 characters');
    if (input.organizationId !== null) {
      const org = await this.#db.selectFrom('organizations').select('id').where('id', '=', input.organizationId).executeTakeFirst();
      if (org === undefined) throw new AppError('NOT_FOUND', `organization "${input.organizationId}" not found`);
    }
    const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = {
      id: `key_${randomUUID().replaceAll('-', '')}`,
      organization_id: input.organizationId,
      name,
      prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
      secret_hash: hashSecret(secret),
      scopes: scopes.join(' '),
      created_at: Date.now(),
      created_by: input.createdBy ?? null,
      revoked_at: null,
      last_used_at: null,
    };
    await this.#db.insertInto('api_keys').values(row).execute();
    return { key: toInfo(row), secret };
  }

  /** Keys of one organization (including all-organization keys when `organizationId` is null). */
  async list(filter: { organizationId?: string | null } = {}): Promise<TApiKeyInfo[]> {
    let q = this.#db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
    if (filter.organizationId !== undefined) {
      q = filter.organizationId === null ? q.where('organization_id', 'is', null) : q.where('organization_id', '=', filter.organizationId);
    }
    return (await q.execute()).map(toInfo);
  }

  /** Revokes a key; `organizationId` restricts which keys the caller may revoke. Idempotent. */
  async revoke(keyId: string, restrictTo: string | null = null): Promise<TApiKeyInfo> {
    const row = await this.#db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
    if (row === undefined || (restrictTo !== null && row.organization_id !== restrictTo)) {
      throw new AppError('NOT_FOUND', `API key "${keyId}" not found`);
    }
    if (row.revoked_at === null) {
      const now = Date.now();
      await this.#db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', keyId).execute();
      row.revoked_at = now;
    }
    this.#cache.clear();
    return toInfo(row);
  }

  /** True when no key exists yet (first start). */
  async isEmpty(): Promise<boolean> {
    const row = await this.#db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
    return row === undefined;
  }

  /**
   * Resolves a secret to its principal. Throws UNAUTHORIZED for a missing, malformed, unknown or
   * revoked key, with the same message for each so that keys cannot be probed.
   */
  async authenticate(secret: string | undefined): Promise<TPrincipal> {
    if (secret === undefined || secret.length === 0) {
      throw new AppError('UNAUTHORIZED', 'missing API key: send "Authorization: Bearer <key>"');
    }
    if (!secret.startsWith(API_KEY_PREFIX) || secret.length > 200) throw new AppError('UNAUTHORIZED', 'invalid API key');
    const hash = hashSecret(secret);
    const now = Date.now();
    const cached = this.#cache.get(hash);
    let principal: TPrincipal | null;
    if (cached !== undefined && now - cached.at < this.#cacheMs) {
      principal = cached.principal;
    } else {
      const row = await withinDeadline(
        this.#db.selectFrom('api_keys').selectAll().where('secret_hash', '=', hash).executeTakeFirst(),
        this.#lookupTimeoutMs,
        'the API key lookup',
      );
      principal =
        row === undefined || row.revoked_at !== null
          ? null
          : { keyId: row.id, name: row.name, organizationId: row.organization_id, scopes: new Set(toInfo(row).scopes) };
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(hash, { principal, at: now });
    }
    if (principal === null) throw new AppError('UNAUTHORIZED', 'invalid API key');
    // Waited for, so that it is written by the answer (on SQLite files it waits for the writer thread's turn), but
    // at most the lookup's limit: a convenience must not hold the request on a database that stopped answering.
    await withinDeadline(this.#touch(principal.keyId, now), this.#lookupTimeoutMs, 'the API key last-use write').catch(() => undefined);
    return principal;
  }

  async #touch(keyId: string, now: number): Promise<void> {
    const last = this.#lastUsedWritten.get(keyId) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.#lastUsedWritten.set(keyId, now);
    // Never refused for it: should the other connection fail the write, it is made here. And should that fail
    // too (another process holding SQLite's write lock, say), the request goes on: the last use is a
    // convenience, written again at the key's next use.
    try {
      await writeWhereFree(this.#db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', keyId), this.#writeElsewhere);
    } catch {
      this.#lastUsedWritten.set(keyId, last);
    }
  }
}

/**
 * Checks that `principal` may use `scope` on `organizationId` (`null`: a server-wide action, such as creating an
 * organization or a key of every organization). A key bound to another organization gets FORBIDDEN whether or not
 * `organizationId` exists, so keys cannot probe for organizations; a bound key is told when the action is
 * server-wide, which no bound key may do.
 */
export function authorize(principal: TPrincipal, scope: TScope, organizationId: string | null): void {
  if (principal.organizationId !== null && organizationId === null) {
    const needs = scope === 'admin' ? 'an admin key' : `a key with the "${scope}" scope`;
    throw new AppError('FORBIDDEN', `this is a server-wide action, not one organization's: it needs ${needs} bound to no organization, and this key is bound to "${principal.organizationId}"`);
  }
  if (principal.organizationId !== null && principal.organizationId !== organizationId) {
    throw new AppError('FORBIDDEN', 'this API key is bound to another organization');
  }
  if (!principal.scopes.has(scope) && !principal.scopes.has('admin')) {
    throw new AppError('FORBIDDEN', `this API key lacks the "${scope}" scope`);
  }
}
