// Term patterns: `a b` (all must match), `"a phrase"`, `?a ?b` (any), `-a` (none of). Terms match
// case-sensitively on word boundaries: `ERROR` matches `[ERROR] x` but not `ERRORS`, as in
// CloudWatch (a substring needs `%regex%`). The words only narrow; `test` decides.

/**
 * Words every matching line contains, for a store's full-text index to narrow a search by (each
 * store turns it into its own query: FTS5 MATCH, tsquery, trigrams): a word is a run of letters,
 * digits and marks (WORD_CHARS), to be found as a whole token, case folded; `all` needs each part,
 * `any` one of them. A superset of the matches: the index may find more, never fewer.
 */
export type WordQuery = string | { readonly all: readonly WordQuery[] } | { readonly any: readonly WordQuery[] };

/** What a word is made of (a term's other characters separate words). */
export const WORD_CHARS = '\\p{L}\\p{N}\\p{M}\\p{Co}';

export interface CompiledPattern {
  /** What a full-text index can narrow by; undefined when it cannot (every line must be tested). */
  readonly words: WordQuery | undefined;
  /**
   * Work per character of a tested message, roughly (1: a few string searches; a regex: its
   * program's size / 8): scans add up weight × length and look at their clock when it is large,
   * so that a costly pattern over long lines cannot overrun a page's time budget by much.
   */
  readonly weight: number;
  /**
   * Text every matching message contains, exactly as given (case-sensitive substrings; Logs
   * Insights' `@message like "…"`). Optional for a store to use: it may check them inside its own
   * query (SQLite instr(), PostgreSQL strpos() / a trigram index) before `test`, which decides.
   */
  readonly contains?: readonly string[];
  test(message: string): boolean;
}

export class PatternError extends Error {}

interface Term {
  readonly kind: 'all' | 'any' | 'none';
  readonly text: string;
}

export function termsPattern(text: string): CompiledPattern {
  const terms = parseTerms(text);
  const all = terms.filter((t) => t.kind === 'all').map((t) => t.text);
  const any = terms.filter((t) => t.kind === 'any').map((t) => t.text);
  const none = terms.filter((t) => t.kind === 'none').map((t) => t.text);
  const parts: WordQuery[] = [];
  for (const t of all) {
    const q = termWords(t);
    if (q) parts.push(q);
  }
  const anyQueries = any.map(termWords);
  if (any.length > 0 && anyQueries.every((q) => q !== undefined)) parts.push({ any: anyQueries as WordQuery[] });
  return {
    words: allOf(parts),
    weight: 1,
    test: (m) =>
      all.every((t) => containsTerm(m, t)) &&
      (any.length === 0 || any.some((t) => containsTerm(m, t))) &&
      !none.some((t) => containsTerm(m, t)),
  };
}

function parseTerms(text: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let kind: Term['kind'] = 'all';
    if (text[i] === '?' || text[i] === '-') {
      kind = text[i] === '?' ? 'any' : 'none';
      i++;
    }
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new PatternError(`Unterminated quoted term in filter pattern: ${text}`);
        const c = text[i++]!;
        if (c === '\\' && i < text.length) value += text[i++];
        else if (c === '"') break;
        else value += c;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) value += text[i++];
    }
    if (value !== '') terms.push({ kind, text: value });
  }
  return terms;
}

const TOKEN = new RegExp(`[${WORD_CHARS}]+`, 'gu');
const TOKEN_CHAR = new RegExp(`[${WORD_CHARS}]`, 'u');

/** The words of a term, all needed (an index need keep no positions); undefined if it has none. */
export function termWords(term: string): WordQuery | undefined {
  const tokens = term.match(TOKEN);
  return tokens ? allOf([...new Set(tokens)]) : undefined;
}

/** All of the parts: one part as itself, none as undefined. */
export function allOf(parts: readonly WordQuery[]): WordQuery | undefined {
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { all: parts };
}

function isTokenChar(c: string | undefined): boolean {
  return c !== undefined && TOKEN_CHAR.test(c);
}

/** `term` occurs in `message`, case-sensitively, not glued to a letter or digit on either side. */
export function containsTerm(message: string, term: string): boolean {
  const checkBefore = isTokenChar(term[0]);
  const checkAfter = isTokenChar(term[term.length - 1]);
  for (let at = message.indexOf(term); at >= 0; at = message.indexOf(term, at + 1)) {
    if (checkBefore && isTokenChar(message[at - 1])) continue;
    if (checkAfter && isTokenChar(message[at + term.length])) continue;
    return true;
  }
  return false;
}
