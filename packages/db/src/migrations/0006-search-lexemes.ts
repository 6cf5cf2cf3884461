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
import type { Kysely } from 'kysely';

import { rewritePostgresSearch } from './search-rewrites';

export async function up(db: Kysely<unknown>): Promise<void> {
  await rewritePostgresSearch(db);
}
