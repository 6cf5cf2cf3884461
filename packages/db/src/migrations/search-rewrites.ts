/**
 * The two ways a migration makes stored full-text documents again from their events' bodies (`searchTextOf`, as
 * ingest makes them), after the search rule changed (`@custody/schema` search-text.ts). Bodies that are not
 * logged events (a damaged database, which `custody check` reports) keep what they had. A second run rewrites
 * nothing new. Only bodies holding a character outside ASCII are decoded: the rule's changes so far touch no ASCII
 * text, and the database skips the others without handing them to JavaScript.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { parseLoggedEvent, searchTextOf } from '@custody/schema';

import { fts5Text } from '../dialect/fts5-text';

/** Rows read per statement. */
const BATCH = 2000;

/**
 * SQLite: the FTS5 entry of each event whose body text `affected` picks, deleted and indexed again (the index is
 * contentless: an entry's words cannot be read back to compare). Does nothing where there is no `events_fts`.
 */
export async function reindexSqliteSearch(db: Kysely<unknown>, affected: (bodyText: string) => boolean): Promise<void> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'events_fts')) return;
  const decoder = new TextDecoder();
  let after = 0;
  for (;;) {
    // Bodies holding a character outside ASCII (`GLOB` classes by character on the text's UTF-8).
    const rows = (
      await sql<{ rowid: number; body: Uint8Array }>`
        SELECT rowid, body FROM events
        WHERE rowid > ${after} AND CAST(body AS TEXT) GLOB '*[^' || char(1) || '-' || char(127) || ']*'
        ORDER BY rowid LIMIT ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) return;
    for (const row of rows) {
      if (!affected(decoder.decode(row.body))) continue;
      const parsed = parseLoggedEvent(row.body);
      if (!parsed.ok) continue;
      await sql`DELETE FROM events_fts WHERE rowid = ${row.rowid}`.execute(db);
      await sql`INSERT INTO events_fts (rowid, text) VALUES (${row.rowid}, ${fts5Text(searchTextOf(parsed.event))})`.execute(db);
    }
    after = (rows[rows.length - 1] as (typeof rows)[number]).rowid;
  }
}

/**
 * Postgres: the `event_search` row of each event whose body holds a character outside ASCII, its words computed
 * again and the row rewritten when they differ from the lexemes stored. Does nothing where there is no `event_search`.
 */
export async function rewritePostgresSearch(db: Kysely<unknown>): Promise<void> {
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
