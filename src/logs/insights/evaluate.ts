// An expression's value for one row. Aggregations (count(), avg(x), …) are not computed here: a
// stats group hands in their results (`aggregates`), by the expression that called them.
import type { Expr } from './ast.js';
import { FUNCTIONS } from './functions.js';
import type { Row } from './row.js';
import { compare, equals, toNumber, toText, truthy, type Value } from './values.js';

export function evaluate(e: Expr, row: Row, aggregates?: ReadonlyMap<Expr, Value>): Value {
  switch (e.kind) {
    case 'field':
      return row.get(e.name);
    case 'literal':
      return e.value;
    case 'duration':
      return e.ms;
    case 'regex':
      return e.source;
    case 'unary': {
      const v = evaluate(e.arg, row, aggregates);
      if (e.op === 'not') return !truthy(v);
      const n = toNumber(v);
      return n === undefined ? undefined : -n;
    }
    case 'binary':
      return binary(e, row, aggregates);
    case 'like': {
      const s = toText(evaluate(e.arg, row, aggregates));
      if (s === undefined) return false;
      const matched = e.pattern.kind === 'regex' ? e.pattern.re.test(s) : s.includes(toText(evaluate(e.pattern, row, aggregates)) ?? '');
      return matched !== e.negated;
    }
    case 'in': {
      const v = evaluate(e.arg, row, aggregates);
      if (v === undefined) return false;
      const found = e.list.some((item) => equals(v, evaluate(item, row, aggregates)));
      return found !== e.negated;
    }
    case 'call': {
      if (aggregates?.has(e)) return aggregates.get(e);
      const fn = Object.hasOwn(FUNCTIONS, e.name) ? FUNCTIONS[e.name] : undefined;
      // An aggregation after stats names its column: `stats count(*) by x | sort count(*) desc`.
      if (!fn) return row.get(e.text);
      const args = e.name === 'bin' ? [row.get('@timestamp')] : e.args.map((a) => evaluate(a, row, aggregates));
      return fn(args, e);
    }
  }
}

function binary(e: Expr & { kind: 'binary' }, row: Row, aggregates: ReadonlyMap<Expr, Value> | undefined): Value {
  const left = evaluate(e.left, row, aggregates);
  if (e.op === 'and') return truthy(left) && truthy(evaluate(e.right, row, aggregates));
  if (e.op === 'or') return truthy(left) || truthy(evaluate(e.right, row, aggregates));
  const right = evaluate(e.right, row, aggregates);
  switch (e.op) {
    case '=':
      return equals(left, right);
    case '!=':
      return left !== undefined && right !== undefined && !equals(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const c = compare(left, right);
      if (c === undefined) return false;
      return e.op === '<' ? c < 0 : e.op === '<=' ? c <= 0 : e.op === '>' ? c > 0 : c >= 0;
    }
  }
  const a = toNumber(left);
  const b = toNumber(right);
  if (a === undefined || b === undefined) return undefined;
  switch (e.op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '%':
      return b === 0 ? undefined : a % b;
    default:
      return a ** b;
  }
}
