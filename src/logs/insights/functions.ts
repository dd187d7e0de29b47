// The scalar functions a query can call (signatures.ts has their argument counts). An absent
// argument gives an absent result, except where the function is about presence (ispresent,
// isempty, coalesce).
import type { Expr } from './ast.js';
import { Time, toNumber, toText, type Value } from './values.js';

type Fn = (args: readonly Value[], call: Expr & { kind: 'call' }) => Value;

const text = (f: (s: string) => Value): Fn => ([v]) => {
  const s = toText(v);
  return s === undefined ? undefined : f(s);
};
const num = (f: (n: number) => Value): Fn => ([v]) => {
  const n = toNumber(v);
  return n === undefined ? undefined : f(n);
};
const isNothing = (v: Value) => v === undefined || v === '';

/** Floor / ceiling of a time to a multiple of a span (bin, datefloor, dateceil), as a time. */
function roundTime(v: Value, spanMs: number, up: boolean): Value {
  const ms = toNumber(v);
  if (ms === undefined) return undefined;
  const floor = Math.floor(ms / spanMs) * spanMs;
  return new Time(up && floor !== ms ? floor + spanMs : floor);
}

const spanOf = (e: Expr) => (e.kind === 'duration' ? e.ms : 1);

export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  ispresent: ([v]) => v !== undefined,
  isempty: ([v]) => isNothing(v),
  isblank: ([v]) => isNothing(v) || (typeof v === 'string' && v.trim() === ''),
  coalesce: (args) => args.find((v) => !isNothing(v)),
  concat: (args) => (args.every((v) => v === undefined) ? undefined : args.map((v) => toText(v) ?? '').join('')),
  strlen: text((s) => [...s].length),
  toupper: text((s) => s.toUpperCase()),
  tolower: text((s) => s.toLowerCase()),
  trim: text((s) => s.trim()),
  ltrim: text((s) => s.trimStart()),
  rtrim: text((s) => s.trimEnd()),
  strcontains: ([v, w]) => {
    const s = toText(v);
    const t = toText(w);
    return s === undefined || t === undefined ? undefined : s.includes(t);
  },
  // substr(s, start[, length]): start counts from 0, as CloudWatch's does.
  substr: ([v, start, length]) => {
    const s = toText(v);
    const from = toNumber(start);
    if (s === undefined || from === undefined) return undefined;
    const chars = [...s];
    const len = length === undefined ? chars.length : toNumber(length);
    if (len === undefined) return undefined;
    return chars.slice(Math.max(0, Math.trunc(from)), Math.max(0, Math.trunc(from)) + Math.max(0, Math.trunc(len))).join('');
  },
  // replace(s, search, replacement): every occurrence of the text `search`.
  replace: ([v, search, replacement]) => {
    const s = toText(v);
    const what = toText(search);
    if (s === undefined || what === undefined || what === '') return s;
    return s.split(what).join(toText(replacement) ?? '');
  },
  abs: num(Math.abs),
  ceil: num(Math.ceil),
  floor: num(Math.floor),
  sqrt: num(Math.sqrt),
  log: num(Math.log),
  greatest: (args) => extreme(args, 1),
  least: (args) => extreme(args, -1),
  // bin(span) is given the row's @timestamp (evaluate.ts).
  bin: ([t], call) => roundTime(t, spanOf(call.args[0]!), false),
  datefloor: ([v], call) => roundTime(v, spanOf(call.args[1]!), false),
  dateceil: ([v], call) => roundTime(v, spanOf(call.args[1]!), true),
  frommillis: num((n) => new Time(n)),
  tomillis: num((n) => n),
};

function extreme(args: readonly Value[], sign: 1 | -1): Value {
  let best: number | undefined;
  for (const v of args) {
    const n = toNumber(v);
    if (n !== undefined && (best === undefined || sign * (n - best) > 0)) best = n;
  }
  return best;
}
