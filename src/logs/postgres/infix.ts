// Text inside words (Logs Insights' `@message like /rare/`, CompiledPattern.contains), found
// through an index: the full-text index (schema.ts (2)) finds whole words only, and "rare" may be
// the middle of "unrarely". A trigram index (the pg_trgm extension) over each block's word list
// finds the blocks having a word that contains each word-piece of the text; the events of those
// blocks are then checked exactly, as for the full-text index.
//
// pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so the database's owner can
// add it; where it cannot be added (a role without CREATE on the database, a server built
// without contrib), the store works as before and such text is found by reading every event.
// The index is kept by PostgreSQL itself as blocks are inserted: the writer does nothing for it.
import type { Postgres } from '../../database/index.js';
import { WORD_CHARS } from '../filter-terms.js';
import { MAX_WORD } from './words.js';

const SETUP = [
  'CREATE EXTENSION IF NOT EXISTS pg_trgm',
  // The block's words as one text (tsvector_to_array is immutable, so an index may use it).
  `CREATE OR REPLACE FUNCTION log_block_text(w tsvector) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT array_to_string(tsvector_to_array(w), ' ') $$`,
  'CREATE INDEX IF NOT EXISTS log_blocks_infix ON log_blocks USING gin (log_block_text(words) gin_trgm_ops)',
];

/** Set the index up (once per database; idempotent). False, and nothing changed, where it cannot be. */
export async function setUpInfixIndex(db: Postgres): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      for (const sql of SETUP) await tx.execute(sql);
    });
    return true;
  } catch {
    return false;
  }
}

const PIECE = new RegExp(`[${WORD_CHARS}]{3,}`, 'gu');
/** A query looks for at most this many pieces (any of them narrows; all of them is only a bit narrower). */
const MAX_PIECES = 4;

/**
 * LIKE patterns over log_block_text(words) that every block holding a message containing all of
 * `texts` matches: each piece of 3 or more word characters lower-cased (as the words are) within
 * %…%. Shorter pieces cannot use a trigram index and are left out. Empty when nothing narrows.
 */
export function infixPatterns(texts: readonly string[] | undefined): string[] {
  const pieces = new Set<string>();
  for (const text of texts ?? []) {
    for (const m of text.matchAll(PIECE)) {
      const piece = m[0].toLowerCase();
      if (piece.length <= MAX_WORD) pieces.add(piece);
    }
  }
  // The longest pieces have the most trigrams: the fewest candidate blocks.
  return [...pieces].sort((a, b) => b.length - a.length).slice(0, MAX_PIECES).map((p) => `%${p}%`);
}
