// Text inside words (Logs Insights' `@message like /rare/`, CompiledPattern.contains), found
// through an index: the full-text index (schema.ts (2)) finds whole words only, and "rare" may be
// the middle of "unrarely". A trigram index (the pg_trgm extension) over each block's word list
// finds the blocks having a word that contains each word-piece of the text; the events of those
// blocks are then checked exactly, as for the full-text index.
//
// The trigram index is filled after the blocks are written, while the node's writer is idle, as
// the SQLite store does (../sqlite/infix-index.ts): kept up by every insert it cost the database
// about a third of its CPU per logged hello invocation (~20 µs; docs/performance.md). Each block
// up to log_infix_upto has its words in log_block_infix (first_id, as log_blocks'); a read asks
// the index for the blocks up to there, and checks the words of the rest (normally the last
// seconds') in SQL — the same answers either way. Blocks commit in id order (schema.ts (1)), so
// the indexer never passes a block still to be committed.
//
// pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so the database's owner can
// add it; where it cannot be added (a role without CREATE on the database, a server built
// without contrib), the store works as before and such text is found by reading every event.
import type { Postgres } from '../../database/index.js';
import { WORD_CHARS } from '../filter-terms.js';
import { MAX_WORD } from './words.js';

const SETUP = [
  'CREATE EXTENSION IF NOT EXISTS pg_trgm',
  // The block's words as one text (tsvector_to_array is immutable, so an index may use it).
  `CREATE OR REPLACE FUNCTION log_block_text(w tsvector) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT array_to_string(tsvector_to_array(w), ' ') $$`,
  // Before it was filled while idle, the index was on log_blocks itself.
  'DROP INDEX IF EXISTS log_blocks_infix',
  // A purged block's row goes with it (retention, deleted groups).
  `CREATE TABLE IF NOT EXISTS log_block_infix (
     first_id BIGINT PRIMARY KEY REFERENCES log_blocks (first_id) ON DELETE CASCADE,
     group_id BIGINT NOT NULL,
     words    TEXT NOT NULL
   )`,
  'CREATE INDEX IF NOT EXISTS log_block_infix_words ON log_block_infix USING gin (words gin_trgm_ops)',
  `CREATE TABLE IF NOT EXISTS log_infix_upto (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), upto BIGINT NOT NULL)`,
  'INSERT INTO log_infix_upto (upto) VALUES (0) ON CONFLICT DO NOTHING',
];

/** Blocks indexed per statement of the indexer. */
const CHUNK = 256;

/**
 * Index the next CHUNK blocks past log_infix_upto (a block without words, too many to index, is
 * passed: it is always a candidate). Several nodes may run it at once: a block indexed twice is
 * left as it was, and the mark never goes back.
 */
const CATCH_UP = `WITH b AS (SELECT first_id, group_id, words FROM log_blocks WHERE first_id > (SELECT upto FROM log_infix_upto)
                             ORDER BY first_id LIMIT ${CHUNK}),
  i AS (INSERT INTO log_block_infix (first_id, group_id, words) SELECT first_id, group_id, log_block_text(words) FROM b
        WHERE words IS NOT NULL ON CONFLICT (first_id) DO NOTHING),
  u AS (UPDATE log_infix_upto SET upto = greatest(upto, (SELECT max(first_id) FROM b)) WHERE EXISTS (SELECT 1 FROM b))
SELECT count(*)::int AS n FROM b`;

/** Index blocks written since the last call; true once every committed block is. */
export async function indexBlocks(db: Postgres): Promise<boolean> {
  const [row] = await db.query<{ n: number }>(CATCH_UP);
  return row!.n < CHUNK;
}

/**
 * The condition on log_blocks (its columns unqualified) that every block holding a message
 * containing all of `likes` (infixPatterns'; `param(like)` names each as a parameter) meets: found
 * by the index up to where it has got, by its words after that.
 */
export function infixCondition(likes: readonly string[], group: string, param: (like: string) => string): string {
  const ps = likes.map(param);
  return `(first_id IN (SELECT first_id FROM log_block_infix WHERE group_id = ${group} AND ${ps.map((p) => `words LIKE ${p}`).join(' AND ')})
    OR (first_id > (SELECT upto FROM log_infix_upto) AND ${ps.map((p) => `log_block_text(words) LIKE ${p}`).join(' AND ')}))`;
}

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
