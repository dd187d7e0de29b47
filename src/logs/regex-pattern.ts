// `%regex%` filter patterns, matched by re2js (a JavaScript port of RE2): time linear in the
// message, whatever the pattern — V8's backtracking RegExp took 13.8 s on `^a{9}(a+)+$` over 41
// characters. Linear is not small: RE2 steps through its program once per character, so the cost
// of one test is about (program size × message length). MAX_PROGRAM caps the first factor (the
// second is capped at 256 KB by the writer), which bounds one test at a few hundred ms on the
// most hostile pattern and longest line; the scans check their clock by that weight (see
// `weight`), so a page stops soon after its budget. CloudWatch's own subset (no groups, a few
// operators) compiles to a few dozen instructions; RE2 syntax is a superset of it.
import { RE2JS } from 're2js';
import { PatternError, type CompiledPattern } from './filter-terms.js';

/** The largest RE2 program a filter pattern may compile to (an IPv4 pattern is 25, a UUID 38). */
export const MAX_PROGRAM = 100;

export function regexPattern(body: string): CompiledPattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(body);
  } catch (err) {
    throw new PatternError(`Invalid regular expression in filter pattern: ${(err as Error).message}`);
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM) {
    throw new PatternError(`The regular expression in the filter pattern is too complex (${size} instructions, at most ${MAX_PROGRAM}); use fewer or smaller repetitions.`);
  }
  return { words: undefined, weight: Math.max(1, Math.ceil(size / 8)), test: (m) => re.test(m) };
}
