/**
 * 0008: SQLite full-text entries made again for events whose text is not in Unicode NFC.
 *
 * Since 2026-11-28 the search rule puts text in NFC before splitting it into words (`@custody/schema`
 * search-text.ts), in documents and queries alike: `Cafe\u0301` (an `e` and a combining acute) is the word
 * `café`. Entries indexed before were split at the combining mark (`cafe`), so a search for `café` missed those
 * events and one for `cafe` found them. On Postgres, migration 0006 made the words of every event with
 * non-ASCII text again from its body. On SQLite the FTS5 index is contentless (its words cannot be read per
 * event), so each event whose body is not in NFC gets its entry deleted and indexed again from its body
 * (`searchTextOf`, as at ingest). Text typed precomposed, which is most text, is in NFC and left alone; so is
 * every ASCII body, which SQLite's `GLOB` skips without decoding it in JavaScript. A body that is not a logged
 * event (a damaged database, which `custody check` reports) keeps its entry. A second run rewrites the same
 * entries with the same words. Cost: 3.4 s per 1,000,000 events of which a tenth hold non-ASCII text (the 2-core
 * benchmark machine). Postgres has no `events_fts` table: nothing to do there.
 */
import type { Kysely } from 'kysely';

import { reindexSqliteSearch } from './search-rewrites';

export async function up(db: Kysely<unknown>): Promise<void> {
  await reindexSqliteSearch(db, (text) => text.normalize('NFC') !== text);
}
