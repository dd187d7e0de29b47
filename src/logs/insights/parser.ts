// The query language's grammar, by recursive descent over the lexer's tokens:
//   query   := command ('|' command)*
//   command := fields named, … | display field, … | filter expr | stats named, … [by named, …]
//            | sort expr [asc|desc], … | limit n | dedup expr, … | parse [expr] (string as name, … | regex)
//   named   := expr [as name]
//   expr    := or;  or := and ('or' and)*;  and := not ('and' not)*;  not := 'not' not | compare
//   compare := sum [(= | != | < | <= | > | >= | =~) sum | [not] like sum | [not] in '[' expr, … ']']
//   sum := product (('+'|'-') product)*;  product := power (('*'|'/'|'%') power)*;  power := unary ['^' power]
//   unary := '-' unary | primary;  primary := literal | regex | name | name '(' args ')' | '(' expr ')'
// Function names and argument counts are checked here (functions.ts, aggregates.ts), so that a
// query fails as it is started, with a position, rather than while it runs.
import type { BinaryOp, Command, Expr, Named, ParsePattern, Query, SortKey } from './ast.js';
import { MalformedQueryError, type SourcePos } from './errors.js';
import { DURATION_UNITS, tokenize, type Token } from './lexer.js';
import { checkCall, isAggregateName } from './signatures.js';
import { compileRegex } from './regex.js';
import { parseGlob } from './parse-command.js';

/** Commands with a place in a query (`display` shows, the rest transform). */
const COMMANDS = new Set(['fields', 'display', 'filter', 'stats', 'sort', 'limit', 'dedup', 'parse']);
const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);
/**
 * The deepest an expression may nest (parentheses, operators, calls): evaluation recurses over the
 * tree, so a query of 10,000 `(` or `-` must be refused here, not overflow the stack later.
 */
export const MAX_DEPTH = 100;
/** The most rows a query can give (CloudWatch's own cap). */
export const MAX_RESULT_ROWS = 10_000;

export function parseQuery(query: string): Query {
  const p = new Parser(query, tokenize(query));
  const commands: Command[] = [];
  if (p.peek().kind === 'eof') throw new MalformedQueryError('The query is empty', p.peek().pos);
  for (;;) {
    commands.push(p.command());
    const t = p.next();
    if (t.kind === 'eof') break;
    if (t.kind !== 'pipe') throw p.error(`Expected | or the end of the query, found ${describe(t)}`, t);
  }
  if (commands.filter((c) => c.kind === 'stats').length > 1) {
    const second = p.statsTokens[1]!;
    throw new MalformedQueryError('lambkin runs one stats command per query', second.pos);
  }
  return { commands };
}

class Parser {
  private i = 0;
  readonly statsTokens: Token[] = [];
  private nesting = 0;
  private readonly depths = new WeakMap<Expr, number>();

