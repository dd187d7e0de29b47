// JSON filter patterns: `{ $.level = "ERROR" }`, `{ $.latency > 500 && ($.user.id != "x*" || $.ok IS FALSE) }`.
// The event's JSON is the whole message, or — for runtime-formatted lines such as Node's
// `<time>\t<request id>\tINFO\t{"a":1}` — the text from its first `{`.
// Comparisons: = != (strings, `*` wildcard; numbers), < > <= >= (numbers), IS TRUE|FALSE|NULL,
// NOT EXISTS. A comparison on a missing field is false (except NOT EXISTS).
import { PatternError, allOf, termWords, type CompiledPattern, type WordQuery } from './filter-terms.js';
import { compileGlob, type Glob } from './glob.js';

type Value = { kind: 'string'; text: string; quoted: boolean } | { kind: 'number'; n: number };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cmp'; path: (string | number)[]; op: string; value: Value }
  | { kind: 'is'; path: (string | number)[]; what: 'TRUE' | 'FALSE' | 'NULL' | 'NOT EXISTS' | 'EXISTS' };

const TOKENS = /\s*(\(|\)|&&|\|\||!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|\$[^\s()=!<>&|]*|[^\s()=!<>&|"]+)/y;

export function compileJsonPattern(text: string): CompiledPattern {
  const body = text.trim();
  if (!body.endsWith('}')) throw new PatternError(`A JSON filter pattern must end with '}': ${text}`);
  const tokens = tokenize(body.slice(1, -1));
  const parser = new Parser(tokens, text);
  const node = parser.expr();
  if (!parser.done()) throw new PatternError(`Unexpected '${parser.peek()}' in filter pattern: ${text}`);
  return {
    words: narrow(node),
    weight: 2, // a JSON.parse, then a walk of the pattern's few comparisons
    test: (message) => {
      const json = jsonOf(message);
      return json !== undefined && evaluate(node, json);
    },
  };
}

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKENS.lastIndex = 0;
  while (TOKENS.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKENS.lastIndex))) break;
    const m = TOKENS.exec(src);
    if (!m) throw new PatternError(`Cannot read the JSON filter pattern near '${src.slice(TOKENS.lastIndex)}'`);
    out.push(m[1]!);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: string[], private readonly source: string) {}
  peek(): string | undefined {
    return this.tokens[this.i];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new PatternError(`The JSON filter pattern ends too early: ${this.source}`);
    return t;
  }
  expr(): Node {
    let left = this.and();
    while (this.peek() === '||') {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): Node {
    let left = this.unary();
    while (this.peek() === '&&') {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }
  private unary(): Node {
    if (this.peek() === '(') {
      this.i++;
      const inner = this.expr();
      if (this.next() !== ')') throw new PatternError(`Missing ')' in filter pattern: ${this.source}`);
      return inner;
    }
    const selector = this.next();
    if (!selector.startsWith('$')) throw new PatternError(`Expected a selector such as $.field, got '${selector}'`);
    const path = parsePath(selector);
    const op = this.next();
    if (op === 'IS') {
      const what = this.next();
      if (what !== 'TRUE' && what !== 'FALSE' && what !== 'NULL') throw new PatternError(`Expected TRUE, FALSE or NULL after IS, got '${what}'`);
      return { kind: 'is', path, what };
    }
    if (op === 'NOT' && this.next() === 'EXISTS') return { kind: 'is', path, what: 'NOT EXISTS' };
    if (op === 'EXISTS') return { kind: 'is', path, what: 'EXISTS' };
    if (!['=', '!=', '<', '>', '<=', '>='].includes(op)) throw new PatternError(`Unknown operator '${op}' in filter pattern`);
    const value = parseValue(this.next());
    if (value.kind === 'string' && op !== '=' && op !== '!=') {
      throw new PatternError(`'${op}' compares numbers; '${value.text}' is not a number`);
    }
    return { kind: 'cmp', path, op, value };
  }
}

function parsePath(selector: string): (string | number)[] {
  const path: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < selector.length) {
    const m = re.exec(selector);
    if (!m) throw new PatternError(`Cannot read the selector '${selector}'`);
    path.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  if (path.length === 0) throw new PatternError(`The selector '${selector}' names no field`);
  return path;
}

function parseValue(token: string): Value {
  if (token.startsWith('"')) return { kind: 'string', text: JSON.parse(token) as string, quoted: true };
  const n = Number(token);
  if (token !== '' && Number.isFinite(n)) return { kind: 'number', n };
  return { kind: 'string', text: token, quoted: false };
}

function jsonOf(message: string): unknown {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(start === 0 ? message : message.slice(start));
  } catch {
    return undefined;
  }
}

function lookup(json: unknown, path: (string | number)[]): unknown {
  let v: unknown = json;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function evaluate(node: Node, json: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, json) && evaluate(node.right, json);
    case 'or':
      return evaluate(node.left, json) || evaluate(node.right, json);
    case 'is': {
      const v = lookup(json, node.path);
      if (node.what === 'NOT EXISTS') return v === undefined;
      if (node.what === 'EXISTS') return v !== undefined;
      return v === (node.what === 'TRUE' ? true : node.what === 'FALSE' ? false : null);
    }
    case 'cmp':
      return compare(lookup(json, node.path), node.op, node.value);
  }
}

function compare(field: unknown, op: string, value: Value): boolean {
  if (field === undefined || field === null || typeof field === 'object') return false;
  if (value.kind === 'number') {
    const n = typeof field === 'number' ? field : typeof field === 'string' && field.trim() !== '' ? Number(field) : NaN;
    if (Number.isNaN(n)) return op === '!=';
    switch (op) {
      case '=': return n === value.n;
      case '!=': return n !== value.n;
      case '<': return n < value.n;
      case '>': return n > value.n;
      case '<=': return n <= value.n;
      default: return n >= value.n;
    }
  }
  const equal = wildcard(value.text).test(String(field));
  return op === '=' ? equal : !equal;
}

const wildcards = new Map<string, Glob>();
function wildcard(text: string): Glob {
  let glob = wildcards.get(text);
  if (!glob) {
    glob = compileGlob(text);
    if (wildcards.size > 256) wildcards.clear();
    wildcards.set(text, glob);
  }
  return glob;
}

/** Words the matching events contain: the field's name, and a plain string value. */
function narrow(node: Node): WordQuery | undefined {
  if (node.kind === 'and' || node.kind === 'or') {
    const l = narrow(node.left);
    const r = narrow(node.right);
    if (node.kind === 'or') return l && r ? { any: [l, r] } : undefined;
    return l && r ? { all: [l, r] } : l ?? r;
  }
  const leaf = node as Exclude<Node, { kind: 'and' | 'or' }>;
  if (leaf.kind === 'is' && leaf.what === 'NOT EXISTS') return undefined;
  const key = leaf.path[leaf.path.length - 1];
  const parts = [typeof key === 'string' ? termWords(key) : undefined];
  // Only plain values: JSON escapes could hide other characters in the stored text.
  if (leaf.kind === 'cmp' && leaf.op === '=' && leaf.value.kind === 'string' && /^[\w .:@/-]+$/.test(leaf.value.text)) {
    parts.push(termWords(leaf.value.text));
  }
  return allOf(parts.filter((p): p is WordQuery => p !== undefined));
}
