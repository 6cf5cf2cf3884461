/**
 * Organizations: each owns one verifiable log (origin `<log name>/<organization id>`) and an
 * optional action registry.
 */
import { randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database, TOrganizationRow } from '@custody/db';
import { SERVER_ORGANIZATION_ID_PATTERN, canonicalize, compileActionRegistry } from '@custody/schema';
import type { TActionRegistry } from '@custody/schema';

import { AppError } from './errors';

export interface TOrganization {
  id: string;
  name: string;
  createdAt: string;
  /** The log's origin line in every checkpoint. */
  origin: string;
  /** Committed events (the log's size). */
  size: number;
  actionRegistry: TActionRegistry | null;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new random organization id: `org_` + 16 Crockford base32 characters (80 bits). */
export function generateOrganizationId(): string {
  const bytes = randomBytes(16);
  let id = 'org_';
  for (let i = 0; i < 16; i++) id += CROCKFORD[(bytes[i] ?? 0) & 31];
  return id;
}

export function parseRegistry(row: Pick<TOrganizationRow, 'action_registry'>): TActionRegistry | null {
  return row.action_registry === null ? null : (JSON.parse(row.action_registry) as TActionRegistry);
}

export class Organizations {
  readonly #db: Kysely<Database>;
  readonly #logName: string;

  constructor(db: Kysely<Database>, logName: string) {
    this.#db = db;
    this.#logName = logName;
  }

  /** The checkpoint origin of an organization's log. */
  originOf(organizationId: string): string {
    return `${this.#logName}/${organizationId}`;
  }

  /** Creates an organization and its empty log. The caller signs the size-0 checkpoint. */
  async create(input: { id?: string; name: string }): Promise<TOrganization> {
    const id = input.id ?? generateOrganizationId();
    if (!SERVER_ORGANIZATION_ID_PATTERN.test(id)) {
      throw new AppError('BAD_REQUEST', `organization id "${id}" must match ${SERVER_ORGANIZATION_ID_PATTERN.source}`);
    }
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw new AppError('BAD_REQUEST', 'organization name must be 1 to 200 characters');
    const now = Date.now();
    const origin = this.originOf(id);
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx.insertInto('organizations').values({ id, name, created_at: now, action_registry: null }).execute();
        await trx.insertInto('logs').values({ organization_id: id, origin, size: 0, updated_at: now }).execute();
      });
    } catch (cause) {
      const exists = await this.#db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst();
      if (exists !== undefined) throw new AppError('CONFLICT', `organization "${id}" already exists`, { cause });
      throw cause;
    }
    return { id, name, createdAt: new Date(now).toISOString(), origin, size: 0, actionRegistry: null };
  }

  async list(filter: { ids?: readonly string[] } = {}): Promise<TOrganization[]> {
    let q = this.#db
      .selectFrom('organizations')
      .innerJoin('logs', 'logs.organization_id', 'organizations.id')
      .select(['organizations.id', 'organizations.name', 'organizations.created_at', 'organizations.action_registry', 'logs.origin', 'logs.size'])
      .orderBy('organizations.created_at')
      .orderBy('organizations.id');
    if (filter.ids !== undefined) {
      if (filter.ids.length === 0) return [];
      q = q.where('organizations.id', 'in', filter.ids);
    }
    return (await q.execute()).map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: new Date(r.created_at).toISOString(),
      origin: r.origin,
      size: r.size,
      actionRegistry: parseRegistry(r),
    }));
  }

  /** One organization; NOT_FOUND if it does not exist. */
  async get(id: string): Promise<TOrganization> {
    const [org] = await this.list({ ids: [id] });
    if (org === undefined) throw new AppError('NOT_FOUND', `organization "${id}" not found`);
    return org;
  }

  /** Replaces the organization's action registry (validated), or removes it with null. */
  async setActionRegistry(id: string, registry: unknown): Promise<TActionRegistry | null> {
    await this.get(id);
    let stored: string | null = null;
    let parsed: TActionRegistry | null = null;
    if (registry !== null) {
      const result = compileActionRegistry(registry);
      if (!result.ok) {
        throw new AppError('BAD_REQUEST', `invalid action registry: ${result.issues.map((i) => i.message).join('; ')}`, {
          details: { issues: result.issues },
        });
      }
      parsed = result.registry.json;
      stored = canonicalize(parsed);
    }
    await this.#db.updateTable('organizations').set({ action_registry: stored }).where('id', '=', id).execute();
    return parsed;
  }
}
