// A filter pattern's words (../filter-terms.ts, WordQuery) as an FTS5 MATCH query over the
// index of message blocks (schema.ts): each word a quoted string (FTS5's unicode61 tokenizer folds
// case and diacritics as the words assume), parts parenthesised so that FTS5's precedence
// (NOT > AND > OR) cannot regroup them.
import type { WordQuery } from '../filter-terms.js';

export function ftsQuery(words: WordQuery | undefined): string | undefined {
  return words === undefined ? undefined : render(words);
}

function render(q: WordQuery): string {
  if (typeof q === 'string') return `"${q.replaceAll('"', '""')}"`;
  const [parts, op] = 'all' in q ? [q.all, ' AND '] : [q.any, ' OR '];
  return parts.map((p) => (typeof p === 'string' ? render(p) : `(${render(p)})`)).join(op);
}
