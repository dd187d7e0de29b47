// Regular expressions in queries (`like /…/`, `=~`, `parse … /…/`, replace's pattern) go through
// re2js, as filter patterns do (../regex-pattern.ts): time linear in the line, whatever the pattern.
// A query runs in the background with a time limit, so its regexes may be larger than a filter
// pattern's; MAX_QUERY_PROGRAM still bounds one test.
import { RE2JS } from 're2js';
import { MalformedQueryError, type SourcePos } from './errors.js';

export const MAX_QUERY_PROGRAM = 2000;

export function compileRegex(source: string, pos: SourcePos): RE2JS {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw new MalformedQueryError(`Invalid regular expression /${source}/: ${(err as Error).message}`, pos);
  }
  if (re.programSize() > MAX_QUERY_PROGRAM) {
    throw new MalformedQueryError(`The regular expression is too complex (${re.programSize()} instructions, at most ${MAX_QUERY_PROGRAM})`, pos);
  }
  return re;
}
