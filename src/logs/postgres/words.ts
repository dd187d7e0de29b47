// The full-text side of the PostgreSQL log store (schema.ts (2)): a block's words as they go into
// its tsvector, and a filter pattern's words (../filter-terms.ts, WordQuery) as a tsquery over
// them. Both sides cut words the same way — runs of WORD_CHARS, lower-cased by JavaScript — so a
// word of a pattern is found exactly when a message has it as a token (the index is a superset of
// the matches; filter-pattern.ts's test decides).
import { WORD_CHARS, type WordQuery } from '../filter-terms.js';

const SEPARATORS = new RegExp(`[^${WORD_CHARS}]+`, 'u');
/** Longer words are not indexed (a tsvector's lexeme holds < 2 KB); a pattern's longer word narrows nothing. */
export const MAX_WORD = 256;
/** A block's words beyond this many characters are not indexed: the block is always a candidate (a tsvector holds < 1 MB). */
const MAX_BLOCK_WORDS_CHARS = 256 * 1024;

/** Collects one block's distinct words. */
export class BlockWords {
  private readonly words = new Set<string>();
  private chars = 0;

  add(message: string): void {
    if (this.chars > MAX_BLOCK_WORDS_CHARS) return;
    // split, not matchAll: no match object per word (this runs on the server's thread).
    for (const w of message.split(SEPARATORS)) {
      if (w.length === 0 || w.length > MAX_WORD) continue;
      const lower = w.toLowerCase();
      if (this.words.has(lower)) continue;
      this.words.add(lower);
      this.chars += lower.length + 1;
    }
  }

  /** The words, space-separated (the SQL splits them), or null when there were too many to index. */
  text(): string | null {
    return this.chars > MAX_BLOCK_WORDS_CHARS ? null : [...this.words].join(' ');
  }
}

/** The tsquery text finding candidate blocks, or undefined when the words cannot narrow. */
export function tsQuery(words: WordQuery | undefined): string | undefined {
  return words === undefined ? undefined : render(words);
}

function render(q: WordQuery): string | undefined {
  if (typeof q === 'string') {
    // A word is letters, digits and marks only: no quote or backslash to escape.
    const lower = q.toLowerCase();
    return lower.length === 0 || lower.length > MAX_WORD || /[^\p{L}\p{N}\p{M}\p{Co}]/u.test(lower) ? undefined : `'${lower}'`;
  }
  if ('all' in q) {
    // All of them: the parts that can narrow still do.
    const parts = q.all.map(render).filter((p): p is string => p !== undefined);
    return parts.length === 0 ? undefined : parts.map((p) => `(${p})`).join(' & ');
  }
  // Any of them: one part that cannot narrow means no narrowing.
  const parts = q.any.map(render);
  return parts.some((p) => p === undefined) ? undefined : parts.map((p) => `(${p})`).join(' | ');
}
