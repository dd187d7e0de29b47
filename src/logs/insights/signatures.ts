// Which functions a query may call, with how many arguments: checked as the query is parsed.
// Scalar functions are evaluated in functions.ts, aggregations in aggregates.ts.
import type { Expr } from './ast.js';
import { MalformedQueryError } from './errors.js';

type Arity = readonly [min: number, max: number];
const MANY = 100;

export const SCALAR_ARITY: Readonly<Record<string, Arity>> = {
  ispresent: [1, 1], isempty: [1, 1], isblank: [1, 1], coalesce: [1, MANY],
  concat: [1, MANY], strlen: [1, 1], toupper: [1, 1], tolower: [1, 1], substr: [2, 3], replace: [3, 3],
  trim: [1, 1], ltrim: [1, 1], rtrim: [1, 1], strcontains: [2, 2],
  abs: [1, 1], ceil: [1, 1], floor: [1, 1], sqrt: [1, 1], log: [1, 1], greatest: [1, MANY], least: [1, MANY],
  bin: [1, 1], datefloor: [2, 2], dateceil: [2, 2], frommillis: [1, 1], tomillis: [1, 1],
};

export const AGGREGATE_ARITY: Readonly<Record<string, Arity>> = {
  count: [0, 1], count_distinct: [1, 1], sum: [1, 1], avg: [1, 1], min: [1, 1], max: [1, 1], pct: [2, 2], stddev: [1, 1],
  earliest: [1, 1], latest: [1, 1], sortsfirst: [1, 1], sortslast: [1, 1],
};

export const isAggregateName = (name: string): boolean => Object.hasOwn(AGGREGATE_ARITY, name);

export function checkCall(e: Expr & { kind: 'call' }): void {
  // hasOwn: `constructor(x)` or `__proto__(x)` are unknown functions, not Object's members.
  const arity = Object.hasOwn(SCALAR_ARITY, e.name) ? SCALAR_ARITY[e.name] : isAggregateName(e.name) ? AGGREGATE_ARITY[e.name] : undefined;
  if (!arity) throw new MalformedQueryError(`Unknown function ${e.name}`, e.pos);
  if (e.star && e.name !== 'count') throw new MalformedQueryError(`${e.name}(*) is not allowed; only count(*)`, e.pos);
  const [min, max] = arity;
  if (!e.star && (e.args.length < min || e.args.length > max)) {
    const want = min === max ? String(min) : max === MANY ? `at least ${min}` : `${min} to ${max}`;
    throw new MalformedQueryError(`${e.name} takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, found ${e.args.length}`, e.pos);
  }
  for (const arg of e.args) {
    if (isAggregateName(e.name) && arg.kind === 'call' && isAggregateName(arg.name)) {
      throw new MalformedQueryError(`An aggregation cannot contain another: ${e.text}`, arg.pos);
    }
  }
  if (e.name === 'pct') {
    const p = e.args[1]!;
    if (p.kind !== 'literal' || typeof p.value !== 'number' || p.value < 0 || p.value > 100) {
      throw new MalformedQueryError('pct takes a percentile from 0 to 100 as its second argument', p.pos);
    }
  }
  if (e.name === 'bin' && e.args[0]!.kind !== 'duration') throw new MalformedQueryError('bin takes a time span, e.g. bin(5m)', e.args[0]!.pos);
  if ((e.name === 'datefloor' || e.name === 'dateceil') && e.args[1]!.kind !== 'duration') {
    throw new MalformedQueryError(`${e.name} takes a time span as its second argument, e.g. ${e.name}(@timestamp, 1h)`, e.args[1]!.pos);
  }
  for (const arg of e.args) if (arg.kind === 'duration' && !(e.name === 'bin' || e.name === 'datefloor' || e.name === 'dateceil')) {
    throw new MalformedQueryError(`A time span (${arg.text}) is only an argument of bin, datefloor and dateceil`, arg.pos);
  }
  const bad = e.args.find((a) => a.kind === 'duration' && a.ms <= 0);
  if (bad) throw new MalformedQueryError('A time span must be longer than zero', bad.pos);
}
