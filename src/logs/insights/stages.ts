// The commands as streaming stages: each takes rows one at a time and passes some on. push()
// answers false when nothing more is wanted (a `limit` is full), so the scan can stop early.
// Only `stats` and `sort` hold rows, and both are bounded: a state per group (at most MAX_GROUPS),
// the best `k` rows in a heap (k ≤ the result cap).
import type { Command, Expr, Named, SortKey } from './ast.js';
import { createAggregate, type Aggregate, ValueBudget } from './aggregates.js';
import { QueryFailure } from './errors.js';
import { evaluate } from './evaluate.js';
import { applyParse } from './parse-command.js';
import { isAggregateName } from './signatures.js';
import { EventRow, MapRow, type Row } from './row.js';
import { sortCompare, Time, toText, truthy, type Value } from './values.js';

export interface Stage {
  push(row: Row): boolean;
  finish(): void;
  /**
   * A stage that holds rows to the end (stats, sort): push what it would give if the rows pushed
   * so far were all into `next` (a fresh copy of the stages after it), then finish `next`; its own
   * state is left as it is (a Running query's partial results).
   */
  peek?(next: Stage): void;
}

export const MAX_GROUPS = 10_000;
/** Values kept exactly for percentiles, across a query's groups (8 bytes each). */
export const PCT_BUDGET = 2_000_000;
export const MAX_DEDUP_KEYS = 200_000;
/**
 * Characters of rows a query may hold at once in a sort, and of its results: a line may be 256 KB,
 * so 10,000 rows of them would be 2.5 GB. Past it the query fails, saying to select or limit more.
 */
export const MAX_HELD_CHARS = 32 * 1024 * 1024;

/** What a row holds, roughly: an event's message, or the values a stats group set. */
export function heldChars(row: Row): number {
  return row instanceof EventRow ? row.event.message.length + 256 : 256;
}

export const tooMuchHeld = () =>
  new QueryFailure(`The query would hold more than ${MAX_HELD_CHARS / 1024 / 1024} MB of rows; add a limit, select fewer fields, or filter more.`);

export function filterStage(expr: Expr, next: Stage): Stage {
  return { push: (row) => (truthy(evaluate(expr, row)) ? next.push(row) : true), finish: () => next.finish() };
}

export function fieldsStage(items: readonly Named[], next: Stage): Stage {
  // A plain field (`fields @message`) is already on the row; only what is computed or renamed is set.
  const computed = items.filter((i) => !(i.expr.kind === 'field' && i.expr.name === i.name));
  return {
    push(row) {
      for (const item of computed) row.set(item.name, evaluate(item.expr, row));
      return next.push(row);
    },
    finish: () => next.finish(),
  };
}

export function parseStage(cmd: Command & { kind: 'parse' }, next: Stage): Stage {
  return {
    push(row) {
      const text = toText(evaluate(cmd.source, row));
      for (const name of cmd.pattern.names) row.set(name, undefined);
      if (text !== undefined) applyParse(cmd.pattern, text, (name, v) => row.set(name, v));
      return next.push(row);
    },
    finish: () => next.finish(),
  };
}

export function limitStage(count: number, next: Stage): Stage {
  let passed = 0;
  return {
    push(row) {
      if (passed >= count) return false;
      passed++;
      return next.push(row) && passed < count;
    },
    finish: () => next.finish(),
  };
}

export function dedupStage(fields: readonly Expr[], next: Stage): Stage {
  const seen = new Set<string>();
  return {
    push(row) {
      const key = JSON.stringify(fields.map((f) => keyOf(evaluate(f, row))));
      if (seen.has(key)) return true;
      if (seen.size >= MAX_DEDUP_KEYS) throw new QueryFailure(`dedup saw more than ${MAX_DEDUP_KEYS.toLocaleString('en')} distinct values; filter first, or dedup after stats`);
      seen.add(key);
      return next.push(row);
    },
    finish: () => next.finish(),
  };
}

export function countStage(count: () => void, next: Stage): Stage {
  return { push: (row) => { count(); return next.push(row); }, finish: () => next.finish() };
}

