// Text inside words (Logs Insights' `@message like /rare/`, CompiledPattern.contains), found
// through an index: the full-text index (schema.ts (2)) finds whole words only, and "rare" may be
// the middle of "unrarely"; without this, such a query reads every event of the range (instr()
// over a million messages: ~300 ms at best). log_infix is an FTS5 trigram index with one row per
// block (rowid = the block's first event id, as log_fts), so a text of 3 or more characters finds
// the blocks holding all of its trigrams; their events are then checked exactly.
//
// Trigrams cost several times what words do to index (~5 µs per event here), too much for the
// writer, which runs on the invoke path's thread and whose cost per invocation is at the edge of
// its target (docs/performance.md). So blocks are indexed after they are written, while the store
// is idle (no batch for IDLE_MS), a slice at a time; `upto` says how far the index has got. A read
// uses the index for the blocks up to there and checks the rest (normally the last seconds'
// events) in SQL, as before: the answers are the same either way, only their speed differs.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';

/** Blocks indexed per statement of the indexer (it looks at its clock in between). */
const CHUNK = 32;
/** A query looks for at most this many of its text's trigrams (spread over it): enough to be rare. */
const MAX_TRIGRAMS = 12;

export class InfixIndex {
  private readonly s: ReturnType<typeof statements>;
  private indexed: number;

  /** `messages(group, first, last)`: the text of a block's events (stored and kept lines). */
  constructor(private readonly db: LogDatabase, private readonly messages: (group: number, first: number, last: number) => string) {
    this.s = statements(db);
    this.indexed = this.s.upto.get() as number;
  }

  /** Every block whose first event id is at most this is indexed. */
  get upto(): number {
    return this.indexed;
  }

  /** Index blocks written since the last call, for up to `ms`; true once every block is. */
  catchUp(ms: number): boolean {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const blocks = this.s.next.all(this.indexed, CHUNK) as { first_id: number; group_id: number; last_id: number }[];
      if (blocks.length === 0) return true;
      this.db.transaction(() => {
        for (const b of blocks) this.s.index.run(b.first_id, this.messages(b.group_id, b.first_id, b.last_id));
        this.indexed = blocks[blocks.length - 1]!.first_id;
        this.s.setUpto.run(this.indexed);
      })();
    }
    return false;
  }

  /** A group's candidate blocks for `query` (infixQuery's), first id in [from, upto], in order. */
  candidates(query: string, group: number, from: number, before: number): IterableIterator<{ first: number; last: number }> {
    return this.s.candidates.iterate({ query, group, from, to: Math.min(this.indexed, before - 1) }) as IterableIterator<{ first: number; last: number }>;
  }

  /** Forget purged blocks (the retention sweep). */
  unindex(firstId: number): void {
    this.s.unindex.run(firstId);
  }
}

/**
 * The FTS5 query finding blocks that may hold a message containing every one of `texts`: their
 * trigrams, all needed (detail=none has no phrases; the exact check follows). Undefined when no
 * text has 3 characters (a trigram index cannot narrow by less).
 */
export function infixQuery(texts: readonly string[] | undefined): string | undefined {
  const grams = new Set<string>();
  for (const text of texts ?? []) {
    const chars = Array.from(text);
    const all: string[] = [];
    for (let i = 0; i + 3 <= chars.length; i++) all.push(chars.slice(i, i + 3).join(''));
    const step = Math.max(1, Math.ceil(all.length / MAX_TRIGRAMS));
    for (let i = 0; i < all.length; i += step) grams.add(all[i]!);
    if (all.length > 0) grams.add(all[all.length - 1]!);
  }
  if (grams.size === 0) return undefined;
  return [...grams].map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ');
}

function statements(db: LogDatabase): Record<string, Database.Statement> {
  return {
    upto: db.prepare('SELECT upto FROM log_infix_state').pluck(),
    setUpto: db.prepare('UPDATE log_infix_state SET upto = ?'),
    next: db.prepare('SELECT first_id, group_id, last_id FROM log_blocks WHERE first_id > ? ORDER BY first_id LIMIT ?'),
    index: db.prepare('INSERT INTO log_infix (rowid, messages) VALUES (?, ?)'),
    unindex: db.prepare('DELETE FROM log_infix WHERE rowid = ?'),
    // CROSS JOIN keeps the trigram index as the outer loop: it yields blocks in id order.
    candidates: db.prepare(`SELECT log_infix.rowid AS first, b.last_id AS last FROM log_infix CROSS JOIN log_blocks b ON b.first_id = log_infix.rowid
                            WHERE log_infix MATCH @query AND log_infix.rowid >= @from AND log_infix.rowid <= @to AND b.group_id = @group
                            ORDER BY log_infix.rowid`),
  };
}
