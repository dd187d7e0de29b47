// CloudWatch Logs filter patterns (docs/lambda-contracts.md §4), compiled into two parts:
//  - `words`: words every matching event contains (a superset: an index folds case and keeps no
//    positions), or undefined when an index cannot narrow the search — each log store turns them
//    into its own index's query (sqlite/fts-query.ts);
//  - `test`: the exact check, run on each candidate.
// Forms: `a b` (all terms), `"a phrase"`, `?a ?b` (any), `-a` (none of) — filter-terms.ts;
// `{ $.x = "v" }` — json-pattern.ts; `%regex%` — regex-pattern.ts (RE2 syntax, linear time).
import { compileJsonPattern } from './json-pattern.js';
import { PatternError, termsPattern, type CompiledPattern } from './filter-terms.js';
import { regexPattern } from './regex-pattern.js';

export { PatternError, type CompiledPattern, type WordQuery } from './filter-terms.js';

const MATCH_ALL: CompiledPattern = { words: undefined, weight: 0, test: () => true };

export function compilePattern(source: string | undefined): CompiledPattern {
  const text = (source ?? '').trim();
  if (text === '' || text === '""') return MATCH_ALL;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[')) {
    throw new PatternError('Space-delimited filter patterns ([a, b, …]) are not supported by lambkin; use terms, "phrases" or { JSON } patterns.');
  }
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%')) return regexPattern(text.slice(1, -1));
  return termsPattern(text);
}