/** The first `k` rows in the keys' order, kept in a heap whose root is the one to drop next. */
export function sortStage(keys: readonly SortKey[], k: number, next: Stage): Stage {
  type Entry = { row: Row; keys: Value[]; seq: number };
  const order = (a: Entry, b: Entry): number => {
    for (let i = 0; i < keys.length; i++) {
      const c = sortCompare(a.keys[i], b.keys[i]);
      if (c !== 0) return keys[i]!.desc ? (a.keys[i] === undefined || b.keys[i] === undefined ? c : -c) : c;
    }
    // Ties keep the order events were read in (oldest first), reversed by a descending sort, so
    // that `sort @timestamp desc` lists lines of the same millisecond newest first too.
    return keys[0]!.desc ? b.seq - a.seq : a.seq - b.seq;
  };
  const heap: Entry[] = [];
  let seq = 0;
  let held = 0;
  // Max-heap by `order`: the root sorts last among those kept.
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (order(heap[i]!, heap[p]!) <= 0) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && order(heap[l]!, heap[m]!) > 0) m = l;
      if (r < heap.length && order(heap[r]!, heap[m]!) > 0) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  return {
    push(row) {
      const entry = { row, keys: keys.map((key) => evaluate(key.expr, row)), seq: seq++ };
      if (heap.length < k) {
        heap.push(entry);
        up(heap.length - 1);
        held += heldChars(row);
      } else if (order(entry, heap[0]!) < 0) {
        held += heldChars(row) - heldChars(heap[0]!.row);
        heap[0] = entry;
        down(0);
      }
      if (held > MAX_HELD_CHARS) throw tooMuchHeld();
      return true;
    },
    finish() {
      this.peek!(next);
    },
    peek(into) {
      for (const e of [...heap].sort(order)) if (!into.push(e.row)) break;
      into.finish();
    },
  };
}

export function statsStage(cmd: Command & { kind: 'stats' }, next: Stage): Stage {
  const calls: (Expr & { kind: 'call' })[] = [];
  for (const a of cmd.aggregates) collectAggregates(a.expr, calls);
  const budget = new ValueBudget(PCT_BUDGET);
  const groups = new Map<string, { by: Value[]; states: Aggregate[] }>();
  return {
    push(row) {
      const by = cmd.by.map((b) => evaluate(b.expr, row));
      const key = by.length === 0 ? '' : JSON.stringify(by.map(keyOf));
      let group = groups.get(key);
      if (!group) {
        if (groups.size >= MAX_GROUPS) throw new QueryFailure(`stats made more than ${MAX_GROUPS.toLocaleString('en')} groups; group by fewer values (a coarser bin, fewer fields)`);
        group = { by, states: calls.map((c) => createAggregate(c, budget)) };
        groups.set(key, group);
      }
      for (const s of group.states) s.add(row);
      return true;
    },
    finish() {
      this.peek!(next);
    },
    peek(into) {
      // No row at all still gives one row of a stats without groups (count() is 0).
      const all = groups.size === 0 && cmd.by.length === 0 ? [{ by: [], states: calls.map((c) => createAggregate(c, budget)) }] : groups.values();
      for (const group of all) {
        const results = new Map<Expr, Value>(calls.map((c, i) => [c, group.states[i]!.result()]));
        const out = new MapRow();
        cmd.by.forEach((b, i) => { out.set(b.name, group.by[i]); });
        for (const a of cmd.aggregates) out.set(a.name, evaluate(a.expr, out, results));
        if (!into.push(out)) break;
      }
      into.finish();
    },
  };
}

function collectAggregates(e: Expr, into: (Expr & { kind: 'call' })[]): void {
  if (e.kind === 'call' && isAggregateName(e.name)) {
    into.push(e);
    return;
  }
  if (e.kind === 'call') e.args.forEach((a) => { collectAggregates(a, into); });
  else if (e.kind === 'unary' || e.kind === 'like') collectAggregates(e.arg, into);
  else if (e.kind === 'binary') {
    collectAggregates(e.left, into);
    collectAggregates(e.right, into);
  } else if (e.kind === 'in') [e.arg, ...e.list].forEach((x) => { collectAggregates(x, into); });
}

/** A value as a grouping key: its type kept, so that 1 and "1" and a time stay apart. */
function keyOf(v: Value): unknown {
  return v instanceof Time ? { t: v.ms } : v === undefined ? null : v;
}
