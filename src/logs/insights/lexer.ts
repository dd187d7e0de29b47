// The query language's tokens, each with its place in the query (line, column, offsets) for error
// messages. A `/` starts a regex where an operand is expected (after `like`, `=~`, `(`, `,` …) and
// divides after one (a field, a number, `)`); `#` starts a comment to the end of the line.
import { MalformedQueryError, type SourcePos } from './errors.js';

export type TokenKind = 'ident' | 'number' | 'duration' | 'string' | 'regex' | 'op' | 'pipe' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** ident: the name (backquotes removed); string/regex: the body; number/duration: as written; op: the operator. */
  readonly text: string;
  readonly pos: SourcePos;
}

/** A time span such as `5m`: its number and unit. */
export const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000, w: 604_800_000,
};

const OPERATORS = ['!=', '<=', '>=', '=~', '=', '<', '>', '+', '-', '*', '/', '%', '^', '(', ')', ',', '[', ']'];
const OPERAND_END: ReadonlySet<TokenKind> = new Set(['ident', 'number', 'duration', 'string', 'regex']);
/** Words after which a `/` starts a regex even though they lex as identifiers. */
const REGEX_AFTER_WORDS = new Set(['like', 'not', 'and', 'or', 'in', 'by', 'parse', 'filter', 'as']);

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  const lineStarts = [0];
  for (let i = 0; i < query.length; i++) if (query[i] === '\n') lineStarts.push(i + 1);
  const posOf = (start: number, end: number): SourcePos => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= start) line++;
    return { start, end, line: line + 1, column: start - lineStarts[line]! + 1 };
  };
  const fail = (reason: string, start: number, end = start + 1): never => {
    throw new MalformedQueryError(reason, posOf(start, end));
  };
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    const start = i;
    const push = (kind: TokenKind, text: string) => tokens.push({ kind, text, pos: posOf(start, i) });
    if (c === '|') {
      i++;
      push('pipe', '|');
    } else if (c === '"' || c === "'") {
      let body = '';
      i++;
      for (;;) {
        if (i >= query.length) fail('Unterminated string', start);
        const ch = query[i++]!;
        if (ch === c) break;
        if (ch === '\\' && i < query.length) {
          const next = query[i++]!;
          body += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        } else body += ch;
      }
      push('string', body);
    } else if (c === '`') {
      const close = query.indexOf('`', i + 1);
      if (close < 0) fail('Unterminated quoted field name', start);
      i = close + 1;
      push('ident', query.slice(start + 1, close));
    } else if (c === '/' && regexAllowed(tokens)) {
      let body = '';
      i++;
      for (;;) {
        if (i >= query.length || query[i] === '\n') fail('Unterminated regular expression', start);
        const ch = query[i++]!;
        if (ch === '/') break;
        // `\/` is a slash inside the regex; every other escape is the regex's own.
        if (ch === '\\' && query[i] === '/') body += query[i++];
        else if (ch === '\\' && i < query.length) body += ch + query[i++]!;
        else body += ch;
      }
      push('regex', body);
    } else if (isDigit(c) || (c === '.' && isDigit(query[i + 1]))) {
      while (isDigit(query[i]) || query[i] === '.') i++;
      if ((query[i] === 'e' || query[i] === 'E') && (isDigit(query[i + 1]) || ((query[i + 1] === '-' || query[i + 1] === '+') && isDigit(query[i + 2])))) {
        i += 2;
        while (isDigit(query[i])) i++;
      }
      const number = query.slice(start, i);
      if (!Number.isFinite(Number(number))) fail(`Invalid number ${number}`, start, i);
      if (isLetter(query[i])) {
        const unitStart = i;
        while (isLetter(query[i])) i++;
        const unit = query.slice(unitStart, i);
        if (!(unit in DURATION_UNITS)) fail(`Unknown time unit ${unit} (use ms, s, m, h, d or w)`, unitStart, i);
        push('duration', query.slice(start, i));
      } else push('number', number);
    } else if (isIdentStart(c)) {
      i++;
      while (i < query.length && (isIdentPart(query[i]!) || (query[i] === '.' && isIdentPart(query[i + 1] ?? '')))) i++;
      push('ident', query.slice(start, i));
    } else {
      const op = OPERATORS.find((o) => query.startsWith(o, i));
      if (!op) fail(`Unexpected character ${JSON.stringify(c)}`, start);
      i += op!.length;
      push('op', op!);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: posOf(query.length, query.length) });
  return tokens;
}

function regexAllowed(before: readonly Token[]): boolean {
  const prev = before[before.length - 1];
  if (!prev) return true;
  // `parse @message /…/`: the field to parse is followed by the pattern.
  const beforePrev = before[before.length - 2];
  if (prev.kind === 'ident' && beforePrev?.kind === 'ident' && beforePrev.text.toLowerCase() === 'parse') return true;
  if (prev.kind === 'ident') return REGEX_AFTER_WORDS.has(prev.text.toLowerCase());
  if (prev.kind === 'op') return prev.text !== ')' && prev.text !== ']';
  return !OPERAND_END.has(prev.kind);
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isIdentStart = (c: string) => isLetter(c) || c === '_' || c === '@' || c === '$';
const isIdentPart = (c: string) => isLetter(c) || isDigit(c) || c === '_' || c === '@' || c === '$';
