import type { AsyncHashReader, NodeId } from '@custody/ledger';
import type { TExecutor } from '@custody/db';

/** Largest number of ids per SQL statement (well under SQLite's variable limit). */
const CHUNK = 500;

/**
 * Reads an organization's stored hashes for the ledger's plans: level 0 from `leaves`, higher levels
 * from `tree_hashes`, one query per table and chunk. Missing hashes come back `undefined`; the plan
 * turns that into `MISSING_HASH`.
 */
export class DbHashReader implements AsyncHashReader {
  readonly #db: TExecutor;
  readonly #organizationId: string;

  constructor(db: TExecutor, organizationId: string) {
    this.#db = db;
    this.#organizationId = organizationId;
  }

  async readHashes(ids: readonly NodeId[]): Promise<readonly (Uint8Array | undefined)[]> {
    const found = new Map<string, Uint8Array>();
    const leaves: number[] = [];
    const byLevel = new Map<number, number[]>();
    for (const id of ids) {
      if (id.level === 0) leaves.push(Number(id.index));
      else {
        let list = byLevel.get(id.level);
        if (list === undefined) byLevel.set(id.level, (list = []));
        list.push(Number(id.index));
      }
    }
    for (let i = 0; i < leaves.length; i += CHUNK) {
      const rows = await this.#db
        .selectFrom('leaves')
        .select(['seq', 'leaf_hash'])
        .where('organization_id', '=', this.#organizationId)
        .where('seq', 'in', leaves.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) found.set(`0:${r.seq}`, r.leaf_hash);
    }
    for (const [level, indexes] of byLevel) {
      for (let i = 0; i < indexes.length; i += CHUNK) {
        const rows = await this.#db
          .selectFrom('tree_hashes')
          .select(['idx', 'hash'])
          .where('organization_id', '=', this.#organizationId)
          .where('level', '=', level)
          .where('idx', 'in', indexes.slice(i, i + CHUNK))
          .execute();
        for (const r of rows) found.set(`${level}:${r.idx}`, r.hash);
      }
    }
    return ids.map((id) => found.get(`${id.level}:${id.index}`));
  }
}
