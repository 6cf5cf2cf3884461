/**
 * 0006: Postgres full-text rows made again from their events' bodies, where Postgres's text-search parser had
 * dropped or split words of the rule.
 *
 * Until now the Postgres dialect stored each document as `to_tsvector('simple', text)` and searched with
 * `to_tsquery('simple', …)`: Postgres parsed the rule's words again with its own parser, which keeps only what
 * the database's locale (`LC_CTYPE`) classes as letters and digits. `²`, `½`, `①` and other numbers that are
 * not decimal digits were dropped (so was every letter a locale does not know), in documents and queries
 * alike, so those words found nothing where SQLite FTS5 found them. The dialect now stores the rule's words
 * as lexemes (`array_to_tsvector`) and queries with tsquery's own text form, which no parser reads.
 *
 * Rows stored before are fixed here: each event whose body holds a character outside ASCII (the parser
 * reads ASCII words as the rule does) has its words computed again from its body (`searchTextOf`, as at
 * ingest), and its row is rewritten only when they differ from the lexemes stored. The others keep their
 * row (with positions, which no query reads). Finding the non-ASCII bodies scans every event with a full-text
 * row, and those bodies are parsed again: on the 2-core benchmark machine, per million events, 5 s when the
 * bodies are ASCII, 9 s when one in ten is not, 42 s when all are not and all are rewritten (docs/operations.md). A body
 * that is not a logged event (a damaged database, which `custody check` reports) keeps its row as it was.
 * A second run finds nothing to rewrite. Servers of the previous version, still running, would go on storing
 * rows through the parser: stop them before migrating. SQLite has no `event_search` table (FTS5 indexed the rule's
 * words, `test/search-fts5.test.ts`): nothing to do there.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { parseLoggedEvent, searchTextOf } from '@custody/schema';

/** Rows read per statement. */
const BATCH = 2000;

export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'event_search')) return;
  let after: { organizationId: string; seq: string } | undefined;
  for (;;) {
    const rows = (
      await sql<{ organization_id: string; seq: string; body: Uint8Array; lexemes: string[] }>`
        SELECT s.organization_id, s.seq::text AS seq, e.body, tsvector_to_array(s.search) AS lexemes
        FROM event_search s
        JOIN events e ON e.organization_id = s.organization_id AND e.seq = s.seq
        WHERE ${after === undefined ? sql`TRUE` : sql`(s.organization_id, s.seq) > (${after.organizationId}, ${after.seq}::bigint)`}
          AND convert_from(e.body, 'UTF8') ~ ${'[^\\x01-\\x7f]'}
        ORDER BY s.organization_id, s.seq
        LIMIT ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) return;
    const changed: { organizationId: string; seq: string; text: string }[] = [];
    for (const row of rows) {
      const parsed = parseLoggedEvent(row.body);
      if (!parsed.ok) continue;
      const text = searchTextOf(parsed.event);
      const words = text === '' ? [] : text.split(' ');
      const stored = new Set(row.lexemes);
      if (words.length !== stored.size || words.some((w) => !stored.has(w))) changed.push({ organizationId: row.organization_id, seq: row.seq, text });
    }
    if (changed.length > 0) {
      await sql`
        UPDATE event_search SET search = array_to_tsvector(string_to_array(v.text, ' '))
        FROM unnest(${changed.map((c) => c.organizationId)}::text[], ${changed.map((c) => c.seq)}::bigint[], ${changed.map((c) => c.text)}::text[])
          AS v(organization_id, seq, text)
        WHERE event_search.organization_id = v.organization_id AND event_search.seq = v.seq`.execute(db);
    }
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = { organizationId: last.organization_id, seq: last.seq };
  }
}
