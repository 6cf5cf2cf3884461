/**
 * 0009: full-text documents made again for events whose text holds combining marks.
 *
 * Until 0009 (2026-11-28) the search rule split words at every combining mark (`@custody/schema` search-text.ts, step 4):
 * a vowel sign or a virama with no precomposed form (most Indic scripts, Thai, Hebrew points) cut a word into
 * pieces, so `हिन्दी` was indexed and searched as `ह`, `न`, `द`, and matched every event holding those three letters
 * anywhere. Marks are now part of words, and so are the New Tai Lue and Vedic letters of `SEARCH_SEPARATORS`, at
 * which the rule also split. On SQLite each event whose body, in NFC, holds one of them has its FTS5 entry indexed
 * again from its body, FTS5 given those characters as private-use ones (`fts5Text`); on Postgres every row whose
 * words now differ from its lexemes is rewritten (as 0006 does). Bodies that are all ASCII are skipped by the
 * database. Cost on the 2-core benchmark machine: docs/operations.md, *Upgrading*. Stop servers of the previous
 * version before migrating: they would go on indexing the old words.
 */
import type { Kysely } from 'kysely';

import { holdsFts5Splitter } from '../dialect/fts5-text';
import { reindexSqliteSearch, rewritePostgresSearch } from './search-rewrites';

export async function up(db: Kysely<unknown>): Promise<void> {
  // NFC: a body may hold a letter whose NFC form has a mark (`क़` U+0958 is `क` and a nukta).
  await reindexSqliteSearch(db, (text) => holdsFts5Splitter(text.normalize('NFC')));
  await rewritePostgresSearch(db);
}
