/**
 * 0005: full-text words stored before the rule folded to FTS5's forms (`@custody/schema` search-text.ts, step 3), rewritten
 * to the new forms, so that queries normalized the new way find them: `οδος` (final sigma) becomes `οδοσ`,
 * `µ` becomes `μ`, and a word holding one of `SEARCH_SEPARATORS` becomes its pieces.
 *
 * Postgres only, where the rows of `event_search` hold the words as the server sent them. SQLite has no
 * such table: FTS5's tokenizer applied the same folding and splitting when it indexed each document (that
 * is where the rule comes from), so its index holds the new forms already (test/search-fts5.test.ts checks
 * it). The migration acts on `event_search` where the table exists, and does nothing elsewhere.
 *
 * Only rows holding a character to fold are rewritten (one statement: all or nothing, inside the
 * migration's transaction), each lexeme mapped by `translate` and split at the spaces it gets, with its
 * positions and weights kept; the text form is rebuilt with its quotes and backslashes escaped, and
 * parsing it merges lexemes that became equal (`οδος`, `οδοσ`: one lexeme, both positions). A second run
 * finds no such row and changes nothing. Finding them reads every row of `event_search` (minutes on a
 * large log). Known limit: a stored word that was cut at `MAX_SEARCH_WORD_LENGTH` before a separator loses
 * the piece after it (only for 100-character words of New Tai Lue or Vedic signs).
 *
 * `event_search` has no append-only trigger (0001 puts those on the log, the events and their targets
 * and metadata, not on this index, which a retention purge deletes from and which holds nothing the log
 * proves), so the update needs none disabled. Were one added, this migration would fail and roll back
 * rather than pass it by. Stop servers of the previous version before migrating: they would go on
 * storing the old forms.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import { SEARCH_FOLDS, SEARCH_SEPARATORS } from '@custody/schema';

export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'event_search')) return;
  const separators = SEARCH_SEPARATORS.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, i) => String.fromCodePoint(first + i)));
  const from = SEARCH_FOLDS.map(([f]) => f).join('') + separators.join('');
  const to = SEARCH_FOLDS.map(([, t]) => t).join('') + ' '.repeat(separators.length);
  // tsvector's text form quotes each lexeme, doubling its quotes and backslashes (chr(92), whatever
  // standard_conforming_strings says): 'it''s', 'a\\b'; then its positions, each with its weight (A-C;
  // D is the default and not written): `'word':1,3A`.
  await sql`
    UPDATE event_search SET search = (
      SELECT coalesce(string_agg(
        '''' || replace(replace(word, chr(92), chr(92) || chr(92)), '''', '''''') || '''' || coalesce(':' || (
          SELECT string_agg(p::text || CASE w WHEN 'D' THEN '' ELSE w END, ',')
          FROM unnest(entry.positions, entry.weights) AS x(p, w)
        ), ''),
        ' '), '')::tsvector
      FROM unnest(search) AS entry(lexeme, positions, weights)
      CROSS JOIN LATERAL regexp_split_to_table(translate(entry.lexeme, ${from}, ${to}), ' ') AS word
      WHERE word <> ''
    )
    WHERE search::text ~ ${`[${from}]`}`.execute(db);
}