  constructor(private readonly query: string, private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  error(reason: string, t: Token = this.peek()): MalformedQueryError {
    return new MalformedQueryError(reason, t.pos);
  }

  private isWord(word: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private isOp(op: string, t: Token = this.peek()): boolean {
    return t.kind === 'op' && t.text === op;
  }

  private expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.error(`Expected ${op}, found ${describe(this.peek())}`);
    return this.next();
  }

  command(): Command {
    const t = this.next();
    const name = t.kind === 'ident' ? t.text.toLowerCase() : '';
    if (!COMMANDS.has(name)) {
      throw this.error(`Expected a command (fields, filter, stats, sort, limit, parse, display, dedup), found ${describe(t)}`, t);
    }
    switch (name) {
      case 'fields':
        return { kind: 'fields', items: this.list(() => this.named()) };
      case 'display':
        return { kind: 'display', names: this.list(() => this.fieldName()) };
      case 'filter':
        return { kind: 'filter', expr: this.expr() };
      case 'stats':
        return this.stats(t);
      case 'sort':
        return { kind: 'sort', keys: this.list(() => this.sortKey()) };
      case 'limit':
        return { kind: 'limit', count: this.limitCount() };
      case 'dedup':
        return { kind: 'dedup', fields: this.list(() => this.expr()) };
      default:
        return this.parse();
    }
  }

  private list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.isOp(',')) {
      this.next();
      items.push(item());
    }
    return items;
  }

  private named(): Named {
    const expr = this.expr();
    if (this.isWord('as')) {
      this.next();
      return { expr, name: this.fieldName() };
    }
    return { expr, name: expr.kind === 'field' ? expr.name : expr.text };
  }

  private fieldName(): string {
    const t = this.next();
    if (t.kind !== 'ident') throw this.error(`Expected a field name, found ${describe(t)}`, t);
    return t.text;
  }

  private stats(at: Token): Command {
    this.statsTokens.push(at);
    const aggregates = this.list(() => this.named());
    for (const a of aggregates) if (!containsAggregate(a.expr)) throw new MalformedQueryError(`${a.expr.text} is not an aggregation (count, sum, avg, pct, …)`, a.expr.pos);
    let by: Named[] = [];
    if (this.isWord('by')) {
      this.next();
      by = this.list(() => this.named());
      for (const b of by) if (containsAggregate(b.expr)) throw new MalformedQueryError(`An aggregation cannot be grouped by: ${b.expr.text}`, b.expr.pos);
    }
    return { kind: 'stats', aggregates, by };
  }

  private sortKey(): SortKey {
    const expr = this.expr();
    if (this.isWord('desc') || this.isWord('asc')) return { expr, desc: this.next().text.toLowerCase() === 'desc' };
    return { expr, desc: false };
  }

  private limitCount(): number {
    const t = this.next();
    const n = Number(t.text);
    if (t.kind !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RESULT_ROWS) {
      throw this.error(`limit takes a whole number from 1 to ${MAX_RESULT_ROWS}, found ${describe(t)}`, t);
    }
    return n;
  }

  private parse(): Command {
    const starts = this.peek().kind === 'string' || this.peek().kind === 'regex';
    const source: Expr = starts ? { kind: 'field', name: '@message', text: '@message', pos: this.peek().pos } : this.sum();
    const t = this.next();
    let pattern: ParsePattern;
    if (t.kind === 'regex') {
      const re = compileRegex(t.text, t.pos);
      const names = Object.keys(re.namedGroups());
      if (names.length === 0) throw this.error('A parse regular expression names what it extracts: (?<name>…)', t);
      pattern = { kind: 'regex', re, names };
    } else if (t.kind === 'string') {
      const parts = parseGlob(t.text);
      if (!this.isWord('as')) throw this.error(`Expected as after the parse pattern, found ${describe(this.peek())}`);
      this.next();
      const names = this.list(() => this.fieldName());
      if (names.length !== parts.length - 1) {
        throw this.error(`The parse pattern has ${parts.length - 1} * but ${names.length} names follow as`, t);
      }
      pattern = { kind: 'glob', parts, names };
    } else throw this.error(`Expected a "pattern with *" or a /regular expression/ to parse with, found ${describe(t)}`, t);
    return { kind: 'parse', source, pattern };
  }

  expr(): Expr {
    this.enter();
    try {
      return this.or();
    } finally {
      this.nesting--;
    }
  }

  /** One level deeper in the parser's own recursion (parentheses, not, unary minus, ^, calls). */
  private enter(): void {
    if (++this.nesting > MAX_DEPTH) throw this.error(`The query nests more than ${MAX_DEPTH} levels deep`);
  }

  /** An expression built from `children`: refused when the tree gets deeper than MAX_DEPTH. */
  private built<E extends Expr>(e: E, ...children: Expr[]): E {
    const depth = 1 + Math.max(0, ...children.map((c) => this.depths.get(c) ?? 1));
    if (depth > MAX_DEPTH) throw new MalformedQueryError(`The query nests more than ${MAX_DEPTH} levels deep`, e.pos);
    this.depths.set(e, depth);
    return e;
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('or')) {
      this.next();
      left = this.binary('or', left, this.and());
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('and')) {
      this.next();
      left = this.binary('and', left, this.not());
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('not') && !this.isWord('like', this.peek(1)) && !this.isWord('in', this.peek(1))) {
      const t = this.next();
      this.enter();
      const arg = this.not();
      this.nesting--;
      return this.built({ kind: 'unary', op: 'not', arg, ...this.span(t.pos, arg) }, arg);
    }
    return this.compare();
  }

  private compare(): Expr {
    const left = this.sum();
    const t = this.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.next();
      return this.binary(t.text as BinaryOp, left, this.sum());
    }
    if (this.isOp('=~')) {
      this.next();
      const pattern = this.sum();
      return this.built({ kind: 'like', arg: left, pattern, negated: false, ...this.span(left.pos, pattern) }, left, pattern);
    }
    const negated = this.isWord('not') && (this.isWord('like', this.peek(1)) || this.isWord('in', this.peek(1)));
    if (negated) this.next();
    if (this.isWord('like')) {
      this.next();
      const pattern = this.sum();
      if (pattern.kind !== 'literal' && pattern.kind !== 'regex') throw new MalformedQueryError('like takes a "string" or a /regular expression/', pattern.pos);
      return this.built({ kind: 'like', arg: left, pattern, negated, ...this.span(left.pos, pattern) }, left, pattern);
    }
    if (this.isWord('in')) {
      this.next();
      this.expectOp('[');
      const list = this.isOp(']') ? [] : this.list(() => this.sum());
      const close = this.expectOp(']');
      return this.built({ kind: 'in', arg: left, list, negated, ...this.span(left.pos, close.pos) }, left, ...list);
    }
    if (negated) throw this.error(`Expected like or in after not, found ${describe(this.peek())}`);
    return left;
  }

  private sum(): Expr {
    let left = this.product();
    while (this.isOp('+') || this.isOp('-')) left = this.binary(this.next().text as BinaryOp, left, this.product());
    return left;
  }

  private product(): Expr {
    let left = this.power();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) left = this.binary(this.next().text as BinaryOp, left, this.power());
    return left;
  }

  private power(): Expr {
    const base = this.unary();
    if (!this.isOp('^')) return base;
    this.next();
    this.enter();
    const exponent = this.power();
    this.nesting--;
    return this.binary('^', base, exponent);
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      const t = this.next();
      this.enter();
      const arg = this.unary();
      this.nesting--;
      if (arg.kind === 'literal' && typeof arg.value === 'number') return { ...arg, value: -arg.value, ...this.span(t.pos, arg) };
      return this.built({ kind: 'unary', op: '-', arg, ...this.span(t.pos, arg) }, arg);
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'literal', value: Number(t.text), text: t.text, pos: t.pos };
      case 'string':
        return { kind: 'literal', value: t.text, text: this.query.slice(t.pos.start, t.pos.end), pos: t.pos };
      case 'duration': {
        const [, n, unit] = /^([\d.eE+-]+)([a-z]+)$/i.exec(t.text)!;
        return { kind: 'duration', ms: Number(n) * DURATION_UNITS[unit!]!, text: t.text, pos: t.pos };
      }
      case 'regex':
        return { kind: 'regex', re: compileRegex(t.text, t.pos), source: t.text, text: `/${t.text}/`, pos: t.pos };
      case 'ident':
        return this.isOp('(') ? this.call(t) : { kind: 'field', name: t.text, text: t.text, pos: t.pos };
      case 'op':
        if (t.text === '(') {
          const inner = this.expr();
          const close = this.expectOp(')');
          return this.built({ ...inner, ...this.span(t.pos, close.pos) }, inner);
        }
    }
    throw this.error(`Expected a value, a field or a function, found ${describe(t)}`, t);
  }

  private call(name: Token): Expr {
    this.expectOp('(');
    const args: Expr[] = [];
    let star = false;
    if (this.isOp('*') && this.isOp(')', this.peek(1))) {
      this.next();
      star = true;
    } else if (!this.isOp(')')) args.push(...this.list(() => this.expr()));
    const close = this.expectOp(')');
    const expr: Expr = { kind: 'call', name: name.text.toLowerCase(), args, star, ...this.span(name.pos, close.pos) };
    checkCall(expr);
    return this.built(expr, ...args);
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): Expr {
    return this.built({ kind: 'binary', op, left, right, ...this.span(left.pos, right) }, left, right);
  }

  /** The query's text from `from` to the end of `to`, whitespace collapsed, and where it is. */
  private span(from: SourcePos, to: Expr | SourcePos): { text: string; pos: SourcePos } {
    const end = 'kind' in to ? to.pos.end : to.end;
    return { text: this.query.slice(from.start, end).replace(/\s+/g, ' '), pos: { ...from, end } };
  }
}

export function containsAggregate(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return isAggregateName(e.name) || e.args.some(containsAggregate);
    case 'unary':
      return containsAggregate(e.arg);
    case 'binary':
      return containsAggregate(e.left) || containsAggregate(e.right);
    case 'like':
      return containsAggregate(e.arg);
    case 'in':
      return containsAggregate(e.arg) || e.list.some(containsAggregate);
    default:
      return false;
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the query';
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'regex') return `/${t.text}/`;
  return t.text;
}
