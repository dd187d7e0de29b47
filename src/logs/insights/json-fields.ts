// Fields discovered in JSON log lines: a line that is a JSON object, or ends in one (Lambda's
// text format puts time, request id and level before it, tab-separated). Nested objects are
// flattened with dots (`order.id`), arrays by index (`items.0`), as CloudWatch names them. Bounded:
// at most MAX_FIELDS fields, MAX_DEPTH levels, so a hostile line costs little.
import type { Value } from './values.js';

const MAX_FIELDS = 500;
const MAX_DEPTH = 16;
const EMPTY: ReadonlyMap<string, Value> = new Map();

export function jsonFields(message: string): ReadonlyMap<string, Value> {
  const end = lastNonSpace(message);
  if (end < 0 || message[end] !== '}') return EMPTY;
  const start = message[0] === '{' ? 0 : message.indexOf('\t{') + 1;
  if (start < 0 || message[start] !== '{') return EMPTY;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.slice(start, end + 1));
  } catch {
    return EMPTY;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return EMPTY;
  const fields = new Map<string, Value>();
  flatten(parsed, '', 0, fields);
  return fields;
}

function flatten(v: unknown, prefix: string, depth: number, into: Map<string, Value>): void {
  if (into.size >= MAX_FIELDS) return;
  if (v === null || v === undefined) return;
  if (typeof v === 'object') {
    if (depth >= MAX_DEPTH) {
      into.set(prefix, JSON.stringify(v));
      return;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) flatten(x, prefix === '' ? k : `${prefix}.${k}`, depth + 1, into);
    return;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') into.set(prefix, v);
}

function lastNonSpace(s: string): number {
  let i = s.length - 1;
  while (i >= 0 && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i--;
  return i;
}
