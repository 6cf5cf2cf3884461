/**
 * What migration 0009 (`search-marks`) costs on a large log: a synthetic table of N events (default 1,000,000) whose
 * bodies are real logged events, a tenth of them with non-ASCII text and a hundredth with Devanagari words (vowel
 * signs and a virama), indexed as the server indexed them before 0009; then the migration, timed, and a check that
 * it found the Devanagari words whole. SQLite always (a file in the temp directory); Postgres too when DATABASE_URL
 * names one (a scratch database of its own, dropped after).
 *
 *   npx tsx packages/db/bench/search-migration.ts [events]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { createLoggedEvent, generateSalt, generateUuidV7, searchTerms, searchTextOf, validateEvent } from '@custody/schema';

import { up as upSearchMarks } from '../src/migrations/0009-search-marks';
import { createTestDatabase, searchTextBefore0009 } from '../src/testing/index';
import type { TDialectName } from '../src/testing/index';
import type { Database } from '../src/schema';

const total = Number(process.argv[2] ?? 1_000_000);
const org = 'org_bench';

function body(i: number): { bytes: Uint8Array; text: string } {
  const name = i % 100 === 0 ? `हिन्दी लेखक ${i}` : i % 10 === 0 ? `Åke Ström ${i}` : `Ada Lovelace ${i}`;
  const checked = validateEvent({
    action: 'user.signed_in', occurred_at: '2026-11-29T12:00:00.000Z', actor: { type: 'user', id: `user_${i % 5000}`, name },
    targets: [{ type: 'account', id: `acct_${i % 300}` }], context: { location: '10.0.0.1', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' },
    metadata: { method: 'password' },
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const logged = createLoggedEvent(checked.event, { organizationId: org, seq: i, id: generateUuidV7(), receivedAt: Date.now(), salt: generateSalt() });
  return { bytes: logged.bytes, text: searchTextBefore0009(searchTextOf(checked.event)) };
}

async function fill(db: Kysely<Database>, dialect: TDialectName): Promise<void> {
  const started = performance.now();
  for (let from = 0; from < total; from += 2000) {
    const rows = Array.from({ length: Math.min(2000, total - from) }, (_, k) => ({ seq: from + k, ...body(from + k) }));
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('events').values(rows.map((r) => ({
        organization_id: org, seq: r.seq, id: `ev_${r.seq}`, action: 'user.signed_in', actor_type: 'user', actor_id: `user_${r.seq % 5000}`, actor_name: null,
        occurred_at: r.seq, received_at: r.seq, ip: '10.0.0.1', ip_key: '00', body: r.bytes,
      }))).execute();
      if (dialect === 'sqlite') {
        const rowids = await trx.selectFrom('events').select(['seq', sql<number>`rowid`.as('rowid')]).where('organization_id', '=', org).where('seq', '>=', from).where('seq', '<', from + rows.length).execute();
        const rowid = new Map(rowids.map((r) => [Number(r.seq), r.rowid]));
        for (let k = 0; k < rows.length; k += 500) {
          const values = rows.slice(k, k + 500).map((r) => sql`(${rowid.get(r.seq) ?? -1}, ${r.text})`);
          await sql`INSERT INTO events_fts (rowid, text) VALUES ${sql.join(values)}`.execute(trx);
        }
      } else {
        await sql`INSERT INTO event_search (organization_id, seq, search)
          SELECT ${org}, v.seq, array_to_tsvector(string_to_array(v.text, ' ')) FROM unnest(${rows.map((r) => r.seq)}::bigint[], ${rows.map((r) => r.text)}::text[]) AS v(seq, text)`.execute(trx);
      }
    });
    if (from % 100_000 === 0) process.stderr.write(`\r  ${dialect}: filled ${from.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`);
  }
  process.stderr.write(`\r  ${dialect}: filled ${total.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

async function measure(dialect: TDialectName): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'custody-migration-bench-'));
  const t = await createTestDatabase(dialect, dialect === 'sqlite' ? { file: join(dir, 'custody.db') } : {});
  try {
    await fill(t.db, dialect);
    const search = async (q: string) =>
      (await t.db.selectFrom('events').select(sql<number>`count(*)`.as('n')).where('organization_id', '=', org).where(t.dialect.matchesSearch(org, searchTerms(q))).executeTakeFirst())?.n;
    const before = { whole: await search('हिन्दी'), piece: await search('ह') };
    const started = performance.now();
    await t.db.transaction().execute((trx) => upSearchMarks(trx as never));
    const seconds = (performance.now() - started) / 1000;
    const after = { whole: await search('हिन्दी'), piece: await search('ह') };
    console.log(`${dialect}: migration 0009 over ${total.toLocaleString('en-US')} events: ${seconds.toFixed(1)} s (${(seconds / (total / 1e6)).toFixed(1)} s per 1,000,000)`);
    console.log(`  'हिन्दी' found ${before.whole} → ${after.whole} events; 'ह' ${before.piece} → ${after.piece} (expected 0 → ${total / 100}; ${total / 100} → 0)`);
  } finally {
    await t.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

await measure('sqlite');
if (process.env.DATABASE_URL?.startsWith('postgres')) await measure('postgres');
